package discordtest_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/agora-community/agora/bot/discord/discordtest"
)

const wait = 10 * time.Second

// rewriteTransport sends discordgo's https://discord.com requests to the
// double, keeping the path, the way the bot's adapter does.
type rewriteTransport struct{ base *url.URL }

func (rt rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == "discord.com" {
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host = rt.base.Scheme, rt.base.Host
		req.Host = rt.base.Host
	}
	return http.DefaultTransport.RoundTrip(req)
}

const (
	guildID   = "2000000000000000001"
	channelID = "2000000000000000002"
	roleID    = "2000000000000000003"
	memberID  = "2000000000000000004"
)

func newServer(t *testing.T, opts ...discordtest.Option) *discordtest.Server {
	opts = append([]discordtest.Option{discordtest.WithGuild(discordtest.Guild{
		ID: guildID, Name: "Gophers",
		Channels: []discordtest.Channel{{ID: channelID, Name: "general", Type: 0}},
		Roles:    []discordtest.Role{{ID: roleID, Name: "helper", Permissions: "0", Position: 1}},
		Members:  []discordtest.Member{{User: discordtest.User{ID: memberID, Username: "gopher"}}},
	})}, opts...)
	return discordtest.New(t, opts...)
}

func newSession(t *testing.T, srv *discordtest.Server, token string) *discordgo.Session {
	t.Helper()
	dg, err := discordgo.New("Bot " + token)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(srv.URL())
	dg.Client = &http.Client{Transport: rewriteTransport{base}, Timeout: 10 * time.Second}
	dg.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages
	dg.LogLevel = -1
	return dg
}

func open(t *testing.T, srv *discordtest.Server, dg *discordgo.Session) {
	t.Helper()
	if err := dg.Open(); err != nil {
		t.Fatalf("open: %v", err)
	}
	// Closed before the double's own cleanup runs (cleanups are LIFO), so the
	// client does not try to reconnect to a stopped server.
	t.Cleanup(func() { _ = dg.Close() })
	if !srv.WaitConnected(wait) {
		t.Fatal("gateway not connected")
	}
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

func TestOpenReceivesReadyAndGuild(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	ready := make(chan *discordgo.Ready, 1)
	guilds := make(chan *discordgo.GuildCreate, 1)
	dg.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
	dg.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) { guilds <- g })
	open(t, srv, dg)

	r := recv(t, ready, "READY")
	if r.User.ID != srv.BotUserID() || r.SessionID == "" || r.Application.ID != srv.ApplicationID() {
		t.Fatalf("READY = %+v", r)
	}
	g := recv(t, guilds, "GUILD_CREATE")
	if g.ID != guildID || len(g.Channels) != 1 || len(g.Roles) != 2 || len(g.Members) != 1 {
		t.Fatalf("GUILD_CREATE = %+v", g.Guild)
	}
	ids := srv.Identifies()
	if len(ids) != 1 || ids[0].Intents != int(discordgo.IntentsGuilds|discordgo.IntentsGuildMessages) {
		t.Fatalf("identifies = %+v", ids)
	}
	if q := srv.GatewayQueries()[0]; q.Get("v") != "9" || q.Get("encoding") != "json" {
		t.Fatalf("gateway query = %v", q)
	}
}

