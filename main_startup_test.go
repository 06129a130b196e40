package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/discord/discordtest"
	"github.com/agora-community/agora/internal/freeport"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		// Started by a test as Agora itself (see startChild).
		os.Exit(run(nil, os.Getenv, os.Stdin, os.Stdout, os.Stderr))
	}
	storagetest.Main(m)
}

func status(t *testing.T, url string) (int, string) {
	t.Helper()
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A database that accepts connections but never answers: Agora says so in
// its log within 5 s, answers /healthz, and /readyz says it is starting;
// once the database answers, Agora migrates, connects to Discord and
// serves.
func TestFrozenDatabaseAtStart(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("needs PostgreSQL (TEST_DATABASE_URL)")
	}
	dbURL := storagetest.NewPostgresDatabase(t)
	u, _ := url.Parse(dbURL)
	proxy := storagetest.NewProxy(t, u.Host, true)
	const guildID, channelID = "4000000000000000001", "4000000000000000002"
	srv := discordtest.New(t, discordtest.WithGuild(discordtest.Guild{ID: guildID,
		Channels: []discordtest.Channel{{ID: channelID, Name: "general"}}}))
	addr := freeport.Addr(t)
	vars := map[string]string{
		"DATABASE_URL":        proxy.ProxyURL(dbURL),
		"HTTP_ADDR":           addr,
		"DISCORD_TOKEN":       srv.BotToken(),
		"DISCORD_API_URL":     srv.URL(),
		"DISCORD_GATEWAY_URL": srv.GatewayURL(),
		"DISCORD_GUILD_ID":    guildID,
	}
	var stdout bytes.Buffer
	stderr := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	start := time.Now()
	go func() { done <- runContext(ctx, nil, env(vars), strings.NewReader(""), &stdout, stderr) }()

	if !waitLog(stderr, 5*time.Second, "the database does not answer; retrying") {
		t.Fatalf("no log line within 5 s of the start:\n%s", stderr.String())
	}
	t.Logf("first retry line after %v", time.Since(start).Round(time.Millisecond))
	base := "http://" + addr
	if code, _ := status(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz while the database is frozen = %d", code)
	}
	if code, body := status(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "starting") {
		t.Errorf("/readyz while the database is frozen = %d %q", code, body)
	}

	proxy.Thaw()
	if !srv.WaitConnected(60 * time.Second) {
		t.Fatalf("Agora did not start once the database answered:\n%s", stderr.String())
	}
	if code, _ := status(t, base+"/readyz"); code != 200 {
		t.Errorf("/readyz once started = %d", code)
	}
	in := srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: discordtest.Invoker{GuildID: guildID, ChannelID: channelID, Locale: "fr"}, Name: "aide"})
	if r, ok := srv.WaitInteractionResponse(in.ID, 15*time.Second); !ok || !strings.Contains(r.Data["content"].(string), "Ce que vous pouvez faire") {
		t.Fatalf("answer = %+v; log:\n%s", r, stderr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d; log:\n%s", code, stderr.String())
	}
}
