package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// recordingPlatform is a platform that keeps what it was asked to post.
type recordingPlatform struct {
	clock *bot.ManualClock

	mu        sync.Mutex
	next      int
	sends     []string          // chat IDs, in order
	edits     map[string][]edit // by message ref
	deleted   map[string]bool   // message refs
	fail      map[string]bool   // chat IDs whose sends fail
	failEdits bool
	editTries int
	texts     map[string][]string // chat ID → texts sent
}

type edit struct {
	at   time.Time
	text string
}

func newRecordingPlatform(clock *bot.ManualClock) *recordingPlatform {
	return &recordingPlatform{clock: clock, edits: map[string][]edit{}, deleted: map[string]bool{}, fail: map[string]bool{}, texts: map[string][]string{}}
}

func (p *recordingPlatform) Name() string                  { return "fake" }
func (p *recordingPlatform) Run(ctx context.Context) error { <-ctx.Done(); return nil }

func (p *recordingPlatform) Send(ctx context.Context, chatID string, r *commands.Response) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail[chatID] {
		return "", errors.New("HTTP 500 from the platform")
	}
	p.next++
	p.sends = append(p.sends, chatID)
	p.texts[chatID] = append(p.texts[chatID], r.Text.Plain())
	return "m" + strconv.Itoa(p.next), nil
}

func (p *recordingPlatform) Edit(ctx context.Context, chatID, ref string, r *commands.Response) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.editTries++
	if p.failEdits {
		return "", errors.New("HTTP 404: unknown message")
	}
	p.edits[ref] = append(p.edits[ref], edit{at: p.clock.Now(), text: r.Text.Plain()})
	return ref, nil
}

func (p *recordingPlatform) Delete(ctx context.Context, chatID, ref string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deleted[ref] = true
	return nil
}

func (p *recordingPlatform) DirectMessage(ctx context.Context, userID string, r *commands.Response) (string, error) {
	return "", commands.ErrDirectMessageRefused
}

func (p *recordingPlatform) editsOf(ref string) []edit {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]edit(nil), p.edits[ref]...)
}

// counterEnv is a runtime with one capability that publishes a counter
// ("count/1") in three chats of one community.
type counterEnv struct {
	rt       *bot.Runtime
	store    *storage.Store
	clock    *bot.ManualClock
	platform *recordingPlatform
	value    *atomic.Int64
	outbox   commands.Outbox
	refs     []string
}

func newCounterRuntime(t *testing.T, store *storage.Store, clock *bot.ManualClock, platform *recordingPlatform, value *atomic.Int64) (*bot.Runtime, commands.Outbox) {
	t.Helper()
	cat, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	rt := bot.New(store, commands.NewRegistry(cat), slog.New(slog.NewTextHandler(io.Discard, nil)), clock, bot.Config{EditInterval: 3 * time.Second})
	render := func(ctx context.Context, subject string) (*commands.Response, error) {
		if value.Load() < 0 {
			return nil, commands.ErrNothingToPost
		}
		return &commands.Response{Text: markup.Escape(fmt.Sprintf("%s=%d", subject, value.Load()))}, nil
	}
	if err := rt.Install(commands.Module{Name: "counter", Posts: map[string]commands.PostRenderer{"count": render}}); err != nil {
		t.Fatal(err)
	}
	rt.AddPlatform(platform)
	return rt, rt.Deps().Outbox
}

// fakeChat makes chat id of the fake platform's group "g", all in one
// community, and returns the chat's and the community's IDs.
func fakeChat(t *testing.T, store *storage.Store, id string) (chat, community int64) {
	t.Helper()
	ch, c, err := store.ResolveChat(context.Background(), storage.ChatRef{Platform: "fake", GroupID: "g", ChatID: id},
		storage.CommunityDefaults{Locale: "fr", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	return ch.ID, c.ID
}

func newCounterEnv(t *testing.T, chats ...string) *counterEnv {
	t.Helper()
	env, community := newCounterChats(t, nil, chats...)
	d, err := env.outbox.Publish(context.Background(), community, "count/1", nil)
	if err != nil && !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatal(err)
	}
	if d.Chats != len(chats) {
		t.Fatalf("published in %d chats, want %d", d.Chats, len(chats))
	}
	for i := 1; i <= d.Sent; i++ {
		env.refs = append(env.refs, "m"+strconv.Itoa(i))
	}
	return env
}

// newCounterChats is a counterEnv with chats of one community (whose ID it
// returns) and nothing published yet; the platform fails every send to
// the chats in failing until the test says otherwise.
func newCounterChats(t *testing.T, failing []string, chats ...string) (*counterEnv, int64) {
	t.Helper()
	env := &counterEnv{store: storagetest.Open(t), clock: bot.NewManualClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)), value: new(atomic.Int64)}
	env.platform = newRecordingPlatform(env.clock)
	for _, id := range failing {
		env.platform.fail[id] = true
	}
	env.rt, env.outbox = newCounterRuntime(t, env.store, env.clock, env.platform, env.value)
	var community int64
	for _, id := range chats {
		_, community = fakeChat(t, env.store, id)
	}
	return env, community
}

