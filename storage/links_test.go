package storage_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// A code is spent once, even by concurrent tries, and only before expiry.
func TestLinkCodeIsUsedOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		_, community, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-1"}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.ResolveMember(ctx, community.ID, "telegram", "1", "Léa")
		if err != nil {
			t.Fatal(err)
		}
		code, err := s.CreateLinkCode(ctx, model.LinkChat, community.ID, m.ID, pollNow.Add(15*time.Minute))
		if err != nil || len(code) != storage.CodeLength {
			t.Fatalf("code %q, %v", code, err)
		}
		if _, err := s.UseLinkCode(ctx, code, model.LinkAccount, pollNow); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("a chat code served as an account code: %v", err)
		}
		var won atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := s.UseLinkCode(ctx, code, model.LinkChat, pollNow)
				if err == nil && c.CommunityID == community.ID && c.MemberID == m.ID {
					won.Add(1)
				} else if !errors.Is(err, storage.ErrNotFound) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("code used %d times, want once", won.Load())
		}
		late, _ := s.CreateLinkCode(ctx, model.LinkChat, community.ID, m.ID, pollNow.Add(15*time.Minute))
		if _, err := s.UseLinkCode(ctx, late, model.LinkChat, pollNow.Add(15*time.Minute)); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("an expired code served: %v", err)
		}
	})
}

// Joining moves every chat of a community; leaving takes a chat with its
// Discord server's other channels into a new community.
func TestJoinAndLeaveCommunity(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		tg, tgCommunity, _ := s.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-1"}, defaults)
		d1, dCommunity, _ := s.ResolveChat(ctx, storage.ChatRef{Platform: "discord", GroupID: "g", ChatID: "c1"}, defaults)
		d2, _, _ := s.ResolveChat(ctx, storage.ChatRef{Platform: "discord", GroupID: "g", ChatID: "c2"}, defaults)
		moved, err := s.JoinCommunity(ctx, dCommunity.ID, tgCommunity.ID)
		if err != nil || len(moved) != 2 {
			t.Fatalf("moved %v, %v", moved, err)
		}
		chats, _ := s.ChatsOfCommunity(ctx, tgCommunity.ID)
		if len(chats) != 3 {
			t.Fatalf("community has %d chats, want 3", len(chats))
		}
		fresh, err := s.LeaveCommunity(ctx, d1.ID)
		if err != nil {
			t.Fatal(err)
		}
		chats, _ = s.ChatsOfCommunity(ctx, fresh)
		if len(chats) != 2 || chats[0].ID != d1.ID || chats[1].ID != d2.ID {
			t.Fatalf("new community chats = %+v, want the two Discord channels", chats)
		}
		if left, _ := s.ChatsOfCommunity(ctx, tgCommunity.ID); len(left) != 1 || left[0].ID != tg.ID {
			t.Fatalf("old community keeps %+v", left)
		}
	})
}
