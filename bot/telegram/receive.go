package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/bot/retry"
	"github.com/agora-community/agora/storage"
)

// pollWhileElected long-polls while this process holds the poller lease,
// and otherwise waits to take it over. Telegram allows one getUpdates
// caller per bot; the lease makes sure Agora processes take turns rather
// than knocking each other off with 409 Conflict. The lease is held with
// the process's liveness: when the poller is killed, the next process to
// try (within LeaseRenew) takes the lease at once instead of waiting for
// it to expire. A poller whose liveness session dropped (a database
// restart) may so lose the lease to another while it still lives; its
// next renewal finds that out and it stops polling, after a moment of two
// pollers that Telegram answers with 409 Conflict.
func (a *Adapter) pollWhileElected(ctx context.Context, live *storage.Liveness) {
	lease := a.key("poller")
	for ctx.Err() == nil {
		held, err := a.store.AcquireLiveLease(ctx, lease, live, time.Now(), a.opts.LeaseTTL)
		if err != nil && ctx.Err() == nil {
			a.log.Error("acquire the poller lease", "error", err)
		}
		if held {
			a.log.Info("this process now polls Telegram")
			a.lead(ctx, lease, live)
			a.log.Info("this process no longer polls Telegram")
		}
		if retry.Sleep(ctx, a.opts.LeaseRenew) != nil {
			return
		}
	}
}

// lead polls until ctx ends or the lease is lost; it releases the lease on
// the way out so another process takes over at once.
func (a *Adapter) lead(ctx context.Context, lease string, live *storage.Liveness) {
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
			held, err := a.store.AcquireLiveLease(lctx, lease, live, time.Now(), a.opts.LeaseTTL)
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

// poll fetches updates until ctx ends. Each batch is claimed in the
// database (with the updates' bodies) before Telegram is told, by the next
// getUpdates offset, that Agora has it: an update taken is never lost, even
// when this process dies before handling it (another process takes the
// claim over), and one fetched twice is handled once. When the queue of
// updates waiting for a worker is full, polling waits for room instead of
// fetching: Telegram keeps the updates meanwhile.
func (a *Adapter) poll(ctx context.Context) {
	if _, err := a.request(ctx, "deleteWebhook", 0, idempotent, tgbotapi.Params{}); err != nil && ctx.Err() == nil {
		a.log.Error("remove a webhook before polling", "error", err)
	}
	offset, err := a.startOffset(ctx)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("read the update offset; not polling", "error", err)
		}
		return
	}
	timeout := int(a.opts.PollTimeout / time.Second)
	// Polling never gives up while it holds the lease, so it paces itself
	// with the backoff alone rather than a bounded retry.Policy.
	backoff := retry.Backoff{First: time.Second, Max: 30 * time.Second}
	for ctx.Err() == nil {
		if a.dispatch.full() {
			a.metrics.backpressure.WithLabelValues("poll").Inc()
		}
		room, err := a.dispatch.waitRoom(ctx)
		if err != nil {
			return
		}
		params := tgbotapi.Params{"offset": strconv.FormatInt(offset, 10), "timeout": strconv.Itoa(timeout),
			"limit": strconv.Itoa(min(room, maxBatch)), "allowed_updates": allowedJSON}
		cctx, cancel := context.WithTimeout(ctx, a.opts.PollTimeout+callTimeout)
		resp, err := a.bound(cctx).MakeRequest("getUpdates", params)
		cancel()
		got := 0
		if err == nil {
			var next int64
			next, got, err = a.take(ctx, resp.Result, offset)
			offset = next
		}
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
		if got > 0 && got < min(room, maxBatch) {
			// A burst is under way: let it gather for a moment, so that
			// the next call and its claim carry many updates, not one or
			// two (see gatherPause).
			if retry.Sleep(ctx, gatherPause) != nil {
				return
			}
		}
	}
}

// gatherPause is how long polling waits after a batch that was not full,
// before asking for the next. Against a nearby Bot API, a call returns as
// soon as one update arrives, so under 500 presses/s each call and each
// claim carried two updates. Every call, claim and group of statements
// wakes the process's threads, which costs as much as a press's own work:
// pausing 20 ms let ten or more updates gather, 40 ms twenty, for a fifth
// less CPU per press at 500/s and 20 ms more latency (docs/benchmarks.md).
// A lone update is still taken at once: a long poll returns it the moment
// it arrives.
const gatherPause = 40 * time.Millisecond

// maxBatch is the most updates one getUpdates returns (Telegram's limit).
const maxBatch = 100

