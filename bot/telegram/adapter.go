// Package telegram is Agora's Telegram adapter, built on
// go-telegram-bot-api v5. It hands updates to the runtime (typed text to
// its text front end, button presses and inline queries as neutral
// requests, member joins as events) and renders responses as Telegram HTML
// with inline keyboards and guided questions as reply prompts. No Telegram
// type leaves this package.
//
// Updates come by long polling (one process at a time, elected through a
// database lease) or by webhook (any number of processes behind a load
// balancer). Any process sends, edits and deletes messages.
package telegram

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage"
)

// DefaultAPIURL is Telegram's Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// WebhookPath is where the webhook is mounted on the HTTP server.
const WebhookPath = "/telegram/webhook"

// Store is the platform state the adapter keeps in Agora's database: the
// poller lease, the webhook secret, the updates taken from Telegram
// (claimed once, taken over when their handler died, and telling where a
// member last acted), who can receive a private message, and the chat IDs
// Telegram changes when a group becomes a supergroup. *storage.Store
// implements it.
type Store interface {
	AcquireLiveLease(ctx context.Context, name string, live *storage.Liveness, now time.Time, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	Setting(ctx context.Context, key string) (string, error)
	SettingOrCreate(ctx context.Context, key, value string) (string, error)
	ChangeChatID(ctx context.Context, platform, oldID, newID string) (bool, error)

	ClaimTelegramUpdates(ctx context.Context, botID int64, holder string, now time.Time, updates []storage.TelegramUpdate) ([]int64, error)
	ClaimTelegramUpdate(ctx context.Context, botID int64, holder string, now time.Time, u storage.TelegramUpdate) (bool, error)
	HandledTelegramUpdates(ctx context.Context, botID int64, ids []int64, now time.Time) error
	ReleaseTelegramUpdates(ctx context.Context, botID int64, holder string, ids []int64) error
	HoldLiveness(ctx context.Context, holder string) (*storage.Liveness, error)
	GoneTelegramHolders(ctx context.Context, botID int64) ([]string, error)
	RetakeTelegramUpdates(ctx context.Context, botID int64, holder string, gone []string, now, cutoff time.Time, limit int) ([]storage.TelegramUpdate, error)
	TelegramUpdateOffset(ctx context.Context, botID int64) (int64, error)
	PruneTelegramUpdates(ctx context.Context, cutoff time.Time) (int64, error)
	LastTelegramGroup(ctx context.Context, botID, userID int64) (storage.TelegramGroup, bool, error)
	TelegramPrivateChat(ctx context.Context, botID, userID int64) (open, known bool, err error)
	SetTelegramPrivateChat(ctx context.Context, botID, userID int64, open bool, now time.Time) error
}

// Options configure the adapter. Zero values take the defaults noted.
type Options struct {
	Token string
	// Store keeps the adapter's platform state; required.
	Store Store
	// Log receives the adapter's logs; nil discards them.
	Log *slog.Logger
	// Metrics registers the adapter's series (the runtime's registry); nil
	// keeps them unregistered.
	Metrics prometheus.Registerer
	// APIURL replaces https://api.telegram.org for every call and file.
	APIURL string
	// WebhookURL, when set, switches from long polling to a webhook: the
	// public HTTPS URL at which Telegram reaches WebhookPath.
	WebhookURL string
	// WebhookSecret is the secret Telegram sends with each webhook call;
	// empty: generated once and kept in the database for every process.
	WebhookSecret string

	// LeaseTTL is how long the elected poller's lease lasts (10 s); it is
	// renewed every LeaseRenew (3 s), and the processes not polling try to
	// take it as often. Another process takes over at once when the poller
	// stops, within about LeaseRenew when its process dies (its liveness
	// goes with it), and within LeaseTTL+LeaseRenew when it lives but no
	// longer renews.
	LeaseTTL, LeaseRenew time.Duration
	// PollTimeout is the long-polling wait (25 s).
	PollTimeout time.Duration
	// RateScale multiplies Telegram's rate limits (1); tests raise it
	// together with the double's to check the sender in seconds.
	RateScale float64
	// InlineCommand is the command whose autocomplete answers inline
	// queries ("faq"); when it is not registered, inline queries get no results.
	InlineCommand string
	// StartCommand answers /start, which Telegram sends when a member opens
	// the bot ("aide").
	StartCommand string
	// AdminCacheTTL is how long a group's administrators are remembered (1 min).
	AdminCacheTTL time.Duration
	// Workers is how many updates are handled at once (64); Queue how many
	// may wait for a worker (2,000) before Agora stops taking more.
	Workers, Queue int
	// SweepEvery is how often the adapter checks that it holds its
	// liveness and looks for updates claimed by a process that is gone (1 s).
	// GoneAfter is how long a process must have been seen gone before its
	// updates are taken over (3 s): a live process whose database session
	// dropped (a database restart) takes its liveness again within
	// SweepEvery, before anyone takes its updates. RetakeAfter is how old an
	// update claimed by a version of Agora without liveness must be (2 min
	// 30 s, longer than a handler may run).
	SweepEvery, GoneAfter, RetakeAfter time.Duration
}

// Adapter is the Telegram platform.
type Adapter struct {
	rt    bot.Handler
	store Store
	log   *slog.Logger
	opts  Options
	api   *tgbotapi.BotAPI
	hc    *http.Client

	botID    int64
	username string
	holder   string
	secret   string

	limits  *limits
	metrics *metrics

	mu      sync.Mutex
	admins  map[int64]adminEntry
	private map[int64]bool // user → can receive a private message, as far as known
	polling bool

	adminLookups singleflight.Group // see isAdmin

	dispatch *dispatcher

	groupsMu  sync.Mutex
	lastGroup map[int64]tgbotapi.Chat // user ID → the group they last acted in
}

type adminEntry struct {
	ids map[int64]bool
	at  time.Time
}

// New connects to Telegram (getMe) and prepares the adapter; it does not
// receive updates until Run.
func New(ctx context.Context, rt bot.Handler, opts Options) (*Adapter, error) {
	if opts.Token == "" {
		return nil, errors.New("telegram: no token")
	}
	if opts.Store == nil {
		return nil, errors.New("telegram: no store for the adapter's state")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = prometheus.NewRegistry()
	}
	if opts.APIURL == "" {
		opts.APIURL = DefaultAPIURL
	}
	opts.APIURL = strings.TrimRight(opts.APIURL, "/")
	if opts.LeaseTTL == 0 {
		opts.LeaseTTL = 10 * time.Second
	}
	if opts.LeaseRenew == 0 {
		opts.LeaseRenew = 3 * time.Second
	}
	if opts.PollTimeout == 0 {
		opts.PollTimeout = 25 * time.Second
	}
	if opts.RateScale == 0 {
		opts.RateScale = 1
	}
	if opts.InlineCommand == "" {
		opts.InlineCommand = "faq"
	}
	if opts.StartCommand == "" {
		opts.StartCommand = "aide"
	}
	if opts.AdminCacheTTL == 0 {
		opts.AdminCacheTTL = time.Minute
	}
	if opts.Workers == 0 {
		opts.Workers = 64
	}
	if opts.Queue == 0 {
		opts.Queue = 2000
	}
	if opts.SweepEvery == 0 {
		opts.SweepEvery = time.Second
	}
	if opts.GoneAfter == 0 {
		opts.GoneAfter = 3 * time.Second
	}
	if opts.RetakeAfter == 0 {
		opts.RetakeAfter = retakeAfter
	}
	a := &Adapter{
		rt: rt, store: opts.Store, log: opts.Log.With("platform", commands.PlatformTelegram), opts: opts,
		hc:     &http.Client{Transport: transport(opts.Workers)},
		limits: newLimits(opts.RateScale),
		admins: map[int64]adminEntry{}, private: map[int64]bool{},
	}
	a.dispatch = newDispatcher(a, opts.Workers, opts.Queue)
	m, err := newMetrics(opts.Metrics)
	if err != nil {
		return nil, fmt.Errorf("telegram: metrics: %w", err)
	}
	a.metrics = m
	// getMe runs inside the constructor; bind it to ctx like every later call.
	api, err := tgbotapi.NewBotAPIWithClient(opts.Token, opts.APIURL+"/bot%s/%s", ctxClient{ctx: ctx, hc: a.hc})
	if err != nil {
		return nil, fmt.Errorf("telegram: connect (getMe): %w", redactToken(err, opts.Token))
	}
	a.api = api
	a.botID = api.Self.ID
	a.username = api.Self.UserName
	a.holder = bot.HolderID()
	if opts.WebhookURL != "" {
		a.secret = opts.WebhookSecret
		if a.secret == "" {
			s, err := a.store.SettingOrCreate(ctx, a.key("webhook_secret"), randomSecret())
			if err != nil {
				return nil, fmt.Errorf("telegram: webhook secret: %w", err)
			}
			a.secret = s
		}
	}
	return a, nil
}

// Name is the platform name stored with chats.
func (a *Adapter) Name() string { return commands.PlatformTelegram }

// Username is the bot's @name without the @.
func (a *Adapter) Username() string { return a.username }

// Polling reports whether this process currently holds the poller lease.
func (a *Adapter) Polling() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.polling
}

