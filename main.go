// Command agora runs the Agora community bot: every configured platform
// adapter at once, on one shared database. With no platform token it is a
// terminal chat on the embedded database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/console"
	"github.com/agora-community/agora/bot/discord"
	"github.com/agora-community/agora/bot/procs"
	"github.com/agora-community/agora/bot/telegram"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/all"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	// An operator's GOMAXPROCS is theirs; otherwise Agora runs on one
	// thread while one is enough (package procs).
	ctx, stopGoverning := context.WithCancel(context.Background())
	governed := make(chan struct{})
	if g := procs.New(); g != nil && os.Getenv("GOMAXPROCS") == "" {
		go func() {
			defer close(governed)
			if err := g.Run(ctx); err != nil {
				// In the format of Agora's log, whose logger run makes.
				log := slog.New(slog.NewTextHandler(os.Stderr, nil))
				log.Warn("GOMAXPROCS stays at the runtime's default", "error", err)
			}
		}()
	} else {
		close(governed)
	}
	code := run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stopGoverning()
	<-governed
	os.Exit(code)
}

// defaultGCPercent is Agora's GOGC when the environment sets none. In a
// burst of presses the live heap stays near 7 MB while each press
// allocates about 23 KB, almost all of it dead once answered: at Go's 100
// the collector ran 7 times a second at 2,000 presses/s, about 8% of the
// CPU. 200 halves that for about 7 MB more heap (docs/benchmarks.md).
const defaultGCPercent = 200

// run is main with its world passed in, so tests can run Agora whole; it
// stops on SIGINT or SIGTERM.
func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runContext(ctx, args, getenv, stdin, stdout, stderr)
}

// Start-up waits for the database: each attempt to open it (and migrate)
// may take openAttemptTimeout, then Agora says so and tries again after a
// pause that grows from openRetryFirst to openRetryMax.
const (
	openAttemptTimeout = 3 * time.Second
	openRetryFirst     = time.Second
	openRetryMax       = 30 * time.Second
)

