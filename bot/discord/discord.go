// Package discord is Agora's Discord adapter, built on discordgo. It
// publishes the command registry as application commands, receives
// interactions over the gateway or signed HTTP requests, turns them into
// neutral requests for the runtime (and member joins and channel messages
// into its events, when configured), and renders responses as Discord
// messages within Discord's limits. No discordgo type leaves this package.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage"
)

// Config is what the adapter needs from Agora's configuration.
type Config struct {
	Token      string // bot token, without "Bot "
	APIURL     string // replaces https://discord.com; empty for Discord itself
	GatewayURL string // replaces the gateway URL Discord hands out
	// PublicKey (hex) enables HTTP interactions; requests must be signed with it.
	PublicKey  string
	GuildID    string // publish commands to this server only
	ShardID    int
	ShardCount int
	// ModeratorRoleID and AmbassadorRoleID are server roles that make their
	// holders moderators or ambassadors in Agora.
	ModeratorRoleID  string
	AmbassadorRoleID string
	// Welcomes asks for the privileged Server Members intent, to greet
	// members who join: joins become the runtime's member events.
	Welcomes bool
	// AutoFAQ asks for message events and the privileged Message Content
	// intent, to answer questions asked in plain messages: messages become
	// the runtime's message events.
	AutoFAQ bool

	// DeferAfter is how long a handler may take before the interaction is
	// deferred; Discord allows 3 seconds for the first answer.
	DeferAfter time.Duration
	// MaxRetries bounds the retries of calls that are safe to repeat.
	MaxRetries int
	// RetryBackoff is the first pause between retries; it doubles each time.
	RetryBackoff time.Duration
	// MaxSignatureAge refuses signed HTTP interactions older than this.
	MaxSignatureAge time.Duration
	// ReadyTimeout is how long the gateway may take to accept Agora.
	ReadyTimeout time.Duration
	// ShardLeaseTTL (10 s) is how long this process's hold on its gateway
	// shard lasts; it is renewed every ShardLeaseRenew (3 s), and the
	// processes waiting for the shard try to take it as often. Another
	// process takes the shard over at once when the holder stops, within
	// about ShardLeaseRenew when its process dies (its liveness goes with
	// it), and within about ShardLeaseTTL+ShardLeaseRenew when it lives but
	// no longer renews, or held the lease without liveness.
	ShardLeaseTTL, ShardLeaseRenew time.Duration
	// InteractionMemory (1 h) is how long handled interaction IDs are
	// remembered: longer than Discord may deliver one again (a signed HTTP
	// request is valid 5 minutes; a gateway resume replays minutes at most).
	InteractionMemory time.Duration
	// ClaimTimeout (1 s) bounds the claim of an interaction's ID in the
	// database, taken from Discord's 3 seconds to answer; past it the
	// interaction is handled unclaimed rather than left unanswered.
	ClaimTimeout time.Duration
	// InFlight (256) is how many gateway events and HTTP interactions are
	// handled at once; beyond it the gateway is not read and HTTP requests
	// wait (see HTTPQueue), so memory stays bounded in a flood.
	InFlight int
	// HTTPQueue (256) is how many HTTP interactions may wait for one of the
	// InFlight slots, each at most HTTPQueueWait (500 ms, taken from
	// Discord's 3 seconds to answer); past either, the request is refused
	// with 503 at once, so a flood beyond what Agora serves costs a bounded
	// amount of memory.
	HTTPQueue     int
	HTTPQueueWait time.Duration
	// HTTPDrainQuiet (250 ms) and HTTPDrainMax (5 s): once Run is asked to
	// stop, HTTP interactions are still answered until none has come for
	// HTTPDrainQuiet, for at most HTTPDrainMax (see drainHTTP).
	HTTPDrainQuiet, HTTPDrainMax time.Duration
	// Store keeps the adapter's state shared by every process: the shard
	// lease and the interactions already handled; required.
	Store Store
	// Transport carries the REST requests (tests may wrap it); nil for the default.
	Transport http.RoundTripper
	// Log receives the adapter's logs; nil discards them.
	Log *slog.Logger
	// Metrics registers the adapter's series (the runtime's registry); nil
	// keeps them unregistered.
	Metrics prometheus.Registerer
}