// flush runs the job loop once, as every second in production.
func flush(t *testing.T, rt *bot.Runtime) {
	t.Helper()
	if _, err := rt.RunDueJobs(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func checkEditGaps(t *testing.T, p *recordingPlatform, refs []string, interval time.Duration) {
	t.Helper()
	for _, ref := range refs {
		edits := p.editsOf(ref)
		for i := 1; i < len(edits); i++ {
			if gap := edits[i].at.Sub(edits[i-1].at); gap < interval {
				t.Errorf("message %s edited twice within %v", ref, gap)
			}
		}
	}
}

// 10,000 changes within 10 simulated seconds, with the job loop running
// every 100 ms, cost at most one edit per message per 3-second interval,
// and the last edit shows the last change.
func TestOutboxCoalescesABurstOfChanges(t *testing.T) {
	env := newCounterEnv(t, "c1", "c2")
	start := env.clock.Now()
	for i := 0; i < 10000; i++ {
		env.value.Add(1)
		env.outbox.Changed("count/1")
		if i%100 == 99 {
			env.clock.Advance(100 * time.Millisecond)
			flush(t, env.rt)
		}
	}
	if elapsed := env.clock.Now().Sub(start); elapsed != 10*time.Second {
		t.Fatalf("simulated %v", elapsed)
	}
	for _, ref := range env.refs {
		if n := len(env.platform.editsOf(ref)); n == 0 || n > 4 {
			t.Errorf("message %s edited %d times in 10 s, want 1 to 4", ref, n)
		}
	}
	checkEditGaps(t, env.platform, env.refs, 3*time.Second)
	env.clock.Advance(3 * time.Second)
	flush(t, env.rt)
	for _, ref := range env.refs {
		edits := env.platform.editsOf(ref)
		if got := edits[len(edits)-1].text; got != "count/1=10000" {
			t.Errorf("message %s last shows %q, want the last change", ref, got)
		}
	}
	before := len(env.platform.editsOf("m1"))
	env.clock.Advance(time.Minute)
	flush(t, env.rt)
	if len(env.platform.editsOf("m1")) != before {
		t.Fatal("an unchanged subject was edited")
	}
}

// Two processes sharing the database, each receiving half of the changes,
// still edit each message at most once per interval between them.
func TestOutboxCoalescesAcrossProcesses(t *testing.T) {
	env := newCounterEnv(t, "c1", "c2")
	other, otherOutbox := newCounterRuntime(t, env.store, env.clock, env.platform, env.value)
	for i := 0; i < 4000; i++ {
		env.value.Add(1)
		if i%2 == 0 {
			env.outbox.Changed("count/1")
		} else {
			otherOutbox.Changed("count/1")
		}
		if i%100 == 99 {
			env.clock.Advance(100 * time.Millisecond)
			flush(t, env.rt)
			flush(t, other)
		}
	}
	checkEditGaps(t, env.platform, env.refs, 3*time.Second)
	env.clock.Advance(3 * time.Second)
	flush(t, env.rt)
	flush(t, other)
	for _, ref := range env.refs {
		edits := env.platform.editsOf(ref)
		if len(edits) == 0 || edits[len(edits)-1].text != "count/1=4000" {
			t.Errorf("message %s does not end on the last change: %+v", ref, edits)
		}
	}
	checkEditGaps(t, env.platform, env.refs, 3*time.Second)
}

// A process that starts shows the changes a crashed process stored but
// never displayed: its first flush looks at every live subject.
func TestOutboxStartShowsChangesOfACrashedProcess(t *testing.T) {
	env := newCounterEnv(t, "c1")
	env.value.Store(7) // stored by a process that died before its flush
	started, _ := newCounterRuntime(t, env.store, env.clock, env.platform, env.value)
	env.clock.Advance(5 * time.Second)
	flush(t, started)
	if edits := env.platform.editsOf("m1"); len(edits) != 1 || edits[0].text != "count/1=7" {
		t.Fatalf("edits after start = %+v", edits)
	}
	env.clock.Advance(time.Minute)
	flush(t, started)
	if n := len(env.platform.editsOf("m1")); n != 1 {
		t.Fatalf("edited %d times with nothing new", n)
	}
}

// A platform error leaves that chat to a retry, which posts there once;
// chats already served are not posted to again.
func TestOutboxRetriesFailedChatsOnly(t *testing.T) {
	env, community := newCounterChats(t, []string{"c2"}, "c1", "c2", "c3")
	ctx := context.Background()
	d, err := env.outbox.Publish(ctx, community, "count/1", nil)
	if err == nil || d.Chats != 3 || d.Sent != 2 {
		t.Fatalf("first delivery %+v, err %v; want 2 of 3 and the platform's error", d, err)
	}
	flush(t, env.rt) // not due yet: backoff
	delete(env.platform.fail, "c2")
	env.clock.Advance(2 * time.Second)
	flush(t, env.rt)
	flush(t, env.rt)
	count := map[string]int{}
	for _, chat := range env.platform.sends {
		count[chat]++
	}
	if len(env.platform.sends) != 3 || count["c1"] != 1 || count["c2"] != 1 || count["c3"] != 1 {
		t.Fatalf("sends = %v, want one per chat", env.platform.sends)
	}
	posts, err := env.outbox.Posts(ctx, "count/1")
	if err != nil || len(posts) != 3 || posts[1].State != model.PostSent {
		t.Fatalf("posts = %+v, %v", posts, err)
	}
}

// A one-off notice (PublishOnce) is stored and retried like any post,
// once per chat however often it is published, but it is not live: a chat
// that joins later does not get it, and a starting process does not edit
// it.
func TestOutboxPublishOnceIsRetriedButNotLive(t *testing.T) {
	env, community := newCounterChats(t, []string{"c2"}, "c1", "c2")
	ctx := context.Background()
	d, err := env.outbox.PublishOnce(ctx, community, "count/1", nil)
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") || d.Chats != 2 || d.Sent != 1 {
		t.Fatalf("first delivery %+v, err %v; want 1 of 2 and the platform's error", d, err)
	}
	delete(env.platform.fail, "c2")
	env.clock.Advance(2 * time.Second)
	flush(t, env.rt)
	flush(t, env.rt)
	if d, err := env.outbox.PublishOnce(ctx, community, "count/1", nil); err != nil || d.Chats != 2 || d.Sent != 2 {
		t.Fatalf("published again: %+v, %v; want both chats served already", d, err)
	}
	if fmt.Sprint(env.platform.sends) != "[c1 c2]" {
		t.Fatalf("sends = %v, want one per chat, c2 after its retry", env.platform.sends)
	}
	late, _ := fakeChat(t, env.store, "c3")
	if n, err := env.store.QueueLivePostsForChat(ctx, late, env.clock.Now()); err != nil || n != 0 {
		t.Fatalf("a chat joining later got %d posts (%v), want none", n, err)
	}
	env.value.Store(7)
	restarted, _ := newCounterRuntime(t, env.store, env.clock, env.platform, env.value)
	env.clock.Advance(time.Minute)
	flush(t, restarted)
	flush(t, env.rt)
	for _, ref := range []string{"m1", "m2"} {
		if edits := env.platform.editsOf(ref); len(edits) != 0 {
			t.Errorf("message %s edited after a restart: %+v", ref, edits)
		}
	}
	if len(env.platform.sends) != 2 {
		t.Fatalf("sends = %v, want nothing more", env.platform.sends)
	}
}

// A settled subject's final edit is owed in the database: a process that
// restarts before making it still makes it, once.
func TestOutboxFinalEditSurvivesARestart(t *testing.T) {
	env := newCounterEnv(t, "c1")
	env.value.Store(42)
	if err := env.outbox.Settle(context.Background(), "count/1"); err != nil {
		t.Fatal(err)
	}
	// The process dies here; another starts later.
	restarted, _ := newCounterRuntime(t, env.store, env.clock, env.platform, env.value)
	env.clock.Advance(10 * time.Second)
	flush(t, restarted)
	flush(t, restarted)
	env.clock.Advance(10 * time.Second)
	flush(t, restarted)
	if edits := env.platform.editsOf("m1"); len(edits) != 1 || edits[0].text != "count/1=42" {
		t.Fatalf("final edits = %+v, want one showing 42", edits)
	}
	if err := env.outbox.Retract(context.Background(), "count/1"); err != nil {
		t.Fatal(err)
	}
	if !env.platform.deleted["m1"] {
		t.Fatal("retract left the message")
	}
}

func TestOutboxFlushStopsWithItsContext(t *testing.T) {
	env := newCounterEnv(t, "c1")
	env.outbox.Changed("count/1")
	env.clock.Advance(time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := env.rt.RunDueJobs(ctx); err == nil {
		t.Fatal("the job loop ran on a cancelled context")
	}
	if n := len(env.platform.editsOf("m1")); n != 0 {
		t.Fatalf("edited %d times after cancellation", n)
	}
}

// A final edit that keeps failing (the message was deleted) is given up
// after a few tries rather than retried every interval forever.
func TestOutboxGivesUpAFinalEditThatKeepsFailing(t *testing.T) {
	env := newCounterEnv(t, "c1")
	env.platform.failEdits = true
	if err := env.outbox.Settle(context.Background(), "count/1"); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		env.clock.Advance(4 * time.Second)
		flush(t, env.rt)
	}
	if env.platform.editTries != 5 {
		t.Fatalf("tried the final edit %d times, want 5", env.platform.editTries)
	}
}

// A change that arrives while a post is being sent (a member votes on a
// poll message whose sending is not yet recorded) still shows: the post
// is edited once it is recorded, without another change.
func TestOutboxChangeDuringASendShowsOnceItIsRecorded(t *testing.T) {
	env := newCounterEnv(t, "c1")
	ctx := context.Background()
	setState := func(state string) {
		t.Helper()
		if _, err := env.store.DB().ExecContext(ctx, `UPDATE outbox_posts SET state = $1 WHERE subject = 'count/1'`, state); err != nil {
			t.Fatal(err)
		}
	}
	setState(model.PostSending)
	env.value.Add(1)
	env.outbox.Changed("count/1")
	env.clock.Advance(5 * time.Second)
	flush(t, env.rt)
	if n := len(env.platform.editsOf("m1")); n != 0 {
		t.Fatalf("a post being sent was edited %d times", n)
	}
	setState(model.PostSent) // the sender records it
	env.clock.Advance(5 * time.Second)
	flush(t, env.rt)
	edits := env.platform.editsOf("m1")
	if len(edits) != 1 || edits[0].text != "count/1=1" {
		t.Fatalf("edits after the send was recorded: %+v, want one showing the change", edits)
	}
}

// A subject whose renderer has nothing to post any more (a question
// answered before its notice went out) sends none of its posts still
// waiting, without an error or a retry, and edits none of those sent.
func TestOutboxDropsPostsOfAWithdrawnSubject(t *testing.T) {
	env, community := newCounterChats(t, []string{"c2"}, "c1", "c2")
	ctx := context.Background()
	if d, err := env.outbox.Publish(ctx, community, "count/1", nil); err == nil || d.Sent != 1 {
		t.Fatalf("first delivery %+v, %v; want c1 only", d, err)
	}
	env.value.Store(-1) // withdrawn
	delete(env.platform.fail, "c2")
	env.outbox.Changed("count/1")
	env.clock.Advance(time.Minute)
	flush(t, env.rt)
	flush(t, env.rt)
	if fmt.Sprint(env.platform.sends) != "[c1]" || len(env.platform.editsOf("m1")) != 0 {
		t.Fatalf("sends %v, edits of m1 %+v: want c1's post alone, unedited", env.platform.sends, env.platform.editsOf("m1"))
	}
	posts, err := env.outbox.Posts(ctx, "count/1")
	if err != nil || len(posts) != 2 || posts[0].State != model.PostSent || posts[1].State != model.PostDeleted {
		t.Fatalf("posts %+v, %v; want c1 sent, c2 given up", posts, err)
	}
}
