package faq_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/faq"
	"github.com/agora-community/agora/storage"
)

var defaults = storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"}

// request builds what the runtime hands a handler: who, where, resolved.
func request(t *testing.T, env *consoletest.Env, platform, chatID, user string, role commands.Role) *commands.Request {
	t.Helper()
	ctx := context.Background()
	group := ""
	if platform == commands.PlatformConsole {
		group = "console"
	}
	chat, community, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: platform, GroupID: group, ChatID: chatID, Title: chatID}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	member, err := env.Store.ResolveMember(ctx, community.ID, platform, user, user)
	if err != nil {
		t.Fatal(err)
	}
	return &commands.Request{
		Platform:  platform,
		Chat:      commands.Chat{ID: chatID, GroupID: group, Title: chatID},
		User:      commands.User{ID: user, Name: user, PlatformRole: role},
		Community: commands.Community{ID: community.ID, Name: community.Name, Locale: community.Locale},
		ChatRef:   chat.ID,
		Member:    commands.Member{ID: member.ID, Name: user, Role: role},
		Loc:       env.Runtime.Localizer(nil, "fr"),
		Now:       env.Clock.Now(),
	}
}

// message is a chat message as the runtime hands it to event handlers.
func message(t *testing.T, env *consoletest.Env, chatID, user, text string) *commands.Request {
	req := request(t, env, commands.PlatformConsole, chatID, user, commands.RoleMember)
	req.Event = &commands.Event{Kind: commands.EventMessage, Text: text, MessageID: "m1"}
	return req
}

func spec(t *testing.T, m commands.Module, path ...string) *commands.Spec {
	t.Helper()
	for _, s := range m.Specs {
		if s.Name != path[0] {
			continue
		}
		for _, sub := range path[1:] {
			if s = s.Subcommand(sub); s == nil {
				t.Fatalf("no subcommand %v", path)
			}
		}
		return s
	}
	t.Fatalf("no command %v", path)
	return nil
}

