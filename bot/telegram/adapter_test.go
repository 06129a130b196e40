package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/telegram"
	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage/storagetest"
)

func commandNames(cmds []telegramtest.BotCommand) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.Command)
	}
	return out
}

func TestMenusPerLanguageAndAdminScope(t *testing.T) {
	srv := telegramtest.New(t)
	startPolling(t, srv)
	tests := []struct {
		scope, lang  string
		want, absent []string
	}{
		{"default", "", []string{"aide", "annuler", "essai", "faq"}, []string{"moderer", "help"}},
		{"default", "en", []string{"help", "cancel", "essai"}, []string{"moderer", "aide"}},
		{"all_chat_administrators", "", []string{"aide", "annuler", "moderer"}, nil},
		{"all_chat_administrators", "en", []string{"help", "cancel", "moderer"}, nil},
	}
	for _, tt := range tests {
		cmds, ok := srv.Commands(telegramtest.BotCommandScope{Type: tt.scope}, tt.lang)
		if !ok {
			t.Errorf("no menu for scope %s, language %q", tt.scope, tt.lang)
			continue
		}
		names := commandNames(cmds)
		for _, w := range tt.want {
			// The test module has no locale entries: its names fall back to their message ID.
			if !slices.Contains(names, w) && !slices.Contains(names, "cmd_"+w+"_name") {
				t.Errorf("scope %s %q: %s missing from %v", tt.scope, tt.lang, w, names)
			}
		}
		for _, a := range tt.absent {
			if slices.Contains(names, a) || slices.Contains(names, "cmd_"+a+"_name") {
				t.Errorf("scope %s %q: %s should not be listed: %v", tt.scope, tt.lang, a, names)
			}
		}
		for _, c := range cmds {
			if c.Description == "" {
				t.Errorf("%s has no description", c.Command)
			}
		}
	}
	fr, _ := srv.Commands(telegramtest.BotCommandScope{Type: "default"}, "")
	i := slices.IndexFunc(fr, func(c telegramtest.BotCommand) bool { return c.Command == "aide" })
	if i < 0 || fr[i].Description != loc(t, "fr").S("cmd.aide.description") {
		t.Errorf("French /aide description = %+v", fr)
	}
}

func TestCommandsInFrenchAndEnglishWithBotName(t *testing.T) {
	srv := telegramtest.New(t)
	startPolling(t, srv)
	bot := "@" + srv.Bot().Username
	// Neither member started the bot: the private /aide answer goes in the group.
	fr := srv.SendText(group, camille, "/aide"+bot)
	en := srv.SendText(group, alex, "/help"+bot)
	other := srv.SendText(group, alex, "/help@another_bot")
	m, ok := srv.WaitMessage(group.ID, wait, replyTo(fr.MessageID))
	if !ok || !strings.Contains(m.Text, loc(t, "fr").S("help.title")) {
		t.Fatalf("French help = %+v, %v", m, ok)
	}
	m, ok = srv.WaitMessage(group.ID, wait, replyTo(en.MessageID))
	if !ok || !strings.Contains(m.Text, loc(t, "en").S("help.title")) {
		t.Fatalf("English help = %+v, %v", m, ok)
	}
	// Once a member has started the bot (Telegram sends Agora their
	// /start), private answers go privately.
	start := srv.SendText(telegramtest.PrivateChat(camille), camille, "/start")
	if _, ok := srv.WaitMessage(camille.ID, wait, replyTo(start.MessageID)); !ok {
		t.Fatal("no answer to /start")
	}
	again := srv.SendText(group, camille, "/aide")
	if _, ok := srv.WaitMessage(camille.ID, wait, containing(loc(t, "fr").S("help.title"))); !ok {
		t.Fatal("no private answer to a member who started the bot")
	}
	// Neither the other bot's command nor the private answer shows in the group.
	for _, s := range srv.SentMessages(group.ID) {
		if s.ReplyToMessageID == other.MessageID || s.ReplyToMessageID == again.MessageID {
			t.Errorf("answered %q in the group", s.Text)
		}
	}
	// An unknown command without @name in a group may be another bot's: silence.
	// Addressed to Agora, or in private, it gets an explanation.
	unknown := srv.SendText(telegramtest.PrivateChat(camille), camille, "/inconnue")
	if _, ok := srv.WaitMessage(camille.ID, wait, replyTo(unknown.MessageID)); !ok {
		t.Error("no answer to an unknown command in private")
	}
}

