// Package discordtest is an in-memory double of Discord's REST API (v9 paths,
// validated against Discord's v10 OpenAPI description), gateway and CDN (the
// files members send with commands), meant to be driven by the real
// discordgo client in tests.
package discordtest

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Server is a running Discord double. All methods are safe for concurrent use.
type Server struct {
	t    testing.TB
	http *httptest.Server
	spec *spec
	mux  *http.ServeMux
	opts options

	ids atomic.Uint64

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every state change
	requests []Request
	faults   []*fault

	guilds        map[string]*Guild
	guildOrder    []string
	channels      map[string]*channelState
	messages      map[string][]*Message // by channel
	dmChannels    map[string]string     // user -> DM channel
	refuseDMs     map[string]bool
	commands      map[string][]map[string]any // scope ("" = global, else guild) -> commands
	commandWrites int
	interactions  map[string]*interactionState // by id
	byToken       map[string]*interactionState
	cdn           map[string]*cdnFile // files sent with commands, by attachment ID
	downloads     []Download
	roleGrants    []RoleGrant
	events        map[string][]map[string]any // guild -> scheduled events
	invites       []*Invite

	gw gateway
}

// Option configures a Server.
type Option func(*options)

type options struct {
	token             string
	appID             string
	botUserID         string
	botUsername       string
	appFlags          int
	specPath          string
	heartbeatInterval time.Duration
	retryAfter        time.Duration
	guilds            []Guild
	strictContent     bool
	tls               bool
	disallowedIntents int
}

// WithToken sets the bot token the double accepts (without the "Bot " prefix).
func WithToken(token string) Option { return func(o *options) { o.token = token } }

// WithApplicationID sets the application ID (also used in READY).
func WithApplicationID(id string) Option { return func(o *options) { o.appID = id } }

// WithBotUser sets the bot user's ID and username.
func WithBotUser(id, username string) Option {
	return func(o *options) { o.botUserID, o.botUsername = id, username }
}

// WithApplicationFlags sets application.flags in READY and /oauth2/applications/@me.
func WithApplicationFlags(flags int) Option { return func(o *options) { o.appFlags = flags } }

// WithSpecPath loads the OpenAPI file from p instead of the embedded copy,
// to try the double against a newer upstream spec.
func WithSpecPath(p string) Option { return func(o *options) { o.specPath = p } }

// WithHeartbeatInterval sets the interval sent in HELLO; keep it small in
// tests so heartbeats (and discordgo's missed-ACK detection) happen quickly.
func WithHeartbeatInterval(d time.Duration) Option {
	return func(o *options) { o.heartbeatInterval = d }
}

// WithDisallowedIntents makes IDENTIFY with any of these intent bits fail
// with close code 4014, as Discord does for privileged intents the
// application has not enabled in the developer portal.
func WithDisallowedIntents(bits int) Option { return func(o *options) { o.disallowedIntents = bits } }

// WithRetryAfter sets retry_after of injected 429 answers.
func WithRetryAfter(d time.Duration) Option { return func(o *options) { o.retryAfter = d } }

// WithGuild adds a guild present from the start (sent as GUILD_CREATE after READY).
func WithGuild(g Guild) Option { return func(o *options) { o.guilds = append(o.guilds, g) } }

// WithSpecContentLimits turns off the double's extra 2000-character check on
// bot message content. The v10 spec allows 4000 (the Nitro limit) on
// channel messages, but Discord refuses more than 2000 from bots, so the
// check is on by default.
func WithSpecContentLimits() Option { return func(o *options) { o.strictContent = false } }

// WithTLS serves the REST API over HTTPS with HTTP/2 and the gateway over
// wss, as discord.com and gateway.discord.gg do (a client trusts the
// double through CertificatePEM).
func WithTLS() Option { return func(o *options) { o.tls = true } }

// Request is one HTTP request the double received.
type Request struct {
	Method string
	Path   string // as sent, e.g. /api/v9/channels/1/messages
	Query  string
	Header http.Header
	Body   []byte
	Time   time.Time
	Status int // status the double answered
}

