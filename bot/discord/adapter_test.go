package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/discord"
	"github.com/agora-community/agora/bot/discord/discordtest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/all"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

const (
	wait      = 15 * time.Second
	guildID   = "3000000000000000001"
	channelID = "3000000000000000002"
	modRoleID = "3000000000000000003"
	ambRoleID = "3000000000000000004"
	memberID  = "3000000000000000005"
	ownerID   = "3000000000000000006"
)

// syncBuffer collects log output from several goroutines and wakes
// waiters on each write.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return b.buf.Write(p)
}

// waitFor waits until the log contains s, or the timeout passes.
func (b *syncBuffer) waitFor(timeout time.Duration, s string) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		if strings.Contains(b.buf.String(), s) {
			b.mu.Unlock()
			return true
		}
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// longText takes two messages; calendar is the file slow answers carry.
var (
	longText = strings.Repeat("ligne de texte assez longue\n", 100)
	calendar = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
)

// testModule is a capability made for these tests: buttons, menus, a modal,
// a slow command, an error, long text, a file, choices and autocomplete.
func testModule(slow chan struct{}) commands.Module {
	reply := func(t markup.Text) commands.Handler {
		return func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			return commands.Reply(t), nil
		}
	}
	var many []commands.Button
	for i := range 30 {
		many = append(many, commands.Button{Label: fmt.Sprintf("Choix %d", i), Action: fmt.Sprintf("t/b/%d", i)})
	}
	events := map[string]commands.Handler{
		commands.EventMemberJoined: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			return commands.Reply("Bienvenue " + markup.Escape(req.Member.Name) + " !"), nil
		},
		commands.EventMessage: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			if !strings.HasSuffix(req.Event.Text, "Agora ?") {
				return nil, nil
			}
			return commands.Reply("Présente, " + markup.Escape(req.Member.Name) + "."), nil
		},
	}
	return commands.Module{Name: "essai", Events: events, Specs: []*commands.Spec{{
		Name:         "essai",
		ActionPrefix: "t",
		Subcommands: []*commands.Spec{
			{Name: "boutons", Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return &commands.Response{Text: "Choisissez", Buttons: []commands.Button{
					{Label: "Un", Action: "t/un", Style: commands.ButtonPrimary}, {Label: "Deux", Action: "t/deux"},
					{Label: "Site", URL: "https://agora.example"},
				}, Select: &commands.Select{Action: "t/sel", Placeholder: "Menu", Options: []commands.Button{
					{Label: "A", Action: "a"}, {Label: "B", Action: "b"},
				}, MaxValues: 2}}, nil
			}},
			{Name: "beaucoup", Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return &commands.Response{Text: "Beaucoup", Buttons: many}, nil
			}},
			{Name: "long", Handle: reply(markup.Text(strings.Repeat("ligne de texte assez longue\n", 200)))},
			{Name: "lent", Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				select {
				case <-slow:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return commands.Private("enfin *prêt*"), nil
			}},
			{Name: "lentpublic", Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				select {
				case <-slow:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return commands.Reply("publié"), nil
			}},
			{Name: "lentfichier", Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				select {
				case <-slow:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				r := commands.Private(markup.Text(longText))
				r.Files = []commands.File{{Name: "sortie.ics", ContentType: "text/calendar", Data: []byte(calendar)}}
				return r, nil
			}},
			{Name: "formulaire", Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return &commands.Response{Modal: &commands.Modal{Action: "t/form", Title: "Proposer une sortie", Fields: []commands.ModalField{
					{ID: "titre", Label: "Titre", Required: true, MaxLength: 100}, {ID: "details", Label: "Détails", Long: true},
				}}}, nil
			}},
			{Name: "erreur", Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return nil, commands.Fail("error.timeout")
			}},
			{Name: "fichier", Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return &commands.Response{Text: "Votre fichier", Files: []commands.File{{Name: "sortie.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\n")}}}, nil
			}},
			{Name: "qui", Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return commands.Private(markup.Escape(fmt.Sprintf("%s|%s|%s|%s|%s", req.User.Name, req.User.Locale, req.Member.Role, req.Chat.GroupID, req.Options["role"]))), nil
			}, Options: []commands.Option{
				{Name: "role", Required: true, Choices: []commands.Choice{{Value: "member", NameID: "role.member"}, {Value: "moderator", NameID: "role.moderator"}}},
				{Name: "texte", Autocomplete: true},
				{Name: "nombre", Type: commands.OptionInteger, Min: 1, Max: 10},
			}, Autocomplete: func(ctx context.Context, req *commands.Request, option, partial string) ([]commands.Suggestion, error) {
				var out []commands.Suggestion
				for i := range 40 {
					out = append(out, commands.Suggestion{Label: fmt.Sprintf("%s %d", partial, i), Value: fmt.Sprint(i)})
				}
				return out, nil
			}},
		},
		HandleAction: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			a := req.Action
			switch {
			case a.Route == "t/un":
				return &commands.Response{Text: "Vous avez choisi *un*", Edit: true}, nil
			case a.Route == "t/lent":
				select {
				case <-slow:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return &commands.Response{Text: "mis à jour", Edit: true}, nil
			case a.Route == "t/deux":
				return commands.Private("deux, en privé"), nil
			case a.Route == "t/sel":
				return commands.Private(markup.Escape(strings.Join(a.Values, ","))), nil
			case a.Route == "t/form":
				return commands.Reply("Reçu : " + markup.Escape(a.Fields["titre"]) + " / " + markup.Escape(a.Fields["details"])), nil
			case strings.HasPrefix(a.Route, "t/b/"):
				return commands.Private(markup.Escape("bouton " + strings.TrimPrefix(a.Route, "t/b/"))), nil
			}
			return nil, commands.Fail("error.unknown_action")
		},
	}, {
		Name:       "moderation",
		Permission: commands.RoleModerator,
		Handle:     reply("ok"),
	}}}
}

type env struct {
	t       *testing.T
	srv     *discordtest.Server
	store   *storage.Store
	rt      *bot.Runtime
	adapter *discord.Adapter
	logs    *syncBuffer
	slow    chan struct{}
	cfg     discord.Config
}

func guild() discordtest.Guild {
	return discordtest.Guild{
		ID: guildID, Name: "Coopérative", OwnerID: ownerID,
		Channels: []discordtest.Channel{{ID: channelID, Name: "général", Type: 0}},
		Roles: []discordtest.Role{
			{ID: modRoleID, Name: "modération", Permissions: "0", Position: 2},
			{ID: ambRoleID, Name: "ambassadeurs", Permissions: "0", Position: 1},
		},
		Members: []discordtest.Member{
			{User: discordtest.User{ID: memberID, Username: "camille"}, Roles: []string{ambRoleID}},
			{User: discordtest.User{ID: ownerID, Username: "dominique"}},
		},
	}
}

