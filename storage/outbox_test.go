package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// outboxFixture is a community with a general, an announcement and a
// moderation chat.
type outboxFixture struct {
	community int64
	chats     map[string]int64 // by purpose
}

func newOutboxFixture(t *testing.T, s *storage.Store) outboxFixture {
	t.Helper()
	ctx := context.Background()
	f := outboxFixture{chats: map[string]int64{}}
	for _, purpose := range []string{model.PurposeGeneral, model.PurposeAnnouncements, model.PurposeModeration} {
		chat, community, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "discord", GroupID: "g", ChatID: purpose}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetChatPurpose(ctx, chat.ID, purpose); err != nil {
			t.Fatal(err)
		}
		f.community, f.chats[purpose] = community.ID, chat.ID
	}
	return f
}

var publicPurposes = []string{model.PurposeGeneral, model.PurposeAnnouncements}

func claimAll(t *testing.T, s *storage.Store, subject string, at time.Time) []model.OutboxPost {
	t.Helper()
	posts, err := s.ClaimDuePosts(context.Background(), subject, at, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	return posts
}

// A post is claimed by one worker, retried after a failure when due, and
// never sent again once sent; chats whose purpose does not fit get none.
func TestOutboxClaimsEachPostOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newOutboxFixture(t, s)
		n, err := s.QueuePosts(ctx, f.community, "poll/1", publicPurposes, true, pollNow)
		if err != nil || n != 2 {
			t.Fatalf("queued %d, %v; want the general and announcement chats", n, err)
		}
		if n, err := s.QueuePosts(ctx, f.community, "poll/1", publicPurposes, true, pollNow); err != nil || n != 2 {
			t.Fatalf("queued again %d, %v; want the same two", n, err)
		}
		got := claimAll(t, s, "", pollNow)
		if len(got) != 2 || got[0].Platform != "discord" || got[0].State != model.PostSending || got[0].Attempts != 1 {
			t.Fatalf("claimed %+v", got)
		}
		if again := claimAll(t, s, "", pollNow); len(again) != 0 {
			t.Fatalf("claimed twice: %+v", again)
		}
		if err := s.RecordPostSent(ctx, got[0].Subject, got[0].ChatID, "m1,m2", pollNow); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordPostFailed(ctx, got[1].Subject, got[1].ChatID, "HTTP 500", pollNow.Add(time.Minute), false); err != nil {
			t.Fatal(err)
		}
		if early := claimAll(t, s, "", pollNow.Add(59*time.Second)); len(early) != 0 {
			t.Fatalf("retried before its time: %+v", early)
		}
		retry := claimAll(t, s, "poll/1", pollNow.Add(time.Minute))
		if len(retry) != 1 || retry[0].ChatID != got[1].ChatID || retry[0].Attempts != 2 {
			t.Fatalf("retry = %+v, want the failed chat only", retry)
		}
		// Its worker dies while sending: the post is in doubt, not sent again.
		if late := claimAll(t, s, "", pollNow.Add(time.Hour)); len(late) != 0 {
			t.Fatalf("a post whose worker died was sent again: %+v", late)
		}
		posts, err := s.Posts(ctx, "poll/1")
		if err != nil || len(posts) != 2 || posts[0].State != model.PostSent || posts[0].MessageRef != "m1,m2" || posts[1].State != model.PostDoubt {
			t.Fatalf("posts = %+v, %v", posts, err)
		}
	})
}

// Workers of several processes claiming at once share the posts: each is
// taken by exactly one.
func TestOutboxConcurrentClaimsTakeEachPostOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newOutboxFixture(t, s)
		for i := range 30 {
			if _, err := s.QueuePosts(ctx, f.community, "poll/"+string(rune('a'+i)), nil, true, pollNow); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					posts, err := s.ClaimDuePosts(ctx, "", pollNow, time.Minute, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(posts) == 0 {
						return
					}
					mu.Lock()
					for _, p := range posts {
						seen[p.Subject+"@"+p.PlatformChatID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 90 {
			t.Fatalf("claimed %d distinct posts, want 90", len(seen))
		}
		for k, n := range seen {
			if n != 1 {
				t.Errorf("post %s claimed %d times", k, n)
			}
		}
	})
}

// A message's edit slot is taken once per interval, by one claimer among
// many at the same instant; only sent posts have one.
func TestOutboxEditSlotIsClaimedOncePerInterval(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newOutboxFixture(t, s)
		if _, err := s.QueuePosts(ctx, f.community, "poll/1", []string{model.PurposeGeneral}, true, pollNow); err != nil {
			t.Fatal(err)
		}
		claimEdits := func(at time.Time) []model.OutboxPost {
			t.Helper()
			posts, err := s.ClaimPostEdits(ctx, "poll/1", at, 3*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			return posts
		}
		if got := claimEdits(pollNow); len(got) != 0 {
			t.Fatalf("claimed %+v before the post was sent", got)
		}
		post := claimAll(t, s, "", pollNow)[0]
		if err := s.RecordPostSent(ctx, post.Subject, post.ChatID, "m1", pollNow); err != nil {
			t.Fatal(err)
		}
		if got := claimEdits(pollNow.Add(2999 * time.Millisecond)); len(got) != 0 {
			t.Fatalf("edited within the interval after sending: %+v", got)
		}
		got := claimEdits(pollNow.Add(3 * time.Second))
		if len(got) != 1 || got[0].MessageRef != "m1" || got[0].PlatformChatID != model.PurposeGeneral {
			t.Fatalf("claim = %+v", got)
		}
		at := pollNow.Add(10 * time.Second)
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				posts, err := s.ClaimPostEdits(ctx, "poll/1", at, 3*time.Second)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				won += len(posts)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d concurrent claims won the slot, want 1", won)
		}
	})
}

