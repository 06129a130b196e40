package storage_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

var faqNow = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

type faqFixture struct {
	community storage.Community
	chat      storage.Chat
	members   []storage.Member
}

func newFAQFixture(t *testing.T, s *storage.Store, members int) faqFixture {
	t.Helper()
	ctx := context.Background()
	chat, community, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "console", GroupID: "g", ChatID: "general"}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	f := faqFixture{community: community, chat: chat}
	for i := range members {
		m, err := s.ResolveMember(ctx, community.ID, "console", fmt.Sprintf("user%d", i), fmt.Sprintf("User %d", i))
		if err != nil {
			t.Fatal(err)
		}
		f.members = append(f.members, m)
	}
	return f
}

func (f faqFixture) entry(t *testing.T, s *storage.Store, question string) model.FAQEntry {
	t.Helper()
	e := model.FAQEntry{CommunityID: f.community.ID, Texts: []model.FAQText{{
		Lang: "fr", Question: question, Phrasings: []string{question + " (autrement)"}, Tags: []string{"tag"}, Answer: "Réponse à " + question,
	}}}
	if err := s.CreateFAQEntry(context.Background(), &e, faqNow); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestFAQEntriesAndTexts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFAQFixture(t, s, 0)
		a := f.entry(t, s, "Comment adhérer ?")
		b := f.entry(t, s, "Où est le local ?")
		en := model.FAQText{Lang: "en", Question: "How do I join?", Answer: "Fill in the *form*."}
		if err := s.SaveFAQText(ctx, f.community.ID, a.ID, en, faqNow.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := s.FAQEntry(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []model.FAQText{a.Texts[0], en}
		if !reflect.DeepEqual(got.Texts, want) || !got.UpdatedAt.Equal(faqNow.Add(time.Hour)) || !got.CreatedAt.Equal(faqNow) {
			t.Fatalf("entry = %+v, want texts %+v updated an hour later", got, want)
		}
		// The last text of an entry is never removed on its own.
		if err := s.DeleteFAQText(ctx, f.community.ID, b.ID, "fr", faqNow); !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("delete last text: %v, want ErrConflict", err)
		}
		if err := s.DeleteFAQText(ctx, f.community.ID, a.ID, "fr", faqNow); err != nil {
			t.Fatal(err)
		}
		// Another community's entry is out of reach.
		_, other, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-1"}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveFAQText(ctx, other.ID, a.ID, en, faqNow); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("save text from another community: %v, want ErrNotFound", err)
		}
		if err := s.DeleteFAQEntry(ctx, other.ID, a.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("delete from another community: %v, want ErrNotFound", err)
		}
		all, err := s.FAQEntries(ctx, f.community.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].ID != a.ID || !reflect.DeepEqual(all[0].Texts, []model.FAQText{en}) || all[1].Texts[0].Question != "Où est le local ?" {
			t.Fatalf("entries = %+v", all)
		}
		if err := s.DeleteFAQEntry(ctx, f.community.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FAQEntry(ctx, b.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("deleted entry: %v, want ErrNotFound", err)
		}
	})
}

// An import is all or nothing: one entry that is not the community's
// undoes the entries before it.
func TestFAQImportIsOneTransaction(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFAQFixture(t, s, 0)
		a := f.entry(t, s, "Comment adhérer ?")
		changed := model.FAQEntry{ID: a.ID, Texts: []model.FAQText{{Lang: "fr", Question: "Comment adhérer ?", Answer: "Nouvelle réponse."}}}
		added := model.FAQEntry{Texts: []model.FAQText{{Lang: "fr", Question: "Nouvelle ?", Answer: "Oui."}}}
		stranger := model.FAQEntry{ID: a.ID + 100, Texts: []model.FAQText{{Lang: "fr", Question: "X ?", Answer: "Y."}}}
		err := s.ImportFAQ(ctx, f.community.ID, []model.FAQEntry{changed, added, stranger}, faqNow)
		if !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("import with a foreign entry: %v, want ErrNotFound", err)
		}
		all, err := s.FAQEntries(ctx, f.community.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].Texts[0].Answer != a.Texts[0].Answer {
			t.Fatalf("after a failed import: %+v, want the FAQ unchanged", all)
		}
		batch := []model.FAQEntry{changed, added}
		if err := s.ImportFAQ(ctx, f.community.ID, batch, faqNow); err != nil {
			t.Fatal(err)
		}
		if batch[1].ID == 0 {
			t.Fatal("the added entry got no ID")
		}
		all, err = s.FAQEntries(ctx, f.community.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].Texts[0].Answer != "Nouvelle réponse." || all[0].Texts[0].Phrasings != nil || all[1].ID != batch[1].ID {
			t.Fatalf("after import: %+v", all)
		}
	})
}

