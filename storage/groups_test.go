package storage_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// twoProcesses opens two stores on one new PostgreSQL database, as two
// Agora processes would: each groups its own requests, and their groups
// race in the database.
func twoProcesses(t *testing.T) (*storage.Store, *storage.Store) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("grouped writes exist on PostgreSQL only: set TEST_DATABASE_URL")
	}
	url := storagetest.NewPostgresDatabase(t)
	return storagetest.OpenURL(t, url), storagetest.OpenURL(t, url)
}

// A burst of first contacts from two processes at once, each account
// asked for several times: every account becomes exactly one member, every
// caller gets that member, an existing member keeps their role, and no
// member row is left behind by a lost race.
func TestGroupedFirstContactsFromTwoProcesses(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	_, community, err := a.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-1"}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := a.ResolveMember(ctx, community.ID, "telegram", "u0", "Modératrice")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetRole(ctx, community.ID, mod.ID, "moderator"); err != nil {
		t.Fatal(err)
	}

	const accounts, askedTimes = 300, 4
	var mu sync.Mutex
	got := map[string]map[int64]bool{}
	var wg sync.WaitGroup
	for i := range accounts {
		for n := range askedTimes {
			store := a
			if n%2 == 1 {
				store = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				user := fmt.Sprintf("u%d", i)
				m, err := store.ResolveMember(ctx, community.ID, "telegram", user, "Membre "+user)
				if err != nil {
					t.Error(err)
					return
				}
				if i == 0 && m.Role != "moderator" {
					t.Errorf("the moderator resolved with role %q", m.Role)
				}
				if i > 0 && (m.Role != "member" || m.DisplayName != "Membre "+user) {
					t.Errorf("%s resolved as %+v", user, m)
				}
				mu.Lock()
				if got[user] == nil {
					got[user] = map[int64]bool{}
				}
				got[user][m.ID] = true
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	seen := map[int64]string{}
	for user, ids := range got {
		if len(ids) != 1 {
			t.Errorf("%s resolved to %d members: %v", user, len(ids), ids)
		}
		for id := range ids {
			if other, dup := seen[id]; dup {
				t.Errorf("member %d stands for %s and %s", id, user, other)
			}
			seen[id] = user
		}
	}
	if len(got) != accounts {
		t.Fatalf("%d accounts resolved, want %d", len(got), accounts)
	}
	var members, identities int
	if err := a.DB().GetContext(ctx, &members, `SELECT count(*) FROM members`); err != nil {
		t.Fatal(err)
	}
	if err := a.DB().GetContext(ctx, &identities, `SELECT count(*) FROM identities`); err != nil {
		t.Fatal(err)
	}
	if members != accounts || identities != accounts {
		t.Fatalf("%d members and %d identities, want %d of each (no row left by a lost race)", members, identities, accounts)
	}
}

// Interactions delivered to two processes at once, some several times:
// each is claimed by exactly one caller.
func TestGroupedInteractionClaimsFromTwoProcesses(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 12, 17, 30, 0, 0, time.UTC)
	const interactions, deliveries = 400, 3
	var mu sync.Mutex
	firsts := map[string]int{}
	var wg sync.WaitGroup
	for i := range interactions {
		for n := range deliveries {
			store := a
			if n == 1 {
				store = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprint(1_000_000 + i)
				first, err := store.ClaimInteraction(ctx, "discord", id, now)
				if err != nil {
					t.Error(err)
					return
				}
				if first {
					mu.Lock()
					firsts[id]++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if len(firsts) != interactions {
		t.Errorf("%d interactions claimed, want %d", len(firsts), interactions)
	}
	for id, n := range firsts {
		if n != 1 {
			t.Errorf("interaction %s claimed %d times", id, n)
		}
	}
}

// Webhook updates delivered several times, to two processes at once: each
// is claimed once, by one process, with its body and actors, and the
// claims went out in groups.
func TestGroupedWebhookClaimsFromTwoProcesses(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	now := time.Now()
	const bot, updates, deliveries = 7000000001, 400, 3
	var mu sync.Mutex
	holders := map[int64][]string{}
	var wg sync.WaitGroup
	// The deliveries start together once all are ready, so they overlap
	// however slowly this machine starts goroutines: only requests that
	// wait while a group is written share the next one.
	ready := make(chan struct{})
	for i := range updates {
		for n := range deliveries {
			store, holder := a, "process-a"
			if n == 1 {
				store, holder = b, "process-b"
			}
			wg.Go(func() {
				<-ready
				u := storage.TelegramUpdate{ID: int64(800_000_000 + i), Body: fmt.Sprintf(`{"update_id":%d}`, 800_000_000+i),
					UserID: int64(5_000 + i), GroupID: -100_200}
				claimed, err := store.ClaimTelegramUpdate(ctx, bot, holder, now, u)
				if err != nil {
					t.Error(err)
					return
				}
				if claimed {
					mu.Lock()
					holders[u.ID] = append(holders[u.ID], holder)
					mu.Unlock()
				}
			})
		}
	}
	close(ready)
	wg.Wait()
	if len(holders) != updates {
		t.Errorf("%d updates claimed, want %d", len(holders), updates)
	}
	var claimers []string
	for id, hs := range holders {
		if len(hs) != 1 {
			t.Errorf("update %d claimed by %v", id, hs)
		}
		claimers = append(claimers, hs...)
	}
	// Which process wins each race is the database's choice (on a busy
	// machine one of them may win them all): the processes gone are those
	// that claimed something.
	slices.Sort(claimers)
	claimers = slices.Compact(claimers)
	// A process taking over after both died (they never held a liveness)
	// reads back what was claimed.
	gone, err := a.GoneTelegramHolders(ctx, bot)
	if err != nil || !slices.Equal(gone, claimers) {
		t.Fatalf("gone = %v, %v; want the processes that claimed, %v", gone, err, claimers)
	}
	retaken, err := a.RetakeTelegramUpdates(ctx, bot, "process-c", gone, now.Add(time.Hour), now, updates+1)
	if err != nil {
		t.Fatal(err)
	}
	if len(retaken) != updates {
		t.Fatalf("%d updates retaken, want %d", len(retaken), updates)
	}
	for _, u := range retaken {
		if u.Body != fmt.Sprintf(`{"update_id":%d}`, u.ID) {
			t.Errorf("update %d stored as %q", u.ID, u.Body)
		}
	}
	ca, cb := a.GroupCounts()["telegram_claims"], b.GroupCounts()["telegram_claims"]
	if ca.Requests+cb.Requests != updates*deliveries || ca.Groups+cb.Groups >= updates*deliveries {
		t.Errorf("claims written as %+v and %+v: want %d requests in fewer groups", ca, cb, updates*deliveries)
	}
}

// When a busy chat's cache entry expires, every request in flight misses
// it at once: one lookup serves them all (each of its own stalled a burst
// on new database connections).
func TestChatLookupsOfOneMomentAreOne(t *testing.T) {
	a, b := twoProcesses(t) // b's cache is cold, as after the entry expired
	ctx := context.Background()
	ref := storage.ChatRef{Platform: "telegram", ChatID: "-7", Title: "Coop"}
	want, _, err := a.ResolveChat(ctx, ref, defaults)
	if err != nil {
		t.Fatal(err)
	}
	const callers = 50
	start := make(chan struct{})
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			chat, _, err := b.ResolveChat(ctx, ref, defaults)
			if err == nil && chat.ID != want.ID {
				err = fmt.Errorf("resolved chat %d, want %d", chat.ID, want.ID)
			}
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := storage.ChatQueries(b); n != 1 {
		t.Fatalf("%d concurrent resolutions of one chat made %d lookups, want 1", callers, n)
	}
}