// newEnv builds the real runtime and adapter against a fresh double; the
// adapter is not started.
func newEnv(t *testing.T, srv *discordtest.Server, store *storage.Store, edit func(*discord.Config)) *env {
	t.Helper()
	if srv == nil {
		srv = discordtest.New(t, discordtest.WithGuild(guild()))
	}
	if store == nil {
		store = storagetest.Open(t)
	}
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt := bot.New(store, commands.NewRegistry(catalog), log, nil, bot.Config{DefaultLocale: "fr"})
	slow := make(chan struct{})
	if err := rt.Install(append(all.Modules(rt.Deps(), store), testModule(slow))...); err != nil {
		t.Fatal(err)
	}
	cfg := discord.Config{
		Token: srv.BotToken(), APIURL: srv.URL(), GatewayURL: srv.GatewayURL(), GuildID: guildID,
		ModeratorRoleID: modRoleID, AmbassadorRoleID: ambRoleID, RetryBackoff: 10 * time.Millisecond,
		Log: log, Metrics: rt.Metrics().Registry, Store: store,
		ShardLeaseTTL: 3 * time.Second, ShardLeaseRenew: 500 * time.Millisecond,
	}
	if edit != nil {
		edit(&cfg)
	}
	a, err := discord.New(rt, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rt.AddPlatform(a)
	return &env{t: t, srv: srv, store: store, rt: rt, adapter: a, logs: logs, slow: slow, cfg: cfg}
}

// start runs the adapter until the test ends, or until the returned
// function stops it (and waits for the interactions in flight), once the
// double has a gateway connection ready.
func (e *env) start() (stop func()) {
	e.t.Helper()
	stop = e.run()
	if !e.srv.WaitConnected(wait) {
		e.t.Fatalf("the adapter did not connect; logs:\n%s", e.logs.String())
	}
	return stop
}

// run is start without waiting for a connection: for an adapter that
// waits for its shard.
func (e *env) run() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.adapter.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				e.t.Errorf("Run: %v", err)
			}
		})
	}
	e.t.Cleanup(stop)
	return stop
}

func invoker(userID, perms string, roles ...string) discordtest.Invoker {
	return discordtest.Invoker{GuildID: guildID, ChannelID: channelID, Locale: "fr", Permissions: perms, Roles: roles,
		User: discordtest.User{ID: userID, Username: "camille", GlobalName: "Camille"}}
}

func sub(name string, opts ...discordtest.CommandOption) []discordtest.CommandOption {
	return []discordtest.CommandOption{{Name: name, Type: 1, Options: opts}}
}

func (e *env) response(in discordtest.Interaction) discordtest.InteractionResponse {
	e.t.Helper()
	r, ok := e.srv.WaitInteractionResponse(in.ID, wait)
	if !ok {
		e.t.Fatalf("no answer to interaction %s; logs:\n%s", in.ID, e.logs.String())
	}
	return r
}

func content(r discordtest.InteractionResponse) string {
	s, _ := r.Data["content"].(string)
	return s
}

func TestCommandsPublishedWithLocalizationsOnce(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	if err := e.adapter.PublishCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	cmds := e.srv.Commands(guildID)
	byName := map[string]discordtest.Command{}
	for _, c := range cmds {
		byName[c.Name] = c
	}
	aide, ok := byName["aide"]
	if !ok || len(cmds) != len(e.rt.Registry().Specs()) {
		t.Fatalf("published %+v", cmds)
	}
	if aide.Description != "Affiche les commandes que vous pouvez utiliser" ||
		aide.NameLocalizations["en-US"] != "help" || aide.NameLocalizations["en-GB"] != "help" ||
		aide.DescriptionLocalizations["en-US"] != "Shows the commands you can use" || aide.DefaultMemberPermissions != nil {
		t.Fatalf("aide = %+v", aide)
	}
	opt := aide.Options[0]
	if opt["name"] != "commande" || opt["autocomplete"] != true || opt["name_localizations"].(map[string]any)["en-GB"] != "command" {
		t.Fatalf("aide option = %+v", opt)
	}
	if p := byName["moderation"].DefaultMemberPermissions; p == nil || *p != "32" {
		t.Fatalf("moderation permissions = %v", p)
	}
	var qui map[string]any
	for _, o := range byName["essai"].Options {
		if o["type"] != float64(1) {
			t.Fatalf("essai option not a subcommand: %+v", o)
		}
		if o["name"] == "qui" {
			qui = o
		}
	}
	role := qui["options"].([]any)[0].(map[string]any)
	choice := role["choices"].([]any)[0].(map[string]any)
	if role["required"] != true || choice["name"] != "membre" || choice["value"] != "member" ||
		choice["name_localizations"].(map[string]any)["en-US"] != "member" {
		t.Fatalf("choice = %+v", role)
	}
	nombre := qui["options"].([]any)[2].(map[string]any)
	if nombre["type"] != float64(4) || nombre["min_value"] != float64(1) || nombre["max_value"] != float64(10) {
		t.Fatalf("integer option = %+v", nombre)
	}
	if n := e.srv.CommandWrites(); n != 1 {
		t.Fatalf("command writes = %d", n)
	}

	// A restart finds the same commands and writes nothing.
	again := newEnv(t, e.srv, e.store, nil)
	if err := again.adapter.PublishCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.CommandWrites(); n != 1 {
		t.Fatalf("command writes after restart = %d", n)
	}
	if len(e.srv.RequestsMatching("GET /applications/*/guilds/*/commands")) != 2 {
		t.Fatal("the published commands were not read before deciding")
	}
}

func TestCommandPublicationRetriesServerErrors(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.srv.FailNext("PUT /applications/*/guilds/*/commands", 1, http.StatusInternalServerError)
	if err := e.adapter.PublishCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The double records a status once its handler returns, which may be
	// just after the client read the answer: wait for it.
	var reqs []discordtest.Request
	settled := e.srv.WaitFor(10*time.Second, func() bool {
		reqs = e.srv.RequestsMatching("PUT /applications/*/guilds/*/commands")
		return len(reqs) == 2 && reqs[1].Status != 0
	})
	if !settled || reqs[0].Status != 500 || reqs[1].Status != 200 || len(e.srv.Commands(guildID)) != len(e.rt.Registry().Specs()) {
		t.Fatalf("PUT requests = %+v", reqs)
	}
}

func TestButtonsPressedAndMessageUpdated(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("boutons")})
	r := e.response(in)
	if r.Type != 4 || r.Ephemeral() || content(r) != "Choisissez" {
		t.Fatalf("answer = %+v", r)
	}
	orig, ok := e.srv.OriginalResponse(in.ID)
	if !ok || len(orig.Components) != 2 {
		t.Fatalf("original = %+v", orig)
	}
	if am := orig.AllowedMentions; am == nil || fmt.Sprint(am["parse"]) != "[]" {
		t.Fatalf("allowed_mentions = %#v", orig.AllowedMentions)
	}
	row := orig.Components[0].(map[string]any)["components"].([]any)
	if len(row) != 3 || row[0].(map[string]any)["custom_id"] != "t/un" || row[2].(map[string]any)["url"] != "https://agora.example" {
		t.Fatalf("buttons = %+v", row)
	}

	click := e.srv.DispatchComponentClick(discordtest.ComponentClick{Invoker: invoker(memberID, "0"), CustomID: "t/un", MessageID: orig.ID})
	if r := e.response(click); r.Type != 7 || content(r) != "Vous avez choisi **un**" {
		t.Fatalf("click answer = %+v", r)
	}
	if m, _ := e.srv.OriginalResponse(in.ID); m.Content != "Vous avez choisi **un**" || m.Edits != 1 || len(m.Components) != 0 {
		t.Fatalf("message after click = %+v", m)
	}

	click = e.srv.DispatchComponentClick(discordtest.ComponentClick{Invoker: invoker(memberID, "0"), CustomID: "t/deux", MessageID: orig.ID})
	if r := e.response(click); r.Type != 4 || !r.Ephemeral() || content(r) != "deux, en privé" {
		t.Fatalf("private click answer = %+v", r)
	}
	pick := e.srv.DispatchComponentClick(discordtest.ComponentClick{Invoker: invoker(memberID, "0"), CustomID: "t/sel", ComponentType: 3, Values: []string{"a", "b"}, MessageID: orig.ID})
	if r := e.response(pick); content(r) != "a,b" {
		t.Fatalf("select answer = %+v", r)
	}
	forged := e.srv.DispatchComponentClick(discordtest.ComponentClick{Invoker: invoker(memberID, "0"), CustomID: "zz/../x", MessageID: orig.ID})
	if r := e.response(forged); !r.Ephemeral() || content(r) != "Ce bouton n'est plus valide." {
		t.Fatalf("forged click answer = %+v", r)
	}
}

