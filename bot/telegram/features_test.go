package telegram_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/commands"
)

func TestInviteLinkAndRemoveMember(t *testing.T) {
	srv := telegramtest.New(t)
	r, _ := startPolling(t, srv)
	srv.AddChat(group)
	srv.SetAdministrators(group.ID, camille, srv.Bot())
	ctx := context.Background()
	p := r.rt.Platforms()
	chat := commands.ChatAddress{Platform: commands.PlatformTelegram, ChatID: "-1001234"}
	lea := telegramtest.User{ID: 1005, FirstName: "Léa", LanguageCode: "fr"}
	intruder := telegramtest.User{ID: 1006, FirstName: "Intrus"}

	expires := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	link, err := p.CreateInviteLink(ctx, chat, "Léa, ambassadrice de la coopérative de Lyon", expires)
	if err != nil {
		t.Fatal(err)
	}
	links := srv.InviteLinks(group.ID)
	if len(links) != 1 || links[0].InviteLink != link || links[0].MemberLimit != 1 || links[0].ExpireDate != expires.Unix() ||
		telegramtest.UTF16Len(links[0].Name) > 32 || links[0].Name == "" {
		t.Fatalf("link %q; links %+v", link, links)
	}
	if _, err := srv.JoinByLink(link, lea); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.JoinByLink(link, intruder); !errors.Is(err, telegramtest.ErrInviteLinkExpired) {
		t.Errorf("a single-use link let a second person in: %v", err)
	}

	if err := p.RemoveMember(ctx, chat, "1005"); err != nil {
		t.Fatal(err)
	}
	if srv.IsMember(group.ID, lea.ID) || srv.IsBanned(group.ID, lea.ID) {
		t.Fatalf("after RemoveMember: member %v, banned %v; want out but free to come back",
			srv.IsMember(group.ID, lea.ID), srv.IsBanned(group.ID, lea.ID))
	}
	again, err := p.CreateInviteLink(ctx, chat, "Léa", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.JoinByLink(again, lea); err != nil {
		t.Errorf("rejoining with a new link: %v", err)
	}
	// Removing someone twice, or who already left, is no error.
	for range 2 {
		if err := p.RemoveMember(ctx, chat, "1005"); err != nil {
			t.Fatal(err)
		}
	}

	// A refusal is an error, not a missing feature: administrators stay.
	if err := p.RemoveMember(ctx, chat, "1001"); err == nil || errors.Is(err, commands.ErrUnsupported) {
		t.Errorf("removing the group's owner: %v", err)
	}
}

func TestRolesAndEventsUnsupportedOnTelegram(t *testing.T) {
	srv := telegramtest.New(t)
	r, _ := startPolling(t, srv)
	ctx := context.Background()
	p := r.rt.Platforms()
	event := commands.ScheduledEvent{Name: "Apéro", Start: time.Now().Add(time.Hour)}
	_, createErr := p.CreateEvent(ctx, commands.PlatformTelegram, "-1001234", event)
	for name, err := range map[string]error{
		"grant":  p.GrantRole(ctx, commands.PlatformTelegram, "-1001234", "1001", "ambassadeurs"),
		"revoke": p.RevokeRole(ctx, commands.PlatformTelegram, "-1001234", "1001", "ambassadeurs"),
		"create": createErr,
		"edit":   p.EditEvent(ctx, commands.PlatformTelegram, "-1001234", "1", event),
		"cancel": p.CancelEvent(ctx, commands.PlatformTelegram, "-1001234", "1"),
	} {
		if !errors.Is(err, commands.ErrUnsupported) {
			t.Errorf("%s: err = %v, want ErrUnsupported", name, err)
		}
	}
	if got := metricValue(t, r, "agora_platform_sends_total", map[string]string{"platform": "telegram", "op": "grant_role", "outcome": "unsupported"}); got != 1 {
		t.Errorf("unsupported grant counted %v times, want 1", got)
	}
}
