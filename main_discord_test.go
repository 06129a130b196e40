package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/discord/discordtest"
)

func TestDiscordSettings(t *testing.T) {
	cfg, err := LoadConfig(nil, env(map[string]string{
		"DISCORD_MODERATOR_ROLE": "123", "DISCORD_AMBASSADOR_ROLE": "456", "DISCORD_AUTO_FAQ": "oui", "DISCORD_WELCOMES": "on",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DiscordModeratorRole != "123" || cfg.DiscordAmbassadorRole != "456" || !cfg.DiscordAutoFAQ || !cfg.DiscordWelcomes {
		t.Fatalf("config = %+v", cfg)
	}
	cfg, err = LoadConfig(nil, env(nil), io.Discard)
	if err != nil || cfg.DiscordWelcomes || cfg.DiscordAutoFAQ {
		t.Fatalf("defaults = %+v %v", cfg, err)
	}
}

// lockedBuffer is written by the running program and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestDiscordAdapterWiredFromEnvironment(t *testing.T) {
	const guildID, channelID = "4000000000000000001", "4000000000000000002"
	srv := discordtest.New(t, discordtest.WithGuild(discordtest.Guild{ID: guildID,
		Channels: []discordtest.Channel{{ID: channelID, Name: "general"}}}))
	vars := map[string]string{
		"DATABASE_URL":        "sqlite:" + filepath.Join(t.TempDir(), "agora.db"),
		"DISCORD_TOKEN":       srv.BotToken(),
		"DISCORD_API_URL":     srv.URL(),
		"DISCORD_GATEWAY_URL": srv.GatewayURL(),
		"DISCORD_GUILD_ID":    guildID,
	}
	var stdout bytes.Buffer
	stderr := &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(nil, env(vars), strings.NewReader(""), &stdout, stderr) }()
	if !srv.WaitConnected(15 * time.Second) {
		t.Fatalf("not connected; log:\n%s", stderr.String())
	}
	if cmds := srv.Commands(guildID); len(cmds) == 0 || cmds[0].Name != "aide" {
		t.Fatalf("commands = %+v", cmds)
	}
	in := srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: discordtest.Invoker{GuildID: guildID, ChannelID: channelID, Locale: "fr"}, Name: "aide"})
	r, ok := srv.WaitInteractionResponse(in.ID, 15*time.Second)
	if !ok || !strings.Contains(r.Data["content"].(string), "Ce que vous pouvez faire") {
		t.Fatalf("answer = %+v; log:\n%s", r, stderr.String())
	}
	// Agora stops on SIGINT like in a container; signal.NotifyContext in run catches it.
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d; log:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("agora did not stop on SIGINT")
	}
	if strings.Contains(stderr.String(), srv.BotToken()) {
		t.Fatal("the token reached the log")
	}
}
