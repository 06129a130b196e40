package polls

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// recorder is a Messenger that remembers what it was asked to do and when.
type recorder struct {
	clock commands.Clock
	fail  map[string]bool // chat IDs whose sends fail
	mu    sync.Mutex
	next  int
	sends []commands.ChatAddress
	edits map[string][]edit // by message ID
}

type edit struct {
	at   time.Time
	text string
}

func (r *recorder) Send(ctx context.Context, to commands.ChatAddress, resp *commands.Response) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail[to.ChatID] {
		return "", fmt.Errorf("platform refused the message")
	}
	r.next++
	r.sends = append(r.sends, to)
	return "m" + strconv.Itoa(r.next), nil
}

func (r *recorder) Edit(ctx context.Context, to commands.ChatAddress, id string, resp *commands.Response) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.edits == nil {
		r.edits = map[string][]edit{}
	}
	r.edits[id] = append(r.edits[id], edit{at: r.clock.Now(), text: string(resp.Text)})
	return id, nil
}

func (r *recorder) Delete(ctx context.Context, to commands.ChatAddress, id string) error { return nil }

func (r *recorder) DirectMessage(ctx context.Context, platform, userID string, resp *commands.Response) (string, error) {
	return "", commands.ErrDirectMessageRefused
}

type liveEnv struct {
	svc     *service
	store   *storage.Store
	clock   *bot.ManualClock
	rec     *recorder
	poll    storage.Poll
	rules   []storage.BallotRule
	loc     *locales.Localizer
	chatIDs []string
}

