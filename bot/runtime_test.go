package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

type fixture struct {
	rt    *bot.Runtime
	store *storage.Store
	clock *bot.ManualClock
	calls atomic.Int32
}

func newFixture(t *testing.T, store *storage.Store) *fixture {
	t.Helper()
	cat, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, clock: bot.NewManualClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.rt = bot.New(store, commands.NewRegistry(cat), log, f.clock, bot.Config{HandlerTimeout: 200 * time.Millisecond})
	echo := func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
		f.calls.Add(1)
		return commands.Reply(req.Loc.T("help.unknown", locales.Data{"Name": req.String("commande")})), nil
	}
	err = f.rt.Install(commands.Module{Specs: []*commands.Spec{
		{Name: "aide", Handle: echo, Options: []commands.Option{
			{Name: "commande", Type: commands.OptionString, Required: true, MaxLength: 10},
		}},
		{Name: "joindre", Handle: func(_ context.Context, req *commands.Request) (*commands.Response, error) {
			f.calls.Add(1)
			return commands.Reply(req.Loc.T("help.unknown", locales.Data{"Name": string(req.File("fichier").Data)})), nil
		}, Options: []commands.Option{
			// The locale IDs are borrowed: the test needs an attachment, not new sentences.
			{Name: "fichier", Type: commands.OptionAttachment, Required: true,
				NameID: "cmd.aide.opt.commande.name", DescriptionID: "cmd.aide.opt.commande.description"},
		}},
		{Name: "moderer", Permission: commands.RoleModerator, Handle: echo,
			ActionPrefix: "m", HandleAction: echo},
		{Name: "panique", Handle: func(context.Context, *commands.Request) (*commands.Response, error) { panic("boom") }},
		{Name: "lent", Handle: func(ctx context.Context, _ *commands.Request) (*commands.Response, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}},
		{Name: "casse", Handle: func(context.Context, *commands.Request) (*commands.Response, error) {
			return nil, fmt.Errorf("load poll 3: %w", errors.New("secret detail"))
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func request(command string, opts map[string]string) *commands.Request {
	return &commands.Request{
		Platform: commands.PlatformConsole,
		Chat:     commands.Chat{ID: "general", GroupID: "g"},
		User:     commands.User{ID: "u1", Name: "Camille", Locale: "fr"},
		Command:  command, Options: opts,
	}
}

func withFile(req *commands.Request, name, data string) *commands.Request {
	req.Files = append(req.Files, commands.File{Name: name, ContentType: "application/yaml", Data: []byte(data)})
	return req
}

func TestHandleValidatesAndAuthorizes(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		tests := []struct {
			name string
			req  *commands.Request
			want string
			ran  bool
		}{
			{"ok", request("aide", map[string]string{"commande": "x"}), "Je ne connais pas la commande x", true},
			{"missing option", request("aide", nil), "Il manque l'option commande", false},
			{"too long", request("aide", map[string]string{"commande": "abcdefghijklmnop"}), "16 caractères pour 10 au plus", false},
			{"attachment", withFile(request("joindre", map[string]string{"fichier": "a.yaml"}), "a.yaml", "contenu"), "Je ne connais pas la commande contenu", true},
			{"missing attachment", request("joindre", nil), "Il manque l'option", false},
			{"attachment name without its file", request("joindre", map[string]string{"fichier": "a.yaml"}), "Il manque l'option", false},
			{"unknown", request("inconnue", nil), "Je ne connais pas la commande inconnue", false},
			{"permission", request("moderer", nil), "Il faut être modérateur·rice pour utiliser cette commande.", false},
			{"panic", request("panique", nil), "quelque chose s'est mal passé", false},
			{"internal", request("casse", nil), "quelque chose s'est mal passé", false},
			{"timeout", request("lent", nil), "a pris trop de temps", false},
		}
		for _, tt := range tests {
			before := f.calls.Load()
			resp := f.rt.Handle(ctx, tt.req)
			if got := resp.Text.Plain(); !strings.Contains(got, tt.want) {
				t.Errorf("%s: reply %q, want it to contain %q", tt.name, got, tt.want)
			}
			if strings.Contains(resp.Text.Plain(), "secret detail") {
				t.Errorf("%s: internal error shown to the member", tt.name)
			}
			if ran := f.calls.Load() > before; ran != tt.ran {
				t.Errorf("%s: handler ran = %v, want %v", tt.name, ran, tt.ran)
			}
		}
	})
}

func TestPlatformAdminsAreModeratorsAndLocaleFollowsTheMember(t *testing.T) {
	f := newFixture(t, storagetest.OpenSQLite(t))
	req := request("moderer", nil)
	req.User.PlatformRole = commands.RoleModerator
	req.User.Locale = "en-GB"
	resp := f.rt.Handle(context.Background(), req)
	if got := resp.Text.Plain(); got != "I don't know the command ." {
		t.Errorf("admin reply = %q, want the English handler answer", got)
	}
}

func TestForgedActionsAreRefused(t *testing.T) {
	f := newFixture(t, storagetest.OpenSQLite(t))
	for _, route := range []string{"", "zz/1", "m/" + strings.Repeat("x", 80), "m/\x00", "m/é"} {
		req := request("", nil)
		req.Action = &commands.Action{Route: route}
		resp := f.rt.Handle(context.Background(), req)
		if !strings.Contains(resp.Text.Plain(), "n'est plus valide") || !resp.Ephemeral {
			t.Errorf("route %q: reply %q", route, resp.Text.Plain())
		}
	}
	// A valid route still needs the command's permission.
	req := request("", nil)
	req.Action = &commands.Action{Route: "m/ok"}
	if got := f.rt.Handle(context.Background(), req).Text.Plain(); !strings.Contains(got, "Il faut être modérateur·rice") {
		t.Errorf("member pressed a moderator button: %q", got)
	}
}

func TestDatabaseDownGivesAClearReply(t *testing.T) {
	s := storagetest.OpenSQLite(t)
	f := newFixture(t, s)
	s.Close()
	resp := f.rt.Handle(context.Background(), request("aide", map[string]string{"commande": "x"}))
	if got := resp.Text.Plain(); !strings.Contains(got, "momentanément indisponible") {
		t.Errorf("reply with the database down = %q", got)
	}
}

func TestJobsRunAndRetry(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		var ran []string
		failures := 1
		f.rt.RegisterJob("test.flaky", func(ctx context.Context, payload string) error {
			ran = append(ran, payload)
			if failures > 0 {
				failures--
				return errors.New("platform answered 502")
			}
			return nil
		})
		if err := s.ScheduleJob(ctx, nil, "test.flaky", "p1", "", f.clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := f.rt.RunDueJobs(ctx); n != 0 || err != nil {
			t.Fatalf("ran %d jobs before they were due (%v)", n, err)
		}
		f.clock.Advance(time.Hour)
		if n, _ := f.rt.RunDueJobs(ctx); n != 1 {
			t.Fatalf("ran %d jobs at the due time, want 1", n)
		}
		// The failed job comes back after its backoff, not before.
		if n, _ := f.rt.RunDueJobs(ctx); n != 0 {
			t.Fatalf("failed job retried without backoff")
		}
		f.clock.Advance(time.Minute)
		if n, _ := f.rt.RunDueJobs(ctx); n != 1 {
			t.Fatalf("failed job not retried after backoff")
		}
		pending, _ := s.PendingJobs(ctx)
		if len(pending) != 0 || len(ran) != 2 {
			t.Errorf("after retry: %d pending, ran %v", len(pending), ran)
		}
	})
}

func TestHTTPServerHealthReadinessMetrics(t *testing.T) {
	s := storagetest.OpenSQLite(t)
	f := newFixture(t, s)
	f.rt.Handle(context.Background(), request("aide", map[string]string{"commande": "x"}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	srv := f.rt.NewHTTPServer(ln.Addr().String())
	go func() { done <- srv.ServeListener(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz = %d", code)
	}
	code, body := get("/metrics")
	if code != 200 || !strings.Contains(body, `agora_requests_total{command="aide",outcome="ok",platform="console"} 1`) {
		t.Errorf("/metrics = %d without the request counter:\n%.2000s", code, body)
	}
	if !strings.Contains(body, `agora_storage_groups_total{kind="ballots"} 0`) {
		t.Errorf("/metrics without the grouped writes:\n%.2000s", body)
	}
	s.Close()
	if code, _ := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database closed = %d, want 503", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("server stop: %v", err)
	}
}
