package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

type poller struct {
	superseded chan struct{}
}

type webhookState struct {
	url            string
	secret         string
	allowed        []string
	maxConnections int
	ipAddress      string
	lastErrorDate  int64
	lastErrorMsg   string
}

// WebhookDelivery is one attempt to POST an update to the webhook.
type WebhookDelivery struct {
	UpdateID int64
	URL      string
	Status   int // 0 when the request itself failed
	Err      string
	Time     time.Time
}

// defaultAllowed mirrors Telegram: all update types except chat_member,
// message_reaction and message_reaction_count unless asked for.
func allowedKind(allowed []string, kind string) bool {
	if len(allowed) == 0 {
		return kind != "chat_member" && kind != "message_reaction" && kind != "message_reaction_count"
	}
	for _, a := range allowed {
		if a == kind {
			return true
		}
	}
	return false
}

func (s *Server) enqueueLocked(u Update) Update {
	u.UpdateID = s.nextUpdateID
	s.nextUpdateID++
	s.queue = append(s.queue, u)
	s.broadcastLocked()
	return u
}

// dropFilteredLocked forgets updates the bot did not subscribe to; Telegram
// never stores them either.
func (s *Server) dropFilteredLocked(allowed []string) {
	kept := s.queue[:0]
	for _, u := range s.queue {
		if allowedKind(allowed, u.kind()) {
			kept = append(kept, u)
		}
	}
	s.queue = kept
}

// PendingUpdates is the number of updates not yet confirmed by getUpdates
// or accepted by the webhook.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Pending returns the updates not yet confirmed by getUpdates or accepted
// by the webhook, oldest first, as Telegram would deliver them.
func (s *Server) Pending() []Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Update(nil), s.queue...)
}

// Polling reports whether a getUpdates request is registered as the
// current long poll: a request is counted by CallCount before it gets
// there, so a test that needs this one to be the poll a newer request
// supersedes waits for Polling.
func (s *Server) Polling() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.poller != nil
}

var (
	errWebhookActive = &apiError{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	errTerminated    = &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
)

func intParam(p map[string]string, name string, def int64) int64 {
	v, ok := p[name]
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return def
	}
	return n
}

func (s *Server) getUpdates(r *request) (any, *apiError) {
	offset := intParam(r.params, "offset", 0)
	limit := intParam(r.params, "limit", 100)
	if limit < 1 || limit > 100 {
		limit = 100
	}
	timeout := intParam(r.params, "timeout", 0)
	if timeout < 0 {
		timeout = 0
	}
	var allowed []string
	_, setAllowed := r.params["allowed_updates"]
	if setAllowed {
		if err := json.Unmarshal([]byte(r.params["allowed_updates"]), &allowed); err != nil {
			return nil, badRequest("can't parse allowed updates")
		}
	}

	s.mu.Lock()
	if s.webhook != nil {
		s.mu.Unlock()
		return nil, errWebhookActive
	}
	if setAllowed {
		s.allowed = allowed
	}
	if s.poller != nil {
		// Telegram answers the older request with 409, not the newer one.
		close(s.poller.superseded)
	}
	me := &poller{superseded: make(chan struct{})}
	s.poller = me
	s.broadcastLocked() // tests wait for Polling
	switch {
	case offset > 0:
		i := 0
		for i < len(s.queue) && s.queue[i].UpdateID < offset {
			i++
		}
		s.queue = s.queue[i:]
	case offset < 0:
		if n := int(-offset); n < len(s.queue) {
			s.queue = s.queue[len(s.queue)-n:]
		}
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.poller == me {
			s.poller = nil
		}
		s.mu.Unlock()
	}()

	timer := time.NewTimer(time.Duration(timeout) * time.Second)
	defer timer.Stop()
	for {
		s.mu.Lock()
		select {
		case <-me.superseded:
			s.mu.Unlock()
			return nil, errTerminated
		default:
		}
		if s.webhook != nil {
			s.mu.Unlock()
			return nil, errWebhookActive
		}
		s.dropFilteredLocked(s.allowed)
		n := min(int(limit), len(s.queue))
		out := append([]Update{}, s.queue[:n]...)
		ch := s.changed
		s.mu.Unlock()
		if len(out) > 0 || timeout == 0 {
			return out, nil
		}
		select {
		case <-ch:
		case <-me.superseded:
			return nil, errTerminated
		case <-timer.C:
			return []Update{}, nil
		case <-r.ctx.Done():
			return []Update{}, nil
		case <-s.ctx.Done():
			return []Update{}, nil
		}
	}
}

var secretTokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(r *request) (any, *apiError) {
	raw := r.params["url"]
	if raw == "" {
		return s.removeWebhook(r.params)
	}
	u, err := parseURL(raw)
	if err != nil || u.Host == "" {
		return nil, badRequest("bad webhook: Failed to resolve host: Name or service not known")
	}
	if u.Scheme != "https" && !(s.cfg.insecureWebhooks && u.Scheme == "http") {
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret, hasSecret := r.params["secret_token"]
	if hasSecret && !secretTokenRe.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	var allowed []string
	if v, ok := r.params["allowed_updates"]; ok && v != "null" {
		if err := json.Unmarshal([]byte(v), &allowed); err != nil {
			return nil, badRequest("can't parse allowed updates")
		}
	}
	drop, _ := parseBool(r.params["drop_pending_updates"])
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook == nil && !(len(allowed) > 0) {
		allowed = s.allowed
	}
	wasSame := s.webhook != nil && s.webhook.url == raw
	s.webhook = &webhookState{
		url: raw, secret: secret, allowed: allowed,
		maxConnections: int(intParam(r.params, "max_connections", 40)),
		ipAddress:      r.params["ip_address"],
	}
	s.allowed = allowed
	if drop {
		s.queue = nil
	}
	s.broadcastLocked()
	if wasSame {
		return okResult{result: true, desc: "Webhook is already set"}, nil
	}
	return okResult{result: true, desc: "Webhook was set"}, nil
}

func (s *Server) deleteWebhook(r *request) (any, *apiError) { return s.removeWebhook(r.params) }

func (s *Server) removeWebhook(p map[string]string) (any, *apiError) {
	drop, _ := parseBool(p["drop_pending_updates"])
	s.mu.Lock()
	defer s.mu.Unlock()
	had := s.webhook != nil
	s.webhook = nil
	if drop {
		s.queue = nil
	}
	s.broadcastLocked()
	if had {
		return okResult{result: true, desc: "Webhook was deleted"}, nil
	}
	return okResult{result: true, desc: "Webhook is already deleted"}, nil
}

func (s *Server) getWebhookInfo(*request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := map[string]any{"url": "", "has_custom_certificate": false, "pending_update_count": len(s.queue)}
	if w := s.webhook; w != nil {
		info["url"] = w.url
		info["max_connections"] = w.maxConnections
		if w.ipAddress != "" {
			info["ip_address"] = w.ipAddress
		}
		if len(w.allowed) > 0 {
			info["allowed_updates"] = w.allowed
		}
		if w.lastErrorDate != 0 {
			info["last_error_date"] = w.lastErrorDate
			info["last_error_message"] = w.lastErrorMsg
		}
	}
	return info, nil
}

// Webhook reports the current webhook URL and secret token ("" when unset).
func (s *Server) Webhook() (url, secretToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook == nil {
		return "", ""
	}
	return s.webhook.url, s.webhook.secret
}

// WebhookDeliveries returns every POST attempt to the webhook.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WebhookDelivery(nil), s.deliveries...)
}

// deliverLoop pushes updates to the webhook as Telegram does: over up to
// max_connections requests at once (40 unless setWebhook said otherwise),
// oldest first. An update stays queued until the receiver answers 2xx; a
// failed one is posted again after a pause, while later ones go on.
func (s *Server) deliverLoop() {
	defer s.wg.Done()
	var posts sync.WaitGroup
	defer posts.Wait()
	for {
		s.mu.Lock()
		var (
			up  *Update
			url string
			sec string
		)
		if w := s.webhook; w != nil && len(s.delivering) < max(1, w.maxConnections) {
			s.dropFilteredLocked(w.allowed)
			for i := range s.queue {
				if !s.delivering[s.queue[i].UpdateID] {
					u := s.queue[i]
					up, url, sec = &u, w.url, w.secret
					s.delivering[u.UpdateID] = true
					break
				}
			}
		}
		ch := s.changed
		s.mu.Unlock()
		if up == nil {
			select {
			case <-ch:
				continue
			case <-s.ctx.Done():
				return
			}
		}
		posts.Go(func() { s.deliver(url, sec, up) })
	}
}

// deliver posts one update and records the attempt.
func (s *Server) deliver(url, secret string, up *Update) {
	status, err := s.post(url, secret, up)
	s.mu.Lock()
	d := WebhookDelivery{UpdateID: up.UpdateID, URL: url, Status: status, Time: time.Now()}
	if err != nil {
		d.Err = err.Error()
		if s.webhook != nil && s.webhook.url == url {
			s.webhook.lastErrorDate = d.Time.Unix()
			s.webhook.lastErrorMsg = d.Err
		}
	} else {
		s.queue = slices.DeleteFunc(s.queue, func(u Update) bool { return u.UpdateID == up.UpdateID })
	}
	s.deliveries = append(s.deliveries, d)
	if err == nil {
		delete(s.delivering, up.UpdateID)
	}
	s.broadcastLocked()
	s.mu.Unlock()
	if err != nil {
		select {
		case <-time.After(s.cfg.webhookRetry):
		case <-s.ctx.Done():
		}
		s.mu.Lock()
		delete(s.delivering, up.UpdateID)
		s.broadcastLocked()
		s.mu.Unlock()
	}
}

func (s *Server) post(url, secret string, u *Update) (int, error) {
	body, err := json.Marshal(u)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := s.cfg.webhookClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("Connection refused")
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("Wrong response from the webhook: %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	s.callFromResponse(resp)
	return resp.StatusCode, nil
}

// callFromResponse runs the method a webhook answer asks for, as Telegram
// does: its parameters in the body, the method's name in "method". The
// bot never learns the result, so a failure is only recorded.
func (s *Server) callFromResponse(resp *http.Response) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return
	}
	r, err := http.NewRequestWithContext(s.ctx, http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return
	}
	r.Header.Set("Content-Type", resp.Header.Get("Content-Type"))
	params, files, perr := parseRequest(r)
	method := params["method"]
	if method == "" {
		return
	}
	delete(params, "method")
	canonical, ok := s.spec.byLower[strings.ToLower(method)]
	if !ok {
		canonical, perr = method, &apiError{code: 404, desc: "Not Found"}
	}
	idx, _, aerr := s.invoke(s.ctx, canonical, params, files, perr, true)
	s.settle(idx, aerr)
}
