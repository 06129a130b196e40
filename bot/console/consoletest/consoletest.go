// Package consoletest runs console scripts end to end: the whole runtime and
// every capability on a fresh database, with a manual clock. Tests assert on
// the transcript it returns.
package consoletest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/console"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/all"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// Start is the manual clock's starting time: Monday 7 December 2026, 10:00 in Paris.
var Start = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// Env is a runtime with a console, ready to run scripts.
type Env struct {
	Runtime *bot.Runtime
	Store   *storage.Store
	Clock   *bot.ManualClock
	Console *console.Console
	out     *bytes.Buffer
}

// New builds an environment on a fresh database (PostgreSQL when
// TEST_DATABASE_URL is set, else SQLite).
func New(t testing.TB) *Env {
	t.Helper()
	return NewWithStore(t, storagetest.Open(t))
}

// NewWithStore builds an environment on the given store.
func NewWithStore(t testing.TB, store *storage.Store) *Env {
	t.Helper()
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	clock := bot.NewManualClock(Start)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{t}, nil))
	}
	rt := bot.New(store, commands.NewRegistry(catalog), log, clock, bot.Config{DefaultLocale: "fr", DefaultTimezone: paris})
	if err := rt.Install(all.Modules(rt.Deps(), store)...); err != nil {
		t.Fatal(err)
	}
	out := &bytes.Buffer{}
	c := console.New(rt, strings.NewReader(""), out, console.Options{Echo: true, Clock: clock, Jobs: rt, Log: log})
	rt.AddPlatform(c)
	return &Env{Runtime: rt, Store: store, Clock: clock, Console: c, out: out}
}

// Run executes the script's lines and returns what they printed.
func (e *Env) Run(t testing.TB, script string) string {
	t.Helper()
	start := e.out.Len()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, line := range strings.Split(script, "\n") {
		e.Console.Exec(ctx, line)
	}
	return e.out.String()[start:]
}

// Transcript is everything printed so far.
func (e *Env) Transcript() string { return e.out.String() }

type testWriter struct{ t testing.TB }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Contains fails the test unless every want appears in got, in order.
//
// No-break spaces (U+00A0, U+202F) compare equal to plain spaces: French
// typography is checked once, over every message, by the locales tests, so
// transcripts can be written with ordinary spaces.
func Contains(t testing.TB, got string, want ...string) {
	t.Helper()
	rest := foldSpaces(got)
	for _, w := range want {
		w = foldSpaces(w)
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("transcript lacks %q (in order) in:\n%s", w, got)
		}
		rest = rest[i+len(w):]
	}
}

var spaceFolder = strings.NewReplacer("\u00a0", " ", "\u202f", " ")

func foldSpaces(s string) string { return spaceFolder.Replace(s) }
