package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
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
	if status := postWebhook(t, hs.URL, secret, string(body)); status != http.StatusOK {
		t.Fatalf("second delivery answered %d, want 200", status)
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

// Button presses are ordered per member, not per chat: while one member's
// press is held in a slow handler, another member of the same group is
// answered, and the first member's next press waits behind their own.
func TestPressesWaitOnlyBehindTheSameMember(t *testing.T) {
	slowGate = make(chan struct{})
	release := sync.OnceFunc(func() { close(slowGate) })
	srv := telegramtest.New(t)
	store := storagetest.Open(t)
	r := start(t, srv, store, telegram.Options{Workers: 4, Queue: 50})
	t.Cleanup(release) // before the adapter stops: a failed test leaves no handler held
	if !srv.WaitFor(wait, r.Polling) {
		t.Fatal("the adapter never started polling")
	}
	a := telegramtest.User{ID: 9001, FirstName: "Ana", LanguageCode: "fr"}
	b := telegramtest.User{ID: 9002, FirstName: "Bruno", LanguageCode: "fr"}
	slowA := srv.PressButton(group, a, 1, "e/lent")
	nextA := srv.PressButton(group, a, 1, "e/prive")
	pressB := srv.PressButton(group, b, 1, "e/prive")
	if _, ok := srv.WaitCallbackAnswer(pressB, wait); !ok {
		t.Fatal("Bruno's press waited behind Ana's held press in the same group")
	}
	// Ana's second press came before Bruno's, and workers are free: had it
	// not waited for Ana's first, a worker would have taken it before
	// Bruno's. It is still queued, and unanswered.
	if n := metricValue(t, r, "agora_telegram_updates_queued", nil); n != 1 {
		t.Errorf("%v updates queued while Ana's first press is held, want her second one", n)
	}
	if answered(srv, nextA) > 0 {
		t.Error("Ana's second press was answered while her first was held")
	}
	release()
	for _, id := range []string{slowA, nextA} {
		if _, ok := srv.WaitCallbackAnswer(id, wait); !ok {
			t.Fatalf("press %s never answered", id)
		}
	}
	var order []string
	for _, x := range srv.CallbackAnswers() {
		if x.QueryID == slowA || x.QueryID == nextA {
			order = append(order, x.QueryID)
		}
	}
	if !slices.Equal(order, []string{slowA, nextA}) {
		t.Errorf("Ana's presses answered in order %v, want %v", order, []string{slowA, nextA})
	}
}

// answered counts the answers to a button press.
func answered(srv *telegramtest.Server, queryID string) int {
	n := 0
	for _, a := range srv.CallbackAnswers() {
		if a.QueryID == queryID {
			n++
		}
	}
	return n
}

// Deliveries arriving together at the webhook cannot overfill the queue:
// beyond what the workers hold and the queue takes, the webhook answers
// 503, Telegram delivers again, and every press is answered once.
func TestWebhookQueueHoldsItsBoundUnderConcurrentDeliveries(t *testing.T) {
	slowGate = make(chan struct{})
	release := sync.OnceFunc(func() { close(slowGate) })
	srv := telegramtest.New(t, telegramtest.WithInsecureWebhooks())
	store := storagetest.Open(t)
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	defer hs.Close()
	const workers, queue, presses = 2, 5, 40
	r := start(t, srv, store, telegram.Options{WebhookURL: hs.URL + telegram.WebhookPath, Workers: workers, Queue: queue})
	t.Cleanup(release) // before the adapter stops: a failed test leaves no handler held
	mux.Handle("POST "+telegram.WebhookPath, r.WebhookHandler())
	if !srv.WaitFor(wait, func() bool { _, s := srv.Webhook(); return s != "" }) {
		t.Fatal("webhook never set")
	}
	// Distinct members, so no press waits behind another's: the double
	// delivers them all at once (up to max_connections).
	var ids []string
	for i := range presses {
		member := telegramtest.User{ID: int64(6000 + i), FirstName: "W" + strconv.Itoa(i), LanguageCode: "fr"}
		ids = append(ids, srv.PressButton(group, member, 1, "e/lent"))
	}
	// While handling is held, the workers take two presses and the queue
	// five; every other one is refused, again and again. Nothing leaves
	// the queue meanwhile, so its gauge only grows: read at the end, it is
	// the most the queue held.
	var accepted, refused map[int64]bool
	if !srv.WaitFor(wait, func() bool {
		accepted, refused = deliveryOutcomes(srv)
		return len(accepted) == workers+queue && len(refused) == presses-workers-queue
	}) {
		t.Fatalf("while handling is held, %d updates accepted and %d refused, want %d and %d; %v queued",
			len(accepted), len(refused), workers+queue, presses-workers-queue, metricValue(t, r, "agora_telegram_updates_queued", nil))
	}
	if n := metricValue(t, r, "agora_telegram_updates_queued", nil); n > queue {
		t.Errorf("%v updates queued, beyond the queue's %d", n, queue)
	}
	if n := metricValue(t, r, "agora_telegram_backpressure_total", map[string]string{"mode": "webhook"}); n < float64(len(refused)) {
		t.Errorf("backpressure counted %v refusals, want at least %d", n, len(refused))
	}
	release()
	for _, id := range ids {
		if _, ok := srv.WaitCallbackAnswer(id, wait); !ok {
			t.Fatalf("press %s never answered", id)
		}
	}
	if !srv.WaitFor(wait, func() bool { return srv.PendingUpdates() == 0 }) {
		t.Errorf("%d updates never accepted by the webhook", srv.PendingUpdates())
	}
	accepted, _ = deliveryOutcomes(srv)
	for id := range refused {
		if !accepted[id] {
			t.Errorf("update %d refused and never delivered again", id)
		}
	}
	for _, id := range ids {
		if n := answered(srv, id); n != 1 {
			t.Errorf("press %s answered %d times", id, n)
		}
	}
}

// deliveryOutcomes sorts the updates delivered to the webhook: accepted
// (answered 2xx once), and refused with 503 and not accepted since.
func deliveryOutcomes(srv *telegramtest.Server) (accepted, refused map[int64]bool) {
	accepted, refused = map[int64]bool{}, map[int64]bool{}
	for _, d := range srv.WebhookDeliveries() {
		switch {
		case d.Status >= 200 && d.Status <= 299:
			accepted[d.UpdateID] = true
		case d.Status == http.StatusServiceUnavailable:
			refused[d.UpdateID] = true
		}
	}
	for id := range accepted {
		delete(refused, id)
	}
	return accepted, refused
}

// failingClaims is the database failing to claim webhook updates a given
// number of times.
type failingClaims struct {
	*storage.Store
	failures atomic.Int32
}

func (f *failingClaims) ClaimTelegramUpdate(ctx context.Context, botID int64, holder string, now time.Time, u storage.TelegramUpdate) (bool, error) {
	if f.failures.Add(-1) >= 0 {
		return false, errors.New("database unreachable")
	}
	return f.Store.ClaimTelegramUpdate(ctx, botID, holder, now, u)
}

// A webhook update that is not queued after all, because its claim failed
// or it was delivered before, gives its place in the queue back: with a
// queue of one, later updates are still taken.
func TestWebhookUpdateNotQueuedGivesItsPlaceBack(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithInsecureWebhooks())
	store := storagetest.Open(t)
	fc := &failingClaims{Store: store}
	fc.failures.Store(3)
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	defer hs.Close()
	r := start(t, srv, store, telegram.Options{Store: fc, WebhookURL: hs.URL + telegram.WebhookPath, Workers: 1, Queue: 1})
	mux.Handle("POST "+telegram.WebhookPath, r.WebhookHandler())
	var secret string
	if !srv.WaitFor(wait, func() bool { _, secret = srv.Webhook(); return secret != "" }) {
		t.Fatal("webhook never set")
	}
	// Refused three times (503), the press is delivered again and taken.
	first := srv.PressButton(group, camille, 1, "e/prive")
	if _, ok := srv.WaitCallbackAnswer(first, wait); !ok {
		t.Fatalf("press never answered after its claim failed; deliveries %+v", srv.WebhookDeliveries())
	}
	var d []telegramtest.WebhookDelivery
	if !srv.WaitFor(wait, func() bool { d = srv.WebhookDeliveries(); return len(d) > 0 && d[len(d)-1].Status == http.StatusOK }) {
		t.Fatalf("the press was never recorded as accepted: %+v", d)
	}
	if len(d) != 4 {
		t.Errorf("%d deliveries, want 3 refused and 1 accepted: %+v", len(d), d)
	}
	// Delivered again, twice: acknowledged each time, not handled again.
	body, err := json.Marshal(telegramtest.Update{UpdateID: d[len(d)-1].UpdateID,
		CallbackQuery: &telegramtest.CallbackQuery{ID: first, From: camille, Data: "e/prive"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if status := postWebhook(t, hs.URL, secret, string(body)); status != http.StatusOK {
			t.Errorf("delivery %d of a handled update answered %d, want 200", i+2, status)
		}
	}
	later := srv.PressButton(group, alex, 1, "e/prive")
	if _, ok := srv.WaitCallbackAnswer(later, wait); !ok {
		t.Fatalf("a later press never answered; deliveries %+v", srv.WebhookDeliveries())
	}
	if n := answered(srv, first); n != 1 {
		t.Errorf("the press refused three times, then delivered twice more, was answered %d times, want once", n)
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
