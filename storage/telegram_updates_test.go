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
