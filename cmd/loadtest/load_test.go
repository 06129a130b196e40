package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/discord"
	"github.com/agora-community/agora/bot/discord/discordtest"
	"github.com/agora-community/agora/bot/telegram"
	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/internal/freeport"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

var (
	members  = flag.Int("members", 0, "members pressing a poll's buttons, per platform; 0 skips the harness")
	rate     = flag.Float64("rate", 100, "presses per second, per platform")
	platform = flag.String("platform", "telegram", "telegram, telegram-webhook (updates posted to Agora's webhook over up to 100 connections, as Telegram does), discord, both (each platform gets -members at -rate), or discord-http (Discord's interactions posted to Agora's HTTP endpoint, answered in the HTTP response)")
	change   = flag.Float64("change", 0.1, "share of members who press again, for another choice")
	binary   = flag.String("agora", "", "the agora binary to run; empty: built from this repository")
	settle   = flag.Duration("settle", time.Minute, "how long to wait for the answers once the last press is sent")
	workers  = flag.Int("drivers", 64, "goroutines injecting presses (each press is injected on time by one of them)")
	profile  = flag.String("cpuprofile", "", "write the Agora process's CPU profile to this file (AGORA_CPU_PROFILE)")
	warmup   = flag.Int("warmup", 0, "members (apart from -members) who press once before the measured burst, as on a process that has served before")
	useTLS   = flag.Bool("tls", false, "serve the doubles over HTTPS with HTTP/2 and Discord's gateway over wss, as Telegram and Discord do (Agora trusts their certificates through SSL_CERT_FILE)")
	logFile  = flag.String("agoralog", "", "write the Agora process's log (its first MB) to this file")
	agoraEnv envList
)

func init() {
	flag.Var(&agoraEnv, "agoraenv", "`NAME=value` set in the Agora process's environment only (GOMAXPROCS=1, say); repeatable")
}

// envList is a repeatable NAME=value flag.
type envList []string

func (l *envList) String() string { return strings.Join(*l, " ") }

func (l *envList) Set(v string) error {
	if name, _, ok := strings.Cut(v, "="); !ok || name == "" {
		return fmt.Errorf("%q is not NAME=value", v)
	}
	*l = append(*l, v)
	return nil
}

// editInterval is the outbox's least time between two edits of a message.
const editInterval = 3 * time.Second

func TestMain(m *testing.M) { storagetest.Main(m) }

// press is one button press: who, which choice, and what the platform
// double reports back.
type press struct {
	member int
	choice int
	sent   time.Time
	id     string // Telegram callback query id, or Discord interaction id
}

// side is one platform under load: its double, its poll and its presses.
type side struct {
	name    string
	poll    int64
	message string // the poll message's ID, for the edits count
	route   string // the vote route without its choice: "p/v/1/"
	presses []*press
	warm    []*press // before the burst: counted in the tally, not in the latencies
	press   func(p *press) string
	answers func() map[string]time.Time
	edits   func() []time.Time
	calls   func() map[string]int
	// private lists the messages tried in voters' private chats, delivered
	// or refused; nil where the platform's side does not tell.
	private func() []string
}

