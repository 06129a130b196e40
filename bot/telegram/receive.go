package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/bot/retry"
	"github.com/agora-community/agora/storage"
)

// pollWhileElected long-polls while this process holds the poller lease,
// and otherwise waits to take it over. Telegram allows one getUpdates
// caller per bot; the lease makes sure Agora processes take turns rather
// than knocking each other off with 409 Conflict.
func (a *Adapter) pollWhileElected(ctx context.Context) {
	lease := a.key("poller")
	for ctx.Err() == nil {
		held, err := a.store.AcquireLease(ctx, lease, a.holder, time.Now(), a.opts.LeaseTTL)
		if err != nil && ctx.Err() == nil {
			a.log.Error("acquire the poller lease", "error", err)
		}
		if held {
			a.log.Info("this process now polls Telegram")
			a.lead(ctx, lease)
			a.log.Info("this process no longer polls Telegram")
		}
		if retry.Sleep(ctx, a.opts.LeaseRenew) != nil {
			return
		}
	}
}

// lead polls until ctx ends or the lease is lost; it releases the lease on
// the way out so another process takes over at once.
func (a *Adapter) lead(ctx context.Context, lease string) {
	a.setPolling(true)
	defer a.setPolling(false)
	lctx, lose := context.WithCancel(ctx)
	renewed := make(chan struct{})
	go func() { // renews the lease; belongs to lead, which waits for it
		defer close(renewed)
		defer lose()
		last := time.Now()
		t := time.NewTicker(a.opts.LeaseRenew)
		defer t.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-t.C:
			}
			held, err := a.store.AcquireLease(lctx, lease, a.holder, time.Now(), a.opts.LeaseTTL)
			switch {
			case err != nil && lctx.Err() == nil:
				a.log.Error("renew the poller lease", "error", err)
				if time.Since(last) > a.opts.LeaseTTL-a.opts.LeaseRenew {
					return // it may have expired: stop before another poller starts
				}
			case err == nil && !held:
				return
			case err == nil:
				last = time.Now()
			}
		}
	}()
	a.poll(lctx)
	lose()
	<-renewed
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := a.store.ReleaseLease(rctx, lease, a.holder); err != nil {
		a.log.Warn("release the poller lease", "error", err)
	}
}

// poll fetches updates until ctx ends. The offset of the next update is
// kept in the database, so a process taking over continues where the
// previous poller stopped instead of handling its updates again.
func (a *Adapter) poll(ctx context.Context) {
	offsetKey := a.key("offset")
	if _, err := a.request(ctx, "deleteWebhook", 0, idempotent, tgbotapi.Params{}); err != nil && ctx.Err() == nil {
		a.log.Error("remove a webhook before polling", "error", err)
	}
	offset := 0
	if v, err := a.store.Setting(ctx, offsetKey); err == nil {
		offset, _ = strconv.Atoi(v)
	} else if !errors.Is(err, storage.ErrNotFound) {
		a.log.Error("read the update offset", "error", err)
	}
	timeout := int(a.opts.PollTimeout / time.Second)
	// Polling never gives up while it holds the lease, so it paces itself
	// with the backoff alone rather than a bounded retry.Policy.
	backoff := retry.Backoff{First: time.Second, Max: 30 * time.Second}
	for ctx.Err() == nil {
		params := tgbotapi.Params{"offset": strconv.Itoa(offset), "timeout": strconv.Itoa(timeout), "allowed_updates": mustJSON(allowedUpdates)}
		cctx, cancel := context.WithTimeout(ctx, a.opts.PollTimeout+callTimeout)
		resp, err := a.bound(cctx).MakeRequest("getUpdates", params)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			wait := backoff.Next()
			if f := classify(err); f.RetryAfter > 0 {
				wait = f.RetryAfter
			}
			a.log.Warn("get updates failed", "wait", wait, "error", redactToken(err, a.opts.Token))
			if retry.Sleep(ctx, wait) != nil {
				return
			}
			continue
		}
		backoff.Reset()
		var updates []tgbotapi.Update
		if err := decode(resp, &updates); err != nil {
			a.log.Error("decode updates", "error", err)
			continue
		}
		for _, u := range updates {
			a.dispatch.handle(a.handlerCtx(ctx), u)
			offset = u.UpdateID + 1
		}
		if len(updates) > 0 {
			if err := a.store.SetSetting(ctx, offsetKey, strconv.Itoa(offset)); err != nil && ctx.Err() == nil {
				a.log.Error("save the update offset", "error", err)
			}
		}
	}
}

// handlerCtx is the context updates are handled under: Run's, so that
// losing the lease does not cut answers in flight.
func (a *Adapter) handlerCtx(fallback context.Context) context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.runCtx != nil {
		return a.runCtx
	}
	return fallback
}

// setWebhook points Telegram at this deployment. Every process sets the
// same URL and secret, so it does not matter which one starts first.
// tgbotapi v5.5 predates secret_token, hence the raw request.
func (a *Adapter) setWebhook(ctx context.Context) error {
	params := tgbotapi.Params{"url": a.opts.WebhookURL, "secret_token": a.secret, "allowed_updates": mustJSON(allowedUpdates)}
	if _, err := a.request(ctx, "setWebhook", 0, idempotent, params); err != nil {
		return fmt.Errorf("set the telegram webhook: %w", err)
	}
	a.log.Info("telegram webhook set")
	return nil
}

// maxUpdate bounds a webhook body; updates are a few kilobytes.
const maxUpdate = 1 << 20

// WebhookHandler receives updates at WebhookPath. A request without the
// right X-Telegram-Bot-Api-Secret-Token is refused with 403, compared in
// constant time. An accepted update is acknowledged at once and handled in
// the background, so a slow answer (rate limits) never makes Telegram
// deliver it again; until Run starts, updates are refused with 503 and
// Telegram retries them.
func (a *Adapter) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if a.secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.secret)) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		var u tgbotapi.Update
		if err := json.NewDecoder(io.LimitReader(r.Body, maxUpdate)).Decode(&u); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		ctx := a.runCtx
		a.mu.Unlock()
		if ctx == nil || ctx.Err() != nil || !a.dispatch.handle(ctx, u) {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