func (a *Adapter) setPolling(v bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.polling = v
	if v {
		a.metrics.polling.Set(1)
	} else {
		a.metrics.polling.Set(0)
	}
}

// key names this bot's rows in the shared settings and leases, so two bots
// on one database do not collide.
func (a *Adapter) key(name string) string {
	return "telegram." + name + "." + strconv.FormatInt(a.botID, 10)
}

// Run publishes the command menus, then receives updates until ctx ends:
// from the webhook when configured, else by long polling while this process
// holds the poller lease. It returns once the updates being handled are done.
func (a *Adapter) Run(ctx context.Context) error {
	// The liveness first: updates claimed before it would look left by a
	// process gone. Released last, once the updates taken are handled and
	// marked.
	live, err := a.store.HoldLiveness(ctx, a.holder)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return fmt.Errorf("telegram: %w", err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := live.Release(rctx); err != nil {
			a.log.Warn("release the liveness; it ends with the process", "error", err)
		}
	}()
	a.dispatch.start(ctx)
	defer a.dispatch.stop()
	swept := make(chan struct{})
	go func() { // takes over updates left by processes gone; Run waits for it
		defer close(swept)
		a.sweep(ctx, live)
	}()
	defer func() { <-swept }()
	if err := a.publishMenus(ctx); err != nil {
		// Menus are a convenience: commands still work when typed.
		a.log.Error("publish command menus", "error", err)
	}
	if a.opts.WebhookURL != "" {
		if err := a.setWebhook(ctx); err != nil {
			if ctx.Err() != nil {
				return nil // stopped while starting
			}
			return err
		}
		<-ctx.Done()
		return nil
	}
	a.pollWhileElected(ctx, live)
	return nil
}