// Store is the state the adapter shares with the other Agora processes
// through the database: the shard lease, held with the process's liveness
// (or, while that is lost, without), and the interactions already handled.
// *storage.Store implements it.
type Store interface {
	HoldLiveness(ctx context.Context, holder string) (*storage.Liveness, error)
	AcquireLiveLease(ctx context.Context, name string, live *storage.Liveness, now time.Time, ttl time.Duration) (bool, error)
	AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	ClaimInteraction(ctx context.Context, platform, id string, now time.Time) (bool, error)
	ForgetInteractions(ctx context.Context, platform string, before time.Time) (int64, error)
}

// Adapter is the Discord platform. It implements bot.Platform.
type Adapter struct {
	rt        bot.Handler
	cfg       Config
	log       *slog.Logger
	s         *discordgo.Session
	dialer    *websocket.Dialer
	publicKey *signatureKey

	// workCtx bounds interaction work, which outlives the HTTP request or
	// gateway event that started it; Run cancels it once the work is done.
	workCtx    context.Context
	cancelWork context.CancelFunc

	// holder names this process in the shard lease.
	holder string

	// answers counts interactions by kind and by how they were answered.
	answers *prometheus.CounterVec
	// duplicates counts interactions delivered again and left alone, by
	// transport (gateway, http); refused counts HTTP requests refused
	// before any work, by reason; shardHeld is 1 while this process holds
	// its gateway shard.
	duplicates *prometheus.CounterVec
	refused    *prometheus.CounterVec
	reconnects *prometheus.CounterVec
	shardHeld  prometheus.Gauge

	mu      sync.Mutex
	closing bool
	work    sync.WaitGroup
	slots   chan struct{} // one per event or HTTP interaction being handled; see handOff and enter
	waiting atomic.Int64  // HTTP interactions waiting for a slot
	held    atomic.Bool   // the gateway is not read: every slot is busy
	// lastHTTP is when the latest HTTP interaction arrived (Unix
	// nanoseconds), for the drain at stop (see drainHTTP).
	lastHTTP atomic.Int64
}

var (
	_ bot.Platform       = (*Adapter)(nil)
	_ bot.RoleGranter    = (*Adapter)(nil)
	_ bot.EventScheduler = (*Adapter)(nil)
	_ bot.InviteLinker   = (*Adapter)(nil)
	_ bot.RoleReader     = (*Adapter)(nil)
)