func TestManyButtonsBecomeMenusThatStillRoute(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("beaucoup")})
	e.response(in)
	orig, _ := e.srv.OriginalResponse(in.ID)
	if len(orig.Components) != 2 {
		t.Fatalf("components = %+v", orig.Components)
	}
	menu := orig.Components[1].(map[string]any)["components"].([]any)[0].(map[string]any)
	opts := menu["options"].([]any)
	if menu["type"] != float64(3) || len(opts) != 5 {
		t.Fatalf("second menu = %+v", menu)
	}
	value := opts[2].(map[string]any)["value"].(string)
	pick := e.srv.DispatchComponentClick(discordtest.ComponentClick{Invoker: invoker(memberID, "0"),
		CustomID: menu["custom_id"].(string), ComponentType: 3, Values: []string{value}, MessageID: orig.ID})
	if r := e.response(pick); content(r) != "bouton 27" {
		t.Fatalf("menu answer = %+v", r)
	}
}

func TestLongTextSplitIntoFollowups(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("long")})
	r := e.response(in)
	var got []string
	got = append(got, content(r))
	e.srv.MustWaitFor(wait, "followups", func() bool { return len(e.srv.Followups(in.ID)) == 2 })
	for _, f := range e.srv.Followups(in.ID) {
		got = append(got, f.Content)
	}
	for _, c := range got {
		if len([]rune(c)) > 2000 {
			t.Fatalf("a message has %d characters", len([]rune(c)))
		}
	}
	if want := strings.Repeat("ligne de texte assez longue\n", 200); strings.Join(got, "\n") != want {
		t.Fatalf("the text was not kept whole across messages: %d pieces, %d characters for %d", len(got), len(strings.Join(got, "\n")), len(want))
	}
}

func TestEphemeralErrorAndMemberIdentity(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	if r := e.response(in); r.Type != 4 || !r.Ephemeral() || content(r) != "Cette demande a pris trop de temps et a été abandonnée. Réessayez dans un instant." {
		t.Fatalf("error answer = %+v", r)
	}
	en := invoker(memberID, "0", ambRoleID)
	en.Locale = "en-GB"
	in = e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: en, Name: "essai", Options: sub("qui", discordtest.CommandOption{Name: "role", Type: 3, Value: "member"})})
	if r := e.response(in); content(r) != "Camille\\|en\\-GB\\|ambassador\\|"+guildID+"\\|member" {
		t.Fatalf("identity = %q", content(r))
	}
	// In a direct conversation there is no server and no member object.
	dm := discordtest.Invoker{ChannelID: "3000000000000000077", Locale: "fr", User: discordtest.User{ID: memberID, Username: "camille"}}
	in = e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: dm, Name: "essai", Options: sub("qui", discordtest.CommandOption{Name: "role", Type: 3, Value: "member"})})
	if r := e.response(in); content(r) != "camille\\|fr\\|member\\|\\|member" {
		t.Fatalf("identity in a DM = %q", content(r))
	}
	mod := invoker(memberID, strconv.FormatInt(discord.PermissionManageServer, 10))
	in = e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: mod, Name: "moderation"})
	if r := e.response(in); content(r) != "ok" {
		t.Fatalf("moderator answer = %+v", r)
	}
	in = e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker("3000000000000000099", "0"), Name: "moderation"})
	if r := e.response(in); !r.Ephemeral() || !strings.Contains(content(r), "Il faut être modérateur·rice") {
		t.Fatalf("member answer = %+v", r)
	}
}

func TestModalOpenedAndSubmitted(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("formulaire")})
	r := e.response(in)
	if r.Type != 9 || r.Data["custom_id"] != "t/form" || r.Data["title"] != "Proposer une sortie" || len(r.Data["components"].([]any)) != 2 {
		t.Fatalf("modal = %+v", r)
	}
	input := r.Data["components"].([]any)[1].(map[string]any)["components"].([]any)[0].(map[string]any)
	if input["type"] != float64(4) || input["style"] != float64(2) || input["custom_id"] != "details" {
		t.Fatalf("text input = %+v", input)
	}
	sm := e.srv.DispatchModalSubmit(discordtest.ModalSubmit{Invoker: invoker(memberID, "0"), CustomID: "t/form", Fields: []discordtest.TextInput{
		{CustomID: "titre", Value: "Apéro *gratuit* @everyone"}, {CustomID: "details", Value: "<@123>"},
	}})
	r = e.response(sm)
	if r.Type != 4 || content(r) != "Reçu : Apéro \\*gratuit\\* @\u200beveryone / \\<@\u200b123\\>" {
		t.Fatalf("submit answer = %q", content(r))
	}
	if am, _ := r.Data["allowed_mentions"].(map[string]any); am == nil || fmt.Sprint(am["parse"]) != "[]" {
		t.Fatalf("allowed_mentions = %#v", r.Data["allowed_mentions"])
	}
}

func TestSlowCommandDeferredThenEdited(t *testing.T) {
	e := newEnv(t, nil, nil, func(c *discord.Config) { c.DeferAfter = 50 * time.Millisecond })
	stop := e.start()
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("lent")})
	if r := e.response(in); r.Type != 5 || !r.Ephemeral() {
		t.Fatalf("first answer = %+v", r)
	}
	e.slow <- struct{}{}
	e.srv.MustWaitFor(wait, "the deferred answer edited", func() bool {
		m, ok := e.srv.OriginalResponse(in.ID)
		return ok && m.Content == "enfin **prêt**"
	})
	if m, _ := e.srv.OriginalResponse(in.ID); !m.Ephemeral() || m.Flags&128 != 0 {
		t.Fatalf("original = %+v", m)
	}

	// A slow button: a silent deferred update, then the message is edited.
	posted, err := e.adapter.Send(context.Background(), channelID, &commands.Response{Text: "avant", Buttons: []commands.Button{{Label: "Go", Action: "t/lent"}}})
	if err != nil {
		t.Fatal(err)
	}
	click := e.srv.DispatchComponentClick(discordtest.ComponentClick{Invoker: invoker(memberID, "0"), CustomID: "t/lent", MessageID: posted})
	if r := e.response(click); r.Type != 6 {
		t.Fatalf("slow click answer = %+v", r)
	}
	e.slow <- struct{}{}
	e.srv.MustWaitFor(wait, "the clicked message edited", func() bool {
		for _, m := range e.srv.Messages(channelID) {
			if m.ID == posted {
				return m.Content == "mis à jour" && len(m.Components) == 0
			}
		}
		return false
	})

	// A public answer after an ephemeral deferral replaces the placeholder.
	in = e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("lentpublic")})
	e.response(in)
	e.slow <- struct{}{}
	e.srv.MustWaitFor(wait, "the public followup", func() bool { return len(e.srv.Followups(in.ID)) == 1 })
	if f := e.srv.Followups(in.ID)[0]; f.Content != "publié" || f.Ephemeral() {
		t.Fatalf("followup = %+v", f)
	}
	if m, ok := e.srv.OriginalResponse(in.ID); ok && !m.Deleted {
		t.Fatal("the ephemeral placeholder was left behind")
	}
	stop() // waits for the interactions in flight, so their counts are final
	if n := metric(t, e.rt, "agora_discord_interactions_total", "deferred", "command"); n != 2 {
		t.Fatalf("deferred commands counted = %v", n)
	}
	if n := metric(t, e.rt, "agora_discord_interactions_total", "deferred", "component"); n != 1 {
		t.Fatalf("deferred components counted = %v", n)
	}
}

