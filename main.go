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
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/console"
	"github.com/agora-community/agora/bot/discord"
	"github.com/agora-community/agora/bot/telegram"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/all"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// run is main with its world passed in, so tests can run Agora whole.
func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
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

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		log.Error("cannot open the database", "error", err)
		return 1
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		log.Error("cannot migrate the database", "error", err)
		return 1
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
		d, err := newDiscord(rt, cfg, log)
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
	if err := serve(ctx, rt, cfg, platforms, routes, consoleMode, !script); err != nil {
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

// serve runs adapters, jobs and the HTTP server until a signal arrives, an
// adapter fails, or the console's input ends; then it stops them all and
// waits for requests in flight. Without jobLoop, jobs run only when a
// script's ":avance" runs them: its clock moves only then, and a background
// loop would race it, posting after later lines of the transcript or being
// cut short when the input ends.
func serve(ctx context.Context, rt *bot.Runtime, cfg Config, platforms []bot.Platform, routes map[string]http.Handler, consoleMode, jobLoop bool) error {
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
	if cfg.HTTPAddr != "" {
		srv := rt.NewHTTPServer(cfg.HTTPAddr)
		for pattern, h := range rt.Routes() {
			srv.Mux().Handle(pattern, h)
		}
		for pattern, h := range routes {
			srv.Mux().Handle(pattern, h)
		}
		g.Go(func() error { return srv.Serve(gctx) })
	}
	err := g.Wait()
	rt.Wait()
	return err
}

// newDiscord builds the Discord adapter from the configuration.
func newDiscord(rt *bot.Runtime, cfg Config, log *slog.Logger) (*discord.Adapter, error) {
	return discord.New(rt, discord.Config{
		Log: log, Metrics: rt.Metrics().Registry,
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