// New prepares the adapter; nothing is sent to Discord before Run.
func New(rt bot.Handler, cfg Config) (*Adapter, error) {
	if cfg.Token == "" {
		return nil, errors.New("discord adapter: no bot token")
	}
	if cfg.Store == nil {
		return nil, errors.New("discord adapter: no store for the shard lease and handled interactions")
	}
	if cfg.ShardCount < 1 {
		cfg.ShardCount = 1
	}
	if cfg.DeferAfter <= 0 {
		cfg.DeferAfter = 2 * time.Second
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 3
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = 500 * time.Millisecond
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = defaultInFlight
	}
	if cfg.HTTPQueue <= 0 {
		cfg.HTTPQueue = 256
	}
	if cfg.HTTPQueueWait <= 0 {
		cfg.HTTPQueueWait = 500 * time.Millisecond
	}
	if cfg.HTTPDrainQuiet <= 0 {
		cfg.HTTPDrainQuiet = 250 * time.Millisecond
	}
	if cfg.HTTPDrainMax <= 0 {
		cfg.HTTPDrainMax = 5 * time.Second
	}
	if cfg.MaxSignatureAge <= 0 {
		cfg.MaxSignatureAge = 5 * time.Minute
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = time.Minute
	}
	if cfg.ShardLeaseTTL <= 0 {
		cfg.ShardLeaseTTL = 10 * time.Second
	}
	if cfg.ShardLeaseRenew <= 0 {
		cfg.ShardLeaseRenew = 3 * time.Second
	}
	if cfg.ClaimTimeout <= 0 {
		cfg.ClaimTimeout = time.Second
	}
	if cfg.InteractionMemory <= 0 {
		cfg.InteractionMemory = time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = prometheus.NewRegistry()
	}
	a := &Adapter{rt: rt, cfg: cfg, log: cfg.Log.With("platform", commands.PlatformDiscord), holder: bot.HolderID(),
		slots: make(chan struct{}, cfg.InFlight)}
	var err error
	if a.answers, err = bot.RegisterCollector(cfg.Metrics, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agora_discord_interactions_total",
		Help: "Discord interactions by kind (command, component, modal, autocomplete) and answer (immediate, deferred, failed).",
	}, []string{"kind", "answer"})); err != nil {
		return nil, fmt.Errorf("discord adapter: %w", err)
	}
	if a.duplicates, err = bot.RegisterCollector(cfg.Metrics, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agora_discord_duplicate_interactions_total",
		Help: "Discord interactions delivered again (replayed HTTP request, gateway replay) and not handled again, by transport (gateway, http).",
	}, []string{"transport"})); err != nil {
		return nil, fmt.Errorf("discord adapter: %w", err)
	}
	if a.reconnects, err = bot.RegisterCollector(cfg.Metrics, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agora_discord_gateway_reconnects_total",
		Help: "Gateway connections replaced, by reason: requested (Discord's op 7), silent (heartbeats unanswered while nothing arrived), closed (the connection closed or failed), unreachable (the gateway could not be reached).",
	}, []string{"reason"})); err != nil {
		return nil, fmt.Errorf("discord adapter: %w", err)
	}
	if a.refused, err = bot.RegisterCollector(cfg.Metrics, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agora_discord_refused_requests_total",
		Help: "HTTP interaction requests refused before any work, by reason (busy, signature, stale, too_large, malformed, not_configured).",
	}, []string{"reason"})); err != nil {
		return nil, fmt.Errorf("discord adapter: %w", err)
	}
	if _, err = bot.RegisterCollector(cfg.Metrics, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "agora_discord_http_waiting",
		Help: "HTTP interactions waiting for a slot (at most the HTTP queue's size; beyond it they are refused as busy).",
	}, func() float64 { return float64(a.waiting.Load()) })); err != nil {
		return nil, fmt.Errorf("discord adapter: %w", err)
	}
	if _, err = bot.RegisterCollector(cfg.Metrics, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "agora_discord_gateway_held",
		Help: "1 while the gateway is not read because every slot is busy (Discord keeps the events meanwhile).",
	}, func() float64 {
		if a.held.Load() {
			return 1
		}
		return 0
	})); err != nil {
		return nil, fmt.Errorf("discord adapter: %w", err)
	}
	if a.shardHeld, err = bot.RegisterCollector(cfg.Metrics, prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "agora_discord_shard_held",
		Help: "1 while this process holds its Discord gateway shard, 0 while another process does.",
	})); err != nil {
		return nil, fmt.Errorf("discord adapter: %w", err)
	}
	if cfg.PublicKey != "" {
		if a.publicKey, err = parseSignatureKey(cfg.PublicKey); err != nil {
			return nil, fmt.Errorf("discord adapter: %w", err)
		}
	}
	next := cfg.Transport
	if next == nil {
		next = pooledTransport(cfg.InFlight)
	}
	tr, err := newRewriteTransport(cfg.APIURL, cfg.GatewayURL, next)
	if err != nil {
		return nil, fmt.Errorf("discord adapter: %w", err)
	}
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord adapter: %s", redact(err.Error(), cfg.Token))
	}
	s.Client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	s.Identify.Intents = intents(cfg)
	// Agora reads the gateway itself (see gateway.go) and asks for text
	// frames, which it decodes without inflating them first.
	s.Identify.Compress = false
	s.Identify.Properties.Browser = "Agora"
	s.Identify.Properties.Device = "Agora"
	if cfg.ShardCount > 1 {
		s.Identify.Shard = &[2]int{cfg.ShardID, cfg.ShardCount}
	}
	s.LogLevel = discordgo.LogError
	// The State cache is fed the gateway's events by onGatewayEvent.
	s.StateEnabled = true
	a.s = s
	a.dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 45 * time.Second, NetDialContext: dialPaced}
	a.workCtx, a.cancelWork = context.WithCancel(context.Background())
	return a, nil
}

// intents asks only for what Agora uses: the two privileged intents must
// be switched on in the developer portal, so they are opt-in.
func intents(cfg Config) discordgo.Intent {
	in := discordgo.IntentsGuilds
	if cfg.Welcomes {
		in |= discordgo.IntentsGuildMembers
	}
	if cfg.AutoFAQ {
		in |= discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent
	}
	return in
}

// Intents returns the gateway intents as their bit set, for logs and tests.
func (a *Adapter) Intents() int { return int(a.s.Identify.Intents) }