// metric reads a counter of the runtime's registry by its label values,
// given in the order of the label names (Prometheus sorts them).
func metric(t *testing.T, rt *bot.Runtime, name string, labels ...string) float64 {
	t.Helper()
	families, err := rt.Metrics().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for i, l := range m.GetLabel() {
				if i >= len(labels) || l.GetValue() != labels[i] {
					continue next
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

func TestAutocompleteAnswersAtMost25(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	in := e.srv.DispatchAutocomplete(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("qui",
		discordtest.CommandOption{Name: "texte", Type: 3, Value: "ca", Focused: true})})
	r := e.response(in)
	choices, _ := r.Data["choices"].([]any)
	if r.Type != 8 || len(choices) != 25 || choices[3].(map[string]any)["name"] != "ca 3" {
		t.Fatalf("autocomplete = %+v", r)
	}
	// No suggestion is an empty list, not a missing field.
	in = e.srv.DispatchAutocomplete(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "aide",
		Options: []discordtest.CommandOption{{Name: "commande", Type: 3, Value: "zzz", Focused: true}}})
	r = e.response(in)
	if c, ok := r.Data["choices"].([]any); r.Type != 8 || !ok || len(c) != 0 {
		t.Fatalf("empty autocomplete = %+v", r)
	}
}

func TestFileAttached(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("fichier")})
	r := e.response(in)
	if len(r.Attachments) != 1 || r.Attachments[0].Filename != "sortie.ics" || string(r.Attachments[0].Data) != "BEGIN:VCALENDAR\r\n" {
		t.Fatalf("attachments = %+v", r.Attachments)
	}
}

func TestGatewayDropResumesAndInteractionsContinue(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	if ids := e.srv.Identifies(); len(ids) != 1 || ids[0].Intents != 1 || ids[0].Shard != nil {
		t.Fatalf("identify = %+v", ids)
	}
	e.srv.DropConnections()
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	// discordgo's reader and heartbeat may both notice the drop, so the
	// session can resume more than once; it must never identify again.
	if !e.srv.WaitFor(wait, func() bool { return e.srv.ResumeCount() >= 1 && e.srv.Connected() }) {
		t.Fatalf("no RESUME: %d connections, %d identifies, %d resumes, connected %v; logs:\n%s",
			e.srv.ConnectCount(), e.srv.IdentifyCount(), e.srv.ResumeCount(), e.srv.Connected(), e.logs.String())
	}
	if n := e.srv.IdentifyCount(); n != 1 {
		t.Fatalf("identifies = %d", n)
	}
	for _, path := range e.srv.ResumedOn() {
		if path != "/gateway-resume" {
			t.Fatalf("resumed on %q, not at READY's resume_gateway_url", path)
		}
	}
	e.response(in) // sent while away, replayed on resume

	before := e.srv.ResumeCount()
	e.srv.SendReconnect()
	e.srv.MustWaitFor(wait, "RESUME after RECONNECT", func() bool { return e.srv.ResumeCount() > before && e.srv.Connected() })
	in = e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	e.response(in)
	if n := e.srv.IdentifyCount(); n != 1 {
		t.Fatalf("identifies after RECONNECT = %d", n)
	}
	if n := metric(t, e.rt, "agora_discord_gateway_reconnects_total", "requested"); n != 1 {
		t.Fatalf("requested reconnects counted: %v", n)
	}
	if n := metric(t, e.rt, "agora_discord_gateway_reconnects_total", "closed"); n < 1 {
		t.Fatalf("reconnects after the drop counted: %v", n)
	}
}

func TestIntentsFollowConfiguration(t *testing.T) {
	tests := []struct {
		welcomes, faq bool
		want          int
	}{
		{false, false, 1},
		{true, false, 1 | 1<<1},
		{true, true, 1 | 1<<1 | 1<<9 | 1<<15},
	}
	for _, tt := range tests {
		e := newEnv(t, nil, nil, func(c *discord.Config) { c.Welcomes, c.AutoFAQ = tt.welcomes, tt.faq })
		if got := e.adapter.Intents(); got != tt.want {
			t.Errorf("welcomes %v faq %v: intents %b, want %b", tt.welcomes, tt.faq, got, tt.want)
		}
	}
}

func TestMemberJoinsAndMessagesAreEvents(t *testing.T) {
	e := newEnv(t, nil, nil, func(c *discord.Config) { c.Welcomes, c.AutoFAQ = true, true })
	stop := e.start()
	robot := discordtest.User{ID: "3000000000000000009", Username: "robot", Bot: true}
	e.srv.DispatchGuildMemberAdd(guildID, discordtest.Member{User: robot})
	e.srv.DispatchMessageCreate(channelID, robot, "Et moi, Agora ?")
	e.srv.DispatchGuildMemberAdd(guildID, discordtest.Member{User: discordtest.User{ID: "3000000000000000008", Username: "sam"}})
	e.srv.MustWaitFor(wait, "a welcome in the first text channel", func() bool { return hasMessage(e.srv, "Bienvenue sam !") != nil })
	q := e.srv.DispatchMessageCreate(channelID, discordtest.User{ID: memberID, Username: "camille"}, "Tu es là, Agora ?")
	e.srv.MustWaitFor(wait, "an answer to the message", func() bool { return hasMessage(e.srv, "Présente, camille.") != nil })
	ref, _ := hasMessage(e.srv, "Présente, camille.").Payload["message_reference"].(map[string]any)
	if ref["message_id"] != q {
		t.Errorf("the answer does not reply to the message: reference %v, want %s", ref, q)
	}
	// Once stopped, every event taken has been handled: bots got nothing.
	stop()
	for _, m := range e.srv.Messages(channelID) {
		if strings.Contains(m.Content, "robot") {
			t.Errorf("answered a bot: %q", m.Content)
		}
	}
}

func hasMessage(srv *discordtest.Server, content string) *discordtest.Message {
	for _, m := range srv.Messages(channelID) {
		if m.Content == content {
			return &m
		}
	}
	return nil
}

func TestShardIdentifies(t *testing.T) {
	e := newEnv(t, nil, nil, func(c *discord.Config) { c.ShardID, c.ShardCount = 1, 2 })
	e.start()
	ids := e.srv.Identifies()
	if len(ids) != 1 || ids[0].Shard == nil || *ids[0].Shard != [2]int{1, 2} {
		t.Fatalf("identify = %+v", ids)
	}
	if n := e.srv.CommandWrites(); n != 0 {
		t.Fatalf("shard 1 published commands (%d writes)", n)
	}
}