// Automatic answers, seen by two Agora processes sharing the database: the
// chat's spacing and the entry's cooldown hold across them, and only
// questions from people in chats where moderators switched it on are
// answered.
func TestAutomaticAnswersWithCooldownAcrossProcesses(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, fourEntries+`
:role moderateur
/faqgestion auto
/faqgestion auto actif:oui
/faqgestion auto
/faqgestion seuil valeur:10
`)
	consoletest.Contains(t, out,
		"Les réponses automatiques sont coupées dans ce salon. /faqgestion auto actif:oui les active (confiance d'au moins 60 %).",
		"Réponses automatiques activées dans ce salon : une question qui correspond à une entrée avec au moins 60 % de confiance reçoit sa réponse.",
		"Les réponses automatiques sont activées dans ce salon (confiance d'au moins 60 %).",
		"L'option valeur doit être comprise entre 20 et 100.",
	)
	opts := faq.Options{AutoChatGap: time.Minute, AutoEntryCooldown: 30 * time.Minute}
	a := faq.NewWithOptions(env.Runtime.Deps(), env.Store, opts).Events[commands.EventMessage]
	b := faq.NewWithOptions(env.Runtime.Deps(), env.Store, opts).Events[commands.EventMessage]
	ctx := context.Background()
	say := func(handler commands.Handler, req *commands.Request) *commands.Response {
		t.Helper()
		resp, err := handler(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	answered := func(resp *commands.Response, question string) {
		t.Helper()
		if resp == nil {
			t.Fatalf("no automatic answer, want %q", question)
		}
		text := resp.Text.Plain()
		if !strings.Contains(text, "❓ "+question) || !strings.Contains(text, "Réponse automatique de la FAQ.") ||
			len(resp.Buttons) != 2 || resp.Buttons[0].Action == "" {
			t.Fatalf("automatic answer = %q with %d buttons, want %q with the vote buttons", text, len(resp.Buttons), question)
		}
	}
	silent := func(resp *commands.Response, why string) {
		t.Helper()
		if resp != nil {
			t.Fatalf("answered %q: %s", resp.Text.Plain(), why)
		}
	}

	join := "Bonjour, comment adhérer à la coopérative ?"
	answered(say(a, message(t, env, "general", "alex", join)), "Comment devenir membre de la coopérative ?")
	silent(say(b, message(t, env, "general", "sam", join)), "the other process, at once: the chat's spacing and the entry's cooldown")
	silent(say(a, message(t, env, "general", "sam", "Combien coûte une part sociale ?")), "another entry within the chat's spacing")
	env.Clock.Advance(2 * time.Minute)
	silent(say(b, message(t, env, "general", "sam", join)), "the same entry within its cooldown")
	answered(say(b, message(t, env, "general", "sam", "Combien coûte une part sociale ?")), "Combien coûte une part sociale ?")
	env.Clock.Advance(31 * time.Minute)
	answered(say(b, message(t, env, "general", "lou", "comment on adhère ?")), "Comment devenir membre de la coopérative ?")

	env.Clock.Advance(time.Hour)
	silent(say(a, message(t, env, "general", "lou", "J'ai adhéré hier à la coopérative, super.")), "not a question")
	bot := message(t, env, "general", "agora", join)
	bot.User.Bot = true
	silent(say(a, bot), "a bot's message")
	silent(say(a, message(t, env, "general", "lou", "/faq comment adhérer ?")), "a command")
	silent(say(a, message(t, env, "annonces", "lou", join)), "a chat where it is off")
	silent(say(a, message(t, env, "general", "lou", "Quel temps fera-t-il demain ?")), "no matching entry")

	// The threshold, set in one process, holds in every one.
	vague := "Une adhésion, c'est possible ?"
	silent(say(b, message(t, env, "general", "lou", vague)), "below the default threshold")
	env.Run(t, ":role moderateur\n/faqgestion seuil valeur:40")
	answered(say(b, message(t, env, "general", "lou", vague)), "Comment devenir membre de la coopérative ?")
	env.Run(t, ":role moderateur\n/faqgestion seuil valeur:60\n/faqgestion auto actif:non")
	env.Clock.Advance(2 * time.Minute)
	silent(say(a, message(t, env, "general", "lou", "Combien coûte une part sociale ?")), "switched off")
	env.Run(t, ":role moderateur\n/faqgestion auto actif:oui")
	answered(say(a, message(t, env, "general", "lou", "Combien coûte une part sociale ?")), "Combien coûte une part sociale ?")

	stats := env.Run(t, ":role moderateur\n/faqgestion stats")
	consoletest.Contains(t, stats, "1. n° 1 · Comment devenir membre de la coopérative ? — 3 fois", "2. n° 2 · Combien coûte une part sociale ? — 2 fois")
}

// The autocomplete source: questions as the member types, the most asked
// before anything is typed; on Telegram (inline queries) the value is the
// answer itself.
func TestAutocompleteSuggestsQuestions(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, fourEntries+`
/faq où est le local ?
:role moderateur
/faqgestion modifier entree:1 langue:en question:"How do I join?" reponse:"Fill in the *form*."
:role membre
/faq Les chiens sont-ils acceptés ?
`)
	ctx := context.Background()
	complete := func(req *commands.Request, command, option, partial string) []commands.Suggestion {
		req.Command = command
		return env.Runtime.Autocomplete(ctx, req, option, partial)
	}
	// camille's platform reports French; without it, the request would
	// speak the language recorded on her, English after the request below.
	member := func() *commands.Request {
		return &commands.Request{Platform: commands.PlatformConsole, Chat: commands.Chat{ID: "general", GroupID: "console"}, User: commands.User{ID: "camille", Name: "camille", Locale: "fr"}}
	}
	labels := func(ss []commands.Suggestion) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Label+" = "+s.Value)
		}
		return out
	}
	got := labels(complete(member(), "faq", "question", "adhé"))
	if len(got) == 0 || got[0] != "Comment devenir membre de la coopérative ? = Comment devenir membre de la coopérative ?" {
		t.Fatalf("suggestions for \"adhé\" = %q", got)
	}
	got = labels(complete(member(), "faq", "question", ""))
	if len(got) != 4 || !strings.HasPrefix(got[0], "Où se trouve le local ?") {
		t.Fatalf("suggestions before typing = %q, want the most asked first", got)
	}
	english := member()
	english.User.Locale = "en"
	if got := labels(complete(english, "faq", "question", "join")); len(got) == 0 || got[0] != "How do I join? = How do I join?" {
		t.Fatalf("English suggestions = %q", got)
	}

	// A Telegram group of the same community, as inline queries see it.
	tg := request(t, env, commands.PlatformTelegram, "-100", "42", commands.RoleMember)
	console := request(t, env, commands.PlatformConsole, "general", "camille", commands.RoleMember)
	if err := env.Store.MoveChat(ctx, tg.ChatRef, console.Community.ID); err != nil {
		t.Fatal(err)
	}
	inline := &commands.Request{Platform: commands.PlatformTelegram, Chat: commands.Chat{ID: "-100"}, User: commands.User{ID: "42"}}
	ss := complete(inline, "faq", "question", "local")
	if len(ss) == 0 || ss[0].Label != "Où se trouve le local ?" || ss[0].Value != "Où se trouve le local ?\n\n12 rue Haute, à Lyon." {
		t.Fatalf("inline suggestions = %q", labels(ss))
	}

	moderator := member()
	moderator.User.PlatformRole = commands.RoleModerator
	if got := labels(complete(moderator, "faqgestion.modifier", "entree", "n°")); len(got) != 4 || got[1] != "n°\u00a02 · Combien coûte une part sociale ? = 2" {
		t.Fatalf("entry numbers = %q", got)
	}
	if got := labels(complete(moderator, "faqgestion.supprimer", "entree", "quitter")); len(got) == 0 || got[0] != "n°\u00a03 · Comment quitter la coopérative ? = 3" {
		t.Fatalf("entries by words = %q", got)
	}
	if got := labels(complete(moderator, "faqgestion.repondre", "demande", "chien")); len(got) != 1 || got[0] != "n°\u00a01 · Les chiens sont-ils acceptés ? = 1" {
		t.Fatalf("waiting questions = %q", got)
	}
}