var allowedJSON = mustJSON(allowedUpdates)

// startOffset is where polling resumes: after the last update claimed, or
// the offset older versions of Agora kept in the settings.
func (a *Adapter) startOffset(ctx context.Context) (int64, error) {
	offset, err := a.store.TelegramUpdateOffset(ctx, a.botID)
	if err != nil {
		return 0, err
	}
	if v, err := a.store.Setting(ctx, a.key("offset")); err == nil {
		if old, _ := strconv.ParseInt(v, 10, 64); old > offset {
			offset = old
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return 0, err
	}
	return offset, nil
}

// take claims a getUpdates batch and queues the updates claimed now. It
// returns the next offset, which stays put when the claim failed so that
// Telegram delivers the batch again.
func (a *Adapter) take(ctx context.Context, result json.RawMessage, offset int64) (next int64, got int, err error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(result, &raws); err != nil {
		return offset, 0, fmt.Errorf("decode updates: %w", err)
	}
	if len(raws) == 0 {
		return offset, 0, nil
	}
	batch := make([]storage.TelegramUpdate, 0, len(raws))
	updates := make(map[int64]tgbotapi.Update, len(raws))
	next = offset
	for _, raw := range raws {
		u, err := decodeUpdate(raw)
		if err != nil {
			// Telegram's own JSON: this never happens, but one bad update
			// must not stop every later one.
			a.log.Error("decode an update; skipped", "error", err)
			continue
		}
		id := int64(u.UpdateID)
		next = max(next, id+1)
		user, group := actor(u)
		batch = append(batch, storage.TelegramUpdate{ID: id, Body: string(raw), UserID: user, GroupID: group})
		updates[id] = u
	}
	claimed, err := a.store.ClaimTelegramUpdates(ctx, a.botID, a.holder, time.Now(), batch)
	if err != nil {
		return offset, 0, fmt.Errorf("claim updates: %w", err)
	}
	if dup := len(batch) - len(claimed); dup > 0 {
		a.metrics.duplicates.Add(float64(dup))
	}
	slices.Sort(claimed) // arrival order, for the order within a chat or member
	us := make([]tgbotapi.Update, 0, len(claimed))
	for _, id := range claimed {
		us = append(us, updates[id])
	}
	if !a.dispatch.enqueue(us...) {
		// Stopping between the claim and the queue: the claims are given
		// back and the offset stays, so Telegram delivers these updates
		// again to whichever process polls next.
		a.release(claimed)
		return offset, len(raws), nil
	}
	return next, len(raws), nil
}

// pruneEvery is how often updates handled a day ago are forgotten.
const pruneEvery = 10 * time.Minute

// sweep checks, every SweepEvery, that this process holds its liveness
// (taking it again if its session was lost), and takes over the updates
// of processes gone (see takeOver). It also forgets updates handled a day
// ago. The first round runs at start: a process restarted after a crash
// finds at once what the crash left.
func (a *Adapter) sweep(ctx context.Context, live *storage.Liveness) {
	t := time.NewTicker(a.opts.SweepEvery)
	defer t.Stop()
	var pruned time.Time
	gone := map[string]time.Time{}
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		now := time.Now()
		if now.Sub(pruned) >= pruneEvery {
			pruned = now
			if _, err := a.store.PruneTelegramUpdates(ctx, now.Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				a.log.Warn("prune handled telegram updates", "error", err)
			}
		}
		retaken, err := live.Check(ctx)
		if err != nil {
			// Taking over others' updates now could hand them to a process
			// that others take for gone: wait for the next round.
			if ctx.Err() == nil {
				a.log.Error("this process does not hold its liveness: other processes may take its updates over", "error", err)
			}
			continue
		}
		if retaken {
			a.log.Warn("the database session telling other processes this one is alive was lost; taken again")
		}
		gone = a.takeOver(ctx, gone, now)
		a.metrics.sweeps.Inc()
	}
}