func TestRateLimitedCallbackRetriedOnce(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	e.srv.FailNext("POST /interactions/*/*/callback", 1, http.StatusTooManyRequests)
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	e.response(in)
	// The double records a request's status once its handler returns, which
	// may be just after the response became visible: wait for it.
	var reqs []discordtest.Request
	settled := e.srv.WaitFor(10*time.Second, func() bool {
		reqs = e.srv.RequestsMatching("POST /interactions/" + in.ID + "/*/callback")
		return len(reqs) == 2 && reqs[1].Status != 0
	})
	if !settled || reqs[0].Status != 429 || reqs[1].Status != 204 || len(e.srv.InteractionResponses(in.ID)) != 1 {
		t.Fatalf("callbacks = %+v", reqs)
	}
}

func TestSendEditDeleteWithFaults(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	ctx := context.Background()
	e.srv.FailNext("POST /channels/*/messages", 1, http.StatusTooManyRequests)
	id, err := e.adapter.Send(ctx, channelID, &commands.Response{Text: "Annonce", Mentions: []string{memberID},
		Buttons: []commands.Button{{Label: "Oui", Action: "t/un"}}})
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.srv.Messages(channelID)
	if len(msgs) != 1 || msgs[0].ID != id || msgs[0].Content != "Annonce" {
		t.Fatalf("messages = %+v", msgs)
	}
	if am := msgs[0].AllowedMentions; fmt.Sprint(am["parse"]) != "[]" || fmt.Sprint(am["users"]) != "["+memberID+"]" {
		t.Fatalf("allowed_mentions = %#v", am)
	}

	// A 500 may come after Discord stored the message: never post it again.
	e.srv.FailNext("POST /channels/*/messages", 1, http.StatusInternalServerError)
	if _, err := e.adapter.Send(ctx, channelID, commands.Reply("Deuxième annonce")); err == nil {
		t.Fatal("Send after a 500 reported success")
	}
	if n := len(e.srv.RequestsMatching("POST /channels/*/messages")); n != 3 {
		t.Fatalf("POST requests = %d, want 3 (429 retried, 500 not)", n)
	}
	if strings.Contains(e.logs.String(), e.srv.BotToken()) {
		t.Fatal("the token reached the logs")
	}

	// Edits and deletes are safe to repeat: a 500 is retried.
	e.srv.FailNext("PATCH /channels/*/messages/*", 1, http.StatusInternalServerError)
	if ref, err := e.adapter.Edit(ctx, channelID, id, commands.Reply("Annonce *modifiée*")); err != nil || ref != id {
		t.Fatalf("edit = %q, %v; want the same reference %q", ref, err, id)
	}
	if m := e.srv.Messages(channelID)[0]; m.Content != "Annonce **modifiée**" || len(m.Components) != 0 {
		t.Fatalf("edited = %+v", m)
	}
	e.srv.FailNext("DELETE /channels/*/messages/*", 1, http.StatusBadGateway)
	if err := e.adapter.Delete(ctx, channelID, id); err != nil {
		t.Fatal(err)
	}
	if err := e.adapter.Delete(ctx, channelID, id); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if len(e.srv.Messages(channelID)) != 0 {
		t.Fatal("message not deleted")
	}

	// A file survives a rate-limited first attempt whole.
	e.srv.FailNext("POST /channels/*/messages", 1, http.StatusTooManyRequests)
	fid, err := e.adapter.Send(ctx, channelID, &commands.Response{Text: "Invitation",
		Files: []commands.File{{Name: "sortie.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range e.srv.Messages(channelID) {
		if m.ID == fid && (len(m.Attachments) != 1 || string(m.Attachments[0].Data) != "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n") {
			t.Fatalf("attachments = %+v", m.Attachments)
		}
	}
	if err := e.adapter.Delete(ctx, channelID, fid); err != nil {
		t.Fatal(err)
	}

	// A long announcement is several messages, edited and deleted together.
	id, err = e.adapter.Send(ctx, channelID, commands.Reply(markup.Text(strings.Repeat("a", 2500))))
	if err != nil || strings.Count(id, ",") != 1 {
		t.Fatalf("long send: %q %v", id, err)
	}
	ref, err := e.adapter.Edit(ctx, channelID, id, commands.Reply("court"))
	if err != nil {
		t.Fatal(err)
	}
	if ms := e.srv.Messages(channelID); len(ms) != 1 || ms[0].Content != "court" || ms[0].ID != ref || !strings.HasPrefix(id, ref+",") {
		t.Fatalf("after edit to %q: %+v", ref, ms)
	}
}

func TestTokenNeverLogged(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.srv.FailNext("POST /channels/*/messages", 1, http.StatusForbidden)
	_, err := e.adapter.Send(context.Background(), channelID, commands.Reply("x"))
	if err == nil || strings.Contains(err.Error(), e.srv.BotToken()) {
		t.Fatalf("err = %v", err)
	}
	e.srv.FailNext("PUT /applications/*/guilds/*/commands", 5, http.StatusInternalServerError)
	if err := e.adapter.PublishCommands(context.Background()); err == nil {
		t.Fatal("publication survived five 500s")
	}
	e.start() // logs the failed publication again, then connects
	e.srv.FailNext("POST /interactions/*/*/callback", 1, http.StatusInternalServerError)
	e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	if !e.logs.waitFor(wait, "op=\"answer an interaction\" discord_status=500") {
		t.Fatalf("the failed answer was not logged:\n%s", e.logs.String())
	}
	logs := e.logs.String()
	if strings.Contains(logs, e.srv.BotToken()) || !strings.Contains(logs, "discord_code=") {
		t.Fatalf("logs:\n%s", logs)
	}
}

func TestDirectMessagesAndRefusal(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	ctx := context.Background()
	var m commands.Messenger = e.rt.Messenger()
	if _, err := m.DirectMessage(ctx, commands.PlatformDiscord, memberID, commands.Reply("Bienvenue *Camille*")); err != nil {
		t.Fatal(err)
	}
	if dms := e.srv.DMs(memberID); len(dms) != 1 || dms[0].Content != "Bienvenue **Camille**" {
		t.Fatalf("dms = %+v", dms)
	}
	e.srv.RefuseDMs(memberID, true)
	_, err := m.DirectMessage(ctx, commands.PlatformDiscord, memberID, commands.Reply("encore"))
	if !errors.Is(err, commands.ErrDirectMessageRefused) {
		t.Fatalf("err = %v", err)
	}
}

func TestRolesEventsAndPermissions(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	ctx := context.Background()
	p := e.rt.Platforms()
	var reader bot.RoleReader = e.adapter

	e.srv.FailNext("PUT /guilds/*/members/*/roles/*", 1, http.StatusInternalServerError)
	if err := p.GrantRole(ctx, commands.PlatformDiscord, guildID, memberID, modRoleID); err != nil {
		t.Fatal(err)
	}
	if roles := e.srv.MemberRoles(guildID, memberID); !contains(roles, modRoleID) {
		t.Fatalf("roles = %v", roles)
	}
	if role, err := reader.MemberRole(ctx, guildID, memberID); err != nil || role != commands.RoleModerator {
		t.Fatalf("role with the moderator role = %v %v", role, err)
	}
	if err := p.RevokeRole(ctx, commands.PlatformDiscord, guildID, memberID, modRoleID); err != nil {
		t.Fatal(err)
	}
	if role, err := reader.MemberRole(ctx, guildID, memberID); err != nil || role != commands.RoleAmbassador {
		t.Fatalf("role with the ambassador role = %v %v", role, err)
	}
	if roles := e.srv.MemberRoles(guildID, memberID); contains(roles, modRoleID) || !contains(roles, ambRoleID) {
		t.Fatalf("roles after revoking = %v", roles)
	}
	if perms, err := e.adapter.MemberPermissions(ctx, guildID, ownerID); err != nil || perms&discord.PermissionAdministrator == 0 {
		t.Fatalf("owner permissions = %b %v", perms, err)
	}

	start := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	id, err := p.CreateEvent(ctx, commands.PlatformDiscord, guildID, commands.ScheduledEvent{Name: "Apéro des coopérateurs", Location: "Lyon", Start: start})
	if err != nil {
		t.Fatal(err)
	}
	evs := e.srv.ScheduledEvents(guildID)
	if len(evs) != 1 || evs[0]["entity_type"] != float64(3) || fmt.Sprint(evs[0]["entity_metadata"]) != "map[location:Lyon]" ||
		evs[0]["scheduled_end_time"] != start.Add(2*time.Hour).Format(time.RFC3339) {
		t.Fatalf("created events = %+v", evs)
	}
	moved := commands.ScheduledEvent{Name: "Apéro (déplacé)", Description: "Au bar du coin", Location: "Villeurbanne",
		Start: start.Add(time.Hour), End: start.Add(4 * time.Hour)}
	if err := p.EditEvent(ctx, commands.PlatformDiscord, guildID, id, moved); err != nil {
		t.Fatal(err)
	}
	if err := p.CancelEvent(ctx, commands.PlatformDiscord, guildID, id); err != nil {
		t.Fatal(err)
	}
	evs = e.srv.ScheduledEvents(guildID)
	if len(evs) != 1 || evs[0]["name"] != "Apéro (déplacé)" || evs[0]["description"] != "Au bar du coin" ||
		evs[0]["scheduled_end_time"] != moved.End.Format(time.RFC3339) || evs[0]["status"] != float64(4) {
		t.Fatalf("events = %+v", evs)
	}
	// A refusal is an error, not a missing feature.
	if _, err := p.CreateEvent(ctx, commands.PlatformDiscord, guildID, commands.ScheduledEvent{Name: "Trop tard", Start: time.Now().Add(-time.Hour)}); err == nil || errors.Is(err, commands.ErrUnsupported) {
		t.Errorf("event in the past: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestHTTPInteractions(t *testing.T) {
	signer := discordtest.NewSigner()
	e := newEnv(t, nil, nil, func(c *discord.Config) { c.PublicKey = signer.PublicKeyHex() })
	mux := http.NewServeMux()
	mux.Handle("POST "+discord.HTTPPath, e.adapter.HTTPHandler())
	web := httptest.NewServer(recordAnswers(t, e.srv, mux))
	defer web.Close()
	post := func(body []byte, h http.Header) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", web.URL+discord.HTTPPath, bytes.NewReader(body))
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp, out
	}

	ping := []byte(`{"id":"1","application_id":"` + e.srv.ApplicationID() + `","type":1,"token":"t","version":1}`)
	if resp, out := post(ping, signer.Headers(ping)); resp.StatusCode != 200 || out["type"] != float64(1) {
		t.Fatalf("PING: %d %v", resp.StatusCode, out)
	}
	bad := signer.Headers(ping)
	bad.Set("X-Signature-Ed25519", strings.Repeat("00", 64))
	if resp, _ := post(ping, bad); resp.StatusCode != 401 {
		t.Fatalf("bad signature: %d", resp.StatusCode)
	}
	tampered := append([]byte(nil), ping...)
	tampered[len(tampered)-2] = '2'
	if resp, _ := post(tampered, signer.Headers(ping)); resp.StatusCode != 401 {
		t.Fatalf("tampered body: %d", resp.StatusCode)
	}
	stale := http.Header{}
	old := strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)
	stale.Set("X-Signature-Timestamp", old)
	stale.Set("X-Signature-Ed25519", signer.Sign(old, ping))
	if resp, _ := post(ping, stale); resp.StatusCode != 401 {
		t.Fatalf("stale timestamp: %d", resp.StatusCode)
	}
	if resp, _ := post(ping, nil); resp.StatusCode != 401 {
		t.Fatalf("unsigned: %d", resp.StatusCode)
	}

	cmd := e.srv.NewSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "aide"})
	resp, out := post(cmd.JSON, signer.Headers(cmd.JSON))
	data, _ := out["data"].(map[string]any)
	if resp.StatusCode != 200 || out["type"] != float64(4) || data["flags"] != float64(64) ||
		!strings.Contains(fmt.Sprint(data["content"]), "**Ce que vous pouvez faire avec Agora**") {
		t.Fatalf("slash command over HTTP: %d %v", resp.StatusCode, out)
	}
	if n := len(e.srv.RequestsMatching("POST /interactions/*/*/callback")); n != 0 {
		t.Fatalf("the answer also went through REST (%d callbacks)", n)
	}

	modal := e.srv.NewSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("formulaire")})
	if _, out := post(modal.JSON, signer.Headers(modal.JSON)); out["type"] != float64(9) {
		t.Fatalf("modal over HTTP: %v", out)
	}

	// Slow: the HTTP response defers, the answer comes through REST.
	slow := e.srv.NewSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("lent")})
	resp, out = post(slow.JSON, signer.Headers(slow.JSON))
	if resp.StatusCode != 200 || out["type"] != float64(5) {
		t.Fatalf("slow command over HTTP: %d %v", resp.StatusCode, out)
	}
	e.slow <- struct{}{}
	e.srv.MustWaitFor(wait, "the deferred HTTP interaction edited", func() bool {
		m, ok := e.srv.OriginalResponse(slow.ID)
		return ok && m.Content == "enfin **prêt**" && m.Ephemeral()
	})

	// Files cannot ride in the HTTP response: deferred, then attached by an edit.
	file := e.srv.NewSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("fichier")})
	if _, out := post(file.JSON, signer.Headers(file.JSON)); out["type"] != float64(5) {
		t.Fatalf("file command over HTTP: %v", out)
	}
	e.srv.MustWaitFor(wait, "the public followup with the file", func() bool {
		fs := e.srv.Followups(file.ID)
		return len(fs) == 1 && len(fs[0].Attachments) == 1 && fs[0].Content == "Votre fichier"
	})
}

