package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestTelegramUpdatesAreClaimedOnceAndRetakenWhenLeft(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		const bot = 42
		if off, err := s.TelegramUpdateOffset(ctx, bot); err != nil || off != 0 {
			t.Fatalf("empty offset = %d, %v", off, err)
		}
		batch := []storage.TelegramUpdate{{ID: 10, Body: `{"update_id":10}`}, {ID: 11, Body: `{"update_id":11}`}}
		got, err := s.ClaimTelegramUpdates(ctx, bot, "a", now, batch)
		if err != nil || !slices.Equal(sorted(got), []int64{10, 11}) {
			t.Fatalf("first claim = %v, %v", got, err)
		}
		// Fetched again with one more: only the new one is claimed.
		batch = append(batch, storage.TelegramUpdate{ID: 12, Body: `{"update_id":12}`})
		got, err = s.ClaimTelegramUpdates(ctx, bot, "b", now, batch)
		if err != nil || !slices.Equal(got, []int64{12}) {
			t.Fatalf("second claim = %v, %v", got, err)
		}
		// Another bot has its own ids.
		if got, _ := s.ClaimTelegramUpdates(ctx, 43, "a", now, batch[:1]); !slices.Equal(got, []int64{10}) {
			t.Errorf("other bot's claim = %v", got)
		}
		if off, _ := s.TelegramUpdateOffset(ctx, bot); off != 13 {
			t.Errorf("offset = %d, want 13", off)
		}
		if err := s.HandledTelegramUpdates(ctx, bot, []int64{10, 12}, now); err != nil {
			t.Fatal(err)
		}
		// 11 was left unhandled by a, which holds no liveness: gone, and
		// its update is retaken at once, once.
		gone, err := s.GoneTelegramHolders(ctx, bot)
		if err != nil || !slices.Equal(gone, []string{"a"}) {
			t.Fatalf("gone = %v, %v; want a (b's update was handled)", gone, err)
		}
		left, err := s.RetakeTelegramUpdates(ctx, bot, "c", gone, now, now.Add(-time.Hour), 10)
		if err != nil || len(left) != 1 || left[0].ID != 11 || left[0].Body != `{"update_id":11}` {
			t.Fatalf("retake = %+v, %v", left, err)
		}
		if again, _ := s.RetakeTelegramUpdates(ctx, bot, "d", gone, now, now.Add(-time.Hour), 10); len(again) != 0 {
			t.Errorf("retaken twice: %+v", again)
		}
		if n, err := s.PruneTelegramUpdates(ctx, now.Add(time.Second)); err != nil || n != 2 {
			t.Errorf("pruned %d, %v; want the 2 handled", n, err)
		}
	})
}

// A process's claims are its own for as long as it holds its liveness,
// however old they grow; once it is gone (killed: its database session
// ended), another process takes them over at once, each update once.
func TestTelegramUpdatesOfALiveProcessStayItsOwn(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Now()
		const bot = 42
		claim := func(holder string, ids ...int64) {
			t.Helper()
			var us []storage.TelegramUpdate
			for _, id := range ids {
				us = append(us, storage.TelegramUpdate{ID: id, Body: fmt.Sprintf(`{"update_id":%d}`, id)})
			}
			if got, err := s.ClaimTelegramUpdates(ctx, bot, holder, now, us); err != nil || len(got) != len(ids) {
				t.Fatalf("claim %v as %s = %v, %v", ids, holder, got, err)
			}
		}
		retake := func(holder string, gone []string, limit int) []int64 {
			t.Helper()
			us, err := s.RetakeTelegramUpdates(ctx, bot, holder, gone, now, now.Add(time.Hour), limit)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, u := range us {
				ids = append(ids, u.ID)
			}
			return ids
		}
		a, err := s.HoldLiveness(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"b", "c"} {
			l, err := s.HoldLiveness(ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Release(ctx)
		}
		claim("a", 1, 2, 3)
		if gone, err := s.GoneTelegramHolders(ctx, bot); err != nil || len(gone) != 0 {
			t.Fatalf("gone = %v, %v; want none while a lives", gone, err)
		}
		// Even named as gone, and older than any cutoff, a live holder's
		// updates are not taken.
		if ids := retake("b", []string{"a"}, 10); len(ids) != 0 {
			t.Fatalf("b took %v from a, which lives", ids)
		}
		if retaken, err := a.Check(ctx); err != nil || retaken {
			t.Fatalf("check of a live liveness = %v, %v", retaken, err)
		}
		if s.Dialect() == storage.Postgres {
			// Another session cannot take a's lock while a holds it.
			if _, err := s.HoldLiveness(ctx, "a"); !errors.Is(err, storage.ErrLivenessHeld) {
				t.Errorf("a second liveness of a = %v, want ErrLivenessHeld", err)
			}
		}

		// a dies: on PostgreSQL its session ends, as when the process is
		// killed; on SQLite (one process) it can only let go.
		if s.Dialect() == storage.Postgres {
			storagetest.EndLiveness(t, s, "a")
		} else if err := a.Release(ctx); err != nil {
			t.Fatal(err)
		}
		gone, err := s.GoneTelegramHolders(ctx, bot)
		if err != nil || !slices.Equal(gone, []string{"a"}) {
			t.Fatalf("gone = %v, %v; want a", gone, err)
		}
		if ids := retake("b", gone, 2); !slices.Equal(ids, []int64{1, 2}) {
			t.Fatalf("b took %v, want the oldest two", ids)
		}
		if ids := retake("c", gone, 10); !slices.Equal(ids, []int64{3}) {
			t.Fatalf("c took %v, want the one left", ids)
		}
		// b and c live: what they took is their own now.
		if ids := retake("a2", []string{"a", "b", "c"}, 10); len(ids) != 0 {
			t.Errorf("another process took %v back from b and c", ids)
		}
		if s.Dialect() != storage.Postgres {
			return
		}
		// a was not dead after all (its connection broke): its check takes
		// the lock again on a new session, and its claims are its own again.
		if retaken, err := a.Check(ctx); err != nil || !retaken {
			t.Fatalf("check after the session ended = %v, %v; want the lock taken again", retaken, err)
		}
		claim("a", 4)
		if gone, err := s.GoneTelegramHolders(ctx, bot); err != nil || len(gone) != 0 {
			t.Errorf("gone = %v, %v; want none once a took its lock again", gone, err)
		}
		if ids := retake("b", []string{"a"}, 10); len(ids) != 0 {
			t.Errorf("b took %v from a, which lives again", ids)
		}
		// a stops and lets go: gone at once.
		if err := a.Release(ctx); err != nil {
			t.Fatal(err)
		}
		if ids := retake("b", []string{"a"}, 10); !slices.Equal(ids, []int64{4}) {
			t.Errorf("after a let go, b took %v, want 4", ids)
		}
	})
}

