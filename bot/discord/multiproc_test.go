package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/discord"
	"github.com/agora-community/agora/bot/discord/discordtest"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// pollButton finds the poll message about question and the custom ID of
// its button for choice.
func pollButton(t *testing.T, srv *discordtest.Server, question, choice string) (discordtest.Message, string) {
	t.Helper()
	var poll discordtest.Message
	srv.MustWaitFor(wait, "the poll posted with buttons", func() bool {
		for _, m := range srv.Messages(channelID) {
			if strings.Contains(m.Content, question) && len(m.Components) > 0 {
				poll = m
				return true
			}
		}
		return false
	})
	for _, row := range poll.Components {
		for _, c := range row.(map[string]any)["components"].([]any) {
			b := c.(map[string]any)
			if label, _ := b["label"].(string); strings.Contains(label, choice) {
				id, _ := b["custom_id"].(string)
				return poll, id
			}
		}
	}
	t.Fatalf("no button for %s: %+v", choice, poll.Components)
	return poll, ""
}

// A signed HTTP interaction sent again within its five minutes of validity
// changes nothing: a replayed creation makes no second poll, a replayed
// vote does not rewrite the ballot; the replay gets a private note.
// Refused signatures are counted, not logged.
func TestReplayedHTTPInteractionsChangeNothing(t *testing.T) {
	signer := discordtest.NewSigner()
	e := newEnv(t, nil, nil, func(c *discord.Config) { c.PublicKey = signer.PublicKeyHex() })
	mux := http.NewServeMux()
	mux.Handle("POST "+discord.HTTPPath, e.adapter.HTTPHandler())
	// The replays' answers go back to whoever replayed, not to Discord:
	// only first answers are recorded with the double.
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(body, &in)
		mux.ServeHTTP(&firstAnswers{ResponseWriter: w, t: t, srv: e.srv, id: in.ID}, r)
	}))
	defer web.Close()
	type sent struct {
		body    []byte
		headers http.Header
	}
	post := func(s sent) map[string]any {
		t.Helper()
		req, _ := http.NewRequest("POST", web.URL+discord.HTTPPath, bytes.NewReader(s.body))
		for k, v := range s.headers {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("answer %d %s", resp.StatusCode, raw)
		}
		return out
	}
	sign := func(in discordtest.Interaction) sent { return sent{in.JSON, signer.Headers(in.JSON)} }
	replayNote := func(out map[string]any) bool {
		data, _ := out["data"].(map[string]any)
		return out["type"] == float64(4) && data["flags"] == float64(64) && strings.Contains(fmt.Sprint(data["content"]), "déjà été traitée")
	}

	create := sign(e.srv.NewSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "sondage", Options: sub("creer",
		discordtest.CommandOption{Name: "question", Type: 3, Value: "Quel jour ?"},
		discordtest.CommandOption{Name: "choix", Type: 3, Value: "Lundi | Mardi"})}))
	if out := post(create); replayNote(out) {
		t.Fatalf("the first delivery was taken for a replay: %v", out)
	}
	if out := post(create); !replayNote(out) {
		t.Fatalf("replayed creation answered %v", out)
	}
	poll, monday := pollButton(t, e.srv, "Quel jour", "Lundi")
	_, tuesday := pollButton(t, e.srv, "Quel jour", "Mardi")
	if _, err := e.store.Poll(context.Background(), 2); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a replayed creation made a second poll (%v)", err)
	}

	voteMonday := sign(e.srv.NewComponentClick(discordtest.ComponentClick{Invoker: invoker(ownerID, "0"), CustomID: monday, MessageID: poll.ID}))
	post(voteMonday)
	post(sign(e.srv.NewComponentClick(discordtest.ComponentClick{Invoker: invoker(ownerID, "0"), CustomID: tuesday, MessageID: poll.ID})))
	before, err := e.store.Ballots(context.Background(), 1)
	if err != nil || len(before) != 1 {
		t.Fatalf("ballots = %+v, %v", before, err)
	}
	if out := post(voteMonday); !replayNote(out) {
		t.Fatalf("replayed vote answered %v", out)
	}
	after, _ := e.store.Ballots(context.Background(), 1)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("a replayed vote rewrote the ballot: %+v, then %+v", before, after)
	}
	if n := metric(t, e.rt, "agora_discord_duplicate_interactions_total", "http"); n != 2 {
		t.Errorf("duplicates counted = %v, want 2", n)
	}

	// Forged requests: counted by reason, never one log line each.
	forged := sign(e.srv.NewSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "aide"}))
	forged.headers.Set("X-Signature-Ed25519", strings.Repeat("00", 64))
	for range 5 {
		req, _ := http.NewRequest("POST", web.URL+discord.HTTPPath, bytes.NewReader(forged.body))
		req.Header = forged.headers
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("forged request: %d", resp.StatusCode)
		}
	}
	if n := metric(t, e.rt, "agora_discord_refused_requests_total", "signature"); n != 5 {
		t.Errorf("refused signatures counted = %v, want 5", n)
	}
	if logs := e.logs.String(); strings.Contains(logs, "level=WARN") && strings.Contains(logs, "refused") {
		t.Errorf("refusals were logged as warnings:\n%s", logs)
	}
}

