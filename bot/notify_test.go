package bot_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// heard collects the payloads a subscriber receives.
type heard struct {
	mu       sync.Mutex
	payloads []string
	changed  chan struct{}
}

func (h *heard) add(p string) {
	h.mu.Lock()
	h.payloads = append(h.payloads, p)
	h.mu.Unlock()
	select {
	case h.changed <- struct{}{}:
	default:
	}
}

func (h *heard) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		h.mu.Lock()
		for _, p := range h.payloads {
			if p == want {
				h.mu.Unlock()
				return
			}
		}
		h.mu.Unlock()
		select {
		case <-h.changed:
		case <-deadline:
			t.Fatalf("payload %q never heard; got %q", want, h.payloads)
		}
	}
}

func newBareRuntime(t *testing.T, store *storage.Store) *bot.Runtime {
	t.Helper()
	cat, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	return bot.New(store, commands.NewRegistry(cat), slog.New(slog.NewTextHandler(io.Discard, nil)), nil, bot.Config{})
}

// A change announced by one process reaches the subscribers of every
// process on the same PostgreSQL, and its own at once on SQLite too.
func TestNotificationsReachEveryProcess(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		one, two := newBareRuntime(t, s), newBareRuntime(t, s)
		local, remote := &heard{changed: make(chan struct{}, 1)}, &heard{changed: make(chan struct{}, 1)}
		one.Deps().Notifier.Subscribe("faq", local.add)
		two.Deps().Notifier.Subscribe("faq", remote.add)
		var wg sync.WaitGroup
		defer wg.Wait()
		defer cancel()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := two.RunNotifications(ctx); err != nil {
				t.Error(err)
			}
		}()
		if err := one.Deps().Notifier.Notify(ctx, "faq", "12"); err != nil {
			t.Fatal(err)
		}
		local.waitFor(t, "12")
		if s.Dialect() != storage.Postgres {
			return // one process per SQLite file: nobody else to tell
		}
		// The listener may start after the first notification: announce
		// until it is heard, as a later change would.
		deadline := time.Now().Add(10 * time.Second)
		for {
			if err := one.Deps().Notifier.Notify(ctx, "faq", "13"); err != nil {
				t.Fatal(err)
			}
			remote.mu.Lock()
			got := len(remote.payloads) > 0
			remote.mu.Unlock()
			if got || time.Now().After(deadline) {
				break
			}
			select {
			case <-remote.changed:
			case <-time.After(100 * time.Millisecond):
			}
		}
		remote.waitFor(t, "13")
	})
}

// A moderator's change made through one process (a chat's purpose) is seen
// by another at once, not after the resolution cache's TTL: the change is
// announced with NOTIFY and the other process drops what it cached.
func TestCachedChatsAreDroppedInEveryProcess(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("several processes need PostgreSQL (TEST_DATABASE_URL)")
	}
	url := storagetest.NewPostgresDatabase(t)
	one, two := storagetest.OpenURL(t, url), storagetest.OpenURL(t, url)
	other := newBareRuntime(t, two)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := other.RunNotifications(ctx); err != nil {
			t.Error(err)
		}
	}()
	ref := storage.ChatRef{Platform: "telegram", ChatID: "-42"}
	defaults := storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"}
	chat, _, err := two.ResolveChat(ctx, ref, defaults) // cached by the second process
	if err != nil {
		t.Fatal(err)
	}
	// The listener may start after the first change: change until seen,
	// within a deadline far below the cache's TTL.
	deadline := time.Now().Add(storage.ResolveCacheTTL - time.Second)
	for i := 0; ; i++ {
		purpose := []string{"announcements", "moderation"}[i%2]
		if err := one.SetChatPurpose(ctx, chat.ID, purpose); err != nil {
			t.Fatal(err)
		}
		seen, _, err := two.ResolveChat(ctx, ref, defaults)
		if err != nil {
			t.Fatal(err)
		}
		if seen.Purpose == purpose {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the second process still sees %q, not %q, after %v", seen.Purpose, purpose, storage.ResolveCacheTTL-time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
