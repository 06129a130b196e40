package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/telegram"
	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/all"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

const wait = 10 * time.Second

var (
	camille = telegramtest.User{ID: 1001, FirstName: "Camille", LanguageCode: "fr"}
	alex    = telegramtest.User{ID: 1002, FirstName: "Alex", LanguageCode: "en"}
	group   = telegramtest.Supergroup(-1001234, "Coop Lyon")
)

// testModule is a capability made for these tests: a command with
// required options and buttons that edit, answer privately, open a form;
// a welcome for members who join, and an answer to chat messages asking
// "Agora ?".
func testModule() commands.Module {
	counter := func(n int) *commands.Response {
		return &commands.Response{
			Text:    markup.Text(fmt.Sprintf("Compteur *%d*", n)),
			Edit:    true,
			Buttons: []commands.Button{{Label: "Plus", Action: fmt.Sprintf("e/plus/%d", n)}},
		}
	}
	events := map[string]commands.Handler{
		commands.EventMemberJoined: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			return commands.Reply(markup.Text("Bienvenue " + markup.Escape(req.Member.Name) + " !")), nil
		},
		commands.EventMessage: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			if !strings.HasSuffix(req.Event.Text, "Agora ?") {
				return nil, nil
			}
			return commands.Reply(markup.Text("Présente, " + markup.Escape(req.Member.Name) + ".")), nil
		},
	}
	return commands.Module{Name: "essai", Events: events, Specs: []*commands.Spec{
		{
			Name: "essai",
			Options: []commands.Option{
				{Name: "titre", Type: commands.OptionString, Required: true},
				{Name: "nombre", Type: commands.OptionInteger, Required: true},
			},
			Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return &commands.Response{
					Text: "*Titre* : " + markup.Escape(req.String("titre")) + markup.Text(fmt.Sprintf(" (%d)", req.Int("nombre", 0))),
					Buttons: []commands.Button{
						{Label: "Plus", Action: "e/plus/0"},
						{Label: "Secret", Action: "e/prive"},
						{Label: "Formulaire", Action: "e/form"},
						{Label: "Trop long", Action: "e/" + strings.Repeat("x", 70)},
					},
					Select: &commands.Select{Action: "e/choix", Options: []commands.Button{{Label: "Rouge", Action: "r"}}},
				}, nil
			},
			ActionPrefix: "e",
			HandleAction: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				args := req.Action.Args()
				switch args[0] {
				case "plus":
					n, _ := strconv.Atoi(args[1])
					return counter(n + 1), nil
				case "prive":
					return commands.Private("Réponse *secrète* pour " + markup.Escape(req.Member.Name)), nil
				case "lent":
					// Held until the test opens slowGate: handling slower than arrival.
					select {
					case <-slowGate:
					case <-ctx.Done():
						return nil, ctx.Err()
					}
					return commands.Private("Lent"), nil
				case "long":
					return commands.Private("Longue réponse pour " + markup.Escape(req.Member.Name) + " : " + markup.Text(strings.Repeat("bla ", 60))), nil
				case "form":
					return &commands.Response{Modal: &commands.Modal{Action: "e/envoi", Title: "Inscription", Fields: []commands.ModalField{
						{ID: "nom", Label: "Votre nom", Required: true}, {ID: "ville", Label: "Votre ville", Required: true},
					}}}, nil
				case "envoi":
					return commands.Reply(markup.Text("Reçu : " + markup.Escape(req.Action.Fields["nom"]) + " de " + markup.Escape(req.Action.Fields["ville"]))), nil
				case "choix":
					return commands.Reply(markup.Text("Choisi : " + markup.Escape(strings.Join(req.Action.Values, ",")))), nil
				}
				return nil, commands.Fail("error.unknown_action")
			},
		},
		{
			Name:       "moderer",
			Permission: commands.RoleModerator,
			Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return commands.Reply("Modération ouverte"), nil
			},
		},
		{
			Name:       "bannir",
			Permission: commands.RoleModerator,
			Options:    []commands.Option{{Name: "membre", Type: commands.OptionString, Required: true}},
			Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return commands.Reply("Banni"), nil
			},
		},
		{
			// A stand-in for inline answers, independent of the FAQ's content.
			Name:    "questions",
			Options: []commands.Option{{Name: "question", Type: commands.OptionString, Autocomplete: true}},
			Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return commands.Reply("FAQ"), nil
			},
			Autocomplete: func(ctx context.Context, req *commands.Request, option, partial string) ([]commands.Suggestion, error) {
				return []commands.Suggestion{{Label: "Comment voter ? (" + partial + ")", Value: "Appuyez sur <un bouton> & c'est tout."}}, nil
			},
		},
		{
			Name: "fichiers",
			Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return &commands.Response{Text: "Vos fichiers", Files: []commands.File{
					{Name: "export.csv", ContentType: "text/csv", Data: []byte("a,b\n1,2\n")},
					{Name: "graphique.png", ContentType: "image/png", Data: tinyPNG()},
				}}, nil
			},
		},
	}}
}

