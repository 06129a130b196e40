package telegram_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/telegram"
	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestTooManyRequestsHonoursRetryAfter(t *testing.T) {
	srv := telegramtest.New(t)
	r, _ := startPolling(t, srv)
	srv.AddChat(group)
	srv.FailNext("sendMessage", 1, 429, 1)
	id, err := r.Send(context.Background(), "-1001234", commands.Reply("Annonce"))
	if err != nil || id == "" {
		t.Fatalf("send = %q, %v; want delivered after the wait", id, err)
	}
	calls := srv.CallsTo("sendMessage")
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Fatalf("calls = %+v", calls)
	}
	if gap := calls[1].Time.Sub(calls[0].Time); gap < time.Second {
		t.Errorf("retried after %s, before retry_after (1 s)", gap)
	}
	if n := len(srv.SentMessages(group.ID)); n != 1 {
		t.Errorf("%d messages posted, want exactly 1", n)
	}
	if got := metricValue(t, r, "agora_telegram_api_calls_total", map[string]string{"method": "sendMessage", "outcome": "retried"}); got != 1 {
		t.Errorf("retried sendMessage counter = %v, want 1", got)
	}
	if got := metricValue(t, r, "agora_telegram_polling", nil); got != 1 {
		t.Errorf("polling gauge = %v, want 1", got)
	}
}

// metricValue reads one series from the runtime's registry.
func metricValue(t *testing.T, r *running, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := r.rt.Metrics().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue series
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return -1
}

func TestServerErrorsRetryOnlyIdempotentCalls(t *testing.T) {
	srv := telegramtest.New(t)
	r, _ := startPolling(t, srv)
	srv.AddChat(group)
	ctx := context.Background()
	// A 5xx on a send may hide a delivered message: not retried, reported.
	srv.FailNext("sendMessage", 1, 502, 0)
	if _, err := r.Send(ctx, "-1001234", commands.Reply("Annonce")); err == nil {
		t.Error("a 502 on sendMessage was not reported")
	}
	if n := srv.CallCount("sendMessage"); n != 1 {
		t.Errorf("sendMessage called %d times after a 502, want 1 (no blind resend)", n)
	}
	id, err := r.Send(ctx, "-1001234", commands.Reply("Version 1"))
	if err != nil {
		t.Fatal(err)
	}
	// An edit is idempotent: retried through 500 and 503.
	srv.FailNext("editMessageText", 1, 500, 0)
	srv.FailNext("editMessageText", 1, 503, 0)
	if ref, err := r.Edit(ctx, "-1001234", id, commands.Reply("Version 2")); err != nil || ref != id {
		t.Fatalf("edit through server errors = %q, %v; want the same reference %q", ref, err, id)
	}
	if got := lastEditText(srv); got != "Version 2" {
		t.Errorf("edited text = %q", got)
	}
	// Editing to the same content is not an error.
	if _, err := r.Edit(ctx, "-1001234", id, commands.Reply("Version 2")); err != nil {
		t.Errorf("same edit again: %v", err)
	}
	if err := r.Delete(ctx, "-1001234", id); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(ctx, "-1001234", id); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestLongMessagesAreSplit(t *testing.T) {
	srv := telegramtest.New(t)
	r, _ := startPolling(t, srv)
	srv.AddChat(group)
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "*Ligne %d* : %s\n", i, markup.Escape(strings.Repeat("<&>", 10)))
	}
	resp := &commands.Response{Text: markup.Text(b.String()), Buttons: []commands.Button{{Label: "OK", Action: "e/plus/0"}}}
	id, err := r.Send(context.Background(), "-1001234", resp)
	if err != nil {
		t.Fatal(err)
	}
	sent := srv.SentMessages(group.ID)
	if len(sent) < 3 {
		t.Fatalf("%d messages, want the text split", len(sent))
	}
	for i, m := range sent {
		if telegramtest.UTF16Len(m.Text) > 4096 {
			t.Errorf("message %d has %d units", i, telegramtest.UTF16Len(m.Text))
		}
		if (m.ReplyMarkup != nil) != (i == len(sent)-1) {
			t.Errorf("message %d: buttons %v", i, m.ReplyMarkup)
		}
	}
	var ids []string
	for _, m := range sent {
		ids = append(ids, fmt.Sprint(m.MessageID))
	}
	if want := strings.Join(ids, ","); id != want || !strings.HasPrefix(strings.TrimSpace(sent[len(sent)-1].Text), "Ligne") {
		t.Errorf("returned reference %s, want every part: %s", id, want)
	}
}

