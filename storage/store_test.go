package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

var defaults = storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"}

// higherRole and mergeJob stand for what the runtime passes LinkIdentity.
var mergeJob = model.JobRef{Kind: "member.merge"}

func higherRole(a, b string) string {
	rank := map[string]int{"member": 0, "ambassador": 1, "moderator": 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func TestResolveChatCreatesCommunityOnFirstUse(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		chat, community, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-100", Title: "Coop Lyon"}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		if community.Name != "Coop Lyon" || community.Locale != "fr" || community.Timezone != "Europe/Paris" {
			t.Errorf("community = %+v, want defaults named after the chat", community)
		}
		if chat.Purpose != storage.PurposeGeneral || chat.CommunityID != community.ID {
			t.Errorf("chat = %+v", chat)
		}
		again, _, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-100"}, defaults)
		if err != nil || again.ID != chat.ID {
			t.Fatalf("second resolve = %+v, %v; want chat %d", again, err, chat.ID)
		}
	})
}

func TestChatsOfOneDiscordServerShareACommunity(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		_, c1, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "discord", GroupID: "g1", ChatID: "c1"}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		_, c2, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "discord", GroupID: "g1", ChatID: "c2"}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		_, c3, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "discord", GroupID: "g2", ChatID: "c3"}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		if c1.ID != c2.ID {
			t.Errorf("channels of one server got communities %d and %d", c1.ID, c2.ID)
		}
		if c3.ID == c1.ID {
			t.Errorf("another server joined community %d", c1.ID)
		}
		chats, err := s.ChatsOfCommunity(ctx, c1.ID)
		if err != nil || len(chats) != 2 {
			t.Fatalf("ChatsOfCommunity = %d chats, %v; want 2", len(chats), err)
		}
	})
}

func TestLinkedChatsAcrossPlatforms(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		_, discord, _ := s.ResolveChat(ctx, storage.ChatRef{Platform: "discord", GroupID: "g", ChatID: "c"}, defaults)
		tg, _, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-42"}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MoveChat(ctx, tg.ID, discord.ID); err != nil {
			t.Fatal(err)
		}
		chats, err := s.ChatsOfCommunity(ctx, discord.ID)
		if err != nil || len(chats) != 2 {
			t.Fatalf("community has %d chats (%v), want the Discord channel and the Telegram group", len(chats), err)
		}
		if err := s.MoveChat(ctx, 999999, discord.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("moving an unknown chat: %v, want ErrNotFound", err)
		}
	})
}

func TestConcurrentFirstContactMakesOneChatAndOneMember(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		const n = 16
		var wg sync.WaitGroup
		chats := make([]int64, n)
		members := make([]int64, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				chat, community, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-7"}, defaults)
				if err != nil {
					errs[i] = err
					return
				}
				m, err := s.ResolveMember(ctx, community.ID, "telegram", "u1", "Camille")
				chats[i], members[i], errs[i] = chat.ID, m.ID, err
			}(i)
		}
		wg.Wait()
		for i := 0; i < n; i++ {
			if errs[i] != nil {
				t.Fatalf("goroutine %d: %v", i, errs[i])
			}
			if chats[i] != chats[0] || members[i] != members[0] {
				t.Fatalf("goroutine %d resolved chat %d member %d, others chat %d member %d", i, chats[i], members[i], chats[0], members[0])
			}
		}
		var communities int
		if err := s.DB().GetContext(ctx, &communities, `SELECT count(*) FROM communities`); err != nil || communities != 1 {
			t.Errorf("%d communities (%v), want 1: losers of the race must not leave theirs", communities, err)
		}
	})
}

