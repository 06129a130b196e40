package storage_test

import (
	"context"
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
		// 11 was left unhandled by a: too recent to retake, then retaken once.
		if left, err := s.RetakeTelegramUpdates(ctx, bot, "c", now.Add(time.Minute), now.Add(-time.Second), 10); err != nil || len(left) != 0 {
			t.Fatalf("retake of recent claims = %v, %v", left, err)
		}
		left, err := s.RetakeTelegramUpdates(ctx, bot, "c", now.Add(time.Minute), now.Add(time.Second), 10)
		if err != nil || len(left) != 1 || left[0].ID != 11 || left[0].Body != `{"update_id":11}` {
			t.Fatalf("retake = %+v, %v", left, err)
		}
		if again, _ := s.RetakeTelegramUpdates(ctx, bot, "d", now.Add(time.Minute), now.Add(time.Second), 10); len(again) != 0 {
			t.Errorf("retaken twice: %+v", again)
		}
		if n, err := s.PruneTelegramUpdates(ctx, now.Add(time.Second)); err != nil || n != 2 {
			t.Errorf("pruned %d, %v; want the 2 handled", n, err)
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