func TestSlashCommandAnsweredEphemeral(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	got := make(chan *discordgo.InteractionCreate, 1)
	dg.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		got <- i
		_ = s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "Bonjour", Flags: discordgo.MessageFlagsEphemeral},
		})
	})
	open(t, srv, dg)

	in := srv.DispatchSlashCommand(discordtest.SlashCommand{
		Invoker: discordtest.Invoker{GuildID: guildID, ChannelID: channelID, Locale: "fr",
			User: discordtest.User{ID: memberID, Username: "gopher"}, Roles: []string{roleID}, Permissions: "8"},
		Name: "event",
		Options: []discordtest.CommandOption{{Name: "create", Type: 1, Options: []discordtest.CommandOption{
			{Name: "title", Type: 3, Value: "Meetup"},
		}}},
	})
	i := recv(t, got, "INTERACTION_CREATE")
	data := i.ApplicationCommandData()
	if i.Locale != "fr" || data.Name != "event" || data.Options[0].Options[0].StringValue() != "Meetup" ||
		i.Member.User.ID != memberID || i.Member.Permissions != 8 {
		t.Fatalf("interaction = %+v data = %+v", i.Interaction, data)
	}
	resp, ok := srv.WaitInteractionResponse(in.ID, wait)
	if !ok {
		t.Fatal("no interaction response")
	}
	if resp.Type != 4 || !resp.Ephemeral() || resp.Data["content"] != "Bonjour" {
		t.Fatalf("response = %+v", resp)
	}
	if m, ok := srv.OriginalResponse(in.ID); !ok || m.Content != "Bonjour" || !m.Ephemeral() {
		t.Fatalf("original = %+v", m)
	}
	// A second callback is refused, as Discord does.
	err := dg.InteractionRespond(&discordgo.Interaction{ID: in.ID, Token: in.Token},
		&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	assertRESTCode(t, err, 400, 40060)
}

func TestBulkOverwriteKeepsLocalizations(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	perms := int64(discordgo.PermissionManageEvents)
	cmds := []*discordgo.ApplicationCommand{{
		Name: "event", Description: "Manage events",
		NameLocalizations:        &map[discordgo.Locale]string{discordgo.French: "evenement"},
		DescriptionLocalizations: &map[discordgo.Locale]string{discordgo.French: "Gérer les événements"},
		DefaultMemberPermissions: &perms,
		Options: []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: "create", Description: "Create one",
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "title", Description: "Title", Required: true}},
		}},
	}}
	created, err := dg.ApplicationCommandBulkOverwrite(srv.ApplicationID(), guildID, cmds)
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 1 || created[0].ID == "" || created[0].GuildID != guildID {
		t.Fatalf("created = %+v", created)
	}
	got := srv.Commands(guildID)
	if len(got) != 1 || got[0].NameLocalizations["fr"] != "evenement" ||
		got[0].DescriptionLocalizations["fr"] != "Gérer les événements" ||
		got[0].DefaultMemberPermissions == nil || *got[0].DefaultMemberPermissions != "8589934592" ||
		len(got[0].Options) != 1 {
		t.Fatalf("stored = %+v", got)
	}
	if n := srv.CommandWrites(); n != 1 {
		t.Fatalf("writes = %d", n)
	}
	if g := srv.Commands(""); len(g) != 0 {
		t.Fatalf("global commands = %+v", g)
	}
}

func TestSendComplexWithFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	msg, err := dg.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
		Content: "report",
		Embeds:  []*discordgo.MessageEmbed{{Title: "Stats", Description: "weekly"}},
		Files:   []*discordgo.File{{Name: "stats.csv", ContentType: "text/csv", Reader: strings.NewReader("a,b\n1,2\n")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Attachments) != 1 || msg.Attachments[0].Filename != "stats.csv" {
		t.Fatalf("returned = %+v", msg)
	}
	ms := srv.Messages(channelID)
	if len(ms) != 1 || ms[0].Content != "report" || ms[0].Embeds[0]["title"] != "Stats" ||
		ms[0].Attachments[0].Filename != "stats.csv" || string(ms[0].Attachments[0].Data) != "a,b\n1,2\n" {
		t.Fatalf("stored = %+v", ms)
	}
}

func assertRESTCode(t *testing.T, err error, status, code int) *discordgo.RESTError {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want RESTError", err)
	}
	if re.Response.StatusCode != status || re.Message == nil || re.Message.Code != code {
		t.Fatalf("status %d body %s, want %d code %d", re.Response.StatusCode, re.ResponseBody, status, code)
	}
	return re
}