func TestRolesAndIdentityLinking(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		_, community, _ := s.ResolveChat(ctx, storage.ChatRef{Platform: "discord", GroupID: "g", ChatID: "c"}, defaults)
		onDiscord, err := s.ResolveMember(ctx, community.ID, "discord", "111", "Léa")
		if err != nil {
			t.Fatal(err)
		}
		if onDiscord.Role != "member" {
			t.Errorf("new member role = %q, want member", onDiscord.Role)
		}
		onTelegram, _ := s.ResolveMember(ctx, community.ID, "telegram", "222", "Léa")
		if onTelegram.ID == onDiscord.ID {
			t.Fatal("two unlinked accounts are already one member")
		}
		if err := s.SetRole(ctx, community.ID, onTelegram.ID, "moderator"); err != nil {
			t.Fatal(err)
		}
		merged, err := s.LinkIdentity(ctx, onDiscord.ID, "telegram", "222", higherRole, mergeJob)
		if err != nil || merged != onTelegram.ID {
			t.Fatalf("link: merged %d, %v; want member %d merged", merged, err, onTelegram.ID)
		}
		jobs, _ := s.PendingJobs(ctx)
		if len(jobs) != 1 || jobs[0].Kind != "member.merge" || jobs[0].Payload != fmt.Sprintf("%d/%d", onDiscord.ID, onTelegram.ID) {
			t.Errorf("merge job = %+v, want one member.merge into/from", jobs)
		}
		if err := s.DeleteMergedMember(ctx, onTelegram.ID); err != nil {
			t.Fatal(err)
		}
		again, err := s.ResolveMember(ctx, community.ID, "telegram", "222", "Léa")
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != onDiscord.ID || again.Role != "moderator" {
			t.Errorf("after linking: member %d role %q, want member %d moderator", again.ID, again.Role, onDiscord.ID)
		}
		ids, err := s.Identities(ctx, onDiscord.ID)
		if err != nil || len(ids) != 2 {
			t.Errorf("identities = %+v, %v; want two", ids, err)
		}
		if err := s.SetRole(ctx, community.ID, onDiscord.ID, "member"); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.ResolveMember(ctx, community.ID, "discord", "111", ""); m.Role != "member" {
			t.Errorf("role after revoke = %q", m.Role)
		}
	})
}

func TestJobsAreClaimedOnceAndRescheduledByKey(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 12, 17, 30, 0, 0, time.UTC)
		if err := s.ScheduleJob(ctx, nil, "poll.close", "12", "poll.close/12", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimJob(ctx, now, time.Minute); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("claim before due: %v, want ErrNotFound", err)
		}
		// Moving the deadline reschedules the same job.
		if err := s.ScheduleJob(ctx, nil, "poll.close", "12", "poll.close/12", now.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		pending, _ := s.PendingJobs(ctx)
		if len(pending) != 1 {
			t.Fatalf("%d pending jobs, want 1", len(pending))
		}
		j, err := s.ClaimJob(ctx, now, time.Minute)
		if err != nil || j.Payload != "12" || j.Attempts != 1 {
			t.Fatalf("claim = %+v, %v", j, err)
		}
		if _, err := s.ClaimJob(ctx, now, time.Minute); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("claimed a leased job twice: %v", err)
		}
		// After the lease runs out, a crashed worker's job is taken again.
		j2, err := s.ClaimJob(ctx, now.Add(2*time.Minute), time.Minute)
		if err != nil || j2.ID != j.ID || j2.Attempts != 2 {
			t.Fatalf("reclaim after lease = %+v, %v", j2, err)
		}
		// The first worker, back late, no longer owns the job: its finish
		// neither marks the job done nor frees the new worker's claim.
		if err := s.FinishJob(ctx, j, now); err != nil {
			t.Fatal(err)
		}
		if pending, _ := s.PendingJobs(ctx); len(pending) != 1 || pending[0].LockedUntil == nil {
			t.Fatalf("a stale worker's finish changed the job: %+v", pending)
		}
		if err := s.FinishJob(ctx, j2, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimJob(ctx, now.Add(time.Hour), time.Minute); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("finished job claimed again: %v", err)
		}
	})
}

// A job rescheduled while a worker runs it stays claimed by that worker
// until it finishes, and is then due again at its new time: no other
// process runs it meanwhile, and the new schedule is not lost.
func TestJobRescheduledWhileRunning(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 12, 17, 30, 0, 0, time.UTC)
		if err := s.ScheduleJob(ctx, nil, "poll.close", "7", "poll.close/7", now); err != nil {
			t.Fatal(err)
		}
		running, err := s.ClaimJob(ctx, now, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ScheduleJob(ctx, nil, "poll.close", "7", "poll.close/7", now.Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if j, err := s.ClaimJob(ctx, now, time.Minute); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("another worker claimed a running job that was rescheduled: %+v, %v", j, err)
		}
		// Renewing keeps it while the worker runs past its first lease.
		if held, err := s.ExtendJob(ctx, running, now.Add(3*time.Minute)); err != nil || !held {
			t.Fatalf("extend = %v, %v", held, err)
		}
		if j, err := s.ClaimJob(ctx, now.Add(2*time.Minute), time.Minute); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("claimed a renewed job: %+v, %v", j, err)
		}
		if err := s.FinishJob(ctx, running, now); err != nil {
			t.Fatal(err)
		}
		again, err := s.ClaimJob(ctx, now, time.Minute)
		if err != nil || again.ID != running.ID {
			t.Fatalf("the new schedule was lost: %+v, %v", again, err)
		}
		// A failure of a rescheduled run keeps the newer schedule too.
		if err := s.ScheduleJob(ctx, nil, "poll.close", "7", "poll.close/7", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.RetryJob(ctx, again, "boom", now.Add(time.Second), false); err != nil {
			t.Fatal(err)
		}
		pending, _ := s.PendingJobs(ctx)
		if len(pending) != 1 || !pending[0].RunAt.Equal(now.Add(time.Hour)) || pending[0].LockedUntil != nil || pending[0].LastError != "" {
			t.Fatalf("after a failed run that was rescheduled: %+v", pending)
		}
		// Cancelled while running: the run ends, the job does not come back.
		third, err := s.ClaimJob(ctx, now.Add(time.Hour), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CancelJob(ctx, nil, "poll.close/7"); err != nil {
			t.Fatal(err)
		}
		if err := s.RetryJob(ctx, third, "boom", now.Add(2*time.Hour), false); err != nil {
			t.Fatal(err)
		}
		if pending, _ := s.PendingJobs(ctx); len(pending) != 0 {
			t.Fatalf("a cancelled job came back after its run failed: %+v", pending)
		}
		// A claim taken over by another worker cannot be renewed.
		if held, err := s.ExtendJob(ctx, running, now.Add(time.Hour)); err != nil || held {
			t.Fatalf("extend of a stale claim = %v, %v", held, err)
		}
	})
}