// Name is the platform name.
func (a *Adapter) Name() string { return commands.PlatformDiscord }

// stop refuses new work and waits for the interactions being handled; the
// gateway is closed by then (serveShard waits for it).
func (a *Adapter) stop() {
	a.drainHTTP()
	a.mu.Lock()
	a.closing = true
	a.mu.Unlock()
	a.work.Wait()
}

// drainHTTP waits, when the adapter stops, until HTTP interactions stopped
// coming: none for Config.HTTPDrainQuiet, or Config.HTTPDrainMax at most. A
// load balancer sends requests to a process until it sees its /readyz
// fail, and requests already on their way arrive later still; Discord
// does not send an interaction again, so one refused then is a press that
// failed for its member.
func (a *Adapter) drainHTTP() {
	if a.publicKey == nil {
		return
	}
	deadline := time.Now().Add(a.cfg.HTTPDrainMax)
	for {
		now := time.Now()
		quiet := time.Unix(0, a.lastHTTP.Load()).Add(a.cfg.HTTPDrainQuiet)
		if !now.Before(quiet) || !now.Before(deadline) {
			return
		}
		time.Sleep(min(quiet.Sub(now), deadline.Sub(now)))
	}
}

// defaultInFlight is Config.InFlight's default. In a burst a press is
// handled in about 30 ms (three grouped statements, then the answer),
// more when the database is busy, so the bound caps throughput whatever
// the CPU: at 64, the gateway backed up from about 2,000 presses/s on and
// answers came 1.5 s late with half the CPU idle. 256 serves 2,000/s even
// at 120 ms a press, for a few megabytes at most.
const defaultInFlight = 256

// handOff runs h in a goroutine of its own once one of the adapter's
// InFlight slots is free, waiting for one meanwhile. It is called from the
// gateway's reading goroutine, so when every slot is busy the gateway is
// not read until one frees: a burst beyond what Agora serves waits in the
// socket rather than piling up in memory. During a burst the gateway is
// read in waves (see pacedConn), so h starts at once. h's work is tracked
// from here (see track), so Run waits for it; once Run is stopping, h is
// dropped.
func (a *Adapter) handOff(h func()) {
	select {
	case a.slots <- struct{}{}:
	default:
		a.held.Store(true)
		a.slots <- struct{}{}
		a.held.Store(false)
	}
	if !a.track() {
		<-a.slots
		return
	}
	go func() {
		defer a.work.Done()
		defer func() { <-a.slots }()
		h()
	}()
}

// enter takes a slot for an HTTP interaction, waiting for one while at
// most HTTPQueue requests wait and for at most HTTPQueueWait. It reports
// false when the request must be refused: too many wait, the wait ran
// out, or the request ended.
func (a *Adapter) enter(ctx context.Context) bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
	}
	if a.waiting.Add(1) > int64(a.cfg.HTTPQueue) {
		a.waiting.Add(-1)
		return false
	}
	defer a.waiting.Add(-1)
	t := time.NewTimer(a.cfg.HTTPQueueWait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// track registers interaction work so Run can wait for it; it refuses new
// work once Run is stopping.
func (a *Adapter) track() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closing {
		return false
	}
	a.work.Add(1)
	return true
}

// restError extracts Discord's HTTP status and error code.
func restError(err error) (status, code int, ok bool) {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		if re.Message != nil {
			code = re.Message.Code
		}
		return re.Response.StatusCode, code, true
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		return http.StatusTooManyRequests, 0, true
	}
	return 0, 0, false
}

// logFailure logs a failed Discord call with its status and Discord error
// code, never the token.
func (a *Adapter) logFailure(op string, err error, attrs ...any) {
	status, code, _ := restError(err)
	attrs = append(attrs, "op", op, "discord_status", status, "discord_code", code, "error", redact(err.Error(), a.cfg.Token))
	a.log.Error("Discord call failed", attrs...)
}

// safeError keeps the error chain (for errors.Is and As) but prints
// without secrets.
type safeError struct {
	msg string
	err error
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.err }

func (a *Adapter) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	status, code, _ := restError(err)
	msg := op + ": " + redact(err.Error(), a.cfg.Token)
	if code != 0 {
		msg = fmt.Sprintf("%s (Discord status %d, code %d)", msg, status, code)
	}
	return &safeError{msg: msg, err: err}
}