// newRuntime builds the whole runtime with every capability and the test module.
func newRuntime(t *testing.T, store *storage.Store) *bot.Runtime {
	t.Helper()
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Logs go to the test's output, which go test shows only on failure.
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt := bot.New(store, commands.NewRegistry(catalog), log, nil, bot.Config{DefaultLocale: "fr", DefaultTimezone: paris})
	if err := rt.Install(append(all.Modules(rt.Deps(), store), testModule())...); err != nil {
		t.Fatal(err)
	}
	return rt
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// running is an adapter whose Run goroutine the test owns.
type running struct {
	*telegram.Adapter
	rt   *bot.Runtime
	stop func()
}

// start builds an adapter against the double and runs it until stop or the
// end of the test.
func start(t *testing.T, srv *telegramtest.Server, store *storage.Store, opts telegram.Options, setup ...func(*telegram.Adapter)) *running {
	t.Helper()
	rt := newRuntime(t, store)
	opts.Token = srv.Token()
	opts.APIURL = srv.URL()
	if opts.Store == nil { // a test may put a store in front of it (faults)
		opts.Store = store
	}
	opts.Log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Metrics = rt.Metrics().Registry
	if opts.InlineCommand == "" {
		opts.InlineCommand = "questions"
	}
	if opts.LeaseRenew == 0 {
		opts.LeaseTTL, opts.LeaseRenew, opts.PollTimeout = 2*time.Second, 200*time.Millisecond, time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := telegram.New(ctx, rt, opts)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	for _, f := range setup {
		f(a)
	}
	rt.AddPlatform(a)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	// Jobs run as in main: scheduled posts and coalesced live edits.
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		rt.RunJobs(ctx, 100*time.Millisecond)
	}()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("adapter stopped with %v", err)
			}
		case <-time.After(wait):
			t.Error("adapter did not stop")
		}
		<-jobsDone
	}
	t.Cleanup(stop)
	return &running{Adapter: a, rt: rt, stop: stop}
}

// startPolling starts an adapter and waits until it polls.
func startPolling(t *testing.T, srv *telegramtest.Server) (*running, *storage.Store) {
	t.Helper()
	store := storagetest.Open(t)
	r := start(t, srv, store, telegram.Options{})
	if !srv.WaitFor(wait, r.Polling) {
		t.Fatal("the adapter never started polling")
	}
	return r, store
}

// fr and en are localizers for expected texts.
func loc(t *testing.T, lang string) *locales.Localizer {
	t.Helper()
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	return catalog.Localizer(nil, lang)
}

func replyTo(id int64) func(telegramtest.SentMessage) bool {
	return func(m telegramtest.SentMessage) bool { return m.ReplyToMessageID == id }
}

func containing(s string) func(telegramtest.SentMessage) bool {
	return func(m telegramtest.SentMessage) bool { return strings.Contains(m.Text, s) }
}

// tinyPNG is a valid 4×4 image, which the double decodes as Telegram does.
func tinyPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// postWebhook delivers an update's body to the webhook of the Agora
// serving base, as Telegram does (with secret as its secret token, none
// when empty), and returns the status it answered.
func postWebhook(t *testing.T, base, secret, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+telegram.WebhookPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
