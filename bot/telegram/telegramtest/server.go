// Package telegramtest is an in-memory Telegram Bot API server for tests. It
// speaks the real HTTP protocol, so the production tgbotapi client runs
// against it unchanged, validates every call against the Bot API
// specification, and keeps all state in memory so tests can inject updates and
// assert on what the bot sent.
//
// Typical use:
//
//	srv := telegramtest.New(t)
//	bot, _ := tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token(), srv.APIEndpoint())
//	srv.SendText(telegramtest.PrivateChat(user), user, "/start")
//	// ... run the bot's update loop ...
//	msg, ok := srv.WaitMessage(user.ID, 5*time.Second, nil)
//
// The Bot API 10.1 description is embedded from testdata/telegram-bot-api.json;
// $TELEGRAM_BOT_API_SPEC names another copy of the upstream file to use instead.
package telegramtest

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is the Bot API double. All methods are safe for concurrent use.
type Server struct {
	t     testing.TB
	hs    *httptest.Server
	spec  *apiSpec
	cfg   config
	ctx   context.Context
	stop  context.CancelFunc
	wg    sync.WaitGroup
	token string
	bot   User

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change

	seq    int64
	calls  []Call
	faults map[string][]fault

	nextUpdateID int64
	queue        []Update
	allowed      []string
	poller       *poller
	webhook      *webhookState
	deliveries   []WebhookDelivery
	delivering   map[int64]bool // updates being posted to the webhook, or waiting to be posted again

	chats     map[int64]*chatState
	users     map[int64]User
	blocked   map[int64]bool
	admins    map[int64][]User
	members   map[int64]map[int64]bool
	banned    map[int64]map[int64]bool
	callbacks map[string]*callbackState
	inlines   map[string]*inlineState

	callbackAnswers []CallbackAnswer
	inlineAnswers   []InlineAnswer
	commands        map[commandKey][]BotCommand
	invites         []InviteLink
	edits           []Edit
	deletions       []Deletion
	files           map[string]*UploadedFile
	sendTimes       map[int64][]time.Time
	limiter         *rateLimiter
}

type config struct {
	token            string
	bot              User
	strictAmpersand  bool
	rateLimits       bool
	rateScale        float64
	webhookClient    *http.Client
	insecureWebhooks bool
	webhookRetry     time.Duration
	callbackTTL      time.Duration
	tls              bool
}

// Option configures a Server.
type Option func(*config)

// WithTLS serves the Bot API over HTTPS with HTTP/2, as api.telegram.org
// does, with a certificate of its own (see CertificatePEM).
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithToken sets the bot token (default "123456789:TEST-token-for-agora").
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithBot sets the identity getMe returns.
func WithBot(u User) Option { return func(c *config) { c.bot = u } }

// WithLenientAmpersand keeps a stray '&' literally, as Telegram does, instead
// of rejecting it (the default, which catches unescaped user input early).
func WithLenientAmpersand() Option { return func(c *config) { c.strictAmpersand = false } }

// WithRateLimits makes the double answer 429 when the bot exceeds Telegram's
// documented limits: about 30 messages/s overall, 1 message/s per chat with
// short bursts, 20 messages/min per group.
func WithRateLimits() Option { return func(c *config) { c.rateLimits = true } }

// WithRateLimitScale enables the rate limits with every refill rate
// multiplied by f (burst sizes unchanged), so a test can check a sender that
// scales its own limits the same way without waiting minutes for Telegram's
// 20 messages per minute in a group.
func WithRateLimitScale(f float64) Option {
	return func(c *config) { c.rateLimits, c.rateScale = true, f }
}

// WithWebhookClient sets the client used to POST updates to the webhook, e.g.
// an httptest TLS server's Client() so that HTTPS webhooks are trusted.
func WithWebhookClient(hc *http.Client) Option { return func(c *config) { c.webhookClient = hc } }

// WithInsecureWebhooks accepts http:// webhook URLs. Telegram only accepts
// HTTPS; use this only when the receiver cannot be a TLS server.
func WithInsecureWebhooks() Option { return func(c *config) { c.insecureWebhooks = true } }