func TestSpecViolationsRefused(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())

	_, err := dg.ChannelMessageSend(channelID, strings.Repeat("x", 2001))
	re := assertRESTCode(t, err, 400, 50035)
	var body struct {
		Errors map[string]map[string][]map[string]string `json:"errors"`
	}
	_ = json.Unmarshal(re.ResponseBody, &body)
	if body.Errors["content"]["_errors"][0]["code"] != "BASE_TYPE_MAX_LENGTH" {
		t.Fatalf("errors = %s", re.ResponseBody)
	}

	_, err = dg.RequestWithBucketID("POST", discordgo.EndpointChannelMessages(channelID),
		map[string]any{"content": 5}, discordgo.EndpointChannelMessages(channelID))
	re = assertRESTCode(t, err, 400, 50035)
	if !bytes.Contains(re.ResponseBody, []byte(`"content"`)) {
		t.Fatalf("errors = %s", re.ResponseBody)
	}
	if len(srv.Messages(channelID)) != 0 {
		t.Fatal("invalid message stored")
	}
}

func TestRateLimitRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	srv.FailNext("POST /channels/*/messages", 1, http.StatusTooManyRequests)
	if _, err := dg.ChannelMessageSend(channelID, "hello"); err != nil {
		t.Fatal(err)
	}
	reqs := srv.RequestsMatching("POST /api/v9/channels/" + channelID + "/messages")
	if len(reqs) != 2 || reqs[0].Status != 429 || reqs[1].Status != 200 {
		t.Fatalf("requests = %+v", reqs)
	}
	if len(srv.Messages(channelID)) != 1 {
		t.Fatal("message not stored once")
	}
}

// gatewayClient speaks the gateway's protocol step by step, as the tests
// below script it. discordgo's client reconnects from its reader and its
// heartbeat at once after a drop, and races with itself doing so (go test
// -race reports it inside discordgo); Agora reads the gateway with its own
// client, whose drops and resumes bot/discord's tests cover.
type gatewayClient struct {
	t  *testing.T
	ws *websocket.Conn
}

type gatewayFrame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  int             `json:"s"`
	T  string          `json:"t"`
}

func dialGateway(t *testing.T, url string) *gatewayClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url+"?v=10&encoding=json", nil)
	if err != nil {
		t.Fatalf("dial the gateway: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &gatewayClient{t: t, ws: ws}
	if f := c.read(); f.Op != 10 {
		t.Fatalf("first frame: op %d, want HELLO", f.Op)
	}
	return c
}

func (c *gatewayClient) send(op int, d any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(map[string]any{"op": op, "d": d}); err != nil {
		c.t.Fatalf("send op %d: %v", op, err)
	}
}

func (c *gatewayClient) read() gatewayFrame {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	var f gatewayFrame
	if err := c.ws.ReadJSON(&f); err != nil {
		c.t.Fatalf("read the gateway: %v", err)
	}
	return f
}

// until reads dispatches until the named one, returning it and the
// MESSAGE_CREATE contents read on the way.
func (c *gatewayClient) until(event string) (gatewayFrame, []string) {
	c.t.Helper()
	var contents []string
	for {
		f := c.read()
		if f.Op != 0 {
			continue
		}
		if f.T == "MESSAGE_CREATE" {
			var m struct{ Content string }
			_ = json.Unmarshal(f.D, &m)
			contents = append(contents, m.Content)
		}
		if f.T == event {
			return f, contents
		}
	}
}

// identified opens a session and returns its ID, where to resume it and
// the last sequence number read.
func identified(t *testing.T, srv *discordtest.Server) (c *gatewayClient, session, resumeURL string, seq int) {
	t.Helper()
	c = dialGateway(t, srv.GatewayURL())
	c.send(2, map[string]any{"token": "Bot " + srv.BotToken(), "intents": 513,
		"properties": map[string]string{"os": "linux", "browser": "test", "device": "test"}})
	ready, _ := c.until("READY")
	var d struct {
		SessionID        string `json:"session_id"`
		ResumeGatewayURL string `json:"resume_gateway_url"`
	}
	if err := json.Unmarshal(ready.D, &d); err != nil || d.SessionID == "" || d.ResumeGatewayURL == "" {
		t.Fatalf("READY = %s (%v)", ready.D, err)
	}
	seq = ready.S
	if f, _ := c.until("GUILD_CREATE"); f.S > seq {
		seq = f.S
	}
	return c, d.SessionID, d.ResumeGatewayURL, seq
}

func resume(t *testing.T, srv *discordtest.Server, url, session string, seq int) *gatewayClient {
	t.Helper()
	c := dialGateway(t, url)
	c.send(6, map[string]any{"token": "Bot " + srv.BotToken(), "session_id": session, "seq": seq})
	return c
}

func TestDroppedGatewayResumes(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	_, session, resumeURL, seq := identified(t, srv)

	srv.DropConnections()
	// Sent while the client is away: it must be replayed on RESUME.
	srv.DispatchMessageCreate(channelID, discordtest.User{ID: memberID, Username: "gopher"}, "while away")
	c := resume(t, srv, resumeURL, session, seq)
	if _, replayed := c.until("RESUMED"); len(replayed) != 1 || replayed[0] != "while away" {
		t.Fatalf("replayed on RESUME: %q, want the message sent while away", replayed)
	}
	if n := srv.IdentifyCount(); n != 1 {
		t.Fatalf("identifies = %d, want 1", n)
	}
	srv.DispatchMessageCreate(channelID, discordtest.User{ID: memberID, Username: "gopher"}, "after")
	if _, got := c.until("MESSAGE_CREATE"); len(got) != 1 || got[0] != "after" {
		t.Fatalf("after the resume: %q", got)
	}
}

func TestBadTokenUnauthorized(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, "wrong")
	_, err := dg.User("@me")
	assertRESTCode(t, err, 401, 0)
}