func TestConcurrentClaimsNeverShareAJob(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Now()
		const jobs = 40
		for i := 0; i < jobs; i++ {
			if err := s.ScheduleJob(ctx, nil, "test", fmt.Sprint(i), "", now.Add(-time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					j, err := s.ClaimJob(ctx, now, time.Hour)
					if errors.Is(err, storage.ErrNotFound) {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					seen[j.ID]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != jobs {
			t.Errorf("claimed %d distinct jobs, want %d", len(seen), jobs)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("job %d claimed %d times", id, n)
			}
		}
	})
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in      string
		dialect string
		wantErr bool
	}{
		{"", storage.SQLite, false},
		{"sqlite:data/agora.db", storage.SQLite, false},
		{"sqlite:", "", true},
		{"postgres://postgres@127.0.0.1:5432/agora?sslmode=disable", storage.Postgres, false},
		{"postgresql://u:p@db/agora", storage.Postgres, false},
		{"mysql://root@localhost/agora", "", true},
		{"postgres://", "", true},
	}
	for _, tt := range tests {
		d, _, err := storage.ParseURL(tt.in)
		if (err != nil) != tt.wantErr || d != tt.dialect {
			t.Errorf("ParseURL(%q) = %q, %v; want %q, error %v", tt.in, d, err, tt.dialect, tt.wantErr)
		}
	}
}

func TestOpenUnreachablePostgresHidesPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := storage.Open(ctx, "postgres://agora:s3cr3t-pw@127.0.0.1:1/agora?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("opened a database on port 1")
	}
	if got := err.Error(); strings.Contains(got, "s3cr3t-pw") {
		t.Errorf("error reveals the password: %s", got)
	}
	if !storage.Retryable(err) {
		t.Errorf("a refused connection is not worth a retry: %v", err)
	}
}

func TestResolutionCacheForgetsLocalChanges(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		_, community, _ := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-5"}, defaults)
		m, _ := s.ResolveMember(ctx, community.ID, "telegram", "9", "Noé")
		if err := s.SetRole(ctx, community.ID, m.ID, "ambassador"); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.ResolveMember(ctx, community.ID, "telegram", "9", "Noé"); again.Role != "ambassador" {
			t.Errorf("role after SetRole = %q: the cache kept the old one", again.Role)
		}
		if err := s.SetCommunityLocale(ctx, community.ID, "en"); err != nil {
			t.Fatal(err)
		}
		if _, c, _ := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-5"}, defaults); c.Locale != "en" {
			t.Errorf("community locale after update = %q: the cache kept the old one", c.Locale)
		}
	})
}

// Two moderators changing two things at once must both keep their change:
// every setting and profile field is written by its own statement.
func TestConcurrentSettingChangesBothSurvive(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		_, community, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-6"}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		for round := 0; round < 20; round++ {
			name, role, zone := fmt.Sprintf("Coop %d", round), []string{"ambassador", "moderator"}[round%2], []string{"Europe/Paris", "America/Montreal"}[round%2]
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for _, change := range []func() error{
				func() error { return s.RenameCommunity(ctx, community.ID, name) },
				func() error { return s.SetCommunityTimezone(ctx, community.ID, zone) },
				func() error { return s.SetCommunitySetting(ctx, community.ID, "poll.creation", role, now) },
				func() error { return s.SetCommunitySetting(ctx, community.ID, "faq.auto", name, now) },
			} {
				wg.Add(1)
				go func() { defer wg.Done(); errs <- change() }()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			c, err := s.Community(ctx, community.ID)
			if err != nil {
				t.Fatal(err)
			}
			creation, err1 := s.CommunitySetting(ctx, community.ID, "poll.creation")
			auto, err2 := s.CommunitySetting(ctx, community.ID, "faq.auto")
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if c.Name != name || c.Timezone != zone || creation != role || auto != name {
				t.Fatalf("round %d lost a change: name %q zone %q creation %q auto %q", round, c.Name, c.Timezone, creation, auto)
			}
		}
		if _, err := s.CommunitySetting(ctx, community.ID, "never.set"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("unset setting: err = %v, want ErrNotFound", err)
		}
	})
}