// recordAnswers tells the double about each answer written in an HTTP
// response, as Discord knows of it, before the adapter can go on to edit it.
// The double also checks the answer against Discord's specification.
func recordAnswers(t *testing.T, srv *discordtest.Server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct {
			ID   string `json:"id"`
			Type int    `json:"type"`
		}
		_ = json.Unmarshal(body, &in)
		if in.Type == 1 {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&recordingWriter{ResponseWriter: w, t: t, srv: srv, id: in.ID}, r)
	})
}

type recordingWriter struct {
	http.ResponseWriter
	t      *testing.T
	srv    *discordtest.Server
	id     string
	status int
}

func (w *recordingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 || w.status == http.StatusOK {
		if err := w.srv.RecordHTTPResponse(w.id, b); err != nil {
			w.t.Errorf("HTTP answer refused by the double: %v", err)
		}
	}
	return w.ResponseWriter.Write(b)
}

// After most close codes the session is resumed; after 4007 (invalid
// sequence) and 4009 (session timed out) Discord will not resume it, and
// Agora identifies afresh.
func TestGatewayCloseCodesDecideResumeOrIdentify(t *testing.T) {
	tests := []struct {
		code                int
		identifies, resumes int
	}{
		{4000, 1, 1}, // unknown error
		{4008, 1, 1}, // rate limited
		{4007, 2, 0},
		{4009, 2, 0},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			e := newEnv(t, nil, nil, nil)
			e.start()
			e.srv.CloseConnections(tt.code, "closed by the test")
			e.srv.MustWaitFor(wait, "connected again", func() bool {
				return e.srv.ConnectCount() >= 2 && e.srv.Connected()
			})
			// ResumeTries counts refused RESUMEs too: a session Discord
			// ended is not even tried.
			if i, r := e.srv.IdentifyCount(), e.srv.ResumeTries(); i != tt.identifies || r != tt.resumes {
				t.Fatalf("after close %d: %d identifies and %d resumes tried, want %d and %d", tt.code, i, r, tt.identifies, tt.resumes)
			}
			in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
			e.response(in)
		})
	}
}

