package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/telegram/telegramtest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestBadConfigurationEndsWithOneLineAndStatus2(t *testing.T) {
	tests := []struct {
		vars    map[string]string
		args    []string
		naming  string
		secrets []string
	}{
		{vars: map[string]string{"DATABASE_URL": "mysql://root:hunter2@db/agora"}, naming: "DATABASE_URL", secrets: []string{"hunter2"}},
		{vars: map[string]string{"DATABASE_MAX_CONNECTIONS": "beaucoup"}, naming: "DATABASE_MAX_CONNECTIONS"},
		{vars: map[string]string{"DATABASE_MAX_CONNECTIONS": "1"}, naming: "DATABASE_MAX_CONNECTIONS"},
		{vars: map[string]string{"DISCORD_TOKEN": "not a token!"}, naming: "DISCORD_TOKEN", secrets: []string{"not a token!"}},
		{vars: map[string]string{"TELEGRAM_TOKEN": "12345"}, naming: "TELEGRAM_TOKEN", secrets: []string{"12345"}},
		{vars: map[string]string{"DISCORD_API_URL": "discord.local"}, naming: "DISCORD_API_URL"},
		{vars: map[string]string{"DISCORD_GATEWAY_URL": "http://x"}, naming: "DISCORD_GATEWAY_URL"},
		{vars: map[string]string{"DISCORD_PUBLIC_KEY": "abc", "HTTP_ADDR": ":8080"}, naming: "DISCORD_PUBLIC_KEY"},
		{vars: map[string]string{"TELEGRAM_API_URL": "ftp://x"}, naming: "TELEGRAM_API_URL"},
		{vars: map[string]string{"TELEGRAM_WEBHOOK_URL": "https://agora.example/telegram/webhook"}, naming: "HTTP_ADDR"},
		{vars: map[string]string{"TELEGRAM_WEBHOOK_SECRET": "with space s3cret"}, naming: "TELEGRAM_WEBHOOK_SECRET", secrets: []string{"s3cret"}},
		{vars: map[string]string{"HTTP_ADDR": "8080"}, naming: "HTTP_ADDR"},
		{vars: map[string]string{"LOG_LEVEL": "verbose"}, naming: "LOG_LEVEL"},
		{vars: map[string]string{"DEFAULT_LOCALE": "de"}, naming: "DEFAULT_LOCALE"},
		{vars: map[string]string{"DEFAULT_TIMEZONE": "Mars/Olympus"}, naming: "DEFAULT_TIMEZONE"},
		{vars: map[string]string{"DISCORD_SHARD_ID": "2", "DISCORD_SHARD_COUNT": "2"}, naming: "DISCORD_SHARD_ID"},
		{vars: map[string]string{"DISCORD_MODERATOR_ROLE": "modérateurs"}, naming: "DISCORD_MODERATOR_ROLE"},
		{vars: map[string]string{"DISCORD_AMBASSADOR_ROLE": "12x"}, naming: "DISCORD_AMBASSADOR_ROLE"},
		{vars: map[string]string{"DISCORD_MODERATOR_ROLE": "42", "DISCORD_AMBASSADOR_ROLE": "42"}, naming: "DISCORD_AMBASSADOR_ROLE"},
		{vars: map[string]string{"DISCORD_AUTO_FAQ": "peut-être"}, naming: "DISCORD_AUTO_FAQ"},
		{vars: map[string]string{"DISCORD_WELCOMES": "2"}, naming: "DISCORD_WELCOMES"},
		{args: []string{"--log-level", "loud"}, naming: "LOG_LEVEL"},
		// An unknown command is known only once the capabilities are
		// installed, so it opens the database first.
		{vars: map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "agora.db"), "LOG_LEVEL": "warn"},
			args: []string{"frobnicate"}, naming: "frobnicate"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, env(tt.vars), strings.NewReader(""), &stdout, &stderr)
		msg := stderr.String()
		if code != 2 {
			t.Errorf("%v %v: exit %d, want 2 (stderr %q)", tt.vars, tt.args, code, msg)
		}
		if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tt.naming) {
			t.Errorf("%v: stderr %q, want one line naming %s", tt.vars, msg, tt.naming)
		}
		for _, s := range tt.secrets {
			if strings.Contains(msg, s) {
				t.Errorf("%v: stderr reveals %q: %q", tt.vars, s, msg)
			}
		}
	}
}

func TestHelpListsEveryVariable(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--help"}, env(nil), strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		var out bytes.Buffer
		if code := run(args, env(nil), strings.NewReader(""), &out, &stderr); code != 0 {
			t.Fatalf("%v exit %d", args, code)
		}
		if n := strings.Count(out.String(), "Usage:"); n != 1 {
			t.Errorf("%v printed the usage %d times, want once:\n%s", args, n, out.String())
		}
	}
	for _, v := range []string{"DATABASE_URL", "DISCORD_TOKEN", "DISCORD_API_URL", "DISCORD_GATEWAY_URL", "DISCORD_PUBLIC_KEY",
		"TELEGRAM_TOKEN", "TELEGRAM_API_URL", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "HTTP_ADDR", "LOG_LEVEL",
		"DEFAULT_LOCALE", "DEFAULT_TIMEZONE", "--database-url", "agora migrate"} {
		if !strings.Contains(stdout.String(), v) {
			t.Errorf("--help lacks %s", v)
		}
	}
}

