package ambassadors_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/discord"
	"github.com/agora-community/agora/bot/discord/discordtest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/all"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

const (
	wait         = 15 * time.Second
	guildID      = "4000000000000000001"
	generalID    = "4000000000000000002"
	moderationID = "4000000000000000003"
	ambRoleID    = "4000000000000000004"
	leaID        = "4000000000000000005"
	ownerID      = "4000000000000000006"
	nomadID      = "4000000000000000007" // applies without being in the server
)

// discordEnv is the whole runtime and the Discord adapter against the
// double, as bot/discord's own tests build them.
type discordEnv struct {
	t     *testing.T
	srv   *discordtest.Server
	store *storage.Store
	rt    *bot.Runtime
}

func newDiscordEnv(t *testing.T) *discordEnv {
	t.Helper()
	srv := discordtest.New(t, discordtest.WithGuild(discordtest.Guild{
		ID: guildID, Name: "Coop Lyon", OwnerID: ownerID,
		Channels: []discordtest.Channel{{ID: generalID, Name: "général"}, {ID: moderationID, Name: "modération"}},
		Roles:    []discordtest.Role{{ID: ambRoleID, Name: "ambassadeurs", Permissions: "0", Position: 1}},
		Members: []discordtest.Member{
			{User: discordtest.User{ID: leaID, Username: "lea", GlobalName: "Léa"}},
			{User: discordtest.User{ID: ownerID, Username: "sam", GlobalName: "Sam"}},
		},
	}))
	store := storagetest.Open(t)
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	rt := bot.New(store, commands.NewRegistry(catalog), log, nil, bot.Config{DefaultLocale: "fr"})
	if err := rt.Install(all.Modules(rt.Deps(), store)...); err != nil {
		t.Fatal(err)
	}
	a, err := discord.New(rt, discord.Config{
		Token: srv.BotToken(), APIURL: srv.URL(), GatewayURL: srv.GatewayURL(), GuildID: guildID,
		RetryBackoff: 10 * time.Millisecond, Log: log, Metrics: rt.Metrics().Registry, Store: store,
	})
	if err != nil {
		t.Fatal(err)
	}
	rt.AddPlatform(a)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	if !srv.WaitConnected(wait) {
		t.Fatal("the adapter did not connect")
	}
	return &discordEnv{t: t, srv: srv, store: store, rt: rt}
}

type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func (e *discordEnv) invoker(userID, name, channelID, perms string) discordtest.Invoker {
	return discordtest.Invoker{GuildID: guildID, ChannelID: channelID, Locale: "fr", Permissions: perms,
		User: discordtest.User{ID: userID, Username: name, GlobalName: name}}
}

// answer waits for the answer to an interaction.
func (e *discordEnv) answer(in discordtest.Interaction) discordtest.InteractionResponse {
	e.t.Helper()
	r, ok := e.srv.WaitInteractionResponse(in.ID, wait)
	if !ok {
		e.t.Fatalf("no answer to interaction %s", in.ID)
	}
	return r
}

func text(r discordtest.InteractionResponse) string {
	s, _ := r.Data["content"].(string)
	return s
}

// apply fills the application form as a member of the server would.
func (e *discordEnv) apply(userID, name, city string) string {
	e.t.Helper()
	open := e.answer(e.srv.DispatchSlashCommand(discordtest.SlashCommand{
		Invoker: e.invoker(userID, name, generalID, "0"), Name: "ambassadeur",
		Options: []discordtest.CommandOption{{Name: "postuler", Type: 1}},
	}))
	route, _ := open.Data["custom_id"].(string)
	if open.Type != 9 || !strings.HasPrefix(route, "amb/apply/") {
		e.t.Fatalf("apply answered %+v, want the form", open)
	}
	sent := e.answer(e.srv.DispatchModalSubmit(discordtest.ModalSubmit{
		Invoker: e.invoker(userID, name, generalID, "0"), CustomID: route, Fields: []discordtest.TextInput{
			{CustomID: "ville", Value: city}, {CustomID: "motivation", Value: "Animer des rencontres"}, {CustomID: "disponibilites", Value: "Le samedi"},
		},
	}))
	if !sent.Ephemeral() || !strings.Contains(text(sent), "est enregistrée") {
		e.t.Fatalf("the form's answer = %+v", sent)
	}
	return text(sent)
}