// WithWebhookRetryDelay sets the pause between failed webhook deliveries.
// Telegram backs off for seconds to minutes; the default is 50ms for speed.
func WithWebhookRetryDelay(d time.Duration) Option { return func(c *config) { c.webhookRetry = d } }

// WithCallbackQueryTTL makes callback queries expire like Telegram's (which
// must be answered within seconds). Zero, the default, disables expiry.
func WithCallbackQueryTTL(d time.Duration) Option { return func(c *config) { c.callbackTTL = d } }

// DefaultBot is the identity the double reports unless WithBot is used.
var DefaultBot = User{ID: 7000000001, IsBot: true, FirstName: "Agora Test", Username: "agora_test_bot"}

// New starts a double; it is shut down by t.Cleanup.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{
		token:           "7000000001:AAHtest-token-for-agora_0123456789",
		bot:             DefaultBot,
		strictAmpersand: true,
		webhookRetry:    50 * time.Millisecond,
		rateScale:       1,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.webhookClient == nil {
		// Telegram keeps its webhook connections open, up to
		// max_connections of them (100 at most).
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 100
		cfg.webhookClient = &http.Client{Timeout: 10 * time.Second, Transport: tr}
	}
	spec, err := loadSpec()
	if err != nil {
		t.Fatalf("telegramtest: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		t: t, spec: spec, cfg: cfg, ctx: ctx, stop: cancel,
		token: cfg.token, bot: cfg.bot,
		changed:      make(chan struct{}),
		faults:       map[string][]fault{},
		nextUpdateID: 800000001,
		chats:        map[int64]*chatState{},
		users:        map[int64]User{},
		blocked:      map[int64]bool{},
		admins:       map[int64][]User{},
		members:      map[int64]map[int64]bool{},
		banned:       map[int64]map[int64]bool{},
		callbacks:    map[string]*callbackState{},
		delivering:   map[int64]bool{},
		inlines:      map[string]*inlineState{},
		commands:     map[commandKey][]BotCommand{},
		files:        map[string]*UploadedFile{},
		sendTimes:    map[int64][]time.Time{},
		limiter:      newRateLimiter(cfg.rateScale),
	}
	s.hs = httptest.NewUnstartedServer(s)
	if cfg.tls {
		s.hs.EnableHTTP2 = true
		s.hs.StartTLS()
	} else {
		s.hs.Start()
	}
	s.wg.Add(1)
	go s.deliverLoop()
	t.Cleanup(s.close)
	return s
}

func (s *Server) close() {
	// Cancel first: httptest.Server.Close waits for in-flight long polls.
	s.stop()
	s.hs.Close()
	s.wg.Wait()
}

// CertificatePEM is the certificate of a double started WithTLS, for a
// client to trust (in a file named by SSL_CERT_FILE, for a child process).
func (s *Server) CertificatePEM() []byte {
	if s.hs.Certificate() == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.hs.Certificate().Raw})
}

// URL is the base URL of the double, without the /bot<token> part.
func (s *Server) URL() string { return s.hs.URL }

// APIEndpoint is the format string for tgbotapi.NewBotAPIWithAPIEndpoint.
func (s *Server) APIEndpoint() string { return s.hs.URL + "/bot%s/%s" }

// FileEndpoint is the format string for downloading files (token, file_path).
func (s *Server) FileEndpoint() string { return s.hs.URL + "/file/bot%s/%s" }

// Token is the only token the double accepts.
func (s *Server) Token() string { return s.token }

// Bot is the identity returned by getMe.
func (s *Server) Bot() User { return s.bot }

// apiError is a Telegram error response.
type apiError struct {
	code       int
	desc       string
	retryAfter *int
}

func (e *apiError) Error() string { return e.desc }

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: 400, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(desc string) *apiError { return &apiError{code: 403, desc: "Forbidden: " + desc} }

func tooManyRequests(retryAfter int) *apiError {
	return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter), retryAfter: &retryAfter}
}