func TestAccentlessAndSubcommandNames(t *testing.T) {
	srv := telegramtest.New(t)
	startPolling(t, srv)
	// "/AIDE" and the option typed in English both resolve.
	m := srv.SendText(telegramtest.PrivateChat(alex), alex, "/HELP command:help")
	got, ok := srv.WaitMessage(alex.ID, wait, replyTo(m.MessageID))
	if !ok || !strings.Contains(got.Text, loc(t, "en").S("cmd.aide.description")) {
		t.Fatalf("answer = %+v, %v", got, ok)
	}
	// Accents as typed, and an option name the command lacks is refused
	// with the command's options in the member's language.
	m = srv.SendText(telegramtest.PrivateChat(alex), alex, `/sondage créer couleur:rouge`)
	got, ok = srv.WaitMessage(alex.ID, wait, replyTo(m.MessageID))
	if !ok || !strings.Contains(got.Text, "couleur") || !strings.Contains(got.Text, "question, choices, kind") {
		t.Fatalf("answer to an unknown option = %+v, %v", got, ok)
	}
	// Telegram's /start is the configured start command.
	m = srv.SendText(telegramtest.PrivateChat(alex), alex, "/start xyz")
	got, ok = srv.WaitMessage(alex.ID, wait, replyTo(m.MessageID))
	if !ok || !strings.Contains(got.Text, loc(t, "en").S("help.title")) {
		t.Fatalf("answer to /start = %+v, %v", got, ok)
	}
}

func TestButtonsEditAndSurviveRestart(t *testing.T) {
	srv := telegramtest.New(t)
	first, store := startPolling(t, srv)
	cmd := srv.SendText(group, camille, `/essai titre:"Vide-grenier" nombre:2`)
	msg, ok := srv.WaitMessage(group.ID, wait, replyTo(cmd.MessageID))
	if !ok {
		t.Fatal("no answer to /essai")
	}
	if msg.Text != "Titre : Vide-grenier (2)" || !strings.Contains(msg.RawText, "<b>Titre</b>") {
		t.Errorf("text = %q (raw %q)", msg.Text, msg.RawText)
	}
	var datas []string
	for _, row := range msg.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil {
				datas = append(datas, *b.CallbackData)
			}
		}
	}
	if want := []string{"e/plus/0", "e/prive", "e/form", "e/choix|r"}; !slices.Equal(datas, want) {
		t.Errorf("buttons = %v, want %v (the over-long route left out)", datas, want)
	}

	q := srv.PressButton(group, alex, msg.MessageID, "e/plus/0")
	if _, ok := srv.WaitCallbackAnswer(q, wait); !ok {
		t.Fatal("button press not answered")
	}
	if !srv.WaitFor(wait, func() bool { return lastEditText(srv) == "Compteur 1" }) {
		t.Fatalf("edits = %+v", srv.Edits())
	}

	first.stop()
	second := start(t, srv, store, telegram.Options{})
	if !srv.WaitFor(wait, second.Polling) {
		t.Fatal("second process never polled")
	}
	q = srv.PressButton(group, alex, msg.MessageID, "e/plus/1")
	if _, ok := srv.WaitCallbackAnswer(q, wait); !ok {
		t.Fatal("button press after restart not answered")
	}
	if !srv.WaitFor(wait, func() bool { return lastEditText(srv) == "Compteur 2" }) {
		t.Fatalf("after restart, edits = %+v", srv.Edits())
	}

	q = srv.PressButton(group, alex, msg.MessageID, "e/choix|r")
	if _, ok := srv.WaitMessage(group.ID, wait, containing("Choisi : r")); !ok {
		t.Error("select option not routed with its value")
	}
	if _, ok := srv.WaitCallbackAnswer(q, wait); !ok {
		t.Error("select press not answered")
	}
	forged := srv.PressButton(group, alex, msg.MessageID, "zz/forged")
	if a, ok := srv.WaitCallbackAnswer(forged, wait); !ok || a.Text == "" {
		t.Errorf("forged button answer = %+v, %v; want a toast", a, ok)
	}
}