func TestDMRefusedAndUnknownRoutes(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	ch, err := dg.UserChannelCreate(memberID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dg.ChannelMessageSend(ch.ID, "hi"); err != nil {
		t.Fatal(err)
	}
	srv.RefuseDMs(memberID, true)
	_, err = dg.ChannelMessageSend(ch.ID, "again")
	assertRESTCode(t, err, 403, 50007)
	if dms := srv.DMs(memberID); len(dms) != 1 || dms[0].Content != "hi" {
		t.Fatalf("dms = %+v", dms)
	}
	_, err = dg.ChannelMessage(channelID, "42")
	assertRESTCode(t, err, 404, 10008)
	_, err = dg.ChannelMessages("1", 10, "", "", "")
	assertRESTCode(t, err, 404, 10003)
	_, err = dg.RequestWithBucketID("GET", discordgo.EndpointAPI+"nope", nil, "nope")
	assertRESTCode(t, err, 404, 0)

	if err := dg.GuildMemberRoleAdd(guildID, memberID, roleID); err != nil {
		t.Fatal(err)
	}
	if g := srv.RoleGrants(); len(g) != 1 || !g[0].Added || g[0].RoleID != roleID {
		t.Fatalf("grants = %+v", g)
	}
}

func TestSignerMatchesDiscordScheme(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	s := discordtest.NewSigner()
	in := srv.NewComponentClick(discordtest.ComponentClick{Invoker: discordtest.Invoker{GuildID: guildID}, CustomID: "rsvp:yes"})
	h := s.Headers(in.JSON)
	sig, _ := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	pub, _ := hex.DecodeString(s.PublicKeyHex())
	if !ed25519.Verify(pub, append([]byte(h.Get("X-Signature-Timestamp")), in.JSON...), sig) {
		t.Fatal("signature does not verify")
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(in.JSON, &i); err != nil || i.MessageComponentData().CustomID != "rsvp:yes" {
		t.Fatalf("interaction %v %+v", err, i)
	}
}

func TestReconnectResumes(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c, session, resumeURL, seq := identified(t, srv)

	srv.SendReconnect()
	for c.read().Op != 7 {
		// Heartbeat ACKs and dispatches before op 7 are skipped.
	}
	c.ws.Close()
	resume(t, srv, resumeURL, session, seq).until("RESUMED")
	if n := srv.IdentifyCount(); n != 1 {
		t.Fatalf("identifies = %d, want 1", n)
	}
	if n := srv.ResumeCount(); n != 1 {
		t.Fatalf("resumes = %d, want 1", n)
	}
}

func TestComponentModalAutocompleteAndFollowup(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	dg.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		switch i.Type {
		case discordgo.InteractionMessageComponent:
			_ = s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionResponseUpdateMessage,
				Data: &discordgo.InteractionResponseData{Content: "chose " + strings.Join(i.MessageComponentData().Values, ",")},
			})
		case discordgo.InteractionModalSubmit:
			_ = s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
			v := i.ModalSubmitData().Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.TextInput).Value
			_, _ = s.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{Content: &v})
			_, _ = s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{
				Content: "file", Files: []*discordgo.File{{Name: "a.txt", Reader: strings.NewReader("A")}},
			})
		case discordgo.InteractionApplicationCommandAutocomplete:
			_ = s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
				Type: discordgo.InteractionApplicationCommandAutocompleteResult,
				Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "Go", Value: "go"}}},
			})
		}
	})
	open(t, srv, dg)

	posted, err := dg.ChannelMessageSend(channelID, "pick")
	if err != nil {
		t.Fatal(err)
	}
	inv := discordtest.Invoker{GuildID: guildID, ChannelID: channelID, User: discordtest.User{ID: memberID, Username: "gopher"}}
	click := srv.DispatchComponentClick(discordtest.ComponentClick{Invoker: inv, CustomID: "lang", ComponentType: 3, Values: []string{"go"}, MessageID: posted.ID})
	if r, ok := srv.WaitInteractionResponse(click.ID, wait); !ok || r.Type != 7 {
		t.Fatalf("click response = %+v", r)
	}
	if m := srv.Messages(channelID)[0]; m.Content != "chose go" || m.Edits != 1 {
		t.Fatalf("updated message = %+v", m)
	}

	modal := srv.DispatchModalSubmit(discordtest.ModalSubmit{Invoker: inv, CustomID: "form", Fields: []discordtest.TextInput{{CustomID: "title", Value: "Meetup"}}})
	srv.MustWaitFor(wait, "modal edit and followup", func() bool {
		m, ok := srv.OriginalResponse(modal.ID)
		return ok && m.Content == "Meetup" && len(srv.Followups(modal.ID)) == 1
	})
	if f := srv.Followups(modal.ID)[0]; string(f.Attachments[0].Data) != "A" {
		t.Fatalf("followup = %+v", f)
	}

	ac := srv.DispatchAutocomplete(discordtest.SlashCommand{Invoker: inv, Name: "lang",
		Options: []discordtest.CommandOption{{Name: "name", Type: 3, Value: "g", Focused: true}}})
	if r, ok := srv.WaitInteractionResponse(ac.ID, wait); !ok || r.Type != 8 {
		t.Fatalf("autocomplete response = %+v", r)
	}
}