func TestFAQVotesCountsAndStats(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFAQFixture(t, s, 3)
		a := f.entry(t, s, "A ?")
		b := f.entry(t, s, "B ?")
		f.entry(t, s, "C ?")
		for range 3 {
			if err := s.CountFAQAsked(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CountFAQAsked(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		vote := func(entry int64, member int, helpful bool) {
			t.Helper()
			if err := s.VoteFAQ(ctx, entry, f.members[member].ID, helpful, faqNow); err != nil {
				t.Fatal(err)
			}
		}
		vote(a.ID, 0, false)
		vote(a.ID, 0, true) // changed their mind: one vote
		vote(a.ID, 1, true)
		vote(b.ID, 2, false)
		q := model.FAQQuestion{CommunityID: f.community.ID, MemberID: f.members[0].ID, Platform: "console", PlatformUserID: "user0",
			Lang: "fr", Question: "Pourquoi ?", Normalized: "pourquoi", AskedAt: faqNow}
		if _, err := s.QueueFAQQuestion(ctx, &q); err != nil {
			t.Fatal(err)
		}
		st, err := s.FAQStats(ctx, f.community.ID, 5)
		if err != nil {
			t.Fatal(err)
		}
		want := model.FAQStats{Entries: 3, Asked: 4, Helpful: 2, Unhelpful: 1, Pending: 1,
			MostAsked:   []model.FAQEntryStats{{EntryID: a.ID, Asked: 3, Helpful: 2}, {EntryID: b.ID, Asked: 1, Unhelpful: 1}},
			LeastUseful: []model.FAQEntryStats{{EntryID: b.ID, Asked: 1, Unhelpful: 1}},
		}
		if !reflect.DeepEqual(st, want) {
			t.Fatalf("stats = %+v\nwant    %+v", st, want)
		}
	})
}

// Automatic answers are spaced per chat and per entry, and only in chats
// where they are on; at one instant, exactly one of many claimers wins.
func TestFAQAutoAnswerClaims(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFAQFixture(t, s, 0)
		a := f.entry(t, s, "A ?")
		b := f.entry(t, s, "B ?")
		const gap, cooldown = time.Minute, time.Hour
		claim := func(entry int64, at time.Time) bool {
			t.Helper()
			ok, err := s.ClaimFAQAutoAnswer(ctx, f.chat.ID, entry, at, gap, cooldown)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if claim(a.ID, faqNow) {
			t.Fatal("claimed in a chat where automatic answers are off")
		}
		if err := s.SetFAQAuto(ctx, f.chat.ID, true); err != nil {
			t.Fatal(err)
		}
		chats, err := s.FAQAutoChats(ctx, f.community.ID)
		if err != nil || !reflect.DeepEqual(chats, []int64{f.chat.ID}) {
			t.Fatalf("auto chats = %v, %v", chats, err)
		}
		steps := []struct {
			entry int64
			at    time.Duration
			want  bool
		}{
			{a.ID, 0, true},
			{b.ID, 30 * time.Second, false}, // the chat's gap
			{b.ID, time.Minute, true},       // another entry after the gap
			{a.ID, 30 * time.Minute, false}, // the entry's cooldown
			{a.ID, 61 * time.Minute, true},  // cooldown over
			{b.ID, 61*time.Minute + 30*time.Second, false},
		}
		for i, st := range steps {
			if got := claim(st.entry, faqNow.Add(st.at)); got != st.want {
				t.Fatalf("step %d: claim entry %d at +%v = %v, want %v", i, st.entry, st.at, got, st.want)
			}
		}
		// A refused entry claim leaves the chat's slot free.
		if !claim(b.ID, faqNow.Add(62*time.Minute)) {
			t.Fatal("the chat slot was taken by a refused claim")
		}

		later := faqNow.Add(3 * time.Hour)
		var wins int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.ClaimFAQAutoAnswer(ctx, f.chat.ID, a.ID, later, gap, cooldown)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d concurrent claims won, want 1", wins)
		}
		if err := s.SetFAQAuto(ctx, f.chat.ID, false); err != nil {
			t.Fatal(err)
		}
		if claim(b.ID, faqNow.Add(10*time.Hour)) {
			t.Fatal("claimed after automatic answers were switched off")
		}
	})
}