// fakeMessenger refuses direct messages, as a member who never started the
// Telegram bot does, and records what is posted in chats.
type fakeMessenger struct {
	mu   sync.Mutex
	sent []string
}

func (m *fakeMessenger) Send(ctx context.Context, to commands.ChatAddress, r *commands.Response) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, to.Platform+"/"+to.ChatID+": "+r.Text.Plain())
	return "1", nil
}

func (m *fakeMessenger) Edit(ctx context.Context, to commands.ChatAddress, ref string, r *commands.Response) (string, error) {
	return ref, nil
}

func (m *fakeMessenger) Delete(ctx context.Context, to commands.ChatAddress, ref string) error {
	return nil
}

func (m *fakeMessenger) DirectMessage(ctx context.Context, platform, userID string, r *commands.Response) (string, error) {
	return "", commands.ErrDirectMessageRefused
}

// A member who refuses direct messages hears the answer where they asked.
func TestAnswerGoesToTheChatWhenDirectMessagesAreRefused(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, fourEntries+`
:chat atelier
/faq Les chiens sont-ils acceptés ?
`)
	messenger := &fakeMessenger{}
	deps := env.Runtime.Deps()
	deps.Messenger = messenger
	m := faq.New(deps, env.Store)
	req := request(t, env, commands.PlatformConsole, "general", "sam", commands.RoleModerator)
	req.Command = "faqgestion.repondre"
	req.Options = map[string]string{"demande": "1", "reponse": "Oui, tenus en laisse."}
	resp, err := spec(t, m, "faqgestion", "repondre").Handle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Text.Plain(); got != "Question n°\u00a01\u00a0: l'entrée n°\u00a05 est créée\u202f; 1 membre prévenu·e." {
		t.Fatalf("reply = %q", got)
	}
	want := "console/atelier: 📬 camille, les modérateur·rices ont répondu à votre question «\u00a0Les chiens sont-ils acceptés ?\u00a0»\u00a0:\n❓ Les chiens sont-ils acceptés ?\nOui, tenus en laisse."
	if len(messenger.sent) != 1 || messenger.sent[0] != want {
		t.Fatalf("sent = %q\nwant %q", messenger.sent, want)
	}
}

// Buttons carry their action in their ID, which anyone can forge: every
// route is read strictly, and an entry must be the community's.
func TestForgedButtonsAreRefused(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, fourEntries)
	m := faq.New(env.Runtime.Deps(), env.Store)
	member := spec(t, m, "faq").HandleAction
	admin := spec(t, m, "faqgestion").HandleAction
	ctx := context.Background()
	for _, tt := range []struct {
		handler commands.Handler
		route   string
		want    string
		chat    string
	}{
		{member, "faq/u/1", "", "general"},
		{member, "faq/s/2", "", "general"},
		{member, "faq/u/012", "error.unknown_action", "general"},
		{member, "faq/u/+1", "error.unknown_action", "general"},
		{member, "faq/u/1/2", "error.unknown_action", "general"},
		{member, "faq/x/1", "error.unknown_action", "general"},
		{member, "faq/u", "error.unknown_action", "general"},
		{member, "faqg/u/1", "error.unknown_action", "general"},
		{member, "faq/u/99", "faq.entry_gone", "general"},
		{member, "faq/u/1", "faq.entry_gone", "-100"}, // entry 1 is another community's
		{admin, "faqg/e/1/de", "error.unknown_action", "general"},
		{admin, "faqg/a/xx", "error.unknown_action", "general"},
		{admin, "faqg/r/0", "error.unknown_action", "general"},
		{admin, "faqg/i/1", "error.unknown_action", "general"},
		{admin, "faqg/r/1", "faq.question_not_found", "general"},
		{admin, "faqg/e/99/fr", "faq.entry_not_found", "general"},
	} {
		platform := commands.PlatformConsole
		if tt.chat == "-100" {
			platform = commands.PlatformTelegram
		}
		req := request(t, env, platform, tt.chat, "camille", commands.RoleModerator)
		req.Action = &commands.Action{Route: tt.route, Fields: map[string]string{"reponse": "x"}}
		_, err := tt.handler(ctx, req)
		got := ""
		if err != nil {
			ue, ok := commands.AsUserError(err)
			if !ok {
				t.Fatalf("%s: %v", tt.route, err)
			}
			got = ue.ID
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.route, got, tt.want)
		}
	}
}

// A direct conversation with Agora is a community of its own: with no FAQ
// there, a question would be queued for moderators who do not exist.
func TestAskingInPrivateWithoutAFAQ(t *testing.T) {
	env := consoletest.New(t)
	m := faq.New(env.Runtime.Deps(), env.Store)
	req := request(t, env, commands.PlatformTelegram, "42", "42", commands.RoleMember)
	req.Chat.Private = true
	req.Command = "faq"
	req.Options = map[string]string{"question": "Comment adhérer ?"}
	_, err := spec(t, m, "faq").Handle(context.Background(), req)
	if ue, ok := commands.AsUserError(err); !ok || ue.ID != "faq.private_no_faq" {
		t.Fatalf("asking in private: %v", err)
	}
}