// A slash command carries a member's file as Discord sends it: the
// option's value is an attachment ID that data.resolved describes, and the
// signed URL there is served by the double's CDN, without the bot token.
func TestSlashCommandCarriesAFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	got := make(chan *discordgo.InteractionCreate, 1)
	dg.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got <- i })
	open(t, srv, dg)

	yaml := []byte("- question: Where?\n  answer: Here.\n")
	in := srv.DispatchSlashCommand(discordtest.SlashCommand{
		Invoker: discordtest.Invoker{GuildID: guildID, ChannelID: channelID, User: discordtest.User{ID: memberID, Username: "gopher"}},
		Name:    "faq",
		Options: []discordtest.CommandOption{{Name: "import", Type: 1, Options: []discordtest.CommandOption{
			{Name: "file", File: &discordtest.Attachment{Filename: "faq.yaml", ContentType: "application/x-yaml", Data: yaml}},
		}}},
	})
	if len(in.Files) != 1 {
		t.Fatalf("files served = %+v", in.Files)
	}
	served := in.Files[0]
	if served.ID == "" || served.Size != len(yaml) || !strings.HasPrefix(served.URL, srv.URL()+"/ephemeral-attachments/"+channelID+"/"+served.ID+"/faq.yaml?") {
		t.Fatalf("served file = %+v", served)
	}
	data := recv(t, got, "INTERACTION_CREATE").ApplicationCommandData()
	opt := data.Options[0].Options[0]
	if opt.Type != discordgo.ApplicationCommandOptionAttachment || opt.Value != served.ID || data.Resolved == nil {
		t.Fatalf("option = %+v, resolved = %+v", opt, data.Resolved)
	}
	att := data.Resolved.Attachments[served.ID]
	if att == nil || att.Filename != "faq.yaml" || att.ContentType != "application/x-yaml" || att.Size != len(yaml) || att.URL != served.URL {
		t.Fatalf("resolved attachment = %+v", att)
	}

	get := func(u string) (int, []byte, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b, resp.Header.Get("Content-Type")
	}
	if code, b, ct := get(att.URL); code != 200 || !bytes.Equal(b, yaml) || ct != "application/x-yaml" {
		t.Fatalf("GET %s = %d %q %q", att.URL, code, b, ct)
	}
	downloads := srv.Downloads()
	if len(downloads) != 1 || downloads[0].AttachmentID != served.ID || downloads[0].Status != 200 ||
		downloads[0].Bytes != len(yaml) || downloads[0].Header.Get("Authorization") != "" {
		t.Fatalf("downloads = %+v", downloads)
	}
	// Discord's CDN refuses an URL without its signature, and another
	// channel's path.
	unsigned, _, _ := strings.Cut(att.URL, "?")
	if code, _, _ := get(unsigned); code != 404 {
		t.Errorf("unsigned URL: status %d, want 404", code)
	}
	if code, _, _ := get(strings.Replace(att.URL, channelID, "2000000000000000099", 1)); code != 404 {
		t.Errorf("another channel's URL: status %d, want 404", code)
	}
	// Faults apply to the CDN as to the API.
	srv.FailNext("GET /ephemeral-attachments/*/*/*", 1, http.StatusServiceUnavailable)
	if code, _, _ := get(att.URL); code != http.StatusServiceUnavailable {
		t.Errorf("with a fault: status %d, want 503", code)
	}
	if code, b, _ := get(att.URL); code != 200 || !bytes.Equal(b, yaml) {
		t.Errorf("after the fault: status %d, %q", code, b)
	}
	if n := len(srv.Downloads()); n != 5 {
		t.Errorf("%d downloads recorded, want 5", n)
	}
}