// An interaction the gateway delivers twice (a resume replaying events,
// two sessions on one shard) is answered once.
func TestGatewayDuplicateAnsweredOnce(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	in := e.srv.NewSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	e.srv.Dispatch("INTERACTION_CREATE", json.RawMessage(in.JSON))
	e.srv.Dispatch("INTERACTION_CREATE", json.RawMessage(in.JSON))
	e.response(in)
	e.srv.MustWaitFor(wait, "the duplicate counted", func() bool {
		return metric(t, e.rt, "agora_discord_duplicate_interactions_total", "gateway") == 1
	})
	if n := len(e.srv.RequestsMatching("POST /interactions/" + in.ID + "/*/callback")); n != 1 {
		t.Fatalf("%d answers to one interaction delivered twice", n)
	}
}

// Two processes started with the same shard: the second waits, says so,
// and does not connect, however long it tries: the first lives, and its
// liveness keeps the lease its own. Every interaction is answered once;
// when the first stops, the second takes the shard over at once.
func TestTwoProcessesOnOneShard(t *testing.T) {
	first := newEnv(t, nil, nil, nil)
	stopFirst := first.start()
	tries := &leaseTries{Store: first.store, changed: make(chan struct{})}
	second := newEnv(t, first.srv, first.store, func(c *discord.Config) { c.Store = tries })
	second.start()
	if !second.logs.waitFor(wait, "shard 0 held by another process; waiting") {
		t.Fatalf("the second process did not say it waits; logs:\n%s", second.logs.String())
	}
	// Past the lease's validity: the first keeps it by renewing.
	tries.waitRefused(t, int(second.cfg.ShardLeaseTTL/second.cfg.ShardLeaseRenew)+1)
	if n := first.srv.IdentifyCount(); n != 1 {
		t.Fatalf("%d gateway sessions for one shard", n)
	}
	var ins []discordtest.Interaction
	for range 20 {
		ins = append(ins, first.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")}))
	}
	for _, in := range ins {
		first.response(in)
	}
	if n := len(first.srv.RequestsMatching("POST /interactions/*/*/callback")); n != 20 {
		t.Fatalf("%d answers to 20 interactions", n)
	}
	stopFirst()
	if !second.logs.waitFor(wait, "shard 0 taken over from another process") {
		t.Fatalf("no takeover; logs:\n%s", second.logs.String())
	}
	first.srv.MustWaitFor(wait, "the second process connected", func() bool {
		return first.srv.IdentifyCount() == 2 && first.srv.Connected()
	})
	in := first.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	second.response(in)
}

// A process that died holding the shard never releases it: the next one
// waits for the lease to expire, then takes over.
func TestShardOfADeadProcessIsTakenOver(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	died := time.Now()
	if held, err := e.store.AcquireLease(context.Background(), "discord.shard.0/1", "crashed-process", died, e.cfg.ShardLeaseTTL); err != nil || !held {
		t.Fatalf("dead holder's lease = %v, %v", held, err)
	}
	e.start()
	if waited := time.Since(died); waited < e.cfg.ShardLeaseTTL {
		t.Fatalf("connected after %v, before the dead holder's lease expired (%v)", waited, e.cfg.ShardLeaseTTL)
	}
	if !e.logs.waitFor(wait, "shard 0 taken over from another process") {
		t.Fatalf("logs:\n%s", e.logs.String())
	}
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	e.response(in)
}

// A process killed holding the shard never releases it, but its liveness
// goes with it (the database drops its session's lock): the process
// waiting for the shard takes it over the next time it tries, within about
// one renewal, long before the lease expires. While the holder lives, its
// lease is not taken.
func TestShardOfAKilledProcessIsTakenOverBeforeItsLeaseExpires(t *testing.T) {
	store := storagetest.Open(t)
	tries := &leaseTries{Store: store, changed: make(chan struct{})}
	// A lease valid a minute, four times the wait below: a takeover seen
	// within the wait is the liveness's doing, not the lease's expiry.
	e := newEnv(t, nil, store, func(c *discord.Config) { c.ShardLeaseTTL = time.Minute; c.Store = tries })
	ctx := context.Background()
	live, err := store.HoldLiveness(ctx, "killed-process")
	if err != nil {
		t.Fatal(err)
	}
	kill := sync.OnceValue(func() error { return live.Release(context.Background()) })
	t.Cleanup(func() {
		if err := kill(); err != nil {
			t.Error(err)
		}
	})
	if held, err := store.AcquireLiveLease(ctx, "discord.shard.0/1", live, time.Now(), e.cfg.ShardLeaseTTL); err != nil || !held {
		t.Fatalf("the holder's lease = %v, %v", held, err)
	}

	e.run()
	if !e.logs.waitFor(wait, "shard 0 held by another process; waiting") {
		t.Fatalf("the process did not wait for the shard; logs:\n%s", e.logs.String())
	}
	tries.waitRefused(t, 3)
	if n := e.srv.ConnectCount(); n != 0 {
		t.Fatalf("%d gateway connections while the holder lives", n)
	}

	// The holder is killed: its liveness goes (on PostgreSQL its session's
	// lock is given up, as the server does when the session ends), its
	// lease stays, unexpired.
	if err := kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	if !e.logs.waitFor(wait, "shard 0 taken over from another process") {
		t.Fatalf("the shard was not taken over within %v of the kill, its lease valid %v; logs:\n%s", wait, e.cfg.ShardLeaseTTL, e.logs.String())
	}
	taken := time.Since(killed)
	if !e.srv.WaitConnected(wait) {
		t.Fatalf("the process took the shard but did not connect; logs:\n%s", e.logs.String())
	}
	t.Logf("shard taken over %v after the kill, connected %v after it (lease renewed every %v, valid %v)",
		taken.Round(time.Millisecond), time.Since(killed).Round(time.Millisecond), e.cfg.ShardLeaseRenew, e.cfg.ShardLeaseTTL)
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	e.response(in)
}

// A process whose liveness session was lost, and that cannot take it
// again because another session holds its lock (one of its own the server
// has not yet seen end), still lives: it keeps its shard by the lease's
// expiry alone rather than dropping it, which would leave the shard
// unserved until the lease expired. Past the whole validity of the lease
// last taken with its liveness, it is still on its first connection,
// answers interactions, and no other process can take the lease.
func TestShardKeptByExpiryWhileLivenessCannotBeRetaken(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("needs PostgreSQL (TEST_DATABASE_URL): on SQLite the liveness is never lost")
	}
	store := storagetest.OpenPostgres(t)
	tries := &leaseTries{Store: store, changed: make(chan struct{})}
	e := newEnv(t, nil, store, func(c *discord.Config) { c.Store = tries })
	e.start()
	holder := tries.livenessHolder()
	if holder == "" {
		t.Fatal("the adapter connected without taking its liveness")
	}

	// The adapter's session ends, and another takes its lock before the
	// adapter's next check can: the adapter may win that race, so its
	// session is ended again until the other session has the lock.
	ctx := context.Background()
	var other *storage.Liveness
	for deadline := time.Now().Add(wait); other == nil; {
		storagetest.EndLiveness(t, store, holder)
		l, err := store.HoldLiveness(ctx, holder)
		switch {
		case err == nil:
			other = l
		case !errors.Is(err, storage.ErrLivenessHeld) || time.Now().After(deadline):
			t.Fatalf("hold the liveness of %s from another session: %v", holder, err)
		}
	}
	t.Cleanup(func() {
		if err := other.Release(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if !e.logs.waitFor(wait, "this process does not hold its liveness: its shard lease is held until it expires") {
		t.Fatalf("the lost liveness was not reported; logs:\n%s", e.logs.String())
	}
	// Renewals one period apart: the last one comes a whole validity after
	// the liveness was lost, so only renewals without it still hold the lease.
	tries.waitKeyless(t, int(e.cfg.ShardLeaseTTL/e.cfg.ShardLeaseRenew)+1)

	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	e.response(in)
	lease := "discord.shard.0/1"
	if held, err := store.AcquireLease(ctx, lease, "another-process", time.Now(), e.cfg.ShardLeaseTTL); err != nil || held {
		t.Errorf("another holder takes the shard lease = %v, %v; want it refused", held, err)
	}
	another, err := store.HoldLiveness(ctx, "another-process")
	if err != nil {
		t.Fatal(err)
	}
	defer another.Release(context.Background())
	if held, err := store.AcquireLiveLease(ctx, lease, another, time.Now(), e.cfg.ShardLeaseTTL); err != nil || held {
		t.Errorf("another holder with its liveness takes the shard lease = %v, %v; want it refused", held, err)
	}
	if !e.srv.Connected() || e.srv.ConnectCount() != 1 {
		t.Errorf("connected = %v after %d gateway connections, want the first one kept; logs:\n%s", e.srv.Connected(), e.srv.ConnectCount(), e.logs.String())
	}
}

// leaseTries is the adapter's store, telling the holder it takes its
// liveness as, and counting the attempts to take or renew a lease with a
// liveness that found it held by another, and the leases taken or renewed
// without liveness.
type leaseTries struct {
	*storage.Store

	mu      sync.Mutex
	holder  string
	refused int
	keyless int
	changed chan struct{} // closed and replaced at each refusal or keyless lease
}

func (s *leaseTries) HoldLiveness(ctx context.Context, holder string) (*storage.Liveness, error) {
	s.mu.Lock()
	s.holder = holder
	s.mu.Unlock()
	return s.Store.HoldLiveness(ctx, holder)
}

func (s *leaseTries) AcquireLiveLease(ctx context.Context, name string, live *storage.Liveness, now time.Time, ttl time.Duration) (bool, error) {
	held, err := s.Store.AcquireLiveLease(ctx, name, live, now, ttl)
	if err == nil && !held {
		s.count(&s.refused)
	}
	return held, err
}

func (s *leaseTries) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	held, err := s.Store.AcquireLease(ctx, name, holder, now, ttl)
	if err == nil && held {
		s.count(&s.keyless)
	}
	return held, err
}

func (s *leaseTries) count(n *int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*n++
	close(s.changed)
	s.changed = make(chan struct{})
}

// livenessHolder is the holder the adapter took its liveness as.
func (s *leaseTries) livenessHolder() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holder
}

// waitRefused waits until n attempts were refused.
func (s *leaseTries) waitRefused(t *testing.T, n int) {
	t.Helper()
	s.waitCount(t, "attempts to take the lease refused", &s.refused, n)
}

// waitKeyless waits until n leases were taken or renewed without liveness.
func (s *leaseTries) waitKeyless(t *testing.T, n int) {
	t.Helper()
	s.waitCount(t, "leases taken or renewed without liveness", &s.keyless, n)
}

func (s *leaseTries) waitCount(t *testing.T, what string, count *int, n int) {
	t.Helper()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := *count, s.changed
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("%d %s within %v, want %d", got, what, wait, n)
		}
	}
}

// firstAnswers records with the double the answers written in HTTP
// responses, except the notes answering replays, which Discord never sees.
type firstAnswers struct {
	http.ResponseWriter
	t      *testing.T
	srv    *discordtest.Server
	id     string
	status int
}

func (w *firstAnswers) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *firstAnswers) Write(b []byte) (int, error) {
	if (w.status == 0 || w.status == http.StatusOK) && !strings.Contains(string(b), "déjà été traitée") {
		if err := w.srv.RecordHTTPResponse(w.id, b); err != nil {
			w.t.Errorf("HTTP answer refused by the double: %v", err)
		}
	}
	return w.ResponseWriter.Write(b)
}