// takeOver handles the updates left unhandled by processes gone for at
// least GoneAfter (seen gone in earlier rounds, since the times in seen),
// and those claimed by versions of Agora without liveness before
// RetakeAfter. It returns the processes gone now, with since when they are
// seen gone. Only as many updates are taken as the queue has room for; the
// rest wait for the next round.
func (a *Adapter) takeOver(ctx context.Context, seen map[string]time.Time, now time.Time) map[string]time.Time {
	holders, err := a.store.GoneTelegramHolders(ctx, a.botID)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("find processes gone with unhandled telegram updates", "error", err)
		}
		return seen
	}
	gone := make(map[string]time.Time, len(holders))
	var due []string
	for _, h := range holders {
		since, ok := seen[h]
		if !ok {
			since = now
			a.log.Info("a process is gone with telegram updates unhandled; taking them over", "process", h, "after", a.opts.GoneAfter)
		}
		gone[h] = since
		if now.Sub(since) >= a.opts.GoneAfter {
			due = append(due, h)
		}
	}
	for ctx.Err() == nil {
		limit := min(a.dispatch.free(), maxBatch)
		if limit == 0 {
			break
		}
		left, err := a.store.RetakeTelegramUpdates(ctx, a.botID, a.holder, due, now, now.Add(-a.opts.RetakeAfter), limit)
		if err != nil {
			if ctx.Err() == nil {
				a.log.Error("take over unhandled telegram updates", "error", err)
			}
			break
		}
		us := make([]tgbotapi.Update, 0, len(left))
		for _, l := range left {
			u, err := decodeUpdate([]byte(l.Body))
			if err != nil {
				a.log.Error("decode a stored update; skipped", "update", l.ID, "error", err)
				continue
			}
			us = append(us, u)
		}
		if len(us) > 0 {
			a.log.Warn("handling updates another process claimed and left", "count", len(us))
			a.metrics.retaken.Add(float64(len(us)))
			if !a.dispatch.enqueue(us...) {
				// Stopping: the claims stay this process's until its
				// liveness goes with it, then another takes them over.
				break
			}
		}
		if len(left) < limit {
			break
		}
	}
	return gone
}

// setWebhook points Telegram at this deployment. Every process sets the
// same URL and secret, so it does not matter which one starts first.
// tgbotapi v5.5 predates secret_token, hence the raw request.
func (a *Adapter) setWebhook(ctx context.Context) error {
	params := tgbotapi.Params{"url": a.opts.WebhookURL, "secret_token": a.secret, "allowed_updates": mustJSON(allowedUpdates),
		"max_connections": strconv.Itoa(maxConnections)}
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
// constant time. An accepted update is claimed in the database, then
// acknowledged and handled in the background, so a slow answer (rate
// limits) never makes Telegram deliver it again, and an update delivered
// twice (to this process or another behind the load balancer) is handled
// once. Until Run starts, and while the queue of waiting updates is full,
// updates are refused with 503 and Telegram delivers them again later.
func (a *Adapter) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if a.secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.secret)) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxUpdate))
		var u tgbotapi.Update
		if err == nil {
			u, err = decodeUpdate(body)
		}
		if err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if !a.dispatch.accepting() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		// The update's place in the queue is taken before the claim, so
		// that requests arriving together cannot all find room.
		if !a.dispatch.reserve() {
			a.metrics.backpressure.WithLabelValues("webhook").Inc()
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		user, group := actor(u)
		claimed, err := a.store.ClaimTelegramUpdate(r.Context(), a.botID, a.holder, time.Now(),
			storage.TelegramUpdate{ID: int64(u.UpdateID), Body: string(body), UserID: user, GroupID: group})
		if err != nil {
			a.dispatch.unreserve()
			a.log.Error("claim a webhook update", "update", u.UpdateID, "error", err)
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		if !claimed {
			a.dispatch.unreserve()
			a.metrics.duplicates.Inc() // delivered before: acknowledged, not handled again
			w.WriteHeader(http.StatusOK)
			return
		}
		accepted, reply := a.dispatch.enqueueFromWebhook(u) // in the reserved place
		if !accepted {
			// Stopping after the claim: the claim is given back and Telegram
			// told to deliver again, to another process behind the load
			// balancer or to this one restarted.
			a.release([]int64{int64(u.UpdateID)})
			w.Header().Set("Retry-After", "1")
			http.Error(w, "stopping", http.StatusServiceUnavailable)
			return
		}
		if reply != nil {
			if answer, ok := reply.await(replyWait); ok {
				w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
				_, _ = w.Write([]byte(answer.Encode()))
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// release gives back claims on updates this process will not handle
// (see ReleaseTelegramUpdates). If it fails, the claims stay, and the
// sweep of another process takes them over once they are old enough.
func (a *Adapter) release(ids []int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.store.ReleaseTelegramUpdates(ctx, a.botID, a.holder, ids); err != nil {
		a.log.Warn("stopping: claimed updates left for another process's sweep", "count", len(ids), "error", err)
		return
	}
	a.log.Info("stopping: claimed updates given back to Telegram", "count", len(ids))
}