func TestConsoleRunsAScriptOnTheEmbeddedDatabase(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "agora.db")
	var stdout, stderr bytes.Buffer
	code := run(nil, env(map[string]string{"DATABASE_URL": db}), strings.NewReader("/aide\n/sondage\n"), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"> camille: /aide", "Ce que vous pouvez faire avec Agora"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	// migrate alone works on the same file and is idempotent.
	if code := run([]string{"migrate"}, env(map[string]string{"DATABASE_URL": db}), strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("migrate exit %d: %s", code, stderr.String())
	}
}

// A piped script runs on a clock of its own: ":avance" moves it past a
// poll's deadline, and Agora closes the poll and posts its result.
func TestPipedScriptAdvancesTimeToAPollsDeadline(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "agora.db")
	script := `/sondage creer question:"On se retrouve ce soir ?" choix:"Oui | Non" fin:"dans 1h"
:bouton Oui
:avance 2h
`
	var stdout, stderr bytes.Buffer
	if code := run(nil, env(map[string]string{"DATABASE_URL": db}), strings.NewReader(script), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"> camille: /sondage creer", "Sondage n°\u00a01\u00a0: On se retrouve ce soir ?",
		"> camille: :bouton Oui", "Vote enregistré pour le sondage n°\u00a01\u00a0: Oui.",
		"> camille: :avance 2h", "Horloge\u00a0: ",
		"🏁 Résultat du sondage n°\u00a01\u00a0: On se retrouve ce soir ?", "Choix retenu\u00a0: Oui.",
	} {
		i := strings.Index(out, want)
		if i < 0 {
			t.Fatalf("transcript lacks %q (in order):\n%s\nlog:\n%s", want, stdout.String(), stderr.String())
		}
		out = out[i+len(want):]
	}
	if strings.Contains(stdout.String(), "mode script") || strings.Contains(stdout.String(), "heure réelle") {
		t.Errorf(":avance was refused in a piped script:\n%s", stdout.String())
	}
}

// An unreachable database is waited for, with a log line per attempt
// that never shows the password, until Agora is stopped.
func TestUnreachableDatabaseIsWaitedForWithoutPassword(t *testing.T) {
	var stdout bytes.Buffer
	stderr := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- runContext(ctx, nil, env(map[string]string{"DATABASE_URL": "postgres://agora:pa55word@127.0.0.1:1/agora?sslmode=disable"}),
			strings.NewReader(""), &stdout, stderr)
	}()
	if !waitLog(stderr, 5*time.Second, "the database does not answer; retrying") {
		t.Fatalf("no retry line within 5 s: %s", stderr.String())
	}
	cancel()
	if code := <-done; code != 1 {
		t.Errorf("exit %d after stopping before the database answered, want 1", code)
	}
	if strings.Contains(stderr.String(), "pa55word") {
		t.Errorf("log reveals the password: %s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "cannot open the database") {
		t.Errorf("log lacks the reason: %s", stderr.String())
	}
}

// waitLog waits until the log contains s.
func waitLog(log *syncBuffer, timeout time.Duration, s string) bool {
	deadline := time.Now().Add(timeout)
	for !strings.Contains(log.String(), s) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSIGTERMStopsAgoraCleanly(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "agora.db")
	stdin, feed := io.Pipe()
	defer feed.Close()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(nil, env(map[string]string{"DATABASE_URL": db, "LOG_LEVEL": "info"}), stdin, &stdout, &stderr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "Agora, console de test") {
		if time.Now().After(deadline) {
			t.Fatalf("console never started: %s", stderr.String())
		}
		runtime.Gosched()
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after SIGTERM, want 0; log: %s", code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "agora stopped") {
			t.Errorf("log lacks the clean stop: %s", stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("agora did not stop within 20 s of SIGTERM")
	}
}

func TestTelegramAdapterStartsFromConfig(t *testing.T) {
	srv := telegramtest.New(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "agora.db")
	// An unreachable Bot API fails the start, and the log never shows the token.
	var stdout, stderr bytes.Buffer
	code := run(nil, env(map[string]string{"DATABASE_URL": db, "TELEGRAM_TOKEN": srv.Token(), "TELEGRAM_API_URL": "http://127.0.0.1:1"}),
		strings.NewReader(""), &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "cannot start the Telegram adapter") {
		t.Errorf("exit %d, log %s", code, stderr.String())
	}
	if secret := strings.SplitN(srv.Token(), ":", 2)[1]; strings.Contains(stderr.String(), secret) {
		t.Errorf("log reveals the token: %s", stderr.String())
	}
}