// Settling owes each message one final edit, remembered across restarts;
// a settled subject reaches no new chat, a live one does; a result goes
// where its poll was sent; retracting returns the messages to delete.
func TestOutboxSubjectLifecycle(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newOutboxFixture(t, s)
		if _, err := s.QueuePosts(ctx, f.community, "poll/1", []string{model.PurposeGeneral}, true, pollNow); err != nil {
			t.Fatal(err)
		}
		for _, p := range claimAll(t, s, "", pollNow) {
			if err := s.RecordPostSent(ctx, p.Subject, p.ChatID, "m-"+p.PlatformChatID, pollNow); err != nil {
				t.Fatal(err)
			}
		}
		subjects, err := s.SubjectsToEdit(ctx)
		if err != nil || len(subjects) != 1 || subjects[0] != "poll/1" {
			t.Fatalf("subjects to edit at start = %v, %v", subjects, err)
		}
		// An announcement chat turns general: it receives the live poll.
		if err := s.SetChatPurpose(ctx, f.chats[model.PurposeAnnouncements], model.PurposeGeneral); err != nil {
			t.Fatal(err)
		}
		if n, err := s.QueueLivePostsForChat(ctx, f.chats[model.PurposeAnnouncements], pollNow); err != nil || n != 1 {
			t.Fatalf("late chat got %d posts, %v", n, err)
		}
		if n, err := s.QueueLivePostsForChat(ctx, f.chats[model.PurposeModeration], pollNow); err != nil || n != 0 {
			t.Fatalf("moderation chat got %d posts, %v", n, err)
		}
		late := claimAll(t, s, "", pollNow)
		if len(late) != 1 {
			t.Fatalf("late post claims = %+v", late)
		}
		if err := s.RecordPostSent(ctx, late[0].Subject, late[0].ChatID, "m-late", pollNow); err != nil {
			t.Fatal(err)
		}
		if err := s.SettleSubject(ctx, "poll/1"); err != nil {
			t.Fatal(err)
		}
		owed, err := s.OwedEdits(ctx)
		if err != nil || len(owed) != 1 {
			t.Fatalf("owed edits = %v, %v", owed, err)
		}
		edits, err := s.ClaimPostEdits(ctx, "poll/1", pollNow.Add(time.Minute), 3*time.Second)
		if err != nil || len(edits) != 2 {
			t.Fatalf("final edits = %+v, %v", edits, err)
		}
		// The edits took 2 s to reach the platform: the next slot opens an
		// interval after they were done, not after they were claimed.
		done := pollNow.Add(time.Minute + 2*time.Second)
		for _, p := range edits {
			if err := s.RecordPostEdited(ctx, p.Subject, p.ChatID, p.MessageRef+"+", done); err != nil {
				t.Fatal(err)
			}
		}
		if owed, _ := s.OwedEdits(ctx); len(owed) != 0 {
			t.Fatalf("edits still owed: %v", owed)
		}
		if early, _ := s.ClaimPostEdits(ctx, "poll/1", done.Add(2*time.Second), 3*time.Second); len(early) != 0 {
			t.Errorf("claimed %d edits 2 s after the last edit was done", len(early))
		}
		if again, _ := s.ClaimPostEdits(ctx, "poll/1", done.Add(3*time.Second), 3*time.Second); len(again) != 2 {
			t.Errorf("claimed %d edits an interval after the last edit was done, want 2", len(again))
		}
		if n, _ := s.QueueLivePostsForChat(ctx, f.chats[model.PurposeModeration], pollNow); n != 0 {
			t.Fatal("a settled subject reached a new chat")
		}
		n, err := s.QueuePostsAlong(ctx, "poll-result/1", "poll/1", pollNow)
		if err != nil || n != 2 {
			t.Fatalf("result queued in %d chats, %v; want the poll's two", n, err)
		}
		sent, err := s.RetractSubject(ctx, "poll/1")
		if err != nil || len(sent) != 2 || sent[0].MessageRef != "m-general+" {
			t.Fatalf("retracted %+v, %v", sent, err)
		}
		if err := s.ForgetSubject(ctx, "poll-result/1"); err != nil {
			t.Fatal(err)
		}
		if posts, _ := s.Posts(ctx, "poll-result/1"); len(posts) != 0 {
			t.Fatalf("forgotten subject keeps posts: %+v", posts)
		}
	})
}