func lastEditText(srv *telegramtest.Server) string {
	edits := srv.Edits()
	if len(edits) == 0 {
		return ""
	}
	return edits[len(edits)-1].NewText
}

// A private answer to a button is the button's own answer (a toast), with
// no private message: a vote costs no message against Telegram's global
// budget, and members who never opened the bot are not written to. Only an
// answer too long for a toast goes privately, to members known to accept it.
func TestEphemeralButtonAnswer(t *testing.T) {
	srv := telegramtest.New(t)
	startPolling(t, srv)
	msg := buttonsCamilleOpened(t, srv)
	privateBefore := len(srv.SentMessages(camille.ID))
	for _, who := range []telegramtest.User{camille, alex} {
		q := srv.PressButton(group, who, msg.MessageID, "e/prive")
		a, ok := srv.WaitCallbackAnswer(q, wait)
		if !ok || a.Text != "Réponse secrète pour "+who.FirstName || a.ShowAlert {
			t.Errorf("%s: toast = %+v, %v", who.FirstName, a, ok)
		}
	}
	if n := len(srv.SentMessages(camille.ID)); n != privateBefore {
		t.Errorf("a short private answer also went by private message (%d messages)", n-privateBefore)
	}
	// Too long for a toast: privately to Camille, an alert cut to 200
	// characters for Alex, who is never written to privately.
	q := srv.PressButton(group, camille, msg.MessageID, "e/long")
	if a, ok := srv.WaitCallbackAnswer(q, wait); !ok || a.Text != loc(t, "fr").S("telegram.sent_privately") {
		t.Errorf("long answer to Camille = %+v, %v", a, ok)
	}
	if dm, ok := srv.LastSent(camille.ID); !ok || !strings.HasPrefix(dm.Text, "Longue réponse pour Camille") {
		t.Errorf("direct message = %+v, %v", dm, ok)
	}
	q = srv.PressButton(group, alex, msg.MessageID, "e/long")
	if a, ok := srv.WaitCallbackAnswer(q, wait); !ok || !a.ShowAlert || !strings.HasPrefix(a.Text, "Longue réponse pour Alex") || len([]rune(a.Text)) > 200 {
		t.Errorf("long answer to Alex = %+v, %v", a, ok)
	}
	for _, c := range srv.CallsTo("sendMessage") {
		if c.Params["chat_id"] == strconv.FormatInt(alex.ID, 10) {
			t.Errorf("a private message was tried to Alex, who never opened the bot: %v", c.Params["text"])
		}
	}
	for _, s := range srv.SentMessages(group.ID) {
		if strings.Contains(s.Text, "secrète") || strings.Contains(s.Text, "Longue") {
			t.Errorf("private answer posted in the group: %q", s.Text)
		}
	}
	// A refusal is an alert, so it is read.
	q = srv.PressButton(group, alex, msg.MessageID, "zz/inconnu")
	if a, ok := srv.WaitCallbackAnswer(q, wait); !ok || !a.ShowAlert || a.Text == "" {
		t.Errorf("refusal = %+v, %v; want an alert", a, ok)
	}
}

// buttonsCamilleOpened posts the test module's buttons in the group, and
// has Camille open the bot (Telegram sends Agora her /start), so that
// Agora knows it may write to her privately.
func buttonsCamilleOpened(t *testing.T, srv *telegramtest.Server) telegramtest.SentMessage {
	t.Helper()
	cmd := srv.SendText(group, camille, `/essai titre:x nombre:1`)
	msg, ok := srv.WaitMessage(group.ID, wait, replyTo(cmd.MessageID))
	if !ok {
		t.Fatal("no answer to /essai")
	}
	start := srv.SendText(telegramtest.PrivateChat(camille), camille, "/start")
	if _, ok := srv.WaitMessage(camille.ID, wait, replyTo(start.MessageID)); !ok {
		t.Fatal("no answer to /start")
	}
	return msg
}