func TestLoad(t *testing.T) {
	if *members == 0 {
		t.Skip("load harness: set -members (see the package comment)")
	}
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Fatal("the load harness needs PostgreSQL: set TEST_DATABASE_URL")
	}
	bin := *binary
	if bin == "" {
		bin = build(t)
	}
	dbURL := storagetest.NewPostgresDatabase(t)
	httpAddr := freeport.Addr(t)
	env := []string{"DATABASE_URL=" + dbURL, "LOG_LEVEL=warn", "HTTP_ADDR=" + httpAddr,
		"HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH")}
	// Go runtime knobs reach Agora when set, to try them without a rebuild
	// (they also apply to this process; -agoraenv sets them for Agora alone).
	for _, k := range []string{"AGORA_TRACE", "GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, agoraEnv...) // later entries win
	if *profile != "" {
		abs, err := filepath.Abs(*profile)
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, "AGORA_CPU_PROFILE="+abs)
	}

	var sides []*side
	var trusted []byte // the doubles' certificates, with -tls
	var tg *telegramtest.Server
	var dc *discordtest.Server
	const guildID, channelID = "4000000000000000001", "4000000000000000002"
	if *platform == "telegram" || *platform == "telegram-webhook" || *platform == "both" {
		var opts []telegramtest.Option
		if *platform == "telegram-webhook" {
			// Agora's endpoint is plain HTTP here, as behind a TLS proxy.
			opts = append(opts, telegramtest.WithInsecureWebhooks())
			env = append(env, "TELEGRAM_WEBHOOK_URL=http://"+httpAddr+telegram.WebhookPath)
		}
		if *useTLS {
			opts = append(opts, telegramtest.WithTLS())
		}
		tg = telegramtest.New(t, opts...)
		trusted = append(trusted, tg.CertificatePEM()...)
		env = append(env, "TELEGRAM_TOKEN="+tg.Token(), "TELEGRAM_API_URL="+tg.URL())
	}
	var signer *discordtest.Signer
	if *platform == "discord" || *platform == "discord-http" || *platform == "both" {
		opts := []discordtest.Option{discordtest.WithGuild(discordtest.Guild{ID: guildID,
			Channels: []discordtest.Channel{{ID: channelID, Name: "general"}}})}
		if *useTLS {
			opts = append(opts, discordtest.WithTLS())
		}
		dc = discordtest.New(t, opts...)
		trusted = append(trusted, dc.CertificatePEM()...)
		env = append(env, "DISCORD_TOKEN="+dc.BotToken(), "DISCORD_API_URL="+dc.URL(),
			"DISCORD_GATEWAY_URL="+dc.GatewayURL(), "DISCORD_GUILD_ID="+guildID)
		if *platform == "discord-http" {
			signer = discordtest.NewSigner()
			env = append(env, "DISCORD_PUBLIC_KEY="+signer.PublicKeyHex())
		}
	}
	if len(trusted) > 0 {
		certs := filepath.Join(t.TempDir(), "doubles.pem")
		if err := os.WriteFile(certs, trusted, 0o644); err != nil {
			t.Fatal(err)
		}
		env = append(env, "SSL_CERT_FILE="+certs)
	}
	if tg == nil && dc == nil {
		t.Fatalf("-platform %q: want telegram, telegram-webhook, discord, discord-http or both", *platform)
	}
	agora := startAgora(t, bin, env)
	if tg != nil {
		sides = append(sides, telegramSide(t, tg, agora))
	}
	switch {
	case signer != nil:
		sides = append(sides, discordHTTPSide(t, dc, agora, guildID, channelID, signer, httpAddr))
	case dc != nil:
		sides = append(sides, discordSide(t, dc, agora, guildID, channelID))
	}

	// The plan: every member presses once, in a random order; then the
	// members who change their mind press another choice. Each platform
	// gets its own plan, driven at the rate.
	rng := rand.New(rand.NewPCG(1, 2))
	const choices = 3
	for _, s := range sides {
		order := rng.Perm(*members)
		for _, m := range order {
			s.presses = append(s.presses, &press{member: m, choice: rng.IntN(choices)})
		}
		for _, m := range order[:int(float64(*members)**change)] {
			first := s.presses[slices.IndexFunc(s.presses, func(p *press) bool { return p.member == m })].choice
			s.presses = append(s.presses, &press{member: m, choice: (first + 1 + rng.IntN(choices-1)) % choices})
		}
	}

	// A process that has served a few members before the announcement has
	// its connections and caches warm, as a long-running one does.
	for _, s := range sides {
		for i := range *warmup {
			s.warm = append(s.warm, &press{member: *members + i, choice: rng.IntN(choices)})
		}
		for _, p := range s.warm {
			p.sent = time.Now()
			p.id = s.press(p)
		}
		deadline := time.Now().Add(*settle)
		for time.Now().Before(deadline) && len(s.answers()) < len(s.warm) {
			waitBriefly(deadline)
		}
	}

	// What Agora spends doing nothing (polling, job ticks) is part of the
	// per-press figure below; measure it apart so the two can be told apart.
	idleFrom := agora.usage(t)
	idleWait := time.Now().Add(2 * time.Second)
	for time.Now().Before(idleWait) {
		waitBriefly(idleWait)
	}
	idleCPU := agora.usage(t).since(idleFrom).cpu()

	before := agora.usage(t)
	load0 := loadavg()
	start := time.Now()
	var wg sync.WaitGroup
	for _, s := range sides {
		wg.Add(1)
		go func() {
			defer wg.Done()
			drive(s)
		}()
	}
	wg.Wait()
	sentIn := time.Since(start)

	// Wait for every answer, bounded by -settle.
	deadline := time.Now().Add(*settle)
	for _, s := range sides {
		for time.Now().Before(deadline) && len(s.answers()) < len(s.warm)+len(s.presses) {
			waitBriefly(deadline)
		}
	}
	answeredIn := time.Since(start)
	used := agora.usage(t).since(before)
	// The last ballots show in an edit at most editInterval later.
	finalEdits := time.Now().Add(2*editInterval + time.Second)
	for time.Now().Before(finalEdits) {
		waitBriefly(finalEdits)
	}
	rss := agora.peakRSS(t)
	load1 := loadavg()

	store, err := storage.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	var report bytes.Buffer
	total := 0
	for _, s := range sides {
		total += len(s.presses)
	}
	fmt.Fprintf(&report, "load harness, %s: %d members, %.0f presses/s, %.0f%% changing, platform %s\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), *members, *rate, *change*100, *platform)
	fmt.Fprintf(&report, "load average before %s, after %s\n", load0, load1)
	fmt.Fprintf(&report, "presses injected in %.2fs, all answers by %.2fs\n", sentIn.Seconds(), answeredIn.Seconds())
	fmt.Fprintf(&report, "Agora process: CPU %.2fs for %d presses = %.3f ms/press; peak RSS %.1f MB\n",
		used.cpu().Seconds(), total, used.cpu().Seconds()*1000/float64(total), float64(rss)/1024)
	// Where the CPU goes on this kind of machine: the kernel's share and
	// the threads' switches tell the runtime's waking and sleeping apart
	// from the work of a press.
	fmt.Fprintf(&report, "Agora process per press: user %.3f ms, system %.3f ms, %.1f context switches\n",
		used.user.Seconds()*1000/float64(total), used.system.Seconds()*1000/float64(total), float64(used.switches)/float64(total))
	fmt.Fprintf(&report, "Agora process idle before the burst: CPU %.1f ms per second\n", float64(idleCPU.Milliseconds())/2)
	for _, line := range agoraMetrics(t, httpAddr) {
		fmt.Fprintf(&report, "Agora metrics: %s\n", line)
	}
	for _, s := range sides {
		checkSide(t, &report, store, s)
	}
	fmt.Fprint(os.Stdout, report.String())
	if *logFile != "" {
		if err := os.WriteFile(*logFile, []byte(agora.log()), 0o644); err != nil {
			t.Error(err)
		}
	}
	agora.stop(t)
}

