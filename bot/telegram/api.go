package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"github.com/agora-community/agora/bot/retry"
)

// Delivery safety decides what may be retried. A 429 proves Telegram did
// not deliver; so does a connection that was never made. A 5xx or a timeout
// after the request left is ambiguous: the message may have been posted.
// Sends (sendMessage, sendDocument, sendPhoto) are therefore retried only
// on proof of non-delivery, so an announcement never appears twice; edits,
// deletions, answers and reads are idempotent and are also retried on
// ambiguous failures.
const (
	onceOnly   = retry.OnlyIfNotSent
	idempotent = retry.SafeToRepeat
)

const maxAttempts = 5

// callTimeout bounds one API call; long polls add their own wait.
const callTimeout = 30 * time.Second

// apiCall is one Bot API request made with a bound client.
type apiCall func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error)

// rateWaitError is a wait for Agora's own rate limits cut short by ctx:
// no request was made, so it is neither retried nor counted as a call.
type rateWaitError struct{ err error }

func (e *rateWaitError) Error() string { return e.err.Error() }
func (e *rateWaitError) Unwrap() error { return e.err }

// call makes a request with retries. chatID, when non-zero, makes it a send
// that waits for the chat's and the bot's rate limits first.
func (a *Adapter) call(ctx context.Context, method string, chatID int64, s retry.Safety, fn apiCall) (*tgbotapi.APIResponse, error) {
	if chatID != 0 {
		unlock, err := a.limits.lock(ctx, chatID)
		if err != nil {
			return nil, fmt.Errorf("%s: wait for earlier sends: %w", method, err)
		}
		defer unlock()
	}
	p := retry.Policy{
		Attempts: maxAttempts,
		Backoff:  retry.Backoff{First: 200 * time.Millisecond, Max: 5 * time.Second},
		Classify: classify,
		OnRetry: func(attempt int, wait time.Duration, err error) {
			a.metrics.calls.WithLabelValues(method, "retried").Inc()
			a.log.Warn("telegram call failed, retrying", "method", method, "attempt", attempt, "wait", wait, "error", redactToken(err, a.opts.Token))
		},
	}
	var resp *tgbotapi.APIResponse
	err := p.Do(ctx, s, func() error {
		if chatID != 0 {
			if err := a.limits.wait(ctx, chatID); err != nil {
				return &rateWaitError{err}
			}
		}
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		var err error
		resp, err = fn(a.bound(cctx))
		return err
	})
	var rw *rateWaitError
	switch {
	case errors.As(err, &rw):
		return nil, fmt.Errorf("%s: wait for rate limit: %w", method, rw.err)
	case err != nil:
		a.metrics.calls.WithLabelValues(method, "failed").Inc()
		return resp, fmt.Errorf("%s: %w", method, redactToken(err, a.opts.Token))
	}
	a.metrics.calls.WithLabelValues(method, "ok").Inc()
	return resp, nil
}

// request is call for a plain form-encoded method.
func (a *Adapter) request(ctx context.Context, method string, chatID int64, s retry.Safety, params tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	return a.call(ctx, method, chatID, s, func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return api.MakeRequest(method, params)
	})
}

// classify reads a Bot API failure for the retry policy. A 429 carries
// Telegram's wait (a second when it gave none). Whatever is neither an
// answer from Telegram nor a recognised network failure (an answer that
// does not decode, say) may have come after the work was done.
func classify(err error) retry.Failure {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		if isTooManyRequests(te) {
			return retry.Status(http.StatusTooManyRequests, time.Duration(max(te.RetryAfter, 1))*time.Second)
		}
		return retry.Status(te.Code, 0)
	}
	var se *statusError
	if errors.As(err, &se) {
		return retry.Status(se.code, 0)
	}
	if f, ok := retry.Network(err); ok {
		return f
	}
	return retry.Failure{Outcome: retry.Ambiguous}
}

// isTooManyRequests also recognises upload errors, on which tgbotapi v5
// leaves Code at 0.
func isTooManyRequests(te *tgbotapi.Error) bool {
	return te.Code == 429 || (te.Code == 0 && strings.HasPrefix(te.Message, "Too Many Requests"))
}

// errorCode is the Bot API error code of err, inferred from the description
// on uploads; 0 when err is not a Bot API error.
func errorCode(err error) int {
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return 0
	}
	if te.Code != 0 {
		return te.Code
	}
	switch {
	case strings.HasPrefix(te.Message, "Bad Request"):
		return 400
	case strings.HasPrefix(te.Message, "Forbidden"):
		return 403
	case strings.HasPrefix(te.Message, "Too Many Requests"):
		return 429
	}
	return 0
}

func errorMessage(err error) string {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te.Message
	}
	return ""
}

// limits keeps Agora inside Telegram's flood limits: about 30 messages per
// second overall, one per second in a chat (short bursts tolerated) and 20
// per minute in a group. Each is a token bucket set a little under
// Telegram's so that timing jitter never tips a send over. Sends to one chat
// also queue behind each other, so a long answer split in several messages
// arrives in order.
type limits struct {
	scale  float64
	global *rate.Limiter

	mu    sync.Mutex
	chats map[int64]*chatLimits
}

type chatLimits struct {
	queue chan struct{} // a one-slot lock that honours ctx
	chat  *rate.Limiter
	group *rate.Limiter // nil for private chats
}

func newLimits(scale float64) *limits {
	return &limits{
		scale:  scale,
		global: rate.NewLimiter(rate.Limit(25*scale), 25),
		chats:  map[int64]*chatLimits{},
	}
}

func (l *limits) of(chatID int64) *chatLimits {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.chats[chatID]
	if c == nil {
		c = &chatLimits{queue: make(chan struct{}, 1), chat: rate.NewLimiter(rate.Limit(0.9*l.scale), 2)}
		if chatID < 0 { // groups, supergroups and channels have negative IDs
			c.group = rate.NewLimiter(rate.Limit(18.0/60*l.scale), 18)
		}
		l.chats[chatID] = c
	}
	return c
}

// lock queues the caller behind other sends to the chat.
func (l *limits) lock(ctx context.Context, chatID int64) (func(), error) {
	c := l.of(chatID)
	select {
	case c.queue <- struct{}{}:
		return func() { <-c.queue }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// wait takes one message from each bucket, slowest first so a long wait
// does not hold tokens of the faster ones.
func (l *limits) wait(ctx context.Context, chatID int64) error {
	c := l.of(chatID)
	if c.group != nil {
		if err := c.group.Wait(ctx); err != nil {
			return err
		}
	}
	if err := c.chat.Wait(ctx); err != nil {
		return err
	}
	return l.global.Wait(ctx)
}

// decode reads a successful response's result.
func decode(resp *tgbotapi.APIResponse, into any) error {
	if err := json.Unmarshal(resp.Result, into); err != nil {
		return fmt.Errorf("decode Telegram result: %w", err)
	}
	return nil
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func parseID(kind, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("telegram %s id %q is not a number", kind, s)
	}
	return id, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("marshal %T: %v", v, err)) // only plain structs and maps are marshalled
	}
	return string(b)
}
