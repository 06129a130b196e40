package storage_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestLeaseHasOneHolderUntilExpiryOrRelease(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		ttl := 10 * time.Second
		steps := []struct {
			holder string
			at     time.Duration
			want   bool
		}{
			{"a", 0, true},
			{"b", time.Second, false},
			{"a", 3 * time.Second, true}, // renewal pushes expiry to 13 s
			{"b", 12 * time.Second, false},
			{"b", 14 * time.Second, true}, // a died: b takes over
			{"a", 15 * time.Second, false},
		}
		for _, st := range steps {
			got, err := s.AcquireLease(ctx, "poller", st.holder, now.Add(st.at), ttl)
			if err != nil {
				t.Fatal(err)
			}
			if got != st.want {
				t.Errorf("%s acquires at +%s = %v, want %v", st.holder, st.at, got, st.want)
			}
		}
		if err := s.ReleaseLease(ctx, "poller", "a"); err != nil { // not the holder: no effect
			t.Fatal(err)
		}
		if got, _ := s.AcquireLease(ctx, "poller", "a", now.Add(16*time.Second), ttl); got {
			t.Error("a released b's lease")
		}
		if err := s.ReleaseLease(ctx, "poller", "b"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.AcquireLease(ctx, "poller", "a", now.Add(16*time.Second), ttl); !got {
			t.Error("a cannot take a released lease")
		}
	})
}

func TestLeaseOfAGoneLivenessIsTakenAtOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		ttl := 10 * time.Second
		hold := func(holder string) *storage.Liveness {
			l, err := s.HoldLiveness(ctx, holder)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = l.Release(context.Background()) })
			return l
		}
		a, b := hold("a"), hold("b")
		acquire := func(name string, l *storage.Liveness, at time.Duration) bool {
			t.Helper()
			got, err := s.AcquireLiveLease(ctx, name, l, now.Add(at), ttl)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		// A live holder keeps its lease until it expires, and loses it then.
		if !acquire("expiring", a, 0) {
			t.Fatal("a cannot take a free lease")
		}
		if acquire("expiring", b, 9*time.Second) {
			t.Error("b took the lease of a, which lives, before it expired")
		}
		if !acquire("expiring", b, 11*time.Second) {
			t.Error("b cannot take the expired lease of a, which lives")
		}

		// A lease taken without liveness goes by expiry alone.
		if got, err := s.AcquireLease(ctx, "keyless", "c", now, ttl); err != nil || !got {
			t.Fatalf("c takes a free lease = %v, %v", got, err)
		}
		if acquire("keyless", b, 9*time.Second) {
			t.Error("b took the unexpired lease of c, a holder without liveness")
		}

		if !acquire("poller", a, 0) {
			t.Fatal("a cannot take a free lease")
		}
		if acquire("poller", b, time.Second) {
			t.Error("b took the lease of a, which lives")
		}
		if got, err := s.AcquireLease(ctx, "poller", "c", now.Add(time.Second), ttl); err != nil || got {
			t.Errorf("c, without liveness, takes the lease of a, which lives = %v, %v", got, err)
		}
		if !acquire("poller", a, 2*time.Second) {
			t.Error("a cannot renew its lease")
		}

		// a dies: on PostgreSQL its session ends, as when the process is
		// killed; on SQLite (one process) it can only let go.
		if s.Dialect() == storage.Postgres {
			storagetest.EndLiveness(t, s, "a")
		} else if err := a.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if !acquire("poller", b, 3*time.Second) {
			t.Error("b cannot take the unexpired lease of a, which is gone")
		}
		if acquire("poller", a, 4*time.Second) {
			t.Error("a took back the lease of b, which lives")
		}
		if acquire("keyless", b, 5*time.Second) {
			t.Error("b took the unexpired lease of c once a was gone")
		}
		if !acquire("keyless", b, 11*time.Second) {
			t.Error("b cannot take the expired lease of c")
		}
	})
}

func TestSettingsAndConversations(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		if _, err := s.Setting(ctx, "k"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("unset setting: err = %v, want ErrNotFound", err)
		}
		first, err := s.SettingOrCreate(ctx, "k", "one")
		if err != nil || first != "one" {
			t.Fatalf("create = %q, %v", first, err)
		}
		if again, _ := s.SettingOrCreate(ctx, "k", "two"); again != "one" {
			t.Errorf("second create = %q, want the first value", again)
		}
		if err := s.SetSetting(ctx, "k", "three"); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Setting(ctx, "k"); v != "three" {
			t.Errorf("after set = %q", v)
		}

		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		c := storage.Conversation{Platform: "telegram", ChatID: "-1", UserID: "7", State: `{"x":1}`, PromptID: "42", ExpiresAt: now.Add(10 * time.Minute)}
		if err := s.SaveConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := s.Conversation(ctx, "telegram", "-1", "7", now)
		if err != nil || got.State != c.State || got.PromptID != "42" {
			t.Fatalf("conversation = %+v, %v", got, err)
		}
		if _, err := s.Conversation(ctx, "telegram", "-1", "7", now.Add(11*time.Minute)); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("expired conversation: err = %v, want ErrNotFound", err)
		}
		if live, err := s.EndConversation(ctx, "telegram", "-1", "7", now); err != nil || !live {
			t.Errorf("end = %v, %v; want a live one ended", live, err)
		}
		if live, _ := s.EndConversation(ctx, "telegram", "-1", "7", now); live {
			t.Error("ended twice")
		}
	})
}

func TestChangeChatIDKeepsTheChat(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		defaults := storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"}
		old, _, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-42", Title: "Coop"}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		moved, err := s.ChangeChatID(ctx, "telegram", "-42", "-10042")
		if err != nil || !moved {
			t.Fatalf("change = %v, %v", moved, err)
		}
		now, _, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-10042"}, defaults)
		if err != nil || now.ID != old.ID {
			t.Errorf("after the change, chat %d (%v), want %d", now.ID, err, old.ID)
		}
		if moved, err := s.ChangeChatID(ctx, "telegram", "-42", "-10042"); err != nil || moved {
			t.Errorf("second change = %v, %v; want nothing to move", moved, err)
		}
		if _, _, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-7"}, defaults); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ChangeChatID(ctx, "telegram", "-10042", "-7"); !errors.Is(err, storage.ErrConflict) {
			t.Errorf("onto an existing chat: err = %v, want ErrConflict", err)
		}
	})
}

func TestInteractionClaimedOnceAndForgotten(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 12, 17, 30, 0, 0, time.UTC)
		var firsts atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				first, err := s.ClaimInteraction(ctx, "discord", "1234", now)
				if err != nil {
					t.Error(err)
				}
				if first {
					firsts.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := firsts.Load(); n != 1 {
			t.Fatalf("%d claims of one interaction succeeded, want 1", n)
		}
		if first, _ := s.ClaimInteraction(ctx, "telegram", "1234", now); !first {
			t.Error("the same ID on another platform was taken for a duplicate")
		}
		if first, _ := s.ClaimInteraction(ctx, "discord", "5678", now.Add(time.Hour)); !first {
			t.Error("a new interaction was taken for a duplicate")
		}
		if n, err := s.ForgetInteractions(ctx, "discord", now.Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("forgot %d, %v; want the old one only", n, err)
		}
		if first, _ := s.ClaimInteraction(ctx, "discord", "5678", now.Add(time.Hour)); first {
			t.Error("a recent interaction was forgotten")
		}
	})
}
