package telegram

import (
	"context"
	"net/url"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// webhookReply lets the handler of a button pressed answer it in the
// webhook's HTTP response instead of with a request of its own, as the Bot
// API allows ("a request to the Bot API while sending an answer to the
// webhook"): under a burst of votes, that is one HTTP exchange per press
// instead of two. Telegram says nothing of how such a request fares, which
// suits an answer to a button press: it is only ever tried once anyway.
type webhookReply struct {
	mu     sync.Mutex
	given  chan struct{} // closed by offer
	answer url.Values    // the method and its parameters, form-encoded as tgbotapi sends them
	gone   bool          // the response was written without an answer: offers are refused
}

func newWebhookReply() *webhookReply { return &webhookReply{given: make(chan struct{})} }

// offer gives the answer to the webhook response. It reports false when
// the response is already written: the caller then makes the request.
func (r *webhookReply) offer(method string, params tgbotapi.Params) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gone || r.answer != nil {
		return false
	}
	r.answer = url.Values{"method": {method}}
	for k, v := range params {
		r.answer.Set(k, v)
	}
	close(r.given)
	return true
}

// await waits up to d for an answer. After it returns, offers are refused.
func (r *webhookReply) await(d time.Duration) (url.Values, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.given:
	case <-t.C:
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gone = true
	return r.answer, r.answer != nil
}

// replyWait is how long the webhook holds Telegram's request for the
// handler's answer. Telegram delivers over a bounded number of connections
// (maxConnections), so a held request is one delivery fewer in flight:
// the webhook only waits when the update is handled at once, and not for
// long.
const replyWait = 500 * time.Millisecond

// maxConnections is how many webhook requests Telegram may make at once
// (its maximum; 40 by default): answers held for a moment must not slow
// the deliveries of a burst.
const maxConnections = 100

type replyKey struct{}

func withReply(ctx context.Context, r *webhookReply) context.Context {
	if r == nil {
		return ctx
	}
	return context.WithValue(ctx, replyKey{}, r)
}

func replyOf(ctx context.Context) *webhookReply {
	r, _ := ctx.Value(replyKey{}).(*webhookReply)
	return r
}
