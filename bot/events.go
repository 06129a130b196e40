package bot

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/agora-community/agora/commands"
)

// eventHandler is one module's handler of one kind of event.
type eventHandler struct {
	module string
	handle commands.Handler
}

// HandleEvent runs every installed module's handler of an event (req.Event:
// a member joined, a plain message) and returns the responses to post in
// the chat, replying to the message when there is one. The request is
// resolved as for a command (community, chat, member, language). Events
// from bot accounts (req.User.Bot, Agora's own messages included) are
// never dispatched, so two bots cannot answer each other forever. Failures
// and panics of handlers are logged: nobody asked, so nobody is told.
func (rt *Runtime) HandleEvent(ctx context.Context, req *commands.Request) []*commands.Response {
	if req.Event == nil || req.User.Bot {
		return nil
	}
	rt.mu.RLock()
	handlers := rt.events[req.Event.Kind]
	rt.mu.RUnlock()
	if len(handlers) == 0 {
		return nil // nothing listens: chatter costs no database work
	}
	rt.inflight.Add(1)
	defer rt.inflight.Done()
	req.Now = rt.clock.Now()
	req.Loc = rt.Localizer(nil, req.User.Locale)
	if err := rt.resolve(ctx, req); err != nil {
		rt.log.Error("event not dispatched", "event", req.Describe(), "error", err)
		return nil
	}
	var out []*commands.Response
	for _, h := range handlers {
		// Each handler gets its own copy: one cannot change what the next sees.
		r := *req
		if resp := rt.runEvent(ctx, &r, h); resp != nil {
			out = append(out, resp)
		}
	}
	return out
}

// runEvent runs one handler, bounded by the handler timeout.
func (rt *Runtime) runEvent(ctx context.Context, req *commands.Request, h eventHandler) (resp *commands.Response) {
	outcome := "ok"
	defer func() {
		if p := recover(); p != nil {
			rt.log.Error("event handler panicked", "module", h.module, "event", req.Describe(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp, outcome = nil, "internal_error"
		}
		rt.metrics.Requests.WithLabelValues(req.Platform, "event."+req.Event.Kind, outcome).Inc()
	}()
	hctx, cancel := context.WithTimeout(ctx, rt.cfg.HandlerTimeout)
	defer cancel()
	resp, err := h.handle(hctx, req)
	if err != nil {
		if _, ok := commands.AsUserError(err); ok {
			rt.log.Info("event handler declined", "module", h.module, "event", req.Describe(), "error", err)
			outcome = "user_error"
		} else {
			rt.log.Error("event handler failed", "module", h.module, "event", req.Describe(), "error", err)
			outcome = "internal_error"
		}
		return nil
	}
	return resp
}
