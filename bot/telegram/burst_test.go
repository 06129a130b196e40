package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/telegram"
	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// slowGate holds the test module's "e/lent" button until the test closes it.
var slowGate = make(chan struct{})

// When members press faster than Agora handles, Agora stops fetching
// (Telegram keeps the updates) instead of dropping any: every press is
// answered once, and Telegram's queue empties once handling catches up.
func TestNoUpdateDroppedWhenHandlingIsSlowerThanArrival(t *testing.T) {
	slowGate = make(chan struct{})
	srv := telegramtest.New(t)
	store := storagetest.Open(t)
	r := start(t, srv, store, telegram.Options{Workers: 2, Queue: 5})
	if !srv.WaitFor(wait, r.Polling) {
		t.Fatal("the adapter never started polling")
	}
	const presses = 60
	var ids []string
	for i := range presses {
		member := telegramtest.User{ID: int64(5000 + i%20), FirstName: "M" + strconv.Itoa(i%20), LanguageCode: "fr"}
		ids = append(ids, srv.PressButton(group, member, 1, "e/lent"))
	}
	// Two presses are held by the two workers, five wait in the queue, and
	// the rest stay with Telegram: polling waits for room.
	if !srv.WaitFor(wait, func() bool {
		return metricValue(t, r, "agora_telegram_backpressure_total", map[string]string{"mode": "poll"}) > 0
	}) {
		t.Fatalf("polling never waited for room; %d updates pending at Telegram", srv.PendingUpdates())
	}
	if n := srv.PendingUpdates(); n < presses-2-5-telegramMaxExtra {
		t.Errorf("%d updates left at Telegram while handling is held; the adapter took more than it can queue", n)
	}
	close(slowGate)
	for _, id := range ids {
		if _, ok := srv.WaitCallbackAnswer(id, wait); !ok {
			t.Fatalf("press %s never answered", id)
		}
	}
	if !srv.WaitFor(wait, func() bool { return srv.PendingUpdates() == 0 }) {
		t.Errorf("%d updates never confirmed", srv.PendingUpdates())
	}
	answers := map[string]int{}
	for _, a := range srv.CallbackAnswers() {
		answers[a.QueryID]++
	}
	for _, id := range ids {
		if answers[id] != 1 {
			t.Errorf("press %s answered %d times", id, answers[id])
		}
	}
}

// telegramMaxExtra is how many updates beyond workers and queue the adapter
// may hold: none (it asks getUpdates for no more than fits).
const telegramMaxExtra = 0

// An update claimed by a process that died before handling it is taken
// over by another within seconds (its claim is recent: what counts is that
// its process holds no liveness), handled once, never lost. Polling
// resumes after it, so Telegram does not deliver it again.
func TestUpdateLeftByADeadProcessIsHandledOnce(t *testing.T) {
	srv := telegramtest.New(t)
	store := storagetest.Open(t)
	pc := telegramtest.PrivateChat(camille)
	m := srv.SendText(pc, camille, "/aide")
	pending := srv.Pending()
	if len(pending) != 1 {
		t.Fatalf("pending = %+v", pending)
	}
	body, err := json.Marshal(pending[0])
	if err != nil {
		t.Fatal(err)
	}
	// The dead process claimed it a moment ago, then died before answering.
	ctx := context.Background()
	if _, err := store.ClaimTelegramUpdates(ctx, srv.Bot().ID, "dead-process", time.Now(),
		[]storage.TelegramUpdate{{ID: pending[0].UpdateID, Body: string(body)}}); err != nil {
		t.Fatal(err)
	}
	r := start(t, srv, store, telegram.Options{SweepEvery: 100 * time.Millisecond, GoneAfter: 300 * time.Millisecond})
	if _, ok := srv.WaitMessage(camille.ID, wait, replyTo(m.MessageID)); !ok {
		t.Fatal("the update left by the dead process was never handled")
	}
	if !srv.WaitFor(wait, func() bool { return srv.PendingUpdates() == 0 }) {
		t.Fatal("the update was never confirmed to Telegram")
	}
	if got := metricValue(t, r, "agora_telegram_updates_retaken_total", nil); got != 1 {
		t.Errorf("retaken = %v, want 1", got)
	}
	r.stop()
	answers := 0
	for _, s := range srv.SentMessages(camille.ID) {
		if s.ReplyToMessageID == m.MessageID {
			answers++
		}
	}
	if answers != 1 {
		t.Errorf("answered %d times, want once", answers)
	}
}