// runContext is run until ctx ends.
func runContext(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := LoadConfig(args, getenv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "agora: %v\n", err)
		return 2
	}
	consoleMode := cfg.Command == "run" && cfg.DiscordToken == "" && cfg.TelegramToken == ""
	level := cfg.LogLevel
	if consoleMode && !cfg.LogLevelSet {
		level = slog.LevelWarn // keep the terminal chat readable
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if path := getenv("AGORA_CPU_PROFILE"); path != "" {
		// For the load harness (cmd/loadtest): the whole run's CPU profile.
		stopProfile, err := startCPUProfile(path)
		if err != nil {
			log.Error("cannot start the CPU profile", "error", err)
			return 1
		}
		defer stopProfile()
	}

	// The HTTP server comes first, so /healthz answers and /readyz says
	// "starting" while Agora waits for its database.
	var web *webServer
	if cfg.Command == "run" && cfg.HTTPAddr != "" {
		if web, err = startWeb(cfg.HTTPAddr, log); err != nil {
			log.Error("cannot serve HTTP", "error", err)
			return 1
		}
		defer web.stop(log)
	}
	store, err := openStore(ctx, cfg.DatabaseURL, storage.Options{MaxConns: cfg.DatabaseMaxConns}, log)
	if err != nil {
		log.Error("cannot open the database", "error", err)
		return 1
	}
	defer store.Close()
	if web != nil {
		defer web.stop(log) // before the store closes: routes use it
	}
	log.Info("database ready", "dialect", store.Dialect())
	if cfg.Command == "migrate" {
		return 0
	}

	catalog, err := locales.Load(cfg.DefaultLocale)
	if err != nil {
		log.Error("cannot load locales", "error", err)
		return 1
	}
	// A script piped into the console runs on a manual clock starting now,
	// so ":avance" can move time and fire deadlines as the README promises.
	// A person at a terminal, and the platform adapters, get real time.
	script := consoleMode && !isTerminal(stdin)
	var manual *bot.ManualClock
	var clock bot.Clock = bot.SystemClock{}
	if script {
		manual = bot.NewManualClock(time.Now())
		clock = manual
	}
	registry := commands.NewRegistry(catalog)
	rt := bot.New(store, registry, log, clock, bot.Config{DefaultLocale: cfg.DefaultLocale, DefaultTimezone: cfg.DefaultTimezone})
	if err := rt.Install(all.Modules(rt.Deps(), store)...); err != nil {
		log.Error("cannot register commands", "error", err)
		return 1
	}
	if cfg.Command != "run" {
		return runTool(ctx, rt, cfg, stdout, stderr)
	}

	var platforms []bot.Platform
	if consoleMode {
		// A script gets its lines echoed, so the output reads as a transcript.
		platforms = append(platforms, console.New(rt, stdin, stdout, console.Options{
			Locale: cfg.DefaultLocale, Echo: script, Clock: manual, Jobs: rt, Log: log,
		}))
	}
	routes := map[string]http.Handler{} // mounted on the HTTP server
	if cfg.TelegramToken != "" {
		tg, err := telegram.New(ctx, rt, telegram.Options{
			Token: cfg.TelegramToken, APIURL: cfg.TelegramAPIURL,
			WebhookURL: cfg.TelegramWebhookURL, WebhookSecret: cfg.TelegramWebhookSecret,
			Store: store, Log: log, Metrics: rt.Metrics().Registry,
		})
		if err != nil {
			log.Error("cannot start the Telegram adapter", "error", err)
			return 1
		}
		platforms = append(platforms, tg)
		if cfg.TelegramWebhookURL != "" {
			routes["POST "+telegram.WebhookPath] = tg.WebhookHandler()
		}
	}
	if cfg.DiscordToken != "" {
		d, err := newDiscord(rt, store, cfg, log)
		if err != nil {
			log.Error("cannot start the Discord adapter", "error", err)
			return 1
		}
		platforms = append(platforms, d)
		if cfg.DiscordPublicKey != "" {
			routes["POST "+discord.HTTPPath] = d.HTTPHandler()
		}
	}
	for _, p := range platforms {
		rt.AddPlatform(p)
	}
	if web != nil {
		rt.Mount(web.srv)
		for pattern, h := range routes {
			web.srv.Mux().Handle(pattern, h)
		}
	}
	if err := serve(ctx, rt, platforms, web, consoleMode, !script); err != nil {
		log.Error("agora stopped on an error", "error", err)
		return 1
	}
	log.Info("agora stopped")
	return 0
}

