package discord_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/discord/discordtest"
	"github.com/agora-community/agora/commands"
)

func TestInviteLinkLetsOnePersonIn(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	ctx := context.Background()
	p := e.rt.Platforms()
	channel := commands.ChatAddress{Platform: commands.PlatformDiscord, ChatID: channelID}

	link, err := p.CreateInviteLink(ctx, channel, "Camille", time.Now().Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	code, ok := strings.CutPrefix(link, "https://discord.gg/")
	invs := e.srv.Invites(channelID)
	if !ok || len(invs) != 1 || invs[0].Code != code {
		t.Fatalf("link %q; invites %+v", link, invs)
	}
	if inv := invs[0]; inv.MaxUses != 1 || !inv.Unique || inv.MaxAge < 48*3600-60 || inv.MaxAge > 48*3600 {
		t.Errorf("invite = %+v; want one use, unique, 48 hours", inv)
	}
	newcomer := discordtest.User{ID: "3000000000000000010", Username: "lea"}
	if err := e.srv.JoinWithInvite(code, newcomer); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.srv.Member(guildID, newcomer.ID); !ok {
		t.Error("the newcomer did not join")
	}
	if err := e.srv.JoinWithInvite(code, discordtest.User{ID: "3000000000000000011", Username: "intrus"}); !errors.Is(err, discordtest.ErrInvalidInvite) {
		t.Errorf("the link let a second person in: %v", err)
	}

	// Discord invites last 7 days at most.
	if _, err := p.CreateInviteLink(ctx, channel, "", time.Now().Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if invs := e.srv.Invites(channelID); len(invs) != 2 || invs[1].MaxAge != 7*24*3600 {
		t.Errorf("long invite = %+v", invs[len(invs)-1])
	}
	if _, err := p.CreateInviteLink(ctx, channel, "", time.Now().Add(-time.Minute)); err == nil {
		t.Error("an invite expiring in the past was made")
	}
}

func TestRemoveMemberUnsupportedOnDiscord(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	err := e.rt.Platforms().RemoveMember(context.Background(), commands.ChatAddress{Platform: commands.PlatformDiscord, ChatID: channelID}, memberID)
	if !errors.Is(err, commands.ErrUnsupported) {
		t.Fatalf("err = %v, want ErrUnsupported", err)
	}
	if _, ok := e.srv.Member(guildID, memberID); !ok {
		t.Error("the member was removed anyway")
	}
	// Label values in the order of their names: op, outcome, platform.
	if got := metric(t, e.rt, "agora_platform_sends_total", "remove_member", "unsupported", "discord"); got != 1 {
		t.Errorf("unsupported calls counted %v times, want 1", got)
	}
}