// checkSide reports one platform's figures and fails the test on a press
// unanswered, a wrong tally or an edit too soon.
func checkSide(t *testing.T, report *bytes.Buffer, store *storage.Store, s *side) {
	answers := s.answers()
	var lat []time.Duration
	unanswered := 0
	for _, p := range s.presses {
		at, ok := answers[p.id]
		if !ok {
			unanswered++
			continue
		}
		lat = append(lat, at.Sub(p.sent))
	}
	if len(s.warm) > 0 {
		fmt.Fprintf(report, "\n[%s] %d members pressed once before the burst (in the tally, not in the latencies)", s.name, len(s.warm))
	}
	fmt.Fprintf(report, "\n[%s] latency by the press's send time: %s\n", s.name, timeline(s.presses, answers))
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Fprintf(report, "\n[%s] presses sent %d, answered %d\n", s.name, len(s.presses), len(lat))
	if len(lat) > 0 {
		fmt.Fprintf(report, "[%s] press-to-answer p50 %s, p95 %s, p99 %s, max %s\n", s.name,
			pct(lat, 50), pct(lat, 95), pct(lat, 99), lat[len(lat)-1].Round(time.Millisecond))
	}
	if unanswered > 0 {
		t.Errorf("%s: %d presses never answered", s.name, unanswered)
	}
	calls := s.calls()
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range calls {
			if !yield(k) {
				return
			}
		}
	})
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s %d", k, calls[k]))
	}
	fmt.Fprintf(report, "[%s] API calls: %s\n", s.name, strings.Join(parts, ", "))
	if s.private != nil {
		// A vote is confirmed in the button's answer: a private message
		// costs one against the platform's global budget, and is refused
		// to members who never opened a chat with the bot.
		private := s.private()
		fmt.Fprintf(report, "[%s] messages tried in voters' private chats: %d\n", s.name, len(private))
		if len(private) > 0 {
			t.Errorf("%s: %d messages tried in voters' private chats, want none; the first: %s", s.name, len(private), private[0])
		}
	}

	edits := s.edits()
	minGap := time.Duration(0)
	for i := 1; i < len(edits); i++ {
		if gap := edits[i].Sub(edits[i-1]); minGap == 0 || gap < minGap {
			minGap = gap
		}
	}
	fmt.Fprintf(report, "[%s] poll message edits: %d, shortest interval %s\n", s.name, len(edits), minGap.Round(time.Millisecond))
	// The database claim spaces edits by the interval; the platform call
	// itself may take a little longer one time than the next.
	if len(edits) > 1 && minGap < editInterval-250*time.Millisecond {
		t.Errorf("%s: the poll message was edited twice %s apart (interval %s)", s.name, minGap, editInterval)
	}

	want := map[string]int{}
	for _, p := range append(slices.Clone(s.warm), s.presses...) {
		want[memberName(s.name, p.member)] = p.choice
	}
	ballots, err := store.Ballots(context.Background(), s.poll)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	doubled := 0
	for _, b := range ballots {
		if _, seen := got[b.Name]; seen {
			doubled++
		}
		if len(b.Choices) == 1 {
			got[b.Name] = b.Choices[0]
		}
	}
	wrong, lost := 0, 0
	tallyWant, tallyGot := make([]int, 3), make([]int, 3)
	for name, c := range want {
		tallyWant[c]++
		g, ok := got[name]
		switch {
		case !ok:
			lost++
		case g != c:
			wrong++
		}
	}
	for _, c := range got {
		tallyGot[c]++
	}
	fmt.Fprintf(report, "[%s] tally %v, expected %v: %d ballots, %d lost, %d doubled, %d with another choice than the member's last press\n",
		s.name, tallyGot, tallyWant, len(ballots), lost, doubled, wrong)
	if lost > 0 || doubled > 0 || wrong > 0 || len(ballots) != len(want) {
		t.Errorf("%s: tally %v, want %v (%d lost, %d doubled, %d wrong)", s.name, tallyGot, tallyWant, lost, doubled, wrong)
	}
}