func TestRateLimitedBurstToAGroup(t *testing.T) {
	// Telegram's limits sped up 20 times on both sides: 20 messages per 3 s
	// in a group instead of per minute.
	const scale = 20
	srv := telegramtest.New(t, telegramtest.WithRateLimitScale(scale))
	store := storagetest.Open(t)
	r := start(t, srv, store, telegram.Options{RateScale: scale})
	srv.AddChat(group)
	srv.AddChat(telegramtest.PrivateChat(camille))
	var wg sync.WaitGroup
	errs := make(chan error, 80)
	for i := range 60 {
		wg.Go(func() {
			if _, err := r.Send(context.Background(), "-1001234", commands.Reply(markup.Text(fmt.Sprintf("Annonce %d", i)))); err != nil {
				errs <- err
			}
		})
	}
	for i := range 20 {
		wg.Go(func() {
			if _, err := r.DirectMessage(context.Background(), "1001", commands.Reply(markup.Text(fmt.Sprintf("Privé %d", i)))); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, c := range srv.CallsTo("sendMessage") {
		if c.Status == 429 {
			t.Fatalf("Telegram answered 429 at %s", c.Time)
		}
	}
	if n := len(srv.SendTimes(group.ID)); n != 60 {
		t.Errorf("%d messages delivered to the group, want 60", n)
	}
	if n := len(srv.SendTimes(camille.ID)); n != 20 {
		t.Errorf("%d private messages delivered, want 20", n)
	}
	// The group's pace, checked on its own: a burst of at most 20, then no
	// more than 20 per minute (scaled) on any stretch.
	times := srv.SendTimes(group.ID)
	perSecond := 20.0 / 60 * scale
	for i := range times {
		for j := i + 1; j < len(times); j++ {
			allowed := 20 + perSecond*times[j].Sub(times[i]).Seconds()
			if float64(j-i+1) > allowed+1 {
				t.Fatalf("messages %d..%d (%d) sent within %s, more than %.1f allowed", i, j, j-i+1, times[j].Sub(times[i]), allowed)
			}
		}
	}
}

// startWebhook runs one process receiving updates on a webhook served by
// an HTTP test server, whose URL it returns.
func startWebhook(t *testing.T, srv *telegramtest.Server, store *storage.Store) (*running, string) {
	t.Helper()
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	r := start(t, srv, store, telegram.Options{WebhookURL: hs.URL + telegram.WebhookPath})
	mux.Handle("POST "+telegram.WebhookPath, r.WebhookHandler())
	return r, hs.URL
}

func TestWebhookWithSecret(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithInsecureWebhooks())
	store := storagetest.Open(t)
	r, base := startWebhook(t, srv, store)
	var url, secret string
	if !srv.WaitFor(wait, func() bool { url, secret = srv.Webhook(); return url != "" }) {
		t.Fatal("webhook never set")
	}
	if url != base+telegram.WebhookPath || len(secret) < 32 {
		t.Fatalf("webhook = %q with a %d-character secret", url, len(secret))
	}
	cmd := srv.SendText(telegramtest.PrivateChat(camille), camille, "/aide")
	if _, ok := srv.WaitMessage(camille.ID, wait, replyTo(cmd.MessageID)); !ok {
		t.Fatalf("no answer through the webhook; deliveries %+v", srv.WebhookDeliveries())
	}
	if r.Polling() {
		t.Error("a webhook process also polls")
	}

	for _, tt := range []struct {
		header string
		want   int
	}{{"", 403}, {"wrong", 403}, {secret[:len(secret)-1], 403}, {secret, 200}} {
		if got := postWebhook(t, base, tt.header, `{"update_id":1}`); got != tt.want {
			t.Errorf("secret %q: status %d, want %d", tt.header, got, tt.want)
		}
	}

	// A second process on the same database uses the same generated secret.
	second := start(t, srv, store, telegram.Options{WebhookURL: base + telegram.WebhookPath})
	_ = second
	if !srv.WaitFor(wait, func() bool { c := srv.CallsTo("setWebhook"); return len(c) == 2 && c[1].Status == 200 }) {
		t.Fatal("second process did not set the webhook")
	}
	if _, s := srv.Webhook(); s != secret {
		t.Error("the second process set another secret")
	}
}

func TestOnePollerAmongProcessesAndTakeover(t *testing.T) {
	srv := telegramtest.New(t)
	store := storagetest.Open(t)
	a := start(t, srv, store, telegram.Options{})
	b := start(t, srv, store, telegram.Options{})
	if !srv.WaitFor(wait, func() bool { return a.Polling() != b.Polling() }) {
		t.Fatal("no single poller elected")
	}
	leader, follower := a, b
	if b.Polling() {
		leader, follower = b, a
	}
	pc := telegramtest.PrivateChat(camille)
	var cmds []telegramtest.Message
	for range 5 {
		cmds = append(cmds, srv.SendText(pc, camille, "/aide"))
	}
	for _, c := range cmds {
		if _, ok := srv.WaitMessage(camille.ID, wait, replyTo(c.MessageID)); !ok {
			t.Fatalf("command %d not answered", c.MessageID)
		}
	}
	// The follower still sends.
	if _, err := follower.Send(context.Background(), "1001", commands.Reply("Depuis l'autre processus")); err != nil {
		t.Errorf("follower cannot send: %v", err)
	}
	leader.stop()
	if !srv.WaitFor(wait, follower.Polling) {
		t.Fatal("the other process did not take over")
	}
	c := srv.SendText(pc, camille, "/aide")
	if _, ok := srv.WaitMessage(camille.ID, wait, replyTo(c.MessageID)); !ok {
		t.Fatal("not answered after the takeover")
	}
	for _, call := range srv.CallsTo("getUpdates") {
		if call.Status == 409 {
			t.Errorf("two pollers fought: %s", call.Error)
		}
	}
	counts := map[int64]int{}
	for _, m := range srv.SentMessages(camille.ID) {
		counts[m.ReplyToMessageID]++
	}
	for id, n := range counts {
		if id != 0 && n != 1 {
			t.Errorf("command %d answered %d times", id, n)
		}
	}
}

func TestUploadRetriedAfterTooManyRequests(t *testing.T) {
	srv := telegramtest.New(t)
	r, _ := startPolling(t, srv)
	srv.AddChat(group)
	// tgbotapi leaves Code at 0 on uploads; the description still says 429.
	srv.FailNext("sendDocument", 1, 429, 1)
	resp := &commands.Response{Files: []commands.File{{Name: "liste.csv", ContentType: "text/csv", Data: []byte("x\n")}}}
	if _, err := r.Send(context.Background(), "-1001234", resp); err != nil {
		t.Fatalf("upload after a 429: %v", err)
	}
	if docs := srv.Documents(group.ID); len(docs) != 1 || docs[0].FileName != "liste.csv" {
		t.Errorf("documents = %+v", docs)
	}
	if n := srv.CallCount("sendDocument"); n != 2 {
		t.Errorf("sendDocument called %d times, want 2", n)
	}
}

func TestTakeoverWhenThePollerDies(t *testing.T) {
	srv := telegramtest.New(t)
	store := storagetest.Open(t)
	// A process that crashed holding the lease: it never renews nor releases it.
	lease := fmt.Sprintf("telegram.poller.%d", srv.Bot().ID)
	died := time.Now()
	const ttl = 1500 * time.Millisecond
	if held, err := store.AcquireLease(context.Background(), lease, "crashed-process", died, ttl); err != nil || !held {
		t.Fatalf("dead holder's lease = %v, %v", held, err)
	}
	r := start(t, srv, store, telegram.Options{})
	if !srv.WaitFor(wait, r.Polling) {
		t.Fatal("no takeover after the dead poller's lease expired")
	}
	if waited := time.Since(died); waited < ttl {
		t.Errorf("took over after %s, before the lease expired (%s)", waited, ttl)
	}
	c := srv.SendText(telegramtest.PrivateChat(camille), camille, "/aide")
	if _, ok := srv.WaitMessage(camille.ID, wait, replyTo(c.MessageID)); !ok {
		t.Error("not answered after the takeover")
	}
}

func TestWebhookProcessesBehindALoadBalancer(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithInsecureWebhooks())
	store := storagetest.Open(t)
	var handlers []http.Handler
	var mu sync.Mutex
	next := 0
	served := map[int]int{}
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if len(handlers) == 0 {
			mu.Unlock()
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		i := next % len(handlers)
		next++
		served[i]++
		h := handlers[i]
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(lb.Close)
	opts := telegram.Options{WebhookURL: lb.URL + telegram.WebhookPath}
	a := start(t, srv, store, opts)
	b := start(t, srv, store, opts)
	mu.Lock()
	handlers = []http.Handler{a.WebhookHandler(), b.WebhookHandler()}
	mu.Unlock()
	var cmds []telegramtest.Message
	users := []telegramtest.User{camille, alex}
	for i := range 6 {
		u := users[i%2]
		cmds = append(cmds, srv.SendText(telegramtest.PrivateChat(u), u, "/aide"))
	}
	for i, c := range cmds {
		if _, ok := srv.WaitMessage(users[i%2].ID, wait, replyTo(c.MessageID)); !ok {
			t.Fatalf("command %d not answered; deliveries %+v", i, srv.WebhookDeliveries())
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if served[0] == 0 || served[1] == 0 {
		t.Errorf("the load balancer used one process only: %v", served)
	}
	for _, u := range users {
		count := map[int64]int{}
		for _, m := range srv.SentMessages(u.ID) {
			count[m.ReplyToMessageID]++
		}
		for id, n := range count {
			if n != 1 {
				t.Errorf("message %d answered %d times", id, n)
			}
		}
	}
}

func TestGroupUpgradedToSupergroupKeepsItsChat(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithInsecureWebhooks())
	store := storagetest.Open(t)
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	r := start(t, srv, store, telegram.Options{WebhookURL: hs.URL + telegram.WebhookPath})
	mux.Handle("POST "+telegram.WebhookPath, r.WebhookHandler())
	var secret string
	if !srv.WaitFor(wait, func() bool { _, secret = srv.Webhook(); return secret != "" }) {
		t.Fatal("webhook never set")
	}
	old := telegramtest.Group(-42, "Coop")
	c := srv.SendText(old, camille, "/aide@"+srv.Bot().Username)
	if _, ok := srv.WaitMessage(old.ID, wait, replyTo(c.MessageID)); !ok {
		t.Fatal("no answer in the old group")
	}
	ctx := context.Background()
	defaults := storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"}
	before, _, err := store.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-42"}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	// Telegram's notice in the new supergroup (the double cannot send it).
	body := `{"update_id":900000001,"message":{"message_id":1,"date":1,"chat":{"id":-10042,"type":"supergroup","title":"Coop"},"from":{"id":1001,"is_bot":false,"first_name":"Camille"},"migrate_from_chat_id":-42}}`
	postWebhook(t, hs.URL, secret, body)
	// Updates of one chat are handled in order: once this is answered, the notice was.
	super := telegramtest.Supergroup(-10042, "Coop")
	c = srv.SendText(super, camille, "/aide@"+srv.Bot().Username)
	if _, ok := srv.WaitMessage(super.ID, wait, replyTo(c.MessageID)); !ok {
		t.Fatal("no answer in the supergroup")
	}
	after, _, err := store.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-10042"}, defaults)
	if err != nil || after.ID != before.ID || after.CommunityID != before.CommunityID {
		t.Errorf("supergroup is chat %d of community %d (%v); want chat %d of community %d", after.ID, after.CommunityID, err, before.ID, before.CommunityID)
	}
}

// Through the webhook, a button's answer goes in the response to
// Telegram's request, not in a request of its own, and what the handler
// does after answering (an edit) still happens.
func TestWebhookAnswersButtonsInItsResponse(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithInsecureWebhooks())
	startWebhook(t, srv, storagetest.Open(t))
	if !srv.WaitFor(wait, func() bool { url, _ := srv.Webhook(); return url != "" }) {
		t.Fatal("webhook never set")
	}
	if c := srv.CallsTo("setWebhook"); len(c) != 1 || c[0].Params["max_connections"] != "100" {
		t.Errorf("setWebhook = %+v, want max_connections 100", c)
	}
	cmd := srv.SendText(group, camille, `/essai titre:"Vide-grenier" nombre:2`)
	msg, ok := srv.WaitMessage(group.ID, wait, replyTo(cmd.MessageID))
	if !ok {
		t.Fatalf("no answer to /essai; deliveries %+v", srv.WebhookDeliveries())
	}
	q := srv.PressButton(group, alex, msg.MessageID, "e/plus/0")
	if _, ok := srv.WaitCallbackAnswer(q, wait); !ok {
		t.Fatal("button press not answered")
	}
	if !srv.WaitFor(wait, func() bool { return lastEditText(srv) == "Compteur 1" }) {
		t.Fatalf("edits = %+v", srv.Edits())
	}
	// Another member: a press of alex's could wait behind what of alex's
	// is still being handled (the edit), and be answered with a request.
	dominique := telegramtest.User{ID: 1003, FirstName: "Dominique", LanguageCode: "fr"}
	forged := srv.PressButton(group, dominique, msg.MessageID, "zz/forged")
	if a, ok := srv.WaitCallbackAnswer(forged, wait); !ok || a.Text == "" {
		t.Fatalf("forged button answer = %+v, %v; want a toast", a, ok)
	}
	answers := srv.CallsTo("answerCallbackQuery")
	if len(answers) != 2 {
		t.Fatalf("%d answers, want 2: %+v", len(answers), answers)
	}
	for _, c := range answers {
		if !c.InWebhookResponse || c.Status != 200 {
			t.Errorf("answer %+v: want it in the webhook response, accepted", c)
		}
	}
	if answers[1].Params["callback_query_id"] != forged || answers[1].Params["text"] == "" {
		t.Errorf("toast %+v", answers[1].Params)
	}
}