// A member who blocked the bot refuses a private message once (403):
// Agora remembers it, and their next long answer is an alert in the group
// without trying the private chat again, which would cost a message
// against Telegram's global budget on every press.
func TestRefusedPrivateChatIsNotTriedAgain(t *testing.T) {
	srv := telegramtest.New(t)
	startPolling(t, srv)
	msg := buttonsCamilleOpened(t, srv)
	srv.Block(camille.ID)
	privateTries := func() int {
		n := 0
		for _, c := range srv.CallsTo("sendMessage") {
			if c.Params["chat_id"] == strconv.FormatInt(camille.ID, 10) {
				n++
			}
		}
		return n
	}
	for i, want := range []int{1, 0} {
		before := privateTries()
		q := srv.PressButton(group, camille, msg.MessageID, "e/long")
		a, ok := srv.WaitCallbackAnswer(q, wait)
		if !ok || !a.ShowAlert || !strings.HasPrefix(a.Text, "Longue réponse pour Camille") {
			t.Errorf("press %d: answer = %+v, %v; want the alert cut to fit", i+1, a, ok)
		}
		if got := privateTries() - before; got != want {
			t.Errorf("press %d: %d private messages tried, want %d", i+1, got, want)
		}
	}
}

func TestGuidedCommandAcrossRestart(t *testing.T) {
	srv := telegramtest.New(t)
	first, store := startPolling(t, srv)
	cmd := srv.SendText(group, camille, "/essai")
	prompt, ok := srv.WaitMessage(group.ID, wait, replyTo(cmd.MessageID))
	if !ok || prompt.ReplyMarkup == nil || !prompt.ReplyMarkup.ForceReply || !prompt.ReplyMarkup.Selective {
		t.Fatalf("first prompt = %+v, %v; want a selective ForceReply", prompt, ok)
	}
	if !strings.Contains(prompt.Text, "annuler") {
		t.Errorf("prompt does not say how to cancel: %q", prompt.Text)
	}
	// Chatter in the group is not an answer.
	srv.SendText(group, camille, "bonjour tout le monde")
	ans := srv.ReplyTo(group, camille, prompt.MessageID, "Vide & grenier <2026>")
	second, ok := srv.WaitMessage(group.ID, wait, replyTo(ans.MessageID))
	if !ok || !second.ReplyMarkup.ForceReply {
		t.Fatalf("second prompt = %+v, %v", second, ok)
	}
	// Another process continues the conversation.
	first.stop()
	next := start(t, srv, store, telegram.Options{})
	if !srv.WaitFor(wait, next.Polling) {
		t.Fatal("second process never polled")
	}
	// A wrong answer is explained and asked again; the first answer is kept.
	bad := srv.ReplyTo(group, camille, second.MessageID, "trois")
	again, ok := srv.WaitMessage(group.ID, wait, func(m telegramtest.SentMessage) bool {
		return m.ReplyToMessageID == bad.MessageID && m.ReplyMarkup != nil && m.ReplyMarkup.ForceReply
	})
	if !ok {
		t.Fatal("a wrong answer was not asked again")
	}
	if _, ok := srv.WaitMessage(group.ID, wait, func(m telegramtest.SentMessage) bool {
		return m.ReplyToMessageID == bad.MessageID && strings.Contains(m.Text, "trois")
	}); !ok {
		t.Error("the wrong answer was not explained")
	}
	last := srv.ReplyTo(group, camille, again.MessageID, "3")
	done, ok := srv.WaitMessage(group.ID, wait, replyTo(last.MessageID))
	if !ok || done.Text != "Titre : Vide & grenier <2026> (3)" {
		t.Fatalf("result = %+v, %v", done, ok)
	}
}

