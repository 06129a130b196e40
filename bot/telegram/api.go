package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"
)

// Delivery safety decides what may be retried. A 429 proves Telegram did
// not deliver; so does a connection that was never made. A 5xx or a timeout
// after the request left is ambiguous: the message may have been posted.
// Sends (sendMessage, sendDocument, sendPhoto) are therefore retried only
// on proof of non-delivery, so an announcement never appears twice; edits,
// deletions, answers and reads are idempotent and are also retried on
// ambiguous failures.
type safety int

const (
	onceOnly   safety = iota // retried only when provably not delivered
	idempotent               // retried on any transient failure
)

const maxAttempts = 5

// callTimeout bounds one API call; long polls add their own wait.
const callTimeout = 30 * time.Second

// apiCall is one Bot API request made with a bound client.
type apiCall func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error)

// call makes a request with retries. chatID, when non-zero, makes it a send
// that waits for the chat's and the bot's rate limits first.
func (a *Adapter) call(ctx context.Context, method string, chatID int64, s safety, fn apiCall) (*tgbotapi.APIResponse, error) {
	if chatID != 0 {
		unlock, err := a.limits.lock(ctx, chatID)
		if err != nil {
			return nil, fmt.Errorf("%s: wait for earlier sends: %w", method, err)
		}
		defer unlock()
	}
	backoff := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		if chatID != 0 {
			if err := a.limits.wait(ctx, chatID); err != nil {
				return nil, fmt.Errorf("%s: wait for rate limit: %w", method, err)
			}
		}
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		resp, err := fn(a.bound(cctx))
		cancel()
		if err == nil {
			a.metrics.calls.WithLabelValues(method, "ok").Inc()
			return resp, nil
		}
		err = redactToken(err, a.opts.Token)
		wait, retry := retryable(err, s)
		if !retry || attempt == maxAttempts || ctx.Err() != nil {
			a.metrics.calls.WithLabelValues(method, "failed").Inc()
			return resp, fmt.Errorf("%s: %w", method, err)
		}
		a.metrics.calls.WithLabelValues(method, "retried").Inc()
		if wait == 0 {
			wait = backoff
			backoff = min(backoff*2, 5*time.Second)
		}
		a.log.Warn("telegram call failed, retrying", "method", method, "attempt", attempt, "wait", wait, "error", err)
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
	}
}

// request is call for a plain form-encoded method.
func (a *Adapter) request(ctx context.Context, method string, chatID int64, s safety, params tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	return a.call(ctx, method, chatID, s, func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return api.MakeRequest(method, params)
	})
}

// retryable says whether a failure may be retried, and after how long when
// Telegram said so.
func retryable(err error, s safety) (time.Duration, bool) {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		if isTooManyRequests(te) {
			after := te.RetryAfter
			if after <= 0 {
				after = 1
			}
			return time.Duration(after) * time.Second, true
		}
		return 0, s == idempotent && te.Code >= 500
	}
	var se *statusError
	if errors.As(err, &se) {
		return 0, s == idempotent && se.code >= 500
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return 0, true // the request never left
	}
	if errors.Is(err, context.Canceled) {
		return 0, false
	}
	// Timeouts, resets, undecodable answers: the request may have landed.
	return 0, s == idempotent
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

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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
