package console_test

import (
	"context"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/console"
	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
)

func TestPlatformFeaturesPrintInTheTranscript(t *testing.T) {
	env := consoletest.New(t)
	ctx := context.Background()
	p := env.Runtime.Platforms()
	general := commands.ChatAddress{Platform: commands.PlatformConsole, ChatID: "general"}

	if err := p.GrantRole(ctx, commands.PlatformConsole, console.GroupID, "léa", "ambassadeurs"); err != nil {
		t.Fatal(err)
	}
	if err := p.RevokeRole(ctx, commands.PlatformConsole, console.GroupID, "léa", "ambassadeurs"); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 12, 18, 0, 0, 0, time.UTC)
	id, err := p.CreateEvent(ctx, commands.PlatformConsole, console.GroupID, commands.ScheduledEvent{Name: "Apéro", Location: "Lyon", Start: start})
	if err != nil || id != "1" {
		t.Fatalf("event %q, %v", id, err)
	}
	if err := p.EditEvent(ctx, commands.PlatformConsole, console.GroupID, id, commands.ScheduledEvent{Name: "Apéro déplacé", Start: start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := p.CancelEvent(ctx, commands.PlatformConsole, console.GroupID, id); err != nil {
		t.Fatal(err)
	}
	if err := p.CancelEvent(ctx, commands.PlatformConsole, console.GroupID, id); err == nil {
		t.Error("a cancelled event was cancelled again")
	}
	link, err := p.CreateInviteLink(ctx, general, "Léa", start)
	if err != nil || link != "https://console.invalid/invite/1" {
		t.Fatalf("link %q, %v", link, err)
	}
	if err := p.RemoveMember(ctx, general, "léa"); err != nil {
		t.Fatal(err)
	}
	consoletest.Contains(t, env.Transcript(),
		"[rôle ambassadeurs donné à léa]",
		"[rôle ambassadeurs retiré à léa]",
		"[événement 1 créé : Apéro, samedi 12 décembre à 19h00, Lyon]",
		"[événement 1 modifié : Apéro déplacé, samedi 12 décembre à 20h00, —]",
		"[événement 1 annulé]",
		"[lien d'invitation dans general pour Léa : https://console.invalid/invite/1]",
		"[léa retiré·e de general]")
}