// postWith waits for the message in the moderators' chat that has a
// button with this action.
func (e *discordEnv) postWith(action string) discordtest.Message {
	e.t.Helper()
	var found discordtest.Message
	e.srv.MustWaitFor(wait, "a message with the button "+action, func() bool {
		for _, m := range e.srv.Messages(moderationID) {
			if slices.Contains(customIDs(m.Components), action) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// click presses a button of a message as the server's owner, a moderator.
func (e *discordEnv) click(action string, m discordtest.Message) string {
	e.t.Helper()
	r := e.answer(e.srv.DispatchComponentClick(discordtest.ComponentClick{
		Invoker: e.invoker(ownerID, "Sam", moderationID, "8"), CustomID: action, MessageID: m.ID,
	}))
	return text(r)
}

// customIDs lists the actions of a message's components, in any row.
func customIDs(components any) []string {
	var out []string
	switch c := components.(type) {
	case []any:
		for _, x := range c {
			out = append(out, customIDs(x)...)
		}
	case map[string]any:
		if id, ok := c["custom_id"].(string); ok {
			out = append(out, id)
		}
		out = append(out, customIDs(c["components"])...)
	}
	return out
}

func (e *discordEnv) hasRole(userID string) bool {
	return slices.Contains(e.srv.MemberRoles(guildID, userID), ambRoleID)
}

// The Discord role is really added on approval and removed on revocation;
// a grant that fails (member gone, missing permission) is reported in the
// moderators' chat with the reason, the decision stays, and a retry works.
func TestDiscordRoleGrantedRevokedAndRetried(t *testing.T) {
	e := newDiscordEnv(t)
	ctx := context.Background()
	mod, c, err := e.store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformDiscord, GroupID: guildID, ChatID: moderationID, Title: "modération"},
		storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetChatPurpose(ctx, mod.ID, storage.PurposeModeration); err != nil {
		t.Fatal(err)
	}
	setRole := e.answer(e.srv.DispatchSlashCommand(discordtest.SlashCommand{
		Invoker: e.invoker(ownerID, "Sam", moderationID, "8"), Name: "ambassadeur",
		Options: []discordtest.CommandOption{{Name: "reglage", Type: 1, Options: []discordtest.CommandOption{{Name: "role_discord", Type: 3, Value: "<@&" + ambRoleID + ">"}}}},
	}))
	if !strings.Contains(text(setRole), ambRoleID) {
		t.Fatalf("setting the role answered %q", text(setRole))
	}

	e.apply(leaID, "Léa", "Villeurbanne")
	post := e.postWith("amb/approve/1")
	if !strings.Contains(post.Content, "Candidature d'ambassadeur·rice n°\u00a01") || !strings.Contains(post.Content, "Villeurbanne") {
		t.Fatalf("application post = %q", post.Content)
	}
	if e.hasRole(leaID) {
		t.Fatal("the role was given before any decision")
	}
	approved := e.click("amb/approve/1", post)
	if !strings.Contains(approved, "Candidature n°\u00a01 acceptée") || !strings.Contains(approved, "Discord\u00a0: rôle d'ambassadeur·rice ajouté.") {
		t.Fatalf("approval answered %q", approved)
	}
	if !e.hasRole(leaID) {
		t.Fatalf("Léa lacks the ambassador role after approval: %v", e.srv.MemberRoles(guildID, leaID))
	}
	if dms := e.srv.DMs(leaID); len(dms) != 1 || !strings.Contains(dms[0].Content, "votre candidature est acceptée") {
		t.Fatalf("Léa's private messages: %+v", dms)
	}
	// Pressing again is told it was decided, and grants nothing twice.
	if again := e.click("amb/approve/1", post); !strings.Contains(again, "est déjà décidée") {
		t.Fatalf("second approval answered %q", again)
	}

	revoked := e.answer(e.srv.DispatchSlashCommand(discordtest.SlashCommand{
		Invoker: e.invoker(ownerID, "Sam", moderationID, "8"), Name: "ambassadeur",
		Options: []discordtest.CommandOption{{Name: "revoquer", Type: 1, Options: []discordtest.CommandOption{{Name: "ambassadeur", Type: 3, Value: "1"}}}},
	}))
	if !strings.Contains(text(revoked), "Discord\u00a0: rôle d'ambassadeur·rice retiré.") {
		t.Fatalf("revocation answered %q", text(revoked))
	}
	if e.hasRole(leaID) {
		t.Fatalf("Léa kept the ambassador role after revocation: %v", e.srv.MemberRoles(guildID, leaID))
	}
	var changes []bool
	for _, g := range e.srv.RoleGrants() {
		if g.UserID == leaID && g.RoleID == ambRoleID {
			changes = append(changes, g.Added)
		}
	}
	if fmt.Sprint(changes) != "[true false]" {
		t.Fatalf("role changes of Léa = %v, want added once then removed", changes)
	}

	// Someone who applied, then left the server: the grant fails.
	e.apply(nomadID, "Noé", "Lyon")
	nomadPost := e.postWith("amb/approve/2")
	failed := e.click("amb/approve/2", nomadPost)
	if !strings.Contains(failed, "Candidature n°\u00a02 acceptée") || !strings.Contains(failed, "⚠️ Discord\u00a0: échec.") || !strings.Contains(failed, "404") {
		t.Fatalf("approval with a failed grant answered %q", failed)
	}
	report := e.postWith("amb/retry/2")
	if !strings.Contains(report.Content, "le rôle d'ambassadeur·rice n'a pas pu être donné sur Discord") || !strings.Contains(report.Content, "Unknown Member") {
		t.Fatalf("failure report = %q", report.Content)
	}
	// The decision is kept: Noé is an ambassador in Agora.
	if m, err := e.store.ResolveMember(ctx, c.ID, commands.PlatformDiscord, nomadID, "Noé"); err != nil || m.Role != "ambassador" {
		t.Fatalf("Noé's role in Agora: %+v, %v", m, err)
	}

	// Noé joins; Agora lacks the permission for a moment, then has it.
	e.srv.DispatchGuildMemberAdd(guildID, discordtest.Member{User: discordtest.User{ID: nomadID, Username: "noe"}})
	e.srv.FailNext("PUT /guilds/*/members/*/roles/*", 1, http.StatusForbidden)
	forbidden := e.click("amb/retry/2", report)
	if !strings.Contains(forbidden, "échec") || !strings.Contains(forbidden, "403") || e.hasRole(nomadID) {
		t.Fatalf("retry without the permission answered %q", forbidden)
	}
	second := e.postWith("amb/retry/2")
	e.srv.MustWaitFor(wait, "a second failure report", func() bool {
		n := 0
		for _, m := range e.srv.Messages(moderationID) {
			if strings.Contains(m.Content, "n'a pas pu être donné") {
				n++
			}
		}
		return n == 2
	})
	if ok := e.click("amb/retry/2", second); !strings.Contains(ok, "Discord\u00a0: rôle d'ambassadeur·rice ajouté.") || !e.hasRole(nomadID) {
		t.Fatalf("retry answered %q; roles %v", ok, e.srv.MemberRoles(guildID, nomadID))
	}
	if none := e.click("amb/retry/2", second); !strings.Contains(none, "ajouté") {
		t.Fatalf("a retry with nothing failed answered %q", none)
	}
	if n := len(e.srv.RoleGrants()); n != 3 {
		t.Fatalf("%d role changes, want 3 (Léa added and removed, Noé added once)", n)
	}
}