// timeline shows, per half second of the burst, the presses sent then and
// their p50 and max latency: a stall shows as one slow slice, a queue that
// falls behind as latencies growing slice after slice.
func timeline(presses []*press, answers map[string]time.Time) string {
	if len(presses) == 0 {
		return ""
	}
	const slice = 500 * time.Millisecond
	start := presses[0].sent
	var buckets [][]time.Duration
	for _, p := range presses {
		at, ok := answers[p.id]
		if !ok {
			continue
		}
		i := int(p.sent.Sub(start) / slice)
		for len(buckets) <= i {
			buckets = append(buckets, nil)
		}
		buckets[i] = append(buckets[i], at.Sub(p.sent))
	}
	var parts []string
	for i, b := range buckets {
		if len(b) == 0 {
			continue
		}
		slices.Sort(b)
		parts = append(parts, fmt.Sprintf("%.1fs: %d p50 %s max %s", float64(i)*slice.Seconds(), len(b), pct(b, 50), b[len(b)-1].Round(time.Millisecond)))
	}
	return strings.Join(parts, "; ")
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(i, len(sorted))-1)].Round(time.Millisecond)
}

func memberName(platform string, i int) string { return platform[:2] + strconv.Itoa(i) }

// telegramUserID is member i's Telegram user ID, which is also the ID of
// their private chat with the bot.
func telegramUserID(i int) int64 { return 10_000_000 + int64(i) }