// A process's updates stay its own while it lives, however long they wait
// behind slow handlers: another process looking for updates left by
// processes gone, many times meanwhile, takes none.
func TestALiveProcessKeepsItsWaitingUpdates(t *testing.T) {
	slowGate = make(chan struct{})
	srv := telegramtest.New(t)
	store := storagetest.Open(t)
	a := start(t, srv, store, telegram.Options{Workers: 1, Queue: 10})
	if !srv.WaitFor(wait, a.Polling) {
		t.Fatal("the adapter never started polling")
	}
	b := start(t, srv, store, telegram.Options{SweepEvery: 20 * time.Millisecond, GoneAfter: 40 * time.Millisecond})
	var ids []string
	for i := range 6 {
		member := telegramtest.User{ID: int64(6000 + i), FirstName: "M" + strconv.Itoa(i), LanguageCode: "fr"}
		ids = append(ids, srv.PressButton(group, member, 1, "e/lent"))
	}
	// a has taken them all: one held by its worker, five waiting.
	if !srv.WaitFor(wait, func() bool { return srv.PendingUpdates() == 0 }) {
		t.Fatalf("%d updates never taken", srv.PendingUpdates())
	}
	// b looks many times, far beyond GoneAfter.
	if !waitUntil(wait, func() bool { return metricValue(t, b, "agora_telegram_sweeps_total", nil) >= 20 }) {
		t.Fatal("b never looked for updates left")
	}
	if got := metricValue(t, b, "agora_telegram_updates_retaken_total", nil); got != 0 {
		t.Errorf("b took %v updates from a, which lives", got)
	}
	close(slowGate)
	for _, id := range ids {
		if _, ok := srv.WaitCallbackAnswer(id, wait); !ok {
			t.Fatalf("press %s never answered", id)
		}
	}
	a.stop()
	b.stop()
	if got := metricValue(t, b, "agora_telegram_updates_retaken_total", nil); got != 0 {
		t.Errorf("b took %v updates from a", got)
	}
	if n := srv.CallCount("answerCallbackQuery"); n != len(ids) {
		t.Errorf("%d answers for %d presses", n, len(ids))
	}
}

// A webhook update delivered twice (Telegram retrying, or two processes
// behind a load balancer) is acknowledged both times and handled once.
func TestWebhookUpdateDeliveredTwiceIsHandledOnce(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithInsecureWebhooks())
	store := storagetest.Open(t)
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	defer hs.Close()
	r := start(t, srv, store, telegram.Options{WebhookURL: hs.URL + telegram.WebhookPath})
	mux.Handle("POST "+telegram.WebhookPath, r.WebhookHandler())
	var secret string
	if !srv.WaitFor(wait, func() bool { _, secret = srv.Webhook(); return secret != "" }) {
		t.Fatal("webhook never set")
	}
	pc := telegramtest.PrivateChat(camille)
	m := srv.SendText(pc, camille, `/sondage creer question:"Deux fois ?" choix:"Oui | Non"`)
	if _, ok := srv.WaitMessage(camille.ID, wait, containing("Deux fois ?")); !ok {
		t.Fatalf("no poll; deliveries %+v", srv.WebhookDeliveries())
	}
	// The bot may answer before the double has recorded its delivery's
	// response, so wait for the record rather than read it at once.
	var d []telegramtest.WebhookDelivery
	if !srv.WaitFor(wait, func() bool { d = srv.WebhookDeliveries(); return len(d) > 0 && d[len(d)-1].Status == http.StatusOK }) {
		t.Fatalf("the first delivery was never recorded as accepted: %+v", d)
	}
	body, err := json.Marshal(telegramtest.Update{UpdateID: d[len(d)-1].UpdateID, Message: &m})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", hs.URL+telegram.WebhookPath, bytes.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("second delivery answered %d, want 200", resp.StatusCode)
	}
	if !srv.WaitFor(wait, func() bool { return metricValue(t, r, "agora_telegram_updates_duplicate_total", nil) == 1 }) {
		t.Fatal("the second delivery was not recognized")
	}
	r.stop()
	polls := 0
	for _, s := range srv.SentMessages(camille.ID) {
		if bytes.Contains([]byte(s.Text), []byte("Deux fois ?")) {
			polls++
		}
	}
	if polls != 1 {
		t.Errorf("%d polls posted, want 1", polls)
	}
}