func TestGuidedCommandCancelled(t *testing.T) {
	srv := telegramtest.New(t)
	startPolling(t, srv)
	pc := telegramtest.PrivateChat(alex)
	cmd := srv.SendText(pc, alex, "/essai nombre:4")
	prompt, ok := srv.WaitMessage(alex.ID, wait, replyTo(cmd.MessageID))
	if !ok || !prompt.ReplyMarkup.ForceReply {
		t.Fatalf("prompt = %+v, %v", prompt, ok)
	}
	c := srv.SendText(pc, alex, "/cancel")
	if m, ok := srv.WaitMessage(alex.ID, wait, replyTo(c.MessageID)); !ok || m.Text != loc(t, "en").S("conversation.cancelled") {
		t.Fatalf("cancel answer = %+v, %v", m, ok)
	}
	late := srv.ReplyTo(pc, alex, prompt.MessageID, "trop tard")
	c2 := srv.SendText(pc, alex, "/cancel")
	if m, ok := srv.WaitMessage(alex.ID, wait, replyTo(c2.MessageID)); !ok || m.Text != loc(t, "en").S("conversation.nothing_to_cancel") {
		t.Fatalf("second cancel = %+v, %v", m, ok)
	}
	for _, s := range srv.SentMessages(alex.ID) {
		if s.ReplyToMessageID == late.MessageID {
			t.Errorf("an answer after /cancel ran the command: %q", s.Text)
		}
	}
}

func TestModalBecomesGuidedForm(t *testing.T) {
	srv := telegramtest.New(t)
	startPolling(t, srv)
	cmd := srv.SendText(group, camille, `/essai titre:x nombre:1`)
	msg, ok := srv.WaitMessage(group.ID, wait, replyTo(cmd.MessageID))
	if !ok {
		t.Fatal("no answer to /essai")
	}
	q := srv.PressButton(group, camille, msg.MessageID, "e/form")
	if _, ok := srv.WaitCallbackAnswer(q, wait); !ok {
		t.Fatal("form button not answered")
	}
	p1, ok := srv.WaitMessage(group.ID, wait, containing("Votre nom"))
	if !ok || !p1.ReplyMarkup.ForceReply {
		t.Fatalf("name prompt = %+v, %v", p1, ok)
	}
	a1 := srv.ReplyTo(group, camille, p1.MessageID, "Camille")
	p2, ok := srv.WaitMessage(group.ID, wait, replyTo(a1.MessageID))
	if !ok || !strings.Contains(p2.Text, "Votre ville") {
		t.Fatalf("city prompt = %+v, %v", p2, ok)
	}
	a2 := srv.ReplyTo(group, camille, p2.MessageID, "Lyon")
	if m, ok := srv.WaitMessage(group.ID, wait, replyTo(a2.MessageID)); !ok || m.Text != "Reçu : Camille de Lyon" {
		t.Fatalf("submit = %+v, %v", m, ok)
	}
}

func TestHostileMarkupIsRenderedSafely(t *testing.T) {
	srv := telegramtest.New(t) // strict: an unescaped & or < fails the send
	startPolling(t, srv)
	hostile := `<script>alert("x")</script> & *gras* _i_ @everyone`
	cmd := srv.SendText(group, camille, `/essai titre:"`+strings.ReplaceAll(hostile, `"`, `\"`)+`" nombre:1`)
	m, ok := srv.WaitMessage(group.ID, wait, replyTo(cmd.MessageID))
	if !ok {
		t.Fatalf("no answer; calls: %+v", srv.CallsTo("sendMessage"))
	}
	if m.Text != "Titre : "+strings.Replace(hostile, "@", "@\u2060", 1)+" (1)" {
		t.Errorf("visible text = %q; want the title as typed, its mention defused", m.Text)
	}
	if strings.Contains(m.RawText, "<script>") || !strings.Contains(m.RawText, "&lt;script&gt;") {
		t.Errorf("raw HTML = %q", m.RawText)
	}
	for _, e := range m.Entities {
		if e.Type != "bold" || e.Offset != 0 {
			t.Errorf("unexpected entity %+v: user text became formatting", e)
		}
	}
}