func newLiveEnv(t *testing.T, members int) *liveEnv {
	t.Helper()
	ctx := context.Background()
	store := storagetest.Open(t)
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	clock := bot.NewManualClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	rec := &recorder{clock: clock}
	svc := newService(commands.Deps{
		Messenger: rec, Clock: clock, Registry: commands.NewRegistry(catalog),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, store, Options{EditInterval: 3 * time.Second})
	env := &liveEnv{svc: svc, store: store, clock: clock, rec: rec}
	var community storage.Community
	for _, ref := range []storage.ChatRef{
		{Platform: "discord", GroupID: "g", ChatID: "c1"}, {Platform: "discord", GroupID: "g", ChatID: "c2"},
	} {
		_, community, err = store.ResolveChat(ctx, ref, storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"})
		if err != nil {
			t.Fatal(err)
		}
	}
	env.poll = storage.Poll{CommunityID: community.ID, Question: "Q", Kind: storage.PollSingle, Live: true, Anonymous: true,
		VoterRole: "member", Choices: []storage.PollChoice{{Label: "A"}, {Label: "B"}, {Label: "C"}}}
	if err := store.CreatePoll(ctx, &env.poll, clock.Now(), publishJob, closeJob); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.publish(ctx, env.poll.ID); err != nil || n != 2 {
		t.Fatalf("publish: %d posts, %v", n, err)
	}
	if n, err := svc.publish(ctx, env.poll.ID); err != nil || n != 0 {
		t.Fatalf("second publish: %d posts, %v; want none", n, err)
	}
	for i := 0; i < members; i++ {
		m, err := store.ResolveMember(ctx, community.ID, "discord", fmt.Sprintf("u%d", i), fmt.Sprintf("U%d", i))
		if err != nil {
			t.Fatal(err)
		}
		env.rules = append(env.rules, storage.BallotRule{PollID: env.poll.ID, CommunityID: community.ID, MemberID: m.ID, Kind: storage.PollSingle})
	}
	env.loc, err = svc.localizerFor(ctx, community.ID)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// 10,000 ballots within 10 simulated seconds, with the job loop ticking
// every 100 ms, cost at most one edit per message per 3-second interval,
// and the last edit shows every ballot.
func TestBurstOfBallotsIsCoalesced(t *testing.T) {
	env := newLiveEnv(t, 200)
	ctx := context.Background()
	start := env.clock.Now()
	for i := 0; i < 10000; i++ {
		if _, err := env.svc.store.CastBallot(ctx, env.rules[i%len(env.rules)], []int{(i / 7) % 3}, env.clock.Now()); err != nil {
			t.Fatal(err)
		}
		env.svc.live.Mark(env.poll.ID)
		if i%100 == 99 {
			env.clock.Advance(100 * time.Millisecond)
			if err := env.svc.live.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if elapsed := env.clock.Now().Sub(start); elapsed != 10*time.Second {
		t.Fatalf("simulated %v", elapsed)
	}
	if len(env.rec.edits) != 2 {
		t.Fatalf("edited %d messages, want the 2 posts", len(env.rec.edits))
	}
	for id, edits := range env.rec.edits {
		if len(edits) == 0 || len(edits) > 4 {
			t.Errorf("message %s edited %d times in 10 s, want 1 to 4", id, len(edits))
		}
		for i := 1; i < len(edits); i++ {
			if gap := edits[i].at.Sub(edits[i-1].at); gap < 3*time.Second {
				t.Errorf("message %s edited twice within %v", id, gap)
			}
		}
	}
	// The ballots after the last edit are still pending, and shown once due.
	if !env.svc.live.Dirty(env.poll.ID) {
		t.Fatal("poll not dirty after ballots newer than the last edit")
	}
	env.clock.Advance(3 * time.Second)
	if err := env.svc.live.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := env.store.Poll(ctx, env.poll.ID)
	if err != nil {
		t.Fatal(err)
	}
	tally, err := env.svc.tally(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := string(pollMessage(env.loc, p, tally).Text)
	for id, edits := range env.rec.edits {
		if got := edits[len(edits)-1].text; got != want {
			t.Errorf("message %s last shows\n%s\nwant\n%s", id, got, want)
		}
	}
	if env.svc.live.Dirty(env.poll.ID) {
		t.Fatal("poll still dirty after its final edit")
	}
	// Nothing new: no edit.
	before := len(env.rec.edits["m1"])
	env.clock.Advance(time.Minute)
	env.svc.live.Flush(ctx)
	if len(env.rec.edits["m1"]) != before {
		t.Fatal("a clean poll was edited")
	}
}

// otherProcess is a second Agora process on the same database, platform
// and clock: its own poll module, hence its own coalescer.
func (env *liveEnv) otherProcess() *service {
	return newService(commands.Deps{
		Messenger: env.rec, Clock: env.clock, Registry: commands.NewRegistry(env.svc.catalog),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, env.store, Options{EditInterval: 3 * time.Second})
}

// checkEditGaps fails when a message was edited twice within interval.
func (env *liveEnv) checkEditGaps(t *testing.T, interval time.Duration) {
	t.Helper()
	env.rec.mu.Lock()
	defer env.rec.mu.Unlock()
	for id, edits := range env.rec.edits {
		for i := 1; i < len(edits); i++ {
			if gap := edits[i].at.Sub(edits[i-1].at); gap < interval {
				t.Errorf("message %s edited twice within %v (edits %d and %d of %d)", id, gap, i, i+1, len(edits))
			}
		}
	}
}

// wantLastEditsShowTally fails unless every post's last edit shows the
// poll as stored now.
func (env *liveEnv) wantLastEditsShowTally(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	p, err := env.store.Poll(ctx, env.poll.ID)
	if err != nil {
		t.Fatal(err)
	}
	tally, err := env.svc.tally(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := string(pollMessage(env.loc, p, tally).Text)
	if len(env.rec.edits) != 2 {
		t.Fatalf("edited %d messages, want the 2 posts", len(env.rec.edits))
	}
	for id, edits := range env.rec.edits {
		if got := edits[len(edits)-1].text; got != want {
			t.Errorf("message %s last shows\n%s\nwant\n%s", id, got, want)
		}
	}
}

// Two Agora processes on one database (a supported deployment behind a
// load balancer) each receive half of 10,000 ballots within 10 simulated
// seconds and both tick every 100 ms: between them they still edit each
// message at most once per 3-second interval, and the last edit shows
// every ballot, whichever process received it.
func TestBurstAcrossTwoProcessesIsCoalesced(t *testing.T) {
	env := newLiveEnv(t, 200)
	ctx := context.Background()
	procs := []*service{env.svc, env.otherProcess()}
	flushAll := func() {
		t.Helper()
		for _, p := range procs {
			if err := p.live.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	start := env.clock.Now()
	for i := 0; i < 10000; i++ {
		p := procs[i%2]
		if _, err := p.store.CastBallot(ctx, env.rules[i%len(env.rules)], []int{(i / 7) % 3}, env.clock.Now()); err != nil {
			t.Fatal(err)
		}
		p.live.Mark(env.poll.ID)
		if i%100 == 99 {
			env.clock.Advance(100 * time.Millisecond)
			flushAll()
		}
	}
	if elapsed := env.clock.Now().Sub(start); elapsed != 10*time.Second {
		t.Fatalf("simulated %v", elapsed)
	}
	for id, edits := range env.rec.edits {
		if len(edits) == 0 || len(edits) > 4 {
			t.Errorf("message %s edited %d times in 10 s by two processes, want 1 to 4", id, len(edits))
		}
	}
	env.checkEditGaps(t, 3*time.Second)
	for i, p := range procs {
		if !p.live.Dirty(env.poll.ID) {
			t.Fatalf("process %d: poll not dirty after ballots newer than the last edit", i)
		}
	}
	// Drain: each process gets a slot in turn; at most one edit per
	// interval, and both end clean.
	for round := 0; round < 4 && (procs[0].live.Dirty(env.poll.ID) || procs[1].live.Dirty(env.poll.ID)); round++ {
		env.clock.Advance(3 * time.Second)
		flushAll()
	}
	for i, p := range procs {
		if p.live.Dirty(env.poll.ID) {
			t.Fatalf("process %d: poll still dirty after its final edits", i)
		}
	}
	env.checkEditGaps(t, 3*time.Second)
	env.wantLastEditsShowTally(t)
	before := len(env.rec.edits["m1"])
	env.clock.Advance(time.Minute)
	flushAll()
	if len(env.rec.edits["m1"]) != before {
		t.Fatal("a clean poll was edited")
	}
}

// A process that starts shows the ballots a crashed process stored but
// never got to display: its first tick marks every posted open poll.
func TestStartShowsBallotsOfACrashedProcess(t *testing.T) {
	env := newLiveEnv(t, 3)
	ctx := context.Background()
	for i, r := range env.rules {
		if _, err := env.store.CastBallot(ctx, r, []int{i % 2}, env.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// The process that stored them dies before its tick: no Mark, no edit.
	started := env.otherProcess()
	if started.live.Dirty(env.poll.ID) {
		t.Fatal("dirty before the first tick")
	}
	if err := started.live.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	env.wantLastEditsShowTally(t)
	if started.live.Dirty(env.poll.ID) {
		t.Fatal("still dirty after the edit")
	}
	// Later ticks find nothing new.
	env.clock.Advance(time.Minute)
	if err := started.live.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for id, edits := range env.rec.edits {
		if len(edits) != 1 {
			t.Errorf("message %s edited %d times, want once", id, len(edits))
		}
	}
}

func TestFlushStopsWithItsContext(t *testing.T) {
	env := newLiveEnv(t, 1)
	env.svc.live.Mark(env.poll.ID)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := env.svc.live.Flush(ctx); err == nil {
		t.Fatal("Flush ran on a cancelled context")
	}
	if len(env.rec.edits) != 0 {
		t.Fatal("edited after cancellation")
	}
}

// A platform error while posting leaves that chat to the retry, which
// posts there once; chats already served are not posted to again.
func TestPublishRetriesFailedChatsOnly(t *testing.T) {
	ctx := context.Background()
	store := storagetest.Open(t)
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	clock := bot.NewManualClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	rec := &recorder{clock: clock, fail: map[string]bool{"c2": true}}
	svc := newService(commands.Deps{Messenger: rec, Clock: clock, Registry: commands.NewRegistry(catalog)}, store, Options{})
	var community storage.Community
	for _, id := range []string{"c1", "c2", "c3"} {
		if _, community, err = store.ResolveChat(ctx, storage.ChatRef{Platform: "discord", GroupID: "g", ChatID: id},
			storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"}); err != nil {
			t.Fatal(err)
		}
	}
	p := storage.Poll{CommunityID: community.ID, Question: "Q", Kind: storage.PollSingle, VoterRole: "member",
		Choices: []storage.PollChoice{{Label: "A"}, {Label: "B"}}}
	if err := store.CreatePoll(ctx, &p, clock.Now(), publishJob, closeJob); err != nil {
		t.Fatal(err)
	}
	n, err := svc.publish(ctx, p.ID)
	if err == nil || n != 2 {
		t.Fatalf("first run: %d posts, err %v; want 2 and the platform's error", n, err)
	}
	delete(rec.fail, "c2")
	if err := svc.publishJob(ctx, pollIDString(p.ID)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if err := svc.publishJob(ctx, pollIDString(p.ID)); err != nil {
		t.Fatalf("third run: %v", err)
	}
	count := map[string]int{}
	for _, to := range rec.sends {
		count[to.ChatID]++
	}
	if len(rec.sends) != 3 || count["c1"] != 1 || count["c2"] != 1 || count["c3"] != 1 {
		t.Fatalf("sends = %v, want one per chat", rec.sends)
	}
	posts, err := store.PollPosts(ctx, p.ID, storage.PostPoll)
	if err != nil || len(posts) != 3 {
		t.Fatalf("posts = %+v, %v", posts, err)
	}
}