// A burst of presses in a group whose administrators are not known (or
// no longer): Telegram is asked once, not once per press in flight.
func TestGroupAdministratorsAreAskedOnceForABurst(t *testing.T) {
	srv := telegramtest.New(t)
	store := storagetest.Open(t)
	// Queued before Agora polls, the presses come in one batch and are
	// handled all at once.
	var ids []string
	for i := range 30 {
		member := telegramtest.User{ID: int64(7000 + i), FirstName: "M" + strconv.Itoa(i), LanguageCode: "fr"}
		ids = append(ids, srv.PressButton(group, member, 1, "e/plus/0"))
	}
	start(t, srv, store, telegram.Options{})
	for _, id := range ids {
		if _, ok := srv.WaitCallbackAnswer(id, wait); !ok {
			t.Fatalf("press %s never answered", id)
		}
	}
	if n := srv.CallCount("getChatAdministrators"); n != 1 {
		t.Fatalf("getChatAdministrators called %d times for one burst, want 1", n)
	}
}

// waitUntil checks cond every 10 ms until it holds, or timeout passes: for
// conditions no event announces (a metric of the adapter).
func waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}

// failingMarks is a database that fails to mark handled updates, at first.
type failingMarks struct {
	*storage.Store
	failures atomic.Int32 // left to fail
}

func (f *failingMarks) HandledTelegramUpdates(ctx context.Context, botID int64, ids []int64, now time.Time) error {
	if f.failures.Add(-1) >= 0 {
		return errors.New("database unreachable")
	}
	return f.Store.HandledTelegramUpdates(ctx, botID, ids, now)
}

// Handled updates whose mark failed are marked with a later round, rather
// than left unmarked for another process to handle again once this one is
// gone.
func TestHandledUpdatesAreMarkedAfterAFailure(t *testing.T) {
	srv := telegramtest.New(t)
	store := storagetest.Open(t)
	fs := &failingMarks{Store: store}
	fs.failures.Store(2)
	r := start(t, srv, store, telegram.Options{Store: fs})
	if !srv.WaitFor(wait, r.Polling) {
		t.Fatal("the adapter never started polling")
	}
	var ids []string
	for i := range 5 {
		member := telegramtest.User{ID: int64(8000 + i), FirstName: "M" + strconv.Itoa(i), LanguageCode: "fr"}
		ids = append(ids, srv.PressButton(group, member, 1, "e/plus/0"))
	}
	for _, id := range ids {
		if _, ok := srv.WaitCallbackAnswer(id, wait); !ok {
			t.Fatalf("press %s never answered", id)
		}
	}
	handled := func() bool {
		claims, err := store.TelegramClaims(context.Background(), srv.Bot().ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range claims {
			if !c.Handled {
				return false
			}
		}
		return len(claims) == len(ids)
	}
	if !waitUntil(wait, handled) {
		t.Fatal("updates left unmarked after the marks failed")
	}
	if fs.failures.Load() == 2 {
		t.Error("the marks never failed: the test proves nothing")
	}
}