func TestAdministratorsAreModerators(t *testing.T) {
	srv := telegramtest.New(t)
	startPolling(t, srv)
	srv.SetAdministrators(group.ID, camille)
	c := srv.SendText(group, camille, "/moderer")
	if m, ok := srv.WaitMessage(group.ID, wait, replyTo(c.MessageID)); !ok || m.Text != "Modération ouverte" {
		t.Errorf("administrator got %+v, %v", m, ok)
	}
	a := srv.SendText(group, alex, "/moderer")
	if m, ok := srv.WaitMessage(group.ID, wait, replyTo(a.MessageID)); !ok || m.Text == "Modération ouverte" {
		t.Errorf("member got %+v, %v; want a refusal", m, ok)
	}
	// A member is refused at once, not asked for options first.
	b := srv.SendText(group, alex, "/bannir")
	if m, ok := srv.WaitMessage(group.ID, wait, replyTo(b.MessageID)); !ok || m.ReplyMarkup != nil || !strings.Contains(m.Text, loc(t, "en").S("role.moderator")) {
		t.Errorf("member got %+v, %v; want a refusal without a question", m, ok)
	}
}

func TestDirectMessageRefused(t *testing.T) {
	srv := telegramtest.New(t)
	r, _ := startPolling(t, srv)
	ctx := context.Background()
	srv.AddChat(telegramtest.PrivateChat(camille))
	if _, err := r.DirectMessage(ctx, "1001", commands.Reply("Bonjour")); err != nil {
		t.Fatalf("direct message to a member who started the bot: %v", err)
	}
	srv.Block(camille.ID)
	if _, err := r.DirectMessage(ctx, "1001", commands.Reply("Bonjour")); !errors.Is(err, commands.ErrDirectMessageRefused) {
		t.Errorf("blocked: err = %v, want ErrDirectMessageRefused", err)
	}
	srv.AddUser(alex)
	if _, err := r.DirectMessage(ctx, "1002", commands.Reply("Hello")); !errors.Is(err, commands.ErrDirectMessageRefused) {
		t.Errorf("never started: err = %v, want ErrDirectMessageRefused", err)
	}
}

func TestInlineQueryAnswersFromAutocomplete(t *testing.T) {
	srv := telegramtest.New(t)
	startPolling(t, srv)
	id := srv.InlineQuery(camille, "voter")
	if !srv.WaitFor(wait, func() bool { return len(srv.InlineAnswers()) == 1 }) {
		t.Fatal("inline query not answered")
	}
	ans := srv.InlineAnswers()[0]
	if ans.QueryID != id || len(ans.Results) != 1 {
		t.Fatalf("answer = %+v", ans)
	}
	var res struct {
		Title   string `json:"title"`
		Content struct {
			Text string `json:"message_text"`
		} `json:"input_message_content"`
	}
	if err := json.Unmarshal(ans.Results[0], &res); err != nil {
		t.Fatal(err)
	}
	if res.Title != "Comment voter ? (voter)" || res.Content.Text != "Appuyez sur &lt;un bouton&gt; &amp; c'est tout." {
		t.Errorf("result = %+v", res)
	}
}

func TestJoinsAndMessagesAreEvents(t *testing.T) {
	srv := telegramtest.New(t)
	startPolling(t, srv)
	helper := telegramtest.User{ID: 1003, FirstName: "Robot", IsBot: true}
	srv.NewChatMembers(group, alex, alex, helper)
	if _, ok := srv.WaitMessage(group.ID, wait, containing("Bienvenue Alex !")); !ok {
		t.Fatal("the member who joined was not welcomed")
	}
	// A message event is answered as a reply to the message.
	q := srv.SendText(group, alex, "Tu es là, Agora ?")
	if m, ok := srv.WaitMessage(group.ID, wait, replyTo(q.MessageID)); !ok || m.Text != "Présente, Alex." {
		t.Fatalf("answer to the message = %+v, %v", m, ok)
	}
	// Bots are never answered; ordered per chat, a last command shows
	// everything before it was handled.
	srv.SendText(group, helper, "Et moi, Agora ?")
	last := srv.SendText(group, camille, "/aide@"+srv.Bot().Username)
	if _, ok := srv.WaitMessage(group.ID, wait, replyTo(last.MessageID)); !ok {
		t.Fatal("no answer to the last command")
	}
	for _, m := range srv.SentMessages(group.ID) {
		if strings.Contains(m.Text, "Robot") {
			t.Errorf("answered a bot: %q", m.Text)
		}
	}
}