// isTerminal reports whether in is a person's terminal rather than a
// script: a pipe, a file or a test's reader.
func isTerminal(in io.Reader) bool {
	f, ok := in.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// serve runs adapters and jobs until a signal arrives, an adapter or the
// HTTP server fails, or the console's input ends; then it stops them all
// and waits for requests in flight. Without jobLoop, jobs run only when a
// script's ":avance" runs them: its clock moves only then, and a background
// loop would race it, posting after later lines of the transcript or being
// cut short when the input ends.
func serve(ctx context.Context, rt *bot.Runtime, platforms []bot.Platform, web *webServer, consoleMode, jobLoop bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	for _, p := range platforms {
		g.Go(func() error {
			err := p.Run(gctx)
			if consoleMode {
				cancel() // the terminal closed: Agora is done
			}
			if err != nil {
				return fmt.Errorf("%s adapter: %w", p.Name(), err)
			}
			return nil
		})
	}
	if jobLoop {
		g.Go(func() error {
			rt.RunJobs(gctx, time.Second)
			return nil
		})
	}
	g.Go(func() error { return rt.RunNotifications(gctx) })
	if web != nil {
		g.Go(func() error {
			select {
			case err := <-web.failed:
				return err
			case <-gctx.Done():
				// Load balancers stop sending work while the rest stops.
				web.srv.Stopping()
				return nil
			}
		})
	}
	err := g.Wait()
	rt.Wait()
	return err
}

// webServer is the HTTP server, running from before the database answers
// until Agora stops.
type webServer struct {
	srv      *bot.HTTPServer
	addr     string // where it listens
	cancel   context.CancelFunc
	done     chan error // ServeListener's result
	failed   chan error // receives it too when the server stops on its own
	stopOnce sync.Once
}

func startWeb(addr string, log *slog.Logger) (*webServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on HTTP_ADDR %s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &webServer{srv: bot.NewHTTPServer(addr, bot.HTTPOptions{Log: log}), addr: ln.Addr().String(), cancel: cancel,
		done: make(chan error, 1), failed: make(chan error, 1)}
	go func() { // owned by the webServer: stop waits for it
		err := w.srv.ServeListener(ctx, ln)
		if ctx.Err() == nil {
			w.failed <- err
		}
		w.done <- err
	}()
	log.Info("serving HTTP", "addr", w.addr)
	return w, nil
}

// stop shuts the server down once requests in flight are answered; it
// may be called more than once.
func (w *webServer) stop(log *slog.Logger) {
	w.stopOnce.Do(func() {
		w.cancel()
		if err := <-w.done; err != nil {
			log.Error("HTTP server stopped on an error", "error", err)
		}
	})
}

// openStore opens and migrates the database, waiting for it as long as
// its failures are the kind waiting cures (unreachable, starting, not
// answering), with one log line per failed attempt. It gives up on a
// configuration error, or when ctx ends.
func openStore(ctx context.Context, databaseURL string, opts storage.Options, log *slog.Logger) (*storage.Store, error) {
	wait := openRetryFirst
	for attempt := 1; ; attempt++ {
		store, err := openAndMigrate(ctx, databaseURL, opts)
		if err == nil {
			if attempt > 1 {
				log.Info("the database answers", "attempts", attempt)
			}
			return store, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("stopped while waiting for the database: %w", err)
		}
		if !storage.Retryable(err) {
			return nil, err
		}
		log.Warn("the database does not answer; retrying", "attempt", attempt, "retry_in", wait, "error", err)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("stopped while waiting for the database: %w", err)
		case <-timer.C:
		}
		wait = min(2*wait, openRetryMax)
	}
}

// openAndMigrate opens the database within openAttemptTimeout, then
// applies the migrations (waiting for another process's, if any).
func openAndMigrate(ctx context.Context, databaseURL string, opts storage.Options) (*storage.Store, error) {
	octx, cancel := context.WithTimeout(ctx, openAttemptTimeout)
	store, err := storage.OpenWith(octx, databaseURL, opts)
	cancel()
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, fmt.Errorf("migrate the database: %w", err)
	}
	return store, nil
}

// newDiscord builds the Discord adapter from the configuration.
func newDiscord(rt *bot.Runtime, store *storage.Store, cfg Config, log *slog.Logger) (*discord.Adapter, error) {
	return discord.New(rt, discord.Config{
		Log: log, Metrics: rt.Metrics().Registry, Store: store,
		Token: cfg.DiscordToken, APIURL: cfg.DiscordAPIURL, GatewayURL: cfg.DiscordGatewayURL,
		PublicKey: cfg.DiscordPublicKey, GuildID: cfg.DiscordGuildID,
		ShardID: cfg.DiscordShardID, ShardCount: cfg.DiscordShardCount,
		ModeratorRoleID: cfg.DiscordModeratorRole, AmbassadorRoleID: cfg.DiscordAmbassadorRole,
		Welcomes: cfg.DiscordWelcomes, AutoFAQ: cfg.DiscordAutoFAQ,
	})
}

// runTool runs a capability's command-line tool ("agora faq export …").
func runTool(ctx context.Context, rt *bot.Runtime, cfg Config, stdout, stderr io.Writer) int {
	tool, ok := rt.CLI(cfg.Command)
	if !ok {
		fmt.Fprintf(stderr, "agora: unknown command %q (try --help)\n", cfg.Command)
		return 2
	}
	if err := tool.Run(ctx, cfg.Args, stdout, rt.Localizer(nil)); err != nil {
		fmt.Fprintf(stderr, "agora %s: %v\n", cfg.Command, err)
		return 1
	}
	return 0
}

// startCPUProfile writes a CPU profile to path until the returned function runs.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("start the CPU profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