func TestFAQQuestionQueue(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFAQFixture(t, s, 3)
		ask := func(member int, question, normalized string) model.FAQQuestion {
			t.Helper()
			q := model.FAQQuestion{CommunityID: f.community.ID, MemberID: f.members[member].ID, MemberName: f.members[member].DisplayName,
				ChatID: f.chat.ID, Platform: "console", PlatformUserID: fmt.Sprintf("user%d", member), Lang: "fr",
				Question: question, Normalized: normalized, AskedAt: faqNow}
			if _, err := s.QueueFAQQuestion(ctx, &q); err != nil {
				t.Fatal(err)
			}
			return q
		}
		q1 := ask(0, "Où se garer ?", "gar")
		again := model.FAQQuestion{CommunityID: f.community.ID, MemberID: f.members[0].ID, Platform: "console", PlatformUserID: "user0",
			Lang: "fr", Question: "où se garer", Normalized: "gar", AskedAt: faqNow}
		joined, err := s.QueueFAQQuestion(ctx, &again)
		if err != nil || !joined || again.ID != q1.ID {
			t.Fatalf("same member, same question: joined %v, id %d (want %d), %v", joined, again.ID, q1.ID, err)
		}
		q2 := ask(1, "On peut se garer où ?", "gar")
		q3 := ask(2, "Qui paie le loyer ?", "loyer pai")
		q4 := ask(2, "Spam spam", "spam")
		pending, total, err := s.PendingFAQQuestions(ctx, f.community.ID, 2)
		if err != nil || total != 4 || len(pending) != 2 || pending[0].ID != q1.ID || pending[0].ChatID != f.chat.ID ||
			pending[0].PlatformUserID != "user0" || pending[0].MemberName != "User 0" {
			t.Fatalf("pending = %+v, total %d, %v", pending, total, err)
		}

		// A new entry answers both members who asked the same question.
		entry := &model.FAQEntry{Texts: []model.FAQText{{Lang: "fr", Question: "Où se garer ?", Answer: "Rue Haute."}}}
		answered, err := s.AnswerFAQQuestion(ctx, f.community.ID, q1.ID, model.FAQAnswer{NewEntry: entry}, faqNow.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(answered) != 2 || answered[0].ID != q1.ID || answered[1].ID != q2.ID || answered[1].EntryID != entry.ID ||
			answered[1].Status != model.FAQAnswered || answered[1].AnsweredAt == nil {
			t.Fatalf("answered = %+v", answered)
		}
		if _, err := s.AnswerFAQQuestion(ctx, f.community.ID, q2.ID, model.FAQAnswer{NewEntry: entry}, faqNow); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("answer twice: %v, want ErrNotFound", err)
		}

		// An existing entry answers with the question as a new phrasing.
		answered, err = s.AnswerFAQQuestion(ctx, f.community.ID, q3.ID,
			model.FAQAnswer{EntryID: entry.ID, Lang: "fr", Phrasing: "Qui paie le loyer ?"}, faqNow)
		if err != nil || len(answered) != 1 || answered[0].EntryID != entry.ID {
			t.Fatalf("answered = %+v, %v", answered, err)
		}
		got, err := s.FAQEntry(ctx, entry.ID)
		if err != nil || !reflect.DeepEqual(got.Texts[0].Phrasings, []string{"Qui paie le loyer ?"}) {
			t.Fatalf("entry after phrasing = %+v, %v", got, err)
		}

		n, err := s.DismissFAQQuestion(ctx, f.community.ID, q4.ID, faqNow)
		if err != nil || n != 1 {
			t.Fatalf("dismiss = %d, %v", n, err)
		}
		if _, total, _ := s.PendingFAQQuestions(ctx, f.community.ID, 10); total != 0 {
			t.Fatalf("%d questions still pending", total)
		}
		dismissed, err := s.FAQQuestion(ctx, q4.ID)
		if err != nil || dismissed.Status != model.FAQDismissed {
			t.Fatalf("dismissed = %+v, %v", dismissed, err)
		}
	})
}

// Linking two accounts moves queued questions and votes; the newer of two
// votes on one entry wins, and running the merge twice changes nothing.
func TestFAQMergeMembers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFAQFixture(t, s, 2)
		a := f.entry(t, s, "A ?")
		b := f.entry(t, s, "B ?")
		into, from := f.members[0].ID, f.members[1].ID
		for _, v := range []struct {
			entry, member int64
			helpful       bool
			at            time.Duration
		}{{a.ID, into, true, 0}, {a.ID, from, false, time.Minute}, {b.ID, from, true, 0}} {
			if err := s.VoteFAQ(ctx, v.entry, v.member, v.helpful, faqNow.Add(v.at)); err != nil {
				t.Fatal(err)
			}
		}
		q := model.FAQQuestion{CommunityID: f.community.ID, MemberID: from, Platform: "console", PlatformUserID: "user1",
			Lang: "fr", Question: "Q ?", Normalized: "q", AskedAt: faqNow}
		if _, err := s.QueueFAQQuestion(ctx, &q); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := s.MergeFAQMembers(ctx, into, from); err != nil {
				t.Fatal(err)
			}
		}
		st, err := s.FAQStats(ctx, f.community.ID, 5)
		if err != nil {
			t.Fatal(err)
		}
		if st.Helpful != 1 || st.Unhelpful != 1 {
			t.Fatalf("votes after merge: %d helpful, %d unhelpful; want 1 and 1 (the newer vote on A, the vote on B)", st.Helpful, st.Unhelpful)
		}
		got, err := s.FAQQuestion(ctx, q.ID)
		if err != nil || got.MemberID != into {
			t.Fatalf("question after merge = %+v, %v", got, err)
		}
	})
}