// transport keeps a connection to the Bot API open for every worker (and
// the poller): with Go's default of two idle connections per host, a burst
// of button answers would open and close a TLS connection per answer.
func transport(workers int) http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = workers + 2
	return tr
}

// ctxClient binds every HTTP request tgbotapi makes to a context, which
// tgbotapi v5 itself does not take.
type ctxClient struct {
	ctx context.Context
	hc  *http.Client
}

func (c ctxClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.hc.Do(req.WithContext(c.ctx))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 500 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		// Telegram's front end answers gateway errors with HTML; say so
		// instead of letting tgbotapi fail to decode it.
		resp.Body.Close()
		return nil, &statusError{code: resp.StatusCode}
	}
	resp.Body = drainOnClose{resp.Body}
	return resp, nil
}

// drainOnClose reads what is left of a body before closing it. tgbotapi
// stops reading once it has decoded the JSON value, before the end of a
// chunked body (a batch of updates is sent chunked), and Go closes a
// connection whose body was not read to the end: every such call then
// opened a new connection, a TLS handshake with api.telegram.org.
type drainOnClose struct{ io.ReadCloser }

// maxDrain bounds the read: a body that still has this much left is not
// worth a connection.
const maxDrain = 64 << 10

func (b drainOnClose) Close() error {
	_, _ = io.CopyN(io.Discard, b.ReadCloser, maxDrain) // a failed read only costs the connection
	return b.ReadCloser.Close()
}

// statusError is an HTTP failure without a Bot API error body.
type statusError struct{ code int }

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
}

// bound returns a copy of the client whose requests follow ctx.
func (a *Adapter) bound(ctx context.Context) *tgbotapi.BotAPI {
	api := *a.api
	api.Client = ctxClient{ctx: ctx, hc: a.hc}
	return &api
}

func randomSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // never happens on supported systems
	}
	return hex.EncodeToString(b)
}

// redactToken keeps the token (part of every URL) out of error messages.
// The error chain stays, so callers can still tell a refusal from a
// network failure.
func redactToken(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), token, "<token>"), err: err}
}

// redactedError prints without the token but unwraps to the original.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