func TestFilesAndInviteLinks(t *testing.T) {
	srv := telegramtest.New(t)
	r := start(t, srv, storagetest.Open(t), telegram.Options{})
	c := srv.SendText(group, camille, "/fichiers")
	if _, ok := srv.WaitMessage(group.ID, wait, func(m telegramtest.SentMessage) bool { return m.Method == "sendDocument" }); !ok {
		t.Fatalf("no document sent after %d", c.MessageID)
	}
	if !srv.WaitFor(wait, func() bool { return len(srv.Documents(group.ID)) == 2 }) {
		t.Fatalf("files sent: %+v", srv.Documents(group.ID))
	}
	docs := srv.Documents(group.ID)
	if docs[0].FileName != "export.csv" || string(docs[0].Data) != "a,b\n1,2\n" {
		t.Errorf("document = %+v", docs[0])
	}
	if photo, _ := srv.LastSent(group.ID); photo.Method != "sendPhoto" || !bytes.Equal(docs[1].Data, tinyPNG()) {
		t.Errorf("the PNG was not sent as a photo: %s", photo.Method)
	}
	srv.SetAdministrators(group.ID, camille, srv.Bot()) // Telegram lets administrators make links
	link, err := r.CreateInviteLink(context.Background(), "-1001234", "Ambassadeurs", time.Time{})
	if err != nil || link == "" {
		t.Fatalf("invite link = %q, %v", link, err)
	}
	links := srv.InviteLinks(group.ID)
	if len(links) != 1 || links[0].MemberLimit != 1 || links[0].InviteLink != link {
		t.Errorf("links = %+v", links)
	}
}

// An inline query names no chat: the FAQ that answers it is the one of the
// community where the member last spoke, not their private chat's (a
// community of its own, with no FAQ).
func TestInlineFAQAnswersFromTheMembersGroup(t *testing.T) {
	srv := telegramtest.New(t)
	store := storagetest.Open(t)
	r := start(t, srv, store, telegram.Options{InlineCommand: "faq"})
	if !srv.WaitFor(wait, r.Polling) {
		t.Fatal("the adapter never started polling")
	}
	addGroupFAQ(t, srv)
	speakInGroup(t, srv, alex)
	srv.InlineQuery(alex, "adhérer")
	waitGroupFAQAnswer(t, srv)
}

// addGroupFAQ has camille, an administrator, add an entry to the FAQ of
// the community of group.
func addGroupFAQ(t *testing.T, srv *telegramtest.Server) {
	t.Helper()
	srv.SetAdministrators(group.ID, camille)
	c := srv.SendText(group, camille, `/faqgestion ajouter question:"Comment adhérer à la coopérative ?" reponse:"Achetez une part sociale."`)
	// The confirmation goes privately, or in the group to a member who
	// never started the bot: wait for either at once.
	added := func(m telegramtest.SentMessage) bool { return strings.Contains(m.Text, "ajoutée") }
	if !srv.WaitFor(wait, func() bool {
		return slices.ContainsFunc(srv.SentMessages(camille.ID), added) ||
			slices.ContainsFunc(srv.SentMessages(group.ID), func(m telegramtest.SentMessage) bool { return replyTo(c.MessageID)(m) && added(m) })
	}) {
		t.Fatalf("the entry was not added; in the group: %+v", srv.SentMessages(group.ID))
	}
}