// Call is one recorded API request.
type Call struct {
	Method string
	Params map[string]string
	Files  map[string]UploadedFile
	Time   time.Time
	// Status is the HTTP status answered; Error the description when not ok.
	Status int
	Error  string
	// InWebhookResponse: the bot asked for the method in its answer to a
	// webhook request rather than with a request of its own.
	InWebhookResponse bool
}

type request struct {
	ctx    context.Context
	method string
	params map[string]string
	files  map[string]*UploadedFile
}

// okResult carries an optional description next to the result, as Telegram
// does for setWebhook ("Webhook was set").
type okResult struct {
	result any
	desc   string
}

type handler func(s *Server, r *request) (any, *apiError)

var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"getMe":                  (*Server).getMe,
		"getUpdates":             (*Server).getUpdates,
		"setWebhook":             (*Server).setWebhook,
		"deleteWebhook":          (*Server).deleteWebhook,
		"getWebhookInfo":         (*Server).getWebhookInfo,
		"sendMessage":            (*Server).sendMessage,
		"editMessageText":        (*Server).editMessageText,
		"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
		"deleteMessage":          (*Server).deleteMessage,
		"answerCallbackQuery":    (*Server).answerCallbackQuery,
		"setMyCommands":          (*Server).setMyCommands,
		"getMyCommands":          (*Server).getMyCommands,
		"deleteMyCommands":       (*Server).deleteMyCommands,
		"sendDocument":           (*Server).sendDocument,
		"sendPhoto":              (*Server).sendPhoto,
		"createChatInviteLink":   (*Server).createChatInviteLink,
		"banChatMember":          (*Server).banChatMember,
		"unbanChatMember":        (*Server).unbanChatMember,
		"getChatAdministrators":  (*Server).getChatAdministrators,
		"getChatMember":          (*Server).getChatMember,
		"getChat":                (*Server).getChat,
		"answerInlineQuery":      (*Server).answerInlineQuery,
		"sendChatAction":         (*Server).sendChatAction,
		"getFile":                (*Server).getFile,
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/file/bot") {
		s.serveFile(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		writeError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	token, method, _ := strings.Cut(rest, "/")
	if token != s.token {
		writeError(w, &apiError{code: 401, desc: "Unauthorized"})
		return
	}
	canonical, ok := s.spec.byLower[strings.ToLower(method)]
	if !ok {
		writeError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	params, files, perr := parseRequest(r)
	idx, res, aerr := s.invoke(r.Context(), canonical, params, files, perr, false)
	s.finish(w, idx, res, aerr)
}

// invoke runs a method the bot asked for and records it, whether asked
// with a request or in a webhook response.
func (s *Server) invoke(ctx context.Context, canonical string, params map[string]string, files map[string]*UploadedFile, perr *apiError, inWebhookResponse bool) (int, any, *apiError) {
	idx := s.record(canonical, params, files, inWebhookResponse)
	if perr != nil {
		return idx, nil, perr
	}
	if f := s.takeFault(canonical); f != nil {
		return idx, nil, f
	}
	if err := s.spec.validate(canonical, params, files); err != nil {
		return idx, nil, err.(*apiError)
	}
	h := handlers[canonical]
	if h == nil {
		return idx, nil, badRequest("method %s is not implemented by the telegramtest double", canonical)
	}
	res, aerr := h(s, &request{ctx: ctx, method: canonical, params: params, files: files})
	return idx, res, aerr
}

func (s *Server) finish(w http.ResponseWriter, idx int, res any, aerr *apiError) {
	s.settle(idx, aerr)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	body := map[string]any{"ok": true, "result": res}
	if r, ok := res.(okResult); ok {
		body["result"] = r.result
		if r.desc != "" {
			body["description"] = r.desc
		}
	}
	writeJSON(w, 200, body)
}

// settle records how a call ended.
func (s *Server) settle(idx int, aerr *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if aerr != nil {
		s.calls[idx].Status = aerr.code
		s.calls[idx].Error = aerr.desc
	} else {
		s.calls[idx].Status = 200
	}
	s.broadcastLocked()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: marshal response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.code == 502 || e.code == 503 || e.code == 504 {
		// Telegram's front end answers gateway errors with an nginx HTML
		// page, not JSON; clients must survive an undecodable body.
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(e.code)
		text := fmt.Sprintf("%d %s", e.code, http.StatusText(e.code))
		_, _ = fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n", text, text)
		return
	}
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.retryAfter != nil {
		body["parameters"] = map[string]any{"retry_after": *e.retryAfter}
	}
	writeJSON(w, e.code, body)
}

// parseRequest accepts every encoding Telegram accepts: query string,
// urlencoded form, multipart form and a JSON object body.
func parseRequest(r *http.Request) (map[string]string, map[string]*UploadedFile, *apiError) {
	params := map[string]string{}
	files := map[string]*UploadedFile{}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return params, files, badRequest("can't read request body")
		}
		var obj map[string]json.RawMessage
		if len(strings.TrimSpace(string(data))) > 0 {
			if err := json.Unmarshal(data, &obj); err != nil {
				return params, files, badRequest("can't parse JSON request body")
			}
		}
		for k, raw := range obj {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				params[k] = str
			} else {
				params[k] = string(raw)
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			return params, files, badRequest("can't parse multipart form: %v", err)
		}
		for k, v := range r.MultipartForm.Value {
			params[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			fh := fhs[0]
			f, err := fh.Open()
			if err != nil {
				return params, files, badRequest("can't read file %q", k)
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return params, files, badRequest("can't read file %q", k)
			}
			files[k] = &UploadedFile{Field: k, FileName: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: data}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return params, files, badRequest("can't parse form: %v", err)
		}
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
	}
	return params, files, nil
}

