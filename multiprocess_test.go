package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/discord"
	"github.com/agora-community/agora/bot/discord/discordtest"
	"github.com/agora-community/agora/bot/telegram"
	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/all"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// Several Agora processes on one PostgreSQL: each is the runtime, both
// adapters and the HTTP server wired as run wires them (serve, startWeb),
// in one test process. Discord reaches them as HTTP interactions and
// Telegram by webhook, both through a round-robin balancer; the Discord
// gateway is held by one of them at a time.

const (
	mpGuild   = "6000000000000000001"
	mpChannel = "6000000000000000002"
	mpWait    = 60 * time.Second
)

var codePattern = regexp.MustCompile(`[A-HJ-NP-Z2-9]{8}`)

// balancer spreads requests over the live processes in turn, as a load
// balancer whose health checks took a stopped process out would.
type balancer struct {
	srv  *httptest.Server
	next atomic.Uint64

	mu       sync.Mutex
	backends []*url.URL
	proxies  map[string]*httputil.ReverseProxy
}

func newBalancer(t *testing.T) *balancer {
	b := &balancer{proxies: map[string]*httputil.ReverseProxy{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		if len(b.backends) == 0 {
			b.mu.Unlock()
			http.Error(w, "no backend", http.StatusBadGateway)
			return
		}
		u := b.backends[int(b.next.Add(1))%len(b.backends)]
		p := b.proxies[u.Host]
		b.mu.Unlock()
		p.ServeHTTP(w, r)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *balancer) add(addr string) {
	u := &url.URL{Scheme: "http", Host: addr}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backends = append(b.backends, u)
	b.proxies[addr] = httputil.NewSingleHostReverseProxy(u)
}

func (b *balancer) remove(addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, u := range b.backends {
		if u.Host == addr {
			b.backends = append(b.backends[:i], b.backends[i+1:]...)
			return
		}
	}
}

// cluster is the outside world of the processes: one database, the two
// platforms' doubles and the balancer.
type cluster struct {
	t      *testing.T
	dbURL  string
	dsrv   *discordtest.Server
	signer *discordtest.Signer
	tsrv   *telegramtest.Server
	lb     *balancer
}

// process is one Agora process.
type process struct {
	name    string
	store   *storage.Store
	rt      *bot.Runtime
	web     *webServer
	logs    *syncBuffer
	stop    func()
	stopped atomic.Bool
}

// reminders is a capability made for this test: a reminder job that posts
// "Rappel n°N" in a chat, standing for meetup reminders and nudges.
func reminders(deps commands.Deps) commands.Module {
	return commands.Module{Name: "rappels", Jobs: map[string]commands.JobHandler{
		"test.reminder": func(ctx context.Context, payload string) error {
			parts := strings.SplitN(payload, "|", 3)
			if len(parts) != 3 {
				return fmt.Errorf("bad reminder payload %q", payload)
			}
			_, err := deps.Messenger.Send(ctx, commands.ChatAddress{Platform: parts[0], ChatID: parts[1]},
				commands.Reply(markup.Escape("Rappel n°"+parts[2])))
			return err
		},
	}}
}

func (c *cluster) start(name string) *process {
	t := c.t
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})).With("process", name)
	store := storagetest.OpenURL(t, c.dbURL)
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	rt := bot.New(store, commands.NewRegistry(catalog), log, nil, bot.Config{
		DefaultLocale: "fr", DefaultTimezone: paris, JobLease: 2 * time.Second,
	})
	if err := rt.Install(append(all.Modules(rt.Deps(), store), reminders(rt.Deps()))...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tg, err := telegram.New(ctx, rt, telegram.Options{
		Token: c.tsrv.Token(), APIURL: c.tsrv.URL(), WebhookURL: c.lb.srv.URL + telegram.WebhookPath,
		Store: store, Log: log, Metrics: rt.Metrics().Registry, RateScale: 20,
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	d, err := discord.New(rt, discord.Config{
		Token: c.dsrv.BotToken(), APIURL: c.dsrv.URL(), GatewayURL: c.dsrv.GatewayURL(), GuildID: mpGuild,
		PublicKey: c.signer.PublicKeyHex(), Store: store, Log: log, Metrics: rt.Metrics().Registry,
		ShardLeaseTTL: 3 * time.Second, ShardLeaseRenew: 500 * time.Millisecond, RetryBackoff: 10 * time.Millisecond,
		ClaimTimeout: 10 * time.Second,
		// The double does not hold Discord's 3 seconds against a slow
		// answer: answering in the HTTP response keeps each member's
		// presses in order even on a loaded test machine.
		DeferAfter: 20 * time.Second,
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	rt.AddPlatform(tg)
	rt.AddPlatform(d)
	web, err := startWeb("127.0.0.1:0", log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	rt.Mount(web.srv)
	web.srv.Mux().Handle("POST "+telegram.WebhookPath, tg.WebhookHandler())
	web.srv.Mux().Handle("POST "+discord.HTTPPath, d.HTTPHandler())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, rt, []bot.Platform{tg, d}, web, false, true) }()
	p := &process{name: name, store: store, rt: rt, web: web, logs: logs}
	var once sync.Once
	p.stop = func() {
		once.Do(func() {
			p.stopped.Store(true)
			c.lb.remove(web.addr)
			cancel()
			if err := <-done; err != nil {
				t.Errorf("%s stopped on %v", name, err)
			}
			web.stop(log)
		})
	}
	t.Cleanup(p.stop)
	c.lb.add(web.addr)
	return p
}

// post sends a signed HTTP interaction through the balancer and returns
// Discord's view of the answer: its type and content.
func (c *cluster) post(in discordtest.Interaction) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.lb.srv.URL+discord.HTTPPath, bytes.NewReader(in.JSON))
	for k, v := range c.signer.Headers(in.JSON) {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Errorf("interaction %s: %v", in.ID, err)
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		c.t.Errorf("interaction %s: %d %s", in.ID, resp.StatusCode, body)
		return 0, ""
	}
	var out struct {
		Type int `json:"type"`
		Data struct {
			Content string `json:"content"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &out)
	// The answer to a replay goes back to whoever replayed, never to Discord.
	if !strings.Contains(out.Data.Content, "déjà été traitée") {
		if err := c.dsrv.RecordHTTPResponse(in.ID, body); err != nil {
			c.t.Errorf("answer refused by the double: %v", err)
		}
	}
	return out.Type, out.Data.Content
}

func discordUser(i int) discordtest.Invoker {
	return discordtest.Invoker{GuildID: mpGuild, ChannelID: mpChannel, Locale: "fr", Permissions: "0",
		User: discordtest.User{ID: fmt.Sprintf("61%017d", i), Username: fmt.Sprintf("membre%d", i)}}
}

func telegramUser(i int) telegramtest.User {
	return telegramtest.User{ID: 700000000 + int64(i), FirstName: fmt.Sprintf("Membre %d", i), LanguageCode: "fr"}
}

// waitCond polls cond until it holds or mpWait passes.
func waitCond(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(mpWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var choices = []string{"Pomme", "Poire", "Prune", "Pêche"}

// person is one member: on Discord, on Telegram, or both (accounts linked).
type person struct {
	discord, telegram  int // user numbers; -1 when absent
	first, final       int // choice indexes: the first vote, then the change
	linkedBeforeVoting bool
}

func TestSeveralProcessesOneCommunity(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("needs PostgreSQL (TEST_DATABASE_URL): several processes share one server")
	}
	members := 3000
	if testing.Short() {
		members = 300
	}
	linked := members / 30
	group := telegramtest.Supergroup(-1006000000001, "Coopérative")
	admin := telegramtest.User{ID: 690000000, FirstName: "Dominique", LanguageCode: "fr"}
	c := &cluster{t: t, dbURL: storagetest.NewPostgresDatabase(t), signer: discordtest.NewSigner(), lb: newBalancer(t),
		dsrv: discordtest.New(t, discordtest.WithGuild(discordtest.Guild{ID: mpGuild, Name: "Coopérative",
			Channels: []discordtest.Channel{{ID: mpChannel, Name: "général", Type: 0}}})),
		tsrv: telegramtest.New(t, telegramtest.WithInsecureWebhooks())}
	c.tsrv.SetAdministrators(group.ID, admin)
	procs := []*process{c.start("p1"), c.start("p2"), c.start("p3")}
	waitCond(t, "one process connected to the Discord gateway", c.dsrv.Connected)
	waitCond(t, "the Telegram webhook set", func() bool { u, _ := c.tsrv.Webhook(); return u != "" })

	// The Telegram group joins the Discord server's community.
	moderator := discordUser(0)
	moderator.Permissions = "32" // Manage Server
	_, out := c.post(c.dsrv.NewSlashCommand(discordtest.SlashCommand{Invoker: moderator, Name: "communaute",
		Options: []discordtest.CommandOption{{Name: "lier", Type: 1}}}))
	code := codePattern.FindString(out)
	if code == "" {
		t.Fatalf("no link code in %q", out)
	}
	c.tsrv.SendText(group, admin, "/communaute lier code:"+code)
	if _, ok := c.tsrv.WaitMessage(group.ID, mpWait, func(m telegramtest.SentMessage) bool {
		return strings.Contains(m.Text, "fait désormais partie")
	}); !ok {
		t.Fatalf("the group was not linked; sent %+v", c.tsrv.SentMessages(group.ID))
	}

	// Members: on Discord only, on Telegram only, and people with both
	// accounts, linked before the vote.
	var people []person
	for i := range members {
		p := person{discord: -1, telegram: -1, first: i % 4, final: (i*7 + 1) % 4}
		switch {
		case i < linked:
			p.discord, p.telegram, p.linkedBeforeVoting = i+1, i+1, true
		case i%2 == 0:
			p.discord = i + 1
		default:
			p.telegram = i + 1
		}
		people = append(people, p)
	}
	parallel(t, 16, linked, func(i int) {
		p := people[i]
		_, out := c.post(c.dsrv.NewSlashCommand(discordtest.SlashCommand{Invoker: discordUser(p.discord), Name: "compte",
			Options: []discordtest.CommandOption{{Name: "lier", Type: 1}}}))
		code := codePattern.FindString(out)
		if code == "" {
			t.Errorf("no account code in %q", out)
			return
		}
		u := telegramUser(p.telegram)
		c.tsrv.SendText(telegramtest.PrivateChat(u), u, "/compte lier code:"+code)
		if _, ok := c.tsrv.WaitMessage(u.ID, mpWait, func(m telegramtest.SentMessage) bool { return strings.Contains(m.Text, "est relié") }); !ok {
			t.Errorf("account %d not linked: %+v", i, c.tsrv.SentMessages(u.ID))
		}
	})
	waitCond(t, "the accounts' merges done", func() bool {
		jobs, err := procs[0].store.PendingJobs(context.Background())
		if err != nil {
			return false
		}
		for _, j := range jobs {
			if j.Kind == commands.MergeJob.Kind {
				return false
			}
		}
		return true
	})

	// Reminders fall due all along the vote, in both chats.
	ctx := context.Background()
	const discordReminders, telegramReminders = 40, 6
	for i := range discordReminders + telegramReminders {
		payload := fmt.Sprintf("discord|%s|%d", mpChannel, i)
		if i >= discordReminders {
			payload = fmt.Sprintf("telegram|%d|%d", group.ID, i)
		}
		at := time.Now().Add(time.Duration(i%12) * time.Second)
		if err := procs[0].store.ScheduleJob(ctx, nil, "test.reminder", payload, "test.reminder/"+fmt.Sprint(i), at); err != nil {
			t.Fatal(err)
		}
	}

	// The poll is created while both platforms fail for a while: rate
	// limits, then server errors.
	c.dsrv.FailNext("POST /channels/*/messages", 1, http.StatusTooManyRequests)
	c.dsrv.FailNext("POST /channels/*/messages", 2, http.StatusInternalServerError)
	c.tsrv.FailNext("sendMessage", 1, http.StatusTooManyRequests, 1)
	c.tsrv.FailNext("sendMessage", 2, http.StatusInternalServerError, 0)
	author := discordUser(members + 1)
	if typ, out := c.post(c.dsrv.NewSlashCommand(discordtest.SlashCommand{Invoker: author, Name: "sondage", Options: []discordtest.CommandOption{{
		Name: "creer", Type: 1, Options: []discordtest.CommandOption{
			{Name: "question", Type: 3, Value: "Quel fruit ?"},
			{Name: "choix", Type: 3, Value: strings.Join(choices, " | ")},
		}}}})); typ != 4 {
		t.Fatalf("poll creation answered %d %q", typ, out)
	}
	var dPoll discordtest.Message
	dButtons := map[int]string{}
	waitCond(t, "the poll on Discord", func() bool {
		for _, m := range c.dsrv.Messages(mpChannel) {
			if strings.Contains(m.Content, "Quel fruit") && len(m.Components) > 0 {
				dPoll = m
				return true
			}
		}
		return false
	})
	for _, row := range dPoll.Components {
		for _, comp := range row.(map[string]any)["components"].([]any) {
			b := comp.(map[string]any)
			for i, ch := range choices {
				if label, _ := b["label"].(string); strings.Contains(label, ch) {
					dButtons[i], _ = b["custom_id"].(string)
				}
			}
		}
	}
	tPoll, ok := c.tsrv.WaitMessage(group.ID, mpWait, func(m telegramtest.SentMessage) bool {
		return strings.Contains(m.Text, "Quel fruit") && m.ReplyMarkup != nil && len(m.ReplyMarkup.InlineKeyboard) > 0
	})
	if !ok {
		t.Fatalf("no poll on Telegram: %+v", c.tsrv.SentMessages(group.ID))
	}
	tButtons := map[int]string{}
	for _, row := range tPoll.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			for i, ch := range choices {
				if b.CallbackData != nil && strings.Contains(b.Text, ch) {
					tButtons[i] = *b.CallbackData
				}
			}
		}
	}
	if len(dButtons) != 4 || len(tButtons) != 4 {
		t.Fatalf("buttons: Discord %v, Telegram %v", dButtons, tButtons)
	}

	// The vote: every person votes, then changes their vote; a linked
	// person votes on Discord and changes on Telegram. One process is
	// stopped halfway, the one holding the Discord gateway.
	var dNanos, tNanos, dN, tN atomic.Int64
	var replayMu sync.Mutex
	var replays []discordtest.Interaction // first votes since changed, to send again
	voteDiscord := func(user, choice int) discordtest.Interaction {
		st := time.Now()
		defer func() { dNanos.Add(int64(time.Since(st))); dN.Add(1) }()
		in := c.dsrv.NewComponentClick(discordtest.ComponentClick{Invoker: discordUser(user), CustomID: dButtons[choice], MessageID: dPoll.ID})
		typ, out := c.post(in)
		if typ != 4 || !strings.Contains(out, choices[choice]) {
			t.Errorf("Discord vote of %d for %s answered %d %q", user, choices[choice], typ, out)
		}
		return in
	}
	answers := watchCallbacks(t, c.tsrv)
	voteTelegram := func(user, choice int) {
		st := time.Now()
		defer func() { tNanos.Add(int64(time.Since(st))); tN.Add(1) }()
		q := c.tsrv.PressButton(group, telegramUser(user), tPoll.MessageID, tButtons[choice])
		// A member who started the bot gets the answer in private, and a
		// short notification here.
		if a, ok := answers.wait(q, mpWait); !ok || !strings.Contains(a.Text, choices[choice]) && !strings.Contains(a.Text, "message privé") {
			t.Errorf("Telegram vote of %d for %s answered %+v (%v)", user, choices[choice], a, ok)
		}
	}
	var doneCount atomic.Int32
	var killed *process
	var killOnce sync.Once
	start := time.Now()
	parallel(t, 48, len(people), func(i int) {
		p := people[i]
		switch {
		case p.discord >= 0 && p.telegram >= 0:
			voteDiscord(p.discord, p.first)
			voteTelegram(p.telegram, p.final)
		case p.discord >= 0:
			first := voteDiscord(p.discord, p.first)
			voteDiscord(p.discord, p.final)
			if p.first != p.final {
				replayMu.Lock()
				replays = append(replays, first)
				replayMu.Unlock()
			}
		default:
			voteTelegram(p.telegram, p.first)
			voteTelegram(p.telegram, p.final)
		}
		if int(doneCount.Add(1)) == len(people)/2 {
			killOnce.Do(func() {
				for _, pr := range procs {
					if gauge(t, pr.rt, "agora_discord_shard_held") == 1 {
						killed = pr
					}
				}
				if killed == nil {
					killed = procs[2]
				}
				go killed.stop() // as a process killed in the middle of the flood
			})
		}
	})
	voteTime := time.Since(start)
	t.Logf("%d people, %d presses through %d processes in %v; a press answered in %v on Discord, %v on Telegram (mean, waiting included)",
		len(people), 2*len(people), len(procs), voteTime.Round(time.Millisecond),
		time.Duration(dNanos.Load()/max(dN.Load(), 1)).Round(time.Millisecond), time.Duration(tNanos.Load()/max(tN.Load(), 1)).Round(time.Millisecond))
	if killed == nil {
		t.Fatal("no process was stopped")
	}
	killed.stop()

	// The gateway shard was taken over by a survivor.
	waitCond(t, "the Discord shard taken over", func() bool {
		held := 0.0
		for _, pr := range procs {
			if pr != killed {
				held += gauge(t, pr.rt, "agora_discord_shard_held")
			}
		}
		return held == 1 && c.dsrv.Connected()
	})

	// First votes sent again, as a replay within the signature's
	// validity, change nothing, whichever process receives them.
	for _, in := range replays[:min(len(replays), 60)] {
		if _, out := c.post(in); !strings.Contains(out, "déjà été traitée") {
			t.Errorf("a replayed vote answered %q", out)
		}
	}

	// The tally is exact: one ballot per person, their last choice.
	want := make([]int, len(choices))
	for _, p := range people {
		want[p.final]++
	}
	ballots, err := procs[0].store.Ballots(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int, len(choices))
	seen := map[int64]bool{}
	for _, b := range ballots {
		if seen[b.MemberID] {
			t.Errorf("member %d has two ballots", b.MemberID)
		}
		seen[b.MemberID] = true
		if len(b.Choices) != 1 || b.Choices[0] < 0 || b.Choices[0] >= len(choices) {
			t.Fatalf("ballot %+v", b)
		}
		got[b.Choices[0]]++
	}
	if len(ballots) != len(people) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%d ballots with tally %v, want %d with %v", len(ballots), got, len(people), want)
	}

	// Every reminder was sent once, wherever its job ran.
	waitCond(t, "every reminder sent", func() bool {
		jobs, err := procs[0].store.PendingJobs(ctx)
		if err != nil {
			return false
		}
		for _, j := range jobs {
			if j.Kind == "test.reminder" {
				return false
			}
		}
		return true
	})
	for i := range discordReminders + telegramReminders {
		text := fmt.Sprintf("Rappel n°%d", i)
		n := 0
		if i < discordReminders {
			for _, m := range c.dsrv.Messages(mpChannel) {
				if m.Content == text {
					n++
				}
			}
		} else {
			for _, m := range c.tsrv.SentMessages(group.ID) {
				if m.Text == text {
					n++
				}
			}
		}
		if n != 1 {
			t.Errorf("%q sent %d times", text, n)
		}
	}

	// The poll was posted once in each chat despite the failures, and its
	// live edits kept to one per 3 s across the processes.
	if n := countDiscord(c.dsrv, "Quel fruit"); n != 1 {
		t.Errorf("the poll was posted %d times on Discord", n)
	}
	if n := countTelegram(c.tsrv, group.ID, "Quel fruit"); n != 1 {
		t.Errorf("the poll was posted %d times on Telegram", n)
	}
	var last time.Time
	for _, r := range c.dsrv.RequestsMatching("PATCH /channels/" + mpChannel + "/messages/" + dPoll.ID) {
		if r.Status == 200 && !last.IsZero() && r.Time.Sub(last) < 2500*time.Millisecond {
			t.Errorf("two edits of the poll %v apart", r.Time.Sub(last))
		}
		if r.Status == 200 {
			last = r.Time
		}
	}

	// Closing it announces the result once in each chat.
	if typ, out := c.post(c.dsrv.NewSlashCommand(discordtest.SlashCommand{Invoker: author, Name: "sondage", Options: []discordtest.CommandOption{{
		Name: "fermer", Type: 1, Options: []discordtest.CommandOption{{Name: "sondage", Type: 3, Value: "1"}}}}})); typ != 4 {
		t.Fatalf("closing answered %d %q", typ, out)
	}
	waitCond(t, "the result in both chats", func() bool {
		return countDiscord(c.dsrv, "Résultat du sondage n°\u00a01") >= 1 && countTelegram(c.tsrv, group.ID, "Résultat du sondage n°\u00a01") >= 1
	})
	waitCond(t, "the announcement jobs done", func() bool {
		jobs, err := procs[0].store.PendingJobs(ctx)
		return err == nil && len(jobs) == 0
	})
	if d, tg := countDiscord(c.dsrv, "Résultat du sondage n°\u00a01"), countTelegram(c.tsrv, group.ID, "Résultat du sondage n°\u00a01"); d != 1 || tg != 1 {
		t.Errorf("result posted %d times on Discord, %d on Telegram", d, tg)
	}
	if t.Failed() {
		for _, p := range procs {
			t.Logf("log of %s:\n%s", p.name, p.logs.String())
		}
	}
}

func countDiscord(srv *discordtest.Server, text string) int {
	n := 0
	for _, m := range srv.Messages(mpChannel) {
		if strings.Contains(m.Content, text) && !m.Ephemeral() && m.InteractionID == "" {
			n++
		}
	}
	return n
}

func countTelegram(srv *telegramtest.Server, chat int64, text string) int {
	n := 0
	for _, m := range srv.SentMessages(chat) {
		if strings.Contains(m.Text, text) {
			n++
		}
	}
	return n
}

// parallel runs fn(0..n-1) on workers goroutines and waits for them.
func parallel(t *testing.T, workers, n int, fn func(i int)) {
	t.Helper()
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// gauge reads an unlabelled gauge of a runtime's registry.
func gauge(t *testing.T, rt *bot.Runtime, name string) float64 {
	t.Helper()
	families, err := rt.Metrics().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) > 0 {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	return 0
}

// callbackWatcher hands callback answers to the presses waiting for them.
// One goroutine reads the double's answers after each of its changes: a
// wait per press (telegramtest.WaitCallbackAnswer) would copy every answer
// for every waiter at every change, which at thousands of presses costs
// the double more than Agora.
type callbackWatcher struct {
	mu      sync.Mutex
	answers map[string]telegramtest.CallbackAnswer
	changed chan struct{} // closed and replaced when answers arrive
}

func watchCallbacks(t *testing.T, srv *telegramtest.Server) *callbackWatcher {
	w := &callbackWatcher{answers: map[string]telegramtest.CallbackAnswer{}, changed: make(chan struct{})}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() { // owned by the test: stopped at cleanup
		defer close(stopped)
		seen := 0
		for {
			select {
			case <-stop:
				return
			default:
			}
			srv.WaitFor(100*time.Millisecond, func() bool {
				all := srv.CallbackAnswers()
				if len(all) == seen {
					return false
				}
				w.mu.Lock()
				for _, a := range all[seen:] {
					w.answers[a.QueryID] = a
				}
				close(w.changed)
				w.changed = make(chan struct{})
				w.mu.Unlock()
				seen = len(all)
				return true
			})
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-stopped
	})
	return w
}

// wait returns the answer to the callback query id.
func (w *callbackWatcher) wait(id string, timeout time.Duration) (telegramtest.CallbackAnswer, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		a, ok := w.answers[id]
		ch := w.changed
		w.mu.Unlock()
		if ok {
			return a, true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return a, false
		}
	}
}