func TestPoolSizeFollowsTheOption(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("the pool size applies to PostgreSQL: set TEST_DATABASE_URL")
	}
	url := storagetest.NewPostgresDatabase(t)
	for _, tt := range []struct{ set, want int }{{0, storage.DefaultMaxConns}, {5, 5}} {
		s, err := storage.OpenWith(context.Background(), url, storage.Options{MaxConns: tt.set})
		if err != nil {
			t.Fatal(err)
		}
		got := s.DB().Stats().MaxOpenConnections
		s.Close()
		if got != tt.want {
			t.Errorf("MaxConns %d: pool of %d, want %d", tt.set, got, tt.want)
		}
	}
}

// The language the platform reports is recorded on the member, for what
// Agora sends them later (meetup reminders), yet a member whose language
// did not change is not written: every button press resolves its member.
func TestResolveMemberRecordsTheLanguageOnlyWhenItChanged(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		_, community, _ := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-1"}, defaults)
		stored := func(id int64) string {
			t.Helper()
			var locale string
			if err := s.DB().GetContext(ctx, &locale, `SELECT locale FROM members WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
			return locale
		}
		setStored := func(id int64, locale string) {
			t.Helper()
			if _, err := s.DB().ExecContext(ctx, `UPDATE members SET locale = $1 WHERE id = $2`, locale, id); err != nil {
				t.Fatal(err)
			}
		}
		// SetRole drops the cached members, as another process's change would
		// after ResolveCacheTTL.
		forgetCached := func(id int64) {
			t.Helper()
			if err := s.SetRole(ctx, community.ID, id, "member"); err != nil {
				t.Fatal(err)
			}
		}
		resolve := func(locale, want string) storage.Member {
			t.Helper()
			m, err := s.ResolveMemberLocale(ctx, community.ID, "telegram", "7", "Eve", locale)
			if err != nil {
				t.Fatal(err)
			}
			if m.Locale != want {
				t.Errorf("resolved with %q: locale %q, want %q", locale, m.Locale, want)
			}
			return m
		}

		m := resolve("en", "en")
		if got := stored(m.ID); got != "en" {
			t.Errorf("created member's stored locale = %q, want en", got)
		}
		// Cached and unchanged: nothing is written (the row keeps what was
		// put there behind the store's back).
		setStored(m.ID, "xx")
		resolve("en", "en")
		if got := stored(m.ID); got != "xx" {
			t.Errorf("stored locale = %q after a request in the same language, want xx (no write)", got)
		}
		// Cached and changed.
		resolve("fr", "fr")
		if got := stored(m.ID); got != "fr" {
			t.Errorf("stored locale = %q after switching to fr, want fr", got)
		}
		// Read from the database and changed (on PostgreSQL, in the grouped
		// statement that finds the member).
		setStored(m.ID, "en")
		forgetCached(m.ID)
		resolve("fr", "fr")
		if got := stored(m.ID); got != "fr" {
			t.Errorf("stored locale = %q after switching back to fr, want fr", got)
		}
		// A request with no language Agora speaks keeps the stored one.
		forgetCached(m.ID)
		resolve("", "fr")
		if got := stored(m.ID); got != "fr" {
			t.Errorf("stored locale = %q after a request without language, want fr", got)
		}
		if s.Dialect() == storage.Postgres {
			// Read from the database and unchanged: the row is not rewritten
			// (a write gives it a new xmin).
			var before, after string
			if err := s.DB().GetContext(ctx, &before, `SELECT xmin::text FROM members WHERE id = $1`, m.ID); err != nil {
				t.Fatal(err)
			}
			forgetCached(m.ID)
			resolve("fr", "fr")
			if err := s.DB().GetContext(ctx, &after, `SELECT xmin::text FROM members WHERE id = $1`, m.ID); err != nil {
				t.Fatal(err)
			}
			if before != after {
				t.Errorf("member row rewritten (xmin %s → %s) by a request in its stored language", before, after)
			}
		}
	})
}