// New starts a double and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	o := options{
		token:             "test-bot-token.discordtest",
		appID:             "1100000000000000001",
		botUserID:         "1100000000000000001",
		botUsername:       "agora-test-bot",
		heartbeatInterval: 200 * time.Millisecond,
		retryAfter:        50 * time.Millisecond,
		strictContent:     true,
	}
	for _, opt := range opts {
		opt(&o)
	}
	sp, err := loadSpec(o.specPath)
	if err != nil {
		t.Fatalf("discordtest: load spec: %v", err)
	}
	s := &Server{
		t:            t,
		spec:         sp,
		opts:         o,
		changed:      make(chan struct{}),
		guilds:       map[string]*Guild{},
		channels:     map[string]*channelState{},
		messages:     map[string][]*Message{},
		dmChannels:   map[string]string{},
		refuseDMs:    map[string]bool{},
		commands:     map[string][]map[string]any{},
		interactions: map[string]*interactionState{},
		byToken:      map[string]*interactionState{},
		cdn:          map[string]*cdnFile{},
		events:       map[string][]map[string]any{},
	}
	s.ids.Store(uint64(time.Now().UnixMilli()-discordEpoch) << 22)
	s.gw.init()
	for _, g := range o.guilds {
		s.addGuildLocked(g)
	}
	s.mux = http.NewServeMux()
	s.routes()
	s.http = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if o.tls {
		s.http.EnableHTTP2 = true
		s.http.StartTLS()
	} else {
		s.http.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the double; it is called automatically at test cleanup.
func (s *Server) Close() {
	s.gw.closeAll()
	s.http.Close()
}

// CertificatePEM is the certificate of a double started WithTLS, for a
// client to trust (in a file named by SSL_CERT_FILE, for a child process);
// nil otherwise.
func (s *Server) CertificatePEM() []byte {
	if s.http.Certificate() == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.http.Certificate().Raw})
}

// URL is the origin to use instead of https://discord.com.
func (s *Server) URL() string { return s.http.URL }

// GatewayURL is the websocket URL returned by GET /api/v9/gateway.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/gateway-ws"
}

// ResumeGatewayURL is the resume_gateway_url READY gives: Discord hands
// out another host to resume on; the double, another path.
func (s *Server) ResumeGatewayURL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/gateway-resume"
}

// BotToken is the token (without "Bot ") the double accepts.
func (s *Server) BotToken() string { return s.opts.token }

// ApplicationID is the bot's application ID.
func (s *Server) ApplicationID() string { return s.opts.appID }

// BotUserID is the bot user's ID.
func (s *Server) BotUserID() string { return s.opts.botUserID }

const discordEpoch = 1420070400000

// NewID returns a fresh snowflake-shaped ID.
func (s *Server) NewID() string { return strconv.FormatUint(s.ids.Add(1), 10) }

// notifyLocked wakes WaitFor callers; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) notify() {
	s.mu.Lock()
	s.notifyLocked()
	s.mu.Unlock()
}

// WaitFor blocks until cond returns true or timeout passes, re-checking on
// every state change of the double instead of polling on a timer. cond must
// not be called with the double's lock held, so it may use any accessor.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.WaitForContext(ctx, cond)
}

// WaitForContext is WaitFor bounded by ctx.
func (s *Server) WaitForContext(ctx context.Context, cond func() bool) bool {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return cond()
		}
	}
}