func (s *Server) record(method string, params map[string]string, files map[string]*UploadedFile, inWebhookResponse bool) int {
	c := Call{Method: method, Params: make(map[string]string, len(params)), Time: time.Now(), InWebhookResponse: inWebhookResponse}
	for k, v := range params {
		c.Params[k] = v
	}
	if len(files) > 0 {
		c.Files = map[string]UploadedFile{}
		for k, f := range files {
			c.Files[k] = *f
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.broadcastLocked()
	return len(s.calls) - 1
}

// broadcastLocked wakes everything waiting for a state change. Callers hold mu.
func (s *Server) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) nextID() int64 {
	s.seq++
	return s.seq
}

// Calls returns every recorded request, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the recorded requests to one method.
func (s *Server) CallsTo(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// CallCount counts requests to one method, failed ones included.
func (s *Server) CallCount(method string) int { return len(s.CallsTo(method)) }

type fault struct {
	status     int
	retryAfter int
}

// FailNext makes the next n calls to method (or to any method if method is
// "" or "*") fail with status. 429 carries parameters.retry_after=retryAfter;
// 500 is Telegram's JSON error, 502-504 an HTML gateway page.
func (s *Server) FailNext(method string, n int, status int, retryAfter int) {
	if method == "" {
		method = "*"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], fault{status: status, retryAfter: retryAfter})
	}
}

func (s *Server) takeFault(method string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{method, "*"} {
		q := s.faults[key]
		if len(q) == 0 {
			continue
		}
		f := q[0]
		s.faults[key] = q[1:]
		switch {
		case f.status == 429:
			return tooManyRequests(f.retryAfter)
		case f.status == 400:
			return badRequest("injected failure")
		case f.status == 401:
			return &apiError{code: 401, desc: "Unauthorized"}
		case f.status == 403:
			return forbidden("bot was blocked by the user")
		case f.status == 409:
			return &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		default:
			return &apiError{code: f.status, desc: http.StatusText(f.status)}
		}
	}
	return nil
}

// WaitFor polls cond after every state change until it holds or timeout
// passes. cond runs without the server lock, so it may call accessors.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return cond()
		case <-s.ctx.Done():
			return cond()
		}
	}
}

func parseURL(raw string) (*url.URL, error) { return url.Parse(raw) }