func TestInvalidSessionIdentifiesAgain(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	e.srv.SendInvalidSession(false)
	e.srv.MustWaitFor(wait, "a new IDENTIFY", func() bool { return e.srv.IdentifyCount() >= 2 && e.srv.Connected() })
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	e.response(in)
}

func TestResumableInvalidSessionResumes(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	e.srv.SendInvalidSession(true)
	e.srv.MustWaitFor(wait, "a RESUME", func() bool { return e.srv.ResumeCount() >= 1 && e.srv.Connected() })
	if n := e.srv.IdentifyCount(); n != 1 {
		t.Fatalf("identifies = %d, want the session resumed", n)
	}
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	e.response(in)
}

func TestButtonsWorkAfterRestart(t *testing.T) {
	before := newEnv(t, nil, nil, nil)
	id, err := before.adapter.Send(context.Background(), channelID, &commands.Response{Text: "Sortie samedi",
		Buttons: []commands.Button{{Label: "Un", Action: "t/un"}}})
	if err != nil {
		t.Fatal(err)
	}
	// A new process: another runtime and adapter, nothing shared but the
	// database and Discord.
	after := newEnv(t, before.srv, before.store, nil)
	after.start()
	click := after.srv.DispatchComponentClick(discordtest.ComponentClick{Invoker: invoker(memberID, "0"), CustomID: "t/un", MessageID: id})
	if r := after.response(click); r.Type != 7 {
		t.Fatalf("click after restart = %+v", r)
	}
	if m := after.srv.Messages(channelID)[0]; m.Content != "Vous avez choisi **un**" {
		t.Fatalf("message = %+v", m)
	}
}

func TestGatewayRefusalIsAClearError(t *testing.T) {
	e := newEnv(t, nil, nil, func(c *discord.Config) { c.Token = "revoked-token.0123456789abcdef" })
	err := e.adapter.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "4004") || !strings.Contains(err.Error(), "DISCORD_TOKEN") || strings.Contains(err.Error(), "revoked-token") {
		t.Fatalf("Run with a bad token = %v", err)
	}
	if logs := e.logs.String(); strings.Contains(logs, "revoked-token") || !strings.Contains(logs, "discord_status=401") {
		t.Fatalf("logs:\n%s", logs)
	}

	srv := discordtest.New(t, discordtest.WithGuild(guild()), discordtest.WithDisallowedIntents(1<<1|1<<15))
	e = newEnv(t, srv, nil, func(c *discord.Config) { c.Welcomes = true; c.ReadyTimeout = 2 * time.Second })
	err = e.adapter.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "privileged intents") {
		t.Fatalf("Run with a disallowed intent = %v", err)
	}
}

func TestPollCreatedAndVotedWithButtons(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	if _, ok := e.rt.Registry().Resolve("sondage.creer"); !ok {
		t.Fatal("the polls capability is not installed")
	}
	e.start()
	ctx, cancel := context.WithCancel(context.Background())
	jobs := make(chan struct{})
	go func() { e.rt.RunJobs(ctx, 20*time.Millisecond); close(jobs) }()
	t.Cleanup(func() { cancel(); <-jobs })

	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "sondage", Options: sub("creer",
		discordtest.CommandOption{Name: "question", Type: 3, Value: "Quel jour ?"},
		discordtest.CommandOption{Name: "choix", Type: 3, Value: "Lundi | Mardi"})})
	if r := e.response(in); !r.Ephemeral() {
		t.Fatalf("creation answer = %+v", r)
	}
	var poll discordtest.Message
	e.srv.MustWaitFor(wait, "the poll posted with buttons", func() bool {
		for _, m := range e.srv.Messages(channelID) {
			if strings.Contains(m.Content, "Quel jour") && len(m.Components) > 0 {
				poll = m
				return true
			}
		}
		return false
	})
	var customID string
	for _, row := range poll.Components {
		for _, c := range row.(map[string]any)["components"].([]any) {
			b := c.(map[string]any)
			if label, _ := b["label"].(string); strings.Contains(label, "Lundi") {
				customID, _ = b["custom_id"].(string)
			}
		}
	}
	if customID == "" {
		t.Fatalf("no button for Lundi: %+v", poll.Components)
	}
	click := e.srv.DispatchComponentClick(discordtest.ComponentClick{Invoker: invoker(ownerID, "0"), CustomID: customID, MessageID: poll.ID})
	if r := e.response(click); !r.Ephemeral() || !strings.Contains(content(r), "Lundi") {
		t.Fatalf("vote answer = %+v", r)
	}
	e.srv.MustWaitFor(wait, "the poll message updated with the vote", func() bool {
		for _, m := range e.srv.Messages(channelID) {
			if m.ID == poll.ID {
				return m.Edits > 0 && m.Content != poll.Content
			}
		}
		return false
	})
}

// HTTP interactions beyond the slots wait for one, a bounded number of
// them: the next is refused with 503 at once, and memory stays bounded
// under a flood.
// When every slot is busy, the gateway is not read: the next interaction
// waits with Discord, in the socket, not in Agora's memory, and is
// handled as soon as a slot frees.
func TestGatewayIsNotReadWhileEverySlotIsBusy(t *testing.T) {
	const slots = 2
	e := newEnv(t, nil, nil, func(c *discord.Config) {
		c.InFlight, c.DeferAfter = slots, 20*time.Millisecond
	})
	e.start()
	for range slots {
		// Deferred, a slow command keeps its slot while it runs.
		slow := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("lent")})
		if r := e.response(slow); r.Type != 5 {
			t.Fatalf("slow command answered %+v, want a deferral", r)
		}
	}
	aide := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "aide"})
	e.srv.MustWaitFor(wait, "the gateway held", func() bool {
		return metric(t, e.rt, "agora_discord_gateway_held") == 1
	})
	// Heartbeats go on while the gateway is not read, and the ACKs wait
	// in the socket: that is no dead connection.
	beats := e.srv.HeartbeatCount()
	e.srv.MustWaitFor(wait, "three heartbeats while held", func() bool { return e.srv.HeartbeatCount() >= beats+3 })
	if rs := e.srv.InteractionResponses(aide.ID); len(rs) != 0 {
		t.Fatalf("answered while every slot was busy: %+v", rs)
	}
	e.slow <- struct{}{}
	switch r := e.response(aide); r.Type {
	case 4:
	case 5:
		// Slower than DeferAfter (20 ms) on a loaded machine: deferred,
		// then answered.
		e.srv.MustWaitFor(wait, "the deferred /aide answered", func() bool {
			m, ok := e.srv.OriginalResponse(aide.ID)
			return (ok && m.Content != "") || len(e.srv.Followups(aide.ID)) > 0
		})
	default:
		t.Fatalf("/aide answered %+v once a slot was free, want a message", r)
	}
	if held := metric(t, e.rt, "agora_discord_gateway_held"); held != 0 {
		t.Errorf("gateway still held (%v) after a slot freed", held)
	}
	e.slow <- struct{}{}
	if n := e.srv.ConnectCount(); n != 1 {
		t.Errorf("%d gateway connections: a held gateway was taken for a dead one", n)
	}
}