// MustWaitFor is WaitFor that fails the test (from the test goroutine) on timeout.
func (s *Server) MustWaitFor(timeout time.Duration, what string, cond func() bool) {
	s.t.Helper()
	if !s.WaitFor(timeout, cond) {
		s.t.Fatalf("discordtest: timed out after %v waiting for %s", timeout, what)
	}
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsMatching returns the requests matching a "METHOD /path/glob"
// pattern (see FailNext).
func (s *Server) RequestsMatching(pattern string) []Request {
	f := parseFault(pattern)
	var out []Request
	for _, r := range s.Requests() {
		if f.matches(r.Method, r.Path) {
			out = append(out, r)
		}
	}
	return out
}

type fault struct {
	method string
	glob   string
	n      int
	status int
}

func parseFault(pattern string) *fault {
	f := &fault{method: "*", glob: pattern}
	if m, p, ok := strings.Cut(strings.TrimSpace(pattern), " "); ok {
		f.method, f.glob = strings.ToUpper(m), strings.TrimSpace(p)
	}
	f.glob = stripAPIPrefix(f.glob)
	return f
}

func (f *fault) matches(method, p string) bool {
	if f.method != "*" && f.method != method {
		return false
	}
	ok, _ := path.Match(f.glob, stripAPIPrefix(p))
	return ok
}

// FailNext makes the next n requests matching pattern fail with status.
// pattern is "METHOD /path" where the path may omit the /api/v9 prefix and
// may use path.Match globs ("*" for one segment), e.g.
// "POST /channels/*/messages"; the method may be "*". Status 429 produces a
// Discord-shaped rate-limit answer that discordgo retries after retry_after;
// discordgo also retries 502 (but not 500) up to its MaxRestRetries.
func (s *Server) FailNext(pattern string, n int, status int) {
	f := parseFault(pattern)
	f.n, f.status = n, status
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

func stripAPIPrefix(p string) string {
	if rest, ok := strings.CutPrefix(p, "/api/v"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[i:]
		}
		return "/"
	}
	if rest, ok := strings.CutPrefix(p, "/api/"); ok {
		return "/" + rest
	}
	return p
}

// statusRecorder remembers the status code so it can be added to the record.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gateway-ws" || r.URL.Path == "/gateway-ws/" || r.URL.Path == "/gateway-resume" {
		s.serveGateway(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &statusRecorder{ResponseWriter: w}
	s.mu.Lock()
	idx := len(s.requests)
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, Time: time.Now(),
	})
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.requests[idx].Status = rec.status
		s.notifyLocked()
		s.mu.Unlock()
	}()
	s.handleAPI(rec, r, body)
}

func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request, body []byte) {
	if strings.HasPrefix(r.URL.Path, cdnPrefix) {
		s.serveCDN(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
		return
	}
	// Interaction callbacks and webhook calls authenticate by token in the
	// path, so Discord does not require the bot token there.
	inner := stripAPIPrefix(r.URL.Path)
	tokenAuthed := strings.HasPrefix(inner, "/interactions/") || strings.HasPrefix(inner, "/webhooks/")
	if auth := r.Header.Get("Authorization"); auth != "Bot "+s.opts.token && !(tokenAuthed && auth == "") {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	if s.injectFault(w, r) {
		return
	}
	inner2 := r.Clone(r.Context())
	inner2.URL.Path = inner
	inner2.URL.RawPath = ""
	// Handler only finds the pattern; ServeHTTP is what fills PathValue.
	if _, pattern := s.mux.Handler(inner2); pattern == "" {
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
		return
	}
	s.mux.ServeHTTP(w, inner2)
}

func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	var hit *fault
	for i, f := range s.faults {
		if f.matches(r.Method, r.URL.Path) {
			hit = f
			f.n--
			if f.n <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			break
		}
	}
	s.mu.Unlock()
	if hit == nil {
		return false
	}
	switch hit.status {
	case http.StatusTooManyRequests:
		ra := s.opts.retryAfter.Seconds()
		reset := float64(time.Now().Add(s.opts.retryAfter).UnixMilli()) / 1000
		h := w.Header()
		// Discord sends Retry-After in whole seconds and the precise value in
		// the body and X-RateLimit-Reset-After.
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(ra))))
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(reset, 'f', 3, 64))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(ra, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", "d1c0ffee5ca1ab1e0123456789abcdef")
		h.Set("X-RateLimit-Scope", "user")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{
			"message": "You are being rate limited.", "retry_after": ra, "global": false,
		})
	default:
		writeError(w, hit.status, 0, fmt.Sprintf("%d: %s", hit.status, http.StatusText(hit.status)))
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}