// Updates claimed by a version of Agora without liveness are taken over
// by age, as that version did, and not listed among the gone.
func TestTelegramUpdatesClaimedWithoutLivenessAreRetakenByAge(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Now()
		const bot = 42
		if err := storage.ClaimTelegramUpdateWithoutLiveness(ctx, s, bot, "old", now.Add(-time.Minute), 7); err != nil {
			t.Fatal(err)
		}
		if gone, err := s.GoneTelegramHolders(ctx, bot); err != nil || len(gone) != 0 {
			t.Fatalf("gone = %v, %v; an old version's liveness is unknown", gone, err)
		}
		if us, err := s.RetakeTelegramUpdates(ctx, bot, "b", []string{"old"}, now, now.Add(-2*time.Minute), 10); err != nil || len(us) != 0 {
			t.Fatalf("retaken before the cutoff = %+v, %v", us, err)
		}
		us, err := s.RetakeTelegramUpdates(ctx, bot, "b", nil, now, now, 10)
		if err != nil || len(us) != 1 || us[0].ID != 7 {
			t.Fatalf("retaken after the cutoff = %+v, %v", us, err)
		}
		claims, err := s.TelegramClaims(ctx, bot)
		if err != nil || len(claims) != 1 || claims[0] != (storage.TelegramClaim{ID: 7, Holder: "b"}) {
			t.Errorf("claims = %+v, %v; want 7 held by b, unhandled", claims, err)
		}
	})
}