// A connection that dies without closing (heartbeats no longer
// acknowledged, nothing arriving) is replaced, and the session resumed.
func TestSilentGatewayIsReplacedAndResumed(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	e.srv.SetSilent(true)
	e.srv.MustWaitFor(wait, "a RESUME on a new connection", func() bool {
		return e.srv.ResumeCount() >= 1 && e.srv.ConnectCount() >= 2
	})
	e.srv.SetSilent(false)
	e.srv.MustWaitFor(wait, "connected", e.srv.Connected)
	if n := e.srv.IdentifyCount(); n != 1 {
		t.Fatalf("identifies = %d, want the session resumed", n)
	}
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("erreur")})
	e.response(in)
	if !strings.Contains(e.logs.String(), "stopped answering heartbeats") {
		t.Fatalf("logs:\n%s", e.logs.String())
	}
	if n := metric(t, e.rt, "agora_discord_gateway_reconnects_total", "silent"); n < 1 {
		t.Fatalf("silent reconnects counted: %v", n)
	}
}

func TestHTTPInteractionsBeyondTheSlotsWaitThenAreRefused(t *testing.T) {
	const slots = 8
	signer := discordtest.NewSigner()
	e := newEnv(t, nil, nil, func(c *discord.Config) {
		c.PublicKey = signer.PublicKeyHex()
		c.DeferAfter = 20 * time.Millisecond
		c.InFlight, c.HTTPQueue, c.HTTPQueueWait = slots, 1, time.Minute
	})
	mux := http.NewServeMux()
	mux.Handle("POST "+discord.HTTPPath, e.adapter.HTTPHandler())
	web := httptest.NewServer(recordAnswers(t, e.srv, mux))
	defer web.Close()
	post := func(in discordtest.Interaction) int {
		req, _ := http.NewRequest("POST", web.URL+discord.HTTPPath, bytes.NewReader(in.JSON))
		req.Header = signer.Headers(in.JSON)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	aide := func() discordtest.Interaction {
		return e.srv.NewSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "aide"})
	}

	// Every slot is taken by a slow command: answered with a deferral, it
	// keeps its slot while it runs.
	for i := range slots {
		slow := e.srv.NewSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("lent")})
		if status := post(slow); status != http.StatusOK {
			t.Fatalf("slow command %d: status %d", i, status)
		}
	}
	released := 0
	defer func() {
		for ; released < slots; released++ {
			e.slow <- struct{}{}
		}
	}()

	waited := make(chan int, 1)
	go func() { waited <- post(aide()) }()
	e.srv.MustWaitFor(wait, "a request waiting for a slot", func() bool {
		return metric(t, e.rt, "agora_discord_http_waiting") == 1
	})
	if status := post(aide()); status != http.StatusServiceUnavailable {
		t.Fatalf("with every slot taken and the queue full: status %d, want 503", status)
	}
	if n := metric(t, e.rt, "agora_discord_refused_requests_total", "busy"); n != 1 {
		t.Errorf("refused as busy: %v, want 1", n)
	}

	e.slow <- struct{}{}
	released++
	select {
	case status := <-waited:
		if status != http.StatusOK {
			t.Fatalf("the waiting request got %d once a slot was free, want 200", status)
		}
	case <-time.After(wait):
		t.Fatal("the waiting request was never served")
	}
}

// A load balancer sends requests to a stopping process until it sees its
// /readyz fail, and Discord never sends a refused interaction again: one
// that arrives while the adapter stops is still answered.
func TestHTTPInteractionAnsweredWhileStopping(t *testing.T) {
	signer := discordtest.NewSigner()
	e := newEnv(t, nil, nil, func(c *discord.Config) {
		c.PublicKey = signer.PublicKeyHex()
		// Long enough for the second request to come while the adapter
		// drains on the slowest machine; the test lasts as long.
		c.HTTPDrainQuiet, c.HTTPDrainMax = 3*time.Second, 3*time.Second
	})
	mux := http.NewServeMux()
	mux.Handle("POST "+discord.HTTPPath, e.adapter.HTTPHandler())
	web := httptest.NewServer(recordAnswers(t, e.srv, mux))
	defer web.Close()
	post := func() {
		t.Helper()
		cmd := e.srv.NewSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "aide"})
		req, _ := http.NewRequest("POST", web.URL+discord.HTTPPath, bytes.NewReader(cmd.JSON))
		for k, v := range signer.Headers(cmd.JSON) {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Type int }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != http.StatusOK || out.Type != 4 {
			t.Errorf("answer: status %d, type %d; want 200 and a message", resp.StatusCode, out.Type)
		}
	}
	stop := e.start()
	post()
	stopped := make(chan struct{})
	go func() {
		stop()
		close(stopped)
	}()
	// The gateway is closed and the shard's lease released just before
	// Run stops its work: a request arriving after that used to be
	// refused with 503.
	for deadline := time.Now().Add(wait); ; {
		free, err := e.store.AcquireLease(context.Background(), "discord.shard.0/1", "test", time.Now(), time.Minute)
		if err == nil && free {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the shard's lease was not released (%v); logs:\n%s", err, e.logs.String())
		}
		time.Sleep(time.Millisecond) // polls the database, which says nothing when it changes
	}
	post()
	select {
	case <-stopped:
	case <-time.After(wait):
		t.Fatal("Run did not return after the drain")
	}
}

// An event that arrives after a heartbeat went unacknowledged must not
// keep a connection that is silent from then on from being replaced.
func TestGatewaySilentAfterAnEventIsReplaced(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	e.start()
	beats := e.srv.HeartbeatCount()
	e.srv.SetSilent(true)
	e.srv.MustWaitFor(wait, "an unacknowledged heartbeat", func() bool { return e.srv.HeartbeatCount() > beats })
	e.srv.DispatchMessageCreate(channelID, discordtest.User{ID: memberID, Username: "camille"}, "bonjour")
	e.srv.MustWaitFor(wait, "a RESUME on a new connection", func() bool {
		return e.srv.ResumeCount() >= 1 && e.srv.ConnectCount() >= 2
	})
	e.srv.SetSilent(false)
	if n := metric(t, e.rt, "agora_discord_gateway_reconnects_total", "silent"); n < 1 {
		t.Fatalf("silent reconnects counted: %v", n)
	}
}