// speakInGroup has a member ask for help in group, and waits for the answer.
func speakInGroup(t *testing.T, srv *telegramtest.Server, u telegramtest.User) {
	t.Helper()
	asked := srv.SendText(group, u, "/aide")
	if !srv.WaitFor(wait, func() bool {
		if len(srv.SentMessages(u.ID)) > 0 {
			return true
		}
		for _, m := range srv.SentMessages(group.ID) {
			if replyTo(asked.MessageID)(m) {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("%s's message in the group was never answered", u.FirstName)
	}
}

// waitGroupFAQAnswer waits for the answer to the only inline query, and
// checks it is the entry addGroupFAQ added.
func waitGroupFAQAnswer(t *testing.T, srv *telegramtest.Server) {
	t.Helper()
	if !srv.WaitFor(wait, func() bool { return len(srv.InlineAnswers()) == 1 }) {
		t.Fatal("inline query not answered")
	}
	ans := srv.InlineAnswers()[0]
	if len(ans.Results) == 0 || !strings.Contains(string(ans.Results[0]), "Achetez une part sociale") {
		t.Fatalf("inline results = %s, want the group's FAQ entry", ans.Results)
	}
}

// A document whose caption is a command carries its file to the command:
// a moderator imports a FAQ by sending it.
func TestDocumentCarriesItsFileToTheCommand(t *testing.T) {
	srv := telegramtest.New(t)
	srv.SetAdministrators(group.ID, camille)
	startPolling(t, srv)
	yaml := "- question: Où se garer ?\n  reponse: Rue Basse.\n"
	doc := srv.SendDocument(group, camille, "faq.yaml", "/faqgestion importer", []byte(yaml))
	m, ok := srv.WaitMessage(group.ID, wait, replyTo(doc.MessageID))
	if !ok || !strings.Contains(m.Text, "1 ajoutée,") {
		t.Fatalf("import answer = %+v, %v", m, ok)
	}
	// A document without a command is chatter: nothing is downloaded.
	srv.SendDocument(group, camille, "photo.txt", "", []byte("x"))
	// A chat's updates are handled in order: once a later command is
	// answered, the document has been seen.
	later := srv.SendText(group, camille, "/moderer")
	if _, ok := srv.WaitMessage(group.ID, wait, replyTo(later.MessageID)); !ok {
		t.Fatal("no answer to the later command")
	}
	if c := srv.CallsTo("getFile"); len(c) != 1 {
		t.Errorf("getFile calls = %d, want 1", len(c))
	}
}

// A document Agora cannot bring (too large, or the file server failed) is
// refused with a sentence about the file: the command does not run as if
// no file had been sent, which would open the paste form with no word
// about the member's file.
func TestDocumentThatCannotBeBroughtIsRefused(t *testing.T) {
	srv := telegramtest.New(t)
	srv.SetAdministrators(group.ID, camille)
	startPolling(t, srv)
	answerTo := func(doc telegramtest.Message, want string) {
		t.Helper()
		found := srv.WaitFor(wait, func() bool {
			for _, chat := range []int64{group.ID, camille.ID} {
				for _, m := range srv.SentMessages(chat) {
					if strings.Contains(m.Text, want) && (chat == camille.ID || m.ReplyToMessageID == doc.MessageID) {
						return true
					}
				}
			}
			return false
		})
		if !found {
			t.Fatalf("no answer containing %q; group %+v, private %+v", want, srv.SentMessages(group.ID), srv.SentMessages(camille.ID))
		}
	}

	big := srv.SendDocument(group, camille, "gros.yaml", "/faqgestion importer", bytes.Repeat([]byte("#"), 3<<20))
	answerTo(big, "est trop gros")
	if c := srv.CallsTo("getFile"); len(c) != 0 {
		t.Errorf("getFile called %d times for a file over the cap", len(c))
	}

	srv.FailNext("getFile", 1, 400, 0)
	lost := srv.SendDocument(group, camille, "faq.yaml", "/faqgestion importer", []byte("- question: A ?\n  reponse: B.\n"))
	answerTo(lost, "n'a pas pu être récupéré")
}