// The group a member last acted in is read from the claimed updates of
// every process: the latest group wins, private chats and inline queries
// do not count, nor another bot's updates, nor a group Agora keeps no
// chat for (it never handled it, or it became a supergroup).
func TestLastTelegramGroupOfAMember(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		defaults := storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"}
		for _, ref := range []storage.ChatRef{
			{Platform: "telegram", ChatID: "-100111", Title: "Coop Lyon"},
			{Platform: "telegram", ChatID: "-100222", Title: "Coop Nantes"},
			{Platform: "telegram", ChatID: "-100333", Title: "Autre bot"},
			{Platform: "discord", GroupID: "9", ChatID: "-100444", Title: "Même ID ailleurs"},
		} {
			if _, _, err := s.ResolveChat(ctx, ref, defaults); err != nil {
				t.Fatal(err)
			}
		}
		const bot, other, member = 42, 43, 7
		if _, ok, err := s.LastTelegramGroup(ctx, bot, member); err != nil || ok {
			t.Fatalf("before any update: ok = %v, %v", ok, err)
		}
		claim := func(botID int64, updates ...storage.TelegramUpdate) {
			t.Helper()
			if _, err := s.ClaimTelegramUpdates(ctx, botID, "a", now, updates); err != nil {
				t.Fatal(err)
			}
		}
		claim(bot,
			storage.TelegramUpdate{ID: 1, Body: "{}", UserID: member, GroupID: -100111},
			storage.TelegramUpdate{ID: 2, Body: "{}", UserID: member, GroupID: -100222},
			storage.TelegramUpdate{ID: 3, Body: "{}", UserID: 8, GroupID: -100111}, // someone else
			storage.TelegramUpdate{ID: 4, Body: "{}", UserID: member},              // in private
			storage.TelegramUpdate{ID: 5, Body: "{}"},                              // no sender
		)
		want := storage.TelegramGroup{ChatID: -100222, Title: "Coop Nantes"}
		if g, ok, err := s.LastTelegramGroup(ctx, bot, member); err != nil || !ok || g != want {
			t.Fatalf("last group = %+v, %v, %v; want %+v", g, ok, err, want)
		}
		// Another bot's updates, later ones included, are its own; and
		// groups unknown to Agora (on Telegram) do not count.
		claim(other, storage.TelegramUpdate{ID: 6, Body: "{}", UserID: member, GroupID: -100333})
		claim(bot,
			storage.TelegramUpdate{ID: 7, Body: "{}", UserID: member, GroupID: -100999},
			storage.TelegramUpdate{ID: 8, Body: "{}", UserID: member, GroupID: -100444},
		)
		if g, ok, err := s.LastTelegramGroup(ctx, bot, member); err != nil || !ok || g != want {
			t.Errorf("after another bot's update and unknown groups = %+v, %v, %v; want %+v", g, ok, err, want)
		}
		if g, ok, err := s.LastTelegramGroup(ctx, other, member); err != nil || !ok || g.ChatID != -100333 {
			t.Errorf("other bot's last group = %+v, %v, %v", g, ok, err)
		}
		// Back in the first group: the latest update wins, whatever the order of the rows.
		claim(bot, storage.TelegramUpdate{ID: 9, Body: "{}", UserID: member, GroupID: -100111})
		if g, ok, err := s.LastTelegramGroup(ctx, bot, member); err != nil || !ok || g.ChatID != -100111 || g.Title != "Coop Lyon" {
			t.Errorf("after acting in the first group again = %+v, %v, %v", g, ok, err)
		}
		if g, ok, err := s.LastTelegramGroup(ctx, bot, 8); err != nil || !ok || g.ChatID != -100111 {
			t.Errorf("the other member's last group = %+v, %v, %v", g, ok, err)
		}
		if _, ok, err := s.LastTelegramGroup(ctx, bot, 9); err != nil || ok {
			t.Errorf("a member never seen: ok = %v, %v", ok, err)
		}
	})
}

func TestTelegramPrivateChats(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		if _, known, err := s.TelegramPrivateChat(ctx, 1, 7); err != nil || known {
			t.Fatalf("unknown user: known = %v, %v", known, err)
		}
		for _, open := range []bool{true, false} {
			if err := s.SetTelegramPrivateChat(ctx, 1, 7, open, now); err != nil {
				t.Fatal(err)
			}
			if got, known, err := s.TelegramPrivateChat(ctx, 1, 7); err != nil || !known || got != open {
				t.Errorf("after set %v: %v, %v, %v", open, got, known, err)
			}
		}
	})
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// A process that stops between claiming updates and queueing them gives
// its claims back: the next delivery of those updates is claimed anew,
// while what it handled, and other processes' claims, stay.
func TestReleasedTelegramUpdatesCanBeClaimedAgain(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		const bot = 42
		now := time.Date(2026, 12, 12, 18, 0, 0, 0, time.UTC)
		batch := []storage.TelegramUpdate{{ID: 1, Body: "{}"}, {ID: 2, Body: "{}"}, {ID: 3, Body: "{}"}}
		if got, err := s.ClaimTelegramUpdates(ctx, bot, "a", now, batch); err != nil || len(got) != 3 {
			t.Fatalf("claim: %v %v", got, err)
		}
		if err := s.HandledTelegramUpdates(ctx, bot, []int64{1}, now); err != nil {
			t.Fatal(err)
		}
		if err := s.ReleaseTelegramUpdates(ctx, bot, "b", []int64{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ClaimTelegramUpdates(ctx, bot, "b", now, batch); len(got) != 0 {
			t.Fatalf("another holder's release gave back %v", got)
		}
		if err := s.ReleaseTelegramUpdates(ctx, bot, "a", []int64{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		got, err := s.ClaimTelegramUpdates(ctx, bot, "b", now, batch)
		if err != nil || !slices.Equal(sorted(got), []int64{2, 3}) {
			t.Fatalf("after the release, claimed %v (%v); want the unhandled 2 and 3", got, err)
		}
	})
}