// drive injects a side's presses at the rate: press i is due at i/rate
// after the start, and a pool of drivers injects each when it is due, so
// a slow injection does not delay the ones after it.
func drive(s *side) {
	start := time.Now()
	next := make(chan int)
	var wg sync.WaitGroup
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := s.presses[i]
				p.sent = time.Now()
				p.id = s.press(p)
			}
		}()
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := range s.presses {
		due := start.Add(time.Duration(float64(i) / *rate * float64(time.Second)))
		timer.Reset(time.Until(due))
		<-timer.C
		next <- i
	}
	close(next)
	wg.Wait()
}

// waitBriefly paces the harness's own polling of the doubles.
func waitBriefly(deadline time.Time) {
	t := time.NewTimer(min(50*time.Millisecond, time.Until(deadline)))
	defer t.Stop()
	<-t.C
}

var routeRe = regexp.MustCompile(`p/v/(\d+)/\d+`)

func telegramSide(t *testing.T, srv *telegramtest.Server, agora *process) *side {
	group := telegramtest.Supergroup(-1001000, "Coopérative")
	author := telegramtest.User{ID: 9000000, FirstName: "Autrice", LanguageCode: "fr"}
	if !srv.WaitFor(time.Minute, func() bool {
		url, _ := srv.Webhook()
		return srv.CallCount("getUpdates") > 0 || url != ""
	}) {
		t.Fatalf("Agora never polled Telegram nor set its webhook; its log:\n%s", agora.log())
	}
	srv.SendText(group, author, `/sondage creer question:"Charge Telegram" choix:"A | B | C"`)
	var poll telegramtest.SentMessage
	if !srv.WaitFor(time.Minute, func() bool {
		for _, m := range srv.SentMessages(group.ID) {
			if strings.Contains(m.Text, "Charge Telegram") && routeRe.MatchString(m.ReplyMarkupJSON) {
				poll = m
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no poll posted on Telegram; Agora's log:\n%s", agora.log())
	}
	id, _ := strconv.ParseInt(routeRe.FindStringSubmatch(poll.ReplyMarkupJSON)[1], 10, 64)
	s := &side{name: "telegram", poll: id, message: strconv.FormatInt(poll.MessageID, 10)}
	s.route = fmt.Sprintf("p/v/%d/", id)
	s.press = func(p *press) string {
		u := telegramtest.User{ID: telegramUserID(p.member), FirstName: memberName(s.name, p.member), LanguageCode: "fr"}
		return srv.PressButton(group, u, poll.MessageID, s.route+strconv.Itoa(p.choice))
	}
	// A private chat's ID is its member's: any message sent to a voter's
	// ID went to their private chat (the group's ID is negative). The
	// author's confirmation of the poll is no voter's.
	s.private = func() []string {
		voters := map[string]bool{}
		for _, p := range append(slices.Clone(s.warm), s.presses...) {
			voters[strconv.FormatInt(telegramUserID(p.member), 10)] = true
		}
		var out []string
		for _, c := range srv.Calls() {
			if strings.HasPrefix(c.Method, "send") && voters[c.Params["chat_id"]] {
				out = append(out, fmt.Sprintf("%s to %s at %s (status %d)", c.Method, c.Params["chat_id"], c.Time.Format("15:04:05.000"), c.Status))
			}
		}
		return out
	}
	s.answers = func() map[string]time.Time {
		out := map[string]time.Time{}
		for _, a := range srv.CallbackAnswers() {
			if _, dup := out[a.QueryID]; !dup {
				out[a.QueryID] = a.Time
			}
		}
		return out
	}
	s.edits = func() []time.Time {
		var out []time.Time
		for _, e := range srv.Edits() {
			if e.ChatID == group.ID && e.MessageID == poll.MessageID {
				out = append(out, e.Time)
			}
		}
		return out
	}
	s.calls = func() map[string]int {
		out := map[string]int{}
		for _, c := range srv.Calls() {
			if c.InWebhookResponse {
				out[c.Method+" (in webhook responses)"]++
				continue
			}
			out[c.Method]++
		}
		return out
	}
	return s
}

func discordSide(t *testing.T, srv *discordtest.Server, agora *process, guildID, channelID string) *side {
	if !srv.WaitConnected(time.Minute) {
		t.Fatalf("Agora never connected to Discord; its log:\n%s", agora.log())
	}
	author := discordtest.User{ID: "5000000000000000000", Username: "autrice"}
	srv.DispatchSlashCommand(discordtest.SlashCommand{
		Invoker: discordtest.Invoker{GuildID: guildID, ChannelID: channelID, User: author, Locale: "fr"},
		Name:    "sondage",
		Options: []discordtest.CommandOption{{Name: "creer", Type: 1, Options: []discordtest.CommandOption{
			{Name: "question", Type: 3, Value: "Charge Discord"}, {Name: "choix", Type: 3, Value: "A | B | C"},
		}}},
	})
	var poll discordtest.Message
	var route string
	if !srv.WaitFor(time.Minute, func() bool {
		for _, m := range srv.Messages(channelID) {
			b, _ := json.Marshal(m.Components)
			if strings.Contains(m.Content, "Charge Discord") && routeRe.Match(b) {
				poll, route = m, routeRe.FindStringSubmatch(string(b))[1]
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no poll posted on Discord; Agora's log:\n%s", agora.log())
	}
	id, _ := strconv.ParseInt(route, 10, 64)
	s := &side{name: "discord", poll: id, message: poll.ID}
	s.route = fmt.Sprintf("p/v/%d/", id)
	s.press = func(p *press) string {
		u := discordtest.User{ID: strconv.FormatInt(6_000_000_000_000_000_000+int64(p.member), 10), Username: memberName(s.name, p.member)}
		in := srv.DispatchComponentClick(discordtest.ComponentClick{
			Invoker:  discordtest.Invoker{GuildID: guildID, ChannelID: channelID, User: u, Locale: "fr"},
			CustomID: s.route + strconv.Itoa(p.choice), MessageID: poll.ID,
		})
		return in.ID
	}
	s.answers = func() map[string]time.Time {
		out := map[string]time.Time{}
		for _, p := range append(slices.Clone(s.warm), s.presses...) {
			if p.id == "" {
				continue
			}
			if rs := srv.InteractionResponses(p.id); len(rs) > 0 {
				out[p.id] = rs[0].Time
			}
		}
		return out
	}
	editPath := "/channels/" + channelID + "/messages/" + poll.ID
	s.edits = func() []time.Time {
		var out []time.Time
		for _, r := range srv.Requests() {
			if r.Method == "PATCH" && strings.HasSuffix(r.Path, editPath) {
				out = append(out, r.Time)
			}
		}
		return out
	}
	s.calls = func() map[string]int {
		out := map[string]int{}
		for _, r := range srv.Requests() {
			out[r.Method+" "+routeShape(r.Path)]++
		}
		return out
	}
	return s
}

var idRe = regexp.MustCompile(`/(\d{5,}|itoken-[^/]+)`)

// routeShape replaces IDs and tokens in a REST path, to count calls by route.
// discordHTTPSide presses through Discord's HTTP interactions: each press
// is a signed POST to Agora's endpoint, as Discord sends it when the
// application has an interactions endpoint URL, and its answer is the HTTP
// response. The poll is created and edited through the gateway double as
// on the gateway side.
func discordHTTPSide(t *testing.T, srv *discordtest.Server, agora *process, guildID, channelID string, signer *discordtest.Signer, httpAddr string) *side {
	s := discordSide(t, srv, agora, guildID, channelID)
	s.name = "discord-http"
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 512}}
	t.Cleanup(client.CloseIdleConnections)
	var (
		mu       sync.Mutex
		answered = map[string]time.Time{}
		posts    sync.WaitGroup
	)
	t.Cleanup(posts.Wait)
	endpoint := "http://" + httpAddr + discord.HTTPPath
	s.press = func(p *press) string {
		u := discordtest.User{ID: strconv.FormatInt(6_000_000_000_000_000_000+int64(p.member), 10), Username: memberName(s.name, p.member)}
		in := srv.NewComponentClick(discordtest.ComponentClick{
			Invoker:  discordtest.Invoker{GuildID: guildID, ChannelID: channelID, User: u, Locale: "fr"},
			CustomID: s.route + strconv.Itoa(p.choice), MessageID: s.message,
		})
		// Discord does not wait for one answer before sending the next
		// interaction: each press is its own request.
		posts.Add(1)
		go func() {
			defer posts.Done()
			req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(in.JSON))
			if err != nil {
				return
			}
			req.Header = signer.Headers(in.JSON)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				return
			}
			var answer struct {
				Type int `json:"type"`
			}
			err = json.NewDecoder(resp.Body).Decode(&answer)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK || answer.Type == 0 {
				return // counted as unanswered
			}
			mu.Lock()
			answered[in.ID] = time.Now()
			mu.Unlock()
		}()
		return in.ID
	}
	s.answers = func() map[string]time.Time {
		mu.Lock()
		defer mu.Unlock()
		return maps.Clone(answered)
	}
	return s
}

func routeShape(path string) string {
	if i := strings.Index(path, "/api/v"); i >= 0 {
		if j := strings.Index(path[i+6:], "/"); j >= 0 {
			path = path[i+6+j:]
		}
	}
	return idRe.ReplaceAllString(path, "/:id")
}

// agoraMetrics reads the series that explain a run from Agora's /metrics:
// time spent in the runtime per request, and the Telegram queue.
func agoraMetrics(t *testing.T, addr string) []string {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Logf("read Agora's metrics: %v", err)
		return nil
	}
	defer resp.Body.Close()
	var out []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, name := range []string{"agora_request_duration_seconds_sum", "agora_request_duration_seconds_count",
			"agora_telegram_backpressure_total", "agora_telegram_updates_duplicate_total", "agora_telegram_updates_retaken_total",
			"agora_storage_groups_total", "agora_storage_grouped_requests_total"} {
			if strings.HasPrefix(line, name) {
				out = append(out, line)
			}
		}
	}
	return out
}