func TestScheduledEvents(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	start := time.Now().Add(time.Hour)
	end := start.Add(time.Hour)
	ev, err := dg.GuildScheduledEventCreate(guildID, &discordgo.GuildScheduledEventParams{
		Name: "Meetup", ScheduledStartTime: &start, ScheduledEndTime: &end,
		PrivacyLevel: discordgo.GuildScheduledEventPrivacyLevelGuildOnly, EntityType: discordgo.GuildScheduledEventEntityTypeExternal,
		EntityMetadata: &discordgo.GuildScheduledEventEntityMetadata{Location: "Paris"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dg.GuildScheduledEventEdit(guildID, ev.ID, &discordgo.GuildScheduledEventParams{Name: "Big meetup"}); err != nil {
		t.Fatal(err)
	}
	if es := srv.ScheduledEvents(guildID); len(es) != 1 || es[0]["name"] != "Big meetup" {
		t.Fatalf("events = %+v", es)
	}
}

func TestScheduledEventRules(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	external := func(start time.Time, end *time.Time) *discordgo.GuildScheduledEventParams {
		return &discordgo.GuildScheduledEventParams{
			Name: "Meetup", ScheduledStartTime: &start, ScheduledEndTime: end,
			PrivacyLevel: discordgo.GuildScheduledEventPrivacyLevelGuildOnly, EntityType: discordgo.GuildScheduledEventEntityTypeExternal,
			EntityMetadata: &discordgo.GuildScheduledEventEntityMetadata{Location: "Paris"},
		}
	}
	start := time.Now().Add(time.Hour)
	end := start.Add(time.Hour)
	past := time.Now().Add(-time.Hour)
	pastEnd := past.Add(time.Hour)
	for name, p := range map[string]*discordgo.GuildScheduledEventParams{
		"external without an end": external(start, nil),
		"start in the past":       external(past, &pastEnd),
		"end before the start":    external(end, &start),
	} {
		var re *discordgo.RESTError
		if _, err := dg.GuildScheduledEventCreate(guildID, p); !errors.As(err, &re) || re.Message == nil || re.Message.Code != 50035 {
			t.Errorf("%s: err = %v, want 50035", name, err)
		}
	}
	ev, err := dg.GuildScheduledEventCreate(guildID, external(start, &end))
	if err != nil {
		t.Fatal(err)
	}
	cancel := &discordgo.GuildScheduledEventParams{Status: discordgo.GuildScheduledEventStatusCanceled}
	if _, err := dg.GuildScheduledEventEdit(guildID, ev.ID, cancel); err != nil {
		t.Fatal(err)
	}
	restart := &discordgo.GuildScheduledEventParams{Status: discordgo.GuildScheduledEventStatusActive}
	if _, err := dg.GuildScheduledEventEdit(guildID, ev.ID, restart); err == nil {
		t.Error("a canceled event was started")
	}
	if es := srv.ScheduledEvents(guildID); len(es) != 1 || es[0]["status"] != float64(4) {
		t.Fatalf("events = %+v", es)
	}
}

func TestInvitesAreUsedUp(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	dg := newSession(t, srv, srv.BotToken())
	inv, err := dg.ChannelInviteCreate(channelID, discordgo.Invite{MaxAge: 3600, MaxUses: 1, Unique: true})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Code == "" || inv.MaxUses != 1 || inv.MaxAge != 3600 || inv.Guild == nil || inv.Guild.ID != guildID {
		t.Fatalf("invite = %+v", inv)
	}
	// Without unique, a similar invite still valid comes back.
	same, err := dg.ChannelInviteCreate(channelID, discordgo.Invite{MaxAge: 3600, MaxUses: 1})
	if err != nil || same.Code != inv.Code {
		t.Fatalf("non-unique invite = %+v, %v; want %s again", same, err, inv.Code)
	}
	newcomer := discordtest.User{ID: "2000000000000000009", Username: "newcomer"}
	if err := srv.JoinWithInvite(inv.Code, newcomer); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Member(guildID, newcomer.ID); !ok {
		t.Error("the newcomer is not a member")
	}
	other := discordtest.User{ID: "2000000000000000010", Username: "other"}
	if err := srv.JoinWithInvite(inv.Code, other); !errors.Is(err, discordtest.ErrInvalidInvite) {
		t.Errorf("second use: %v, want ErrInvalidInvite", err)
	}
	if _, err := dg.Invite(inv.Code); err == nil {
		t.Error("a used-up invite is still found")
	}
	if invs := srv.Invites(channelID); len(invs) != 1 || invs[0].Uses != 1 || len(invs[0].Joined) != 1 || invs[0].Joined[0] != newcomer.ID {
		t.Errorf("invites = %+v", invs)
	}
}

// WithTLS serves REST over HTTPS with HTTP/2 and the gateway over wss, as
// Discord does, to a client that trusts CertificatePEM.
func TestTLSServesHTTP2AndSecureGateway(t *testing.T) {
	srv := newServer(t, discordtest.WithTLS())
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(srv.CertificatePEM()) {
		t.Fatal("CertificatePEM holds no certificate")
	}
	if !strings.HasPrefix(srv.URL(), "https://") || !strings.HasPrefix(srv.GatewayURL(), "wss://") {
		t.Fatalf("URLs %s and %s, want https and wss", srv.URL(), srv.GatewayURL())
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodGet, srv.URL()+"/api/v9/gateway", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot "+srv.BotToken())
	resp, err := (&http.Client{Transport: tr, Timeout: wait}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 {
		t.Fatalf("GET /gateway: %s over %s, want 200 over HTTP/2", resp.Status, resp.Proto)
	}
	dialer := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: roots}}
	ws, _, err := dialer.Dial(srv.GatewayURL()+"?v=10&encoding=json", nil)
	if err != nil {
		t.Fatalf("dial the gateway over wss: %v", err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	var hello gatewayFrame
	if err := ws.ReadJSON(&hello); err != nil || hello.Op != 10 {
		t.Fatalf("first frame over wss: op %d (%v), want HELLO", hello.Op, err)
	}
}