// process is the agora child process.
type process struct {
	cmd    *exec.Cmd
	output *lockedBuffer
	done   chan struct{}
}

func startAgora(t *testing.T, bin string, env []string) *process {
	out := &lockedBuffer{}
	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, output: out, done: make(chan struct{})}
	go func() { // reaps the child; stop waits for it
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

func (p *process) log() string { return p.output.String() }

// stop asks Agora to stop (SIGTERM), and kills it after 30 s.
func (p *process) stop(t *testing.T) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Errorf("Agora did not stop within 30 s of SIGTERM; its log:\n%s", p.log())
	}
}

// usage is what a process has used so far: CPU time and its threads'
// context switches.
type usage struct {
	user, system time.Duration
	switches     int64
}

func (u usage) cpu() time.Duration { return u.user + u.system }

func (u usage) since(earlier usage) usage {
	return usage{user: u.user - earlier.user, system: u.system - earlier.system, switches: u.switches - earlier.switches}
}

func (p *process) usage(t *testing.T) usage {
	pid := p.cmd.Process.Pid
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name (in parentheses, which may hold spaces).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	u := usage{user: time.Duration(utime) * time.Second / ticks, system: time.Duration(stime) * time.Second / ticks}
	// Go keeps its threads for the process's life, so the sum over the
	// present ones counts every switch.
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		u.switches += statusField(task, "voluntary_ctxt_switches:") + statusField(task, "nonvoluntary_ctxt_switches:")
	}
	return u
}

// statusField reads a number from a /proc status file ("VmHWM:  35 kB"
// gives 35); 0 when the file is gone (a thread that ended) or has no
// such field.
func statusField(path, name string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, name); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// peakRSS is the process's peak resident memory (VmHWM), in KiB.
func (p *process) peakRSS(t *testing.T) int64 {
	kb := statusField(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid), "VmHWM:")
	if kb == 0 {
		t.Fatal("no VmHWM in the process's /proc status")
	}
	return kb
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

// build compiles the agora binary from this repository.
func build(t *testing.T) string {
	bin := filepath.Join(t.TempDir(), "agora")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/agora-community/agora")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build agora: %v\n%s", err, out)
	}
	return bin
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // keep the head of a long log: the first errors explain the rest
		return len(p), nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
