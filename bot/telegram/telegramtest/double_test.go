package telegramtest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/bot/telegram/telegramtest"
)

var (
	alice = telegramtest.User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "fr"}
	bob   = telegramtest.User{ID: 1002, FirstName: "Bob", Username: "bob", LanguageCode: "en"}
	group = telegramtest.Supergroup(-1001234567890, "Gophers")
)

const wait = 5 * time.Second

func newBot(t *testing.T, srv *telegramtest.Server) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token(), srv.APIEndpoint())
	if err != nil {
		t.Fatalf("NewBotAPIWithAPIEndpoint: %v", err)
	}
	return bot
}

func apiErr(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *tgbotapi.Error", err, err)
	}
	return e
}

func TestGetMe(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	if bot.Self.UserName != "agora_test_bot" || !bot.Self.IsBot || bot.Self.ID != srv.Bot().ID {
		t.Fatalf("Self = %+v", bot.Self)
	}
	_, err := tgbotapi.NewBotAPIWithAPIEndpoint("1:wrong", srv.APIEndpoint())
	if e := apiErr(t, err); e.Code != 401 || e.Message != "Unauthorized" {
		t.Fatalf("wrong token: %+v", e)
	}
	_, err = bot.MakeRequest("noSuchMethod", nil)
	if e := apiErr(t, err); e.Code != 404 || e.Message != "Not Found" {
		t.Fatalf("unknown method: %+v", e)
	}
	_, err = bot.MakeRequest("getMe", tgbotapi.Params{"bogus": "1"})
	if e := apiErr(t, err); e.Code != 400 || !strings.HasPrefix(e.Message, "Bad Request: ") {
		t.Fatalf("unknown parameter: %+v", e)
	}
}

func TestLongPollingMessageAndCallback(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	u := tgbotapi.NewUpdate(0)
	u.Timeout = 5
	updates := bot.GetUpdatesChan(u)
	defer bot.StopReceivingUpdates()

	// Injected after polling started: the long poll must wake up for it.
	time.AfterFunc(50*time.Millisecond, func() { srv.SendText(group, alice, "/start@agora_test_bot hello") })
	select {
	case up := <-updates:
		if up.Message == nil || !up.Message.IsCommand() || up.Message.Command() != "start" || up.Message.CommandArguments() != "hello" {
			t.Fatalf("update = %+v", up.Message)
		}
		if up.Message.From.LanguageCode != "fr" || up.Message.Chat.ID != group.ID {
			t.Fatalf("from/chat = %+v %+v", up.Message.From, up.Message.Chat)
		}
	case <-time.After(wait):
		t.Fatal("no message update")
	}

	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Yes", "vote:yes")))
	msg := tgbotapi.NewMessage(group.ID, "Vote?")
	msg.ReplyMarkup = kb
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	id := srv.PressButton(group, bob, int64(sent.MessageID), "vote:yes")
	select {
	case up := <-updates:
		if up.CallbackQuery == nil || up.CallbackQuery.Data != "vote:yes" || up.CallbackQuery.Message.MessageID != sent.MessageID {
			t.Fatalf("callback update = %+v", up.CallbackQuery)
		}
		if _, err := bot.Request(tgbotapi.NewCallback(up.CallbackQuery.ID, "Thanks")); err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatal("no callback update")
	}
	ans, ok := srv.WaitCallbackAnswer(id, wait)
	if !ok || ans.Text != "Thanks" {
		t.Fatalf("answer = %+v, %v", ans, ok)
	}
	_, err = bot.Request(tgbotapi.NewCallback(id, "again"))
	if e := apiErr(t, err); e.Message != "Bad Request: query is too old and response timeout expired or query ID is invalid" {
		t.Fatalf("second answer: %v", e)
	}
}

func TestGetUpdatesOffsetLimitAllowed(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	srv.SendText(telegramtest.PrivateChat(alice), alice, "one")
	srv.SendText(telegramtest.PrivateChat(alice), alice, "two")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Limit: 1})
	if err != nil || len(ups) != 1 || ups[0].Message.Text != "one" {
		t.Fatalf("limit 1: %v %+v", err, ups)
	}
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1})
	if err != nil || len(ups) != 1 || ups[0].Message.Text != "two" {
		t.Fatalf("offset: %v %+v", err, ups)
	}
	srv.PressButton(telegramtest.PrivateChat(alice), alice, 1, "x")
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1, AllowedUpdates: []string{"message"}})
	if err != nil || len(ups) != 0 {
		t.Fatalf("allowed_updates: %v %+v", err, ups)
	}
	start := time.Now()
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	if err != nil || len(ups) != 0 || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("long poll timeout: %v %+v after %v", err, ups, time.Since(start))
	}
}

func TestConcurrentPollersConflict(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	first := make(chan error, 1)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 10})
		first <- err
	}()
	if !srv.WaitFor(wait, func() bool { return srv.CallCount("getUpdates") == 1 && srv.Polling() }) {
		t.Fatal("first poll never arrived")
	}
	second := make(chan error, 1)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 10})
		second <- err
	}()
	select {
	case err := <-first:
		e := apiErr(t, err)
		if e.Code != 409 || e.Message != "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" {
			t.Fatalf("older poll: %+v", e)
		}
	case <-time.After(wait):
		t.Fatal("older poll not terminated")
	}
	srv.SendText(telegramtest.PrivateChat(bob), bob, "hi")
	if err := <-second; err != nil {
		t.Fatalf("newer poll: %v", err)
	}
}

func TestWebhookDelivery(t *testing.T) {
	var mu sync.Mutex
	var got []tgbotapi.Update
	var secrets []string
	fail := 1
	recv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var u tgbotapi.Update
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &u)
		got = append(got, u)
		secrets = append(secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
	}))
	defer recv.Close()
	srv := telegramtest.New(t, telegramtest.WithWebhookClient(recv.Client()))
	bot := newBot(t, srv)

	// tgbotapi's WebhookConfig has no secret_token, hence MakeRequest.
	resp, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": recv.URL + "/hook", "secret_token": "s3cr3t_-", "allowed_updates": `["message"]`})
	if err != nil || resp.Description != "Webhook was set" {
		t.Fatalf("setWebhook: %v %+v", err, resp)
	}
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	if e := apiErr(t, err); e.Code != 409 || !strings.Contains(e.Message, "webhook is active") {
		t.Fatalf("getUpdates with webhook: %+v", e)
	}
	srv.SendText(group, alice, "via webhook")
	ok := srv.WaitFor(wait, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 })
	if !ok {
		t.Fatalf("no delivery: %+v", srv.WebhookDeliveries())
	}
	mu.Lock()
	if got[0].Message.Text != "via webhook" || secrets[0] != "s3cr3t_-" {
		t.Fatalf("delivered %+v with secret %q", got[0].Message, secrets[0])
	}
	mu.Unlock()
	// The receiver sees the update before the double records its answer.
	srv.WaitFor(wait, func() bool { return len(srv.WebhookDeliveries()) >= 2 })
	if d := srv.WebhookDeliveries(); len(d) != 2 || d[0].Status != 500 {
		t.Fatalf("deliveries (want a retried 500 first) = %+v", d)
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != recv.URL+"/hook" || info.LastErrorMessage == "" {
		t.Fatalf("webhook info %+v %v", info, err)
	}
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatalf("getUpdates after deleteWebhook: %v", err)
	}
	_, err = bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "http://example.com/hook"})
	if e := apiErr(t, err); e.Code != 400 {
		t.Fatalf("http webhook accepted: %+v", e)
	}
}

func TestSendMessageHTMLAndLimits(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	srv.AddChat(group)

	m := tgbotapi.NewMessage(group.ID, `<b>Welcome</b>, <a href="https://go.dev">Gophers</a> &amp; friends`)
	m.ParseMode = tgbotapi.ModeHTML
	sent, err := bot.Send(m)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Text != "Welcome, Gophers & friends" || len(sent.Entities) != 2 || sent.Entities[1].URL != "https://go.dev/" {
		t.Fatalf("sent = %q %+v", sent.Text, sent.Entities)
	}
	got, ok := srv.WaitMessage(group.ID, wait, func(m telegramtest.SentMessage) bool { return m.ParseMode == "HTML" })
	if !ok || got.Text != sent.Text || got.MessageID != int64(sent.MessageID) {
		t.Fatalf("recorded = %+v", got)
	}

	for _, bad := range []string{"<b>unclosed", "a < b", "<script>x</script>"} {
		m := tgbotapi.NewMessage(group.ID, bad)
		m.ParseMode = tgbotapi.ModeHTML
		_, err := bot.Send(m)
		if e := apiErr(t, err); e.Code != 400 || !strings.HasPrefix(e.Message, "Bad Request: can't parse entities: ") {
			t.Errorf("%q: %+v", bad, e)
		}
	}
	_, err = bot.Send(tgbotapi.NewMessage(group.ID, strings.Repeat("a", 4097)))
	if e := apiErr(t, err); e.Message != "Bad Request: message is too long" {
		t.Fatalf("4097: %+v", e)
	}
	// 4096 UTF-16 units made of surrogate pairs: 2048 emoji are fine.
	if _, err := bot.Send(tgbotapi.NewMessage(group.ID, strings.Repeat("🏟", 2048))); err != nil {
		t.Fatalf("4096 units: %v", err)
	}
	empty := tgbotapi.NewMessage(group.ID, "<b></b>")
	empty.ParseMode = tgbotapi.ModeHTML
	_, err = bot.Send(empty)
	if e := apiErr(t, err); e.Message != "Bad Request: message text is empty" {
		t.Fatalf("empty: %+v", e)
	}
	long := tgbotapi.NewMessage(group.ID, "x")
	long.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("b", strings.Repeat("d", 65))))
	_, err = bot.Send(long)
	if e := apiErr(t, err); e.Message != "Bad Request: BUTTON_DATA_INVALID" {
		t.Fatalf("callback_data: %+v", e)
	}
}

func TestEditAndDelete(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	srv.AddChat(group)
	sent, err := bot.Send(tgbotapi.NewMessage(group.ID, "v1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageText(group.ID, sent.MessageID, "v2")); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(group.ID, sent.MessageID, "v2"))
	if e := apiErr(t, err); !strings.HasPrefix(e.Message, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same") {
		t.Fatalf("not modified: %+v", e)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(group.ID, 999, "v3"))
	if e := apiErr(t, err); e.Message != "Bad Request: message to edit not found" {
		t.Fatalf("not found: %+v", e)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(group.ID, sent.MessageID)); err != nil {
		t.Fatal(err)
	}
	if d := srv.Deletions(); len(d) != 1 || d[0].MessageID != int64(sent.MessageID) {
		t.Fatalf("deletions = %+v", d)
	}
	if e := srv.Edits(); len(e) != 1 || e[0].NewText != "v2" {
		t.Fatalf("edits = %+v", e)
	}
}

func TestForceReplyConversation(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	chat := telegramtest.PrivateChat(alice)
	srv.AddChat(chat)
	m := tgbotapi.NewMessage(chat.ID, "Your name?")
	m.ReplyMarkup = tgbotapi.ForceReply{ForceReply: true, InputFieldPlaceholder: "name"}
	sent, err := bot.Send(m)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := srv.LastSent(chat.ID)
	if rec.ReplyMarkup == nil || !rec.ReplyMarkup.ForceReply {
		t.Fatalf("markup = %+v", rec.ReplyMarkup)
	}
	reply := srv.ReplyTo(chat, alice, int64(sent.MessageID), "Alice")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].Message.ReplyToMessage == nil || ups[0].Message.ReplyToMessage.MessageID != sent.MessageID || ups[0].Message.MessageID != int(reply.MessageID) {
		t.Fatalf("reply update: %v %+v", err, ups)
	}
}

func TestSetMyCommandsScopes(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	fr := tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "aide", Description: "Afficher l'aide"})
	en := tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "help", Description: "Show help"})
	en.LanguageCode = "en"
	admin := tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeAllChatAdministrators(), tgbotapi.BotCommand{Command: "ban", Description: "Bannir"})
	for _, c := range []tgbotapi.SetMyCommandsConfig{fr, en, admin} {
		if _, err := bot.Request(c); err != nil {
			t.Fatal(err)
		}
	}
	if c, ok := srv.Commands(telegramtest.BotCommandScope{}, ""); !ok || c[0].Command != "aide" {
		t.Fatalf("default: %+v", c)
	}
	if c, ok := srv.Commands(telegramtest.BotCommandScope{}, "en"); !ok || c[0].Command != "help" {
		t.Fatalf("en: %+v", c)
	}
	if c, ok := srv.Commands(telegramtest.BotCommandScope{Type: "all_chat_administrators"}, ""); !ok || c[0].Command != "ban" {
		t.Fatalf("admins: %+v", c)
	}
	got, err := bot.GetMyCommandsWithConfig(tgbotapi.NewGetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), "en"))
	if err != nil || len(got) != 1 || got[0].Command != "help" {
		t.Fatalf("getMyCommands: %v %+v", err, got)
	}
	_, err = bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Bad-Name", Description: "x"}))
	if e := apiErr(t, err); e.Message != "Bad Request: BOT_COMMAND_INVALID" {
		t.Fatalf("invalid name: %+v", e)
	}
	if n := srv.CallCount("setMyCommands"); n != 4 {
		t.Fatalf("setMyCommands calls = %d", n)
	}
}

func TestTooManyRequests(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	srv.AddChat(group)
	srv.FailNext("sendMessage", 1, 429, 1)
	_, err := bot.Send(tgbotapi.NewMessage(group.ID, "hi"))
	e := apiErr(t, err)
	if e.Code != 429 || e.RetryAfter != 1 || e.Message != "Too Many Requests: retry after 1" {
		t.Fatalf("429: %+v", e)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(group.ID, "hi")); err != nil {
		t.Fatalf("after fault: %v", err)
	}
	srv.FailNext("", 1, 502, 0)
	if _, err := bot.Send(tgbotapi.NewMessage(group.ID, "hi")); err == nil {
		t.Fatal("502 not surfaced")
	}
}

func TestRateLimitMode(t *testing.T) {
	srv := telegramtest.New(t, telegramtest.WithRateLimits())
	bot := newBot(t, srv)
	srv.AddChat(group)
	var limited *tgbotapi.Error
	for i := range 10 {
		if _, err := bot.Send(tgbotapi.NewMessage(group.ID, "burst")); err != nil {
			limited = apiErr(t, err)
			if i < 3 {
				t.Fatalf("limited after %d messages", i)
			}
			break
		}
	}
	if limited == nil || limited.Code != 429 || limited.RetryAfter < 1 {
		t.Fatalf("burst not limited: %+v", limited)
	}
	if n := len(srv.SendTimes(group.ID)); n != 3 {
		t.Fatalf("send times = %d", n)
	}
}

func TestSendDocumentAndPhoto(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	srv.AddChat(group)
	doc := tgbotapi.NewDocument(group.ID, tgbotapi.FileBytes{Name: "report.csv", Bytes: []byte("a,b\n1,2\n")})
	doc.Caption = "<b>Weekly</b> report"
	doc.ParseMode = tgbotapi.ModeHTML
	sent, err := bot.Send(doc)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Document == nil || sent.Document.FileName != "report.csv" || sent.Caption != "Weekly report" {
		t.Fatalf("sent = %+v", sent)
	}
	files := srv.Documents(group.ID)
	if len(files) != 1 || files[0].FileName != "report.csv" || string(files[0].Data) != "a,b\n1,2\n" {
		t.Fatalf("documents = %+v", files)
	}
	// Re-sending by file_id must resolve to the same file.
	if _, err := bot.Send(tgbotapi.NewDocument(group.ID, tgbotapi.FileID(sent.Document.FileID))); err != nil {
		t.Fatalf("by file_id: %v", err)
	}
	bad := tgbotapi.NewDocument(group.ID, tgbotapi.FileBytes{Name: "x.txt", Bytes: []byte("x")})
	bad.Caption, bad.ParseMode = "<b>oops", tgbotapi.ModeHTML
	if _, err := bot.Send(bad); err == nil || !strings.Contains(err.Error(), "can't parse entities") {
		t.Fatalf("caption: %v", err)
	}
	_, err = bot.Send(tgbotapi.NewPhoto(group.ID, tgbotapi.FileBytes{Name: "p.png", Bytes: []byte("not a png")}))
	if err == nil || err.Error() != "Bad Request: IMAGE_PROCESS_FAILED" {
		t.Fatalf("photo: %v", err)
	}
}

func TestInviteLinkAdminsAndMembers(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	srv.AddChat(group)
	srv.SetAdministrators(group.ID, alice, srv.Bot())
	resp, err := bot.Request(tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: group.ID}, MemberLimit: 1, Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	var link tgbotapi.ChatInviteLink
	_ = json.Unmarshal(resp.Result, &link)
	if !strings.HasPrefix(link.InviteLink, "https://t.me/+") || link.MemberLimit != 1 {
		t.Fatalf("link = %+v", link)
	}
	if l := srv.InviteLinks(group.ID); len(l) != 1 || l[0].InviteLink != link.InviteLink {
		t.Fatalf("recorded = %+v", l)
	}
	_, err = bot.Request(tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: group.ID}, MemberLimit: 100000})
	if e := apiErr(t, err); e.Code != 400 {
		t.Fatalf("member_limit 100000: %+v", e)
	}
	admins, err := bot.GetChatAdministrators(tgbotapi.ChatAdministratorsConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: group.ID}})
	if err != nil || len(admins) != 2 || !admins[0].IsCreator() || admins[1].User.ID != srv.Bot().ID {
		t.Fatalf("admins: %v %+v", err, admins)
	}
	srv.NewChatMembers(group, bob, bob)
	m, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: group.ID, UserID: bob.ID}})
	if err != nil || m.Status != "member" {
		t.Fatalf("member: %v %+v", err, m)
	}
	c, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: group.ID}})
	if err != nil || c.Title != "Gophers" || c.Type != "supergroup" {
		t.Fatalf("chat: %v %+v", err, c)
	}
}

func TestPrivateChatForbidden(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	srv.SendText(telegramtest.PrivateChat(alice), alice, "/start")
	srv.Block(alice.ID)
	_, err := bot.Send(tgbotapi.NewMessage(alice.ID, "hi"))
	if e := apiErr(t, err); e.Code != 403 || e.Message != "Forbidden: bot was blocked by the user" {
		t.Fatalf("blocked: %+v", e)
	}
	srv.SendText(group, bob, "hello group")
	_, err = bot.Send(tgbotapi.NewMessage(bob.ID, "hi"))
	if e := apiErr(t, err); e.Code != 403 || e.Message != "Forbidden: bot can't initiate conversation with a user" {
		t.Fatalf("not started: %+v", e)
	}
	_, err = bot.Send(tgbotapi.NewMessage(424242, "hi"))
	if e := apiErr(t, err); e.Message != "Bad Request: chat not found" {
		t.Fatalf("unknown chat: %+v", e)
	}
}

func TestInlineQuery(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	id := srv.InlineQuery(bob, "go")
	art := tgbotapi.NewInlineQueryResultArticle("1", "Go", "https://go.dev")
	if _, err := bot.Request(tgbotapi.InlineConfig{InlineQueryID: id, Results: []any{art}}); err != nil {
		t.Fatal(err)
	}
	if a := srv.InlineAnswers(); len(a) != 1 || len(a[0].Results) != 1 {
		t.Fatalf("answers = %+v", a)
	}
	if _, err := bot.Request(tgbotapi.NewChatAction(group.ID, tgbotapi.ChatTyping)); err == nil {
		t.Fatal("chat action to unknown chat accepted")
	}
}

// tgbotapi's UploadFiles path builds its Error without the HTTP code, so a
// 429 on a multipart upload only shows up through RetryAfter and the text.
func TestUploadErrorLacksCode(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	srv.AddChat(group)
	srv.FailNext("sendDocument", 1, 429, 0)
	_, err := bot.Send(tgbotapi.NewDocument(group.ID, tgbotapi.FileBytes{Name: "a.txt", Bytes: []byte("a")}))
	e := apiErr(t, err)
	if e.Code != 0 || e.Message != "Too Many Requests: retry after 0" {
		t.Fatalf("upload 429 = %+v", e)
	}
	if c := srv.CallsTo("sendDocument"); len(c) != 1 || c[0].Status != 429 || c[0].Files["document"].FileName != "a.txt" {
		t.Fatalf("recorded = %+v", c)
	}
}

func TestInviteLinkSingleUseAndBans(t *testing.T) {
	srv := telegramtest.New(t)
	bot := newBot(t, srv)
	srv.AddChat(group)
	carol := telegramtest.User{ID: 1003, FirstName: "Carol"}
	member := func(u telegramtest.User) tgbotapi.ChatMemberConfig {
		return tgbotapi.ChatMemberConfig{ChatID: group.ID, UserID: u.ID}
	}
	create := tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: group.ID}, MemberLimit: 1}
	if _, err := bot.Request(create); err == nil || !strings.Contains(err.Error(), "not enough rights") {
		t.Fatalf("link made by a bot that is no administrator: %v", err)
	}
	srv.SetAdministrators(group.ID, alice, srv.Bot())
	resp, err := bot.Request(create)
	if err != nil {
		t.Fatal(err)
	}
	var link tgbotapi.ChatInviteLink
	_ = json.Unmarshal(resp.Result, &link)

	joined, err := srv.JoinByLink(link.InviteLink, bob)
	if err != nil || len(joined.NewChatMembers) != 1 || joined.NewChatMembers[0].ID != bob.ID || !srv.IsMember(group.ID, bob.ID) {
		t.Fatalf("join = %+v, %v", joined, err)
	}
	if _, err := srv.JoinByLink(link.InviteLink, carol); !errors.Is(err, telegramtest.ErrInviteLinkExpired) {
		t.Errorf("second join with a single-use link: %v", err)
	}
	if l := srv.InviteLinks(group.ID); len(l) != 1 || len(l[0].Joined) != 1 || l[0].Joined[0] != bob.ID {
		t.Errorf("links = %+v", l)
	}
	if _, err := srv.JoinByLink("https://t.me/+nope", carol); !errors.Is(err, telegramtest.ErrInviteLinkInvalid) {
		t.Errorf("unknown link: %v", err)
	}

	// A ban removes bob and keeps him out; lifting it lets him join again.
	if _, err := bot.Request(tgbotapi.BanChatMemberConfig{ChatMemberConfig: member(bob)}); err != nil {
		t.Fatal(err)
	}
	if srv.IsMember(group.ID, bob.ID) || !srv.IsBanned(group.ID, bob.ID) {
		t.Fatal("bob is still in the group after the ban")
	}
	m, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: group.ID, UserID: bob.ID}})
	if err != nil || m.Status != "kicked" {
		t.Fatalf("banned member: %v %+v", err, m)
	}
	resp, _ = bot.Request(tgbotapi.CreateChatInviteLinkConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: group.ID}, MemberLimit: 1})
	_ = json.Unmarshal(resp.Result, &link)
	if _, err := srv.JoinByLink(link.InviteLink, bob); !errors.Is(err, telegramtest.ErrBannedFromChat) {
		t.Errorf("banned user joined: %v", err)
	}
	if _, err := bot.Request(tgbotapi.UnbanChatMemberConfig{ChatMemberConfig: member(bob), OnlyIfBanned: true}); err != nil {
		t.Fatal(err)
	}
	if srv.IsBanned(group.ID, bob.ID) {
		t.Fatal("still banned")
	}
	if _, err := srv.JoinByLink(link.InviteLink, bob); err != nil {
		t.Errorf("join after the ban was lifted: %v", err)
	}
	// only_if_banned spares a member; without it, unbanning removes them.
	if _, err := bot.Request(tgbotapi.UnbanChatMemberConfig{ChatMemberConfig: member(bob), OnlyIfBanned: true}); err != nil || !srv.IsMember(group.ID, bob.ID) {
		t.Errorf("only_if_banned removed a member: %v", err)
	}
	if _, err := bot.Request(tgbotapi.UnbanChatMemberConfig{ChatMemberConfig: member(bob)}); err != nil || srv.IsMember(group.ID, bob.ID) {
		t.Errorf("plain unban left the member in: %v", err)
	}
	// Administrators cannot be banned.
	_, err = bot.Request(tgbotapi.BanChatMemberConfig{ChatMemberConfig: member(alice)})
	if e := apiErr(t, err); e.Message != "Bad Request: can't remove chat owner" {
		t.Errorf("banning the owner: %+v", e)
	}
}

// Updates go to the webhook over up to max_connections requests at once,
// as Telegram sends them, and never over more.
func TestWebhookDeliveryUsesMaxConnections(t *testing.T) {
	for _, conns := range []int{1, 4} {
		t.Run(fmt.Sprint(conns), func(t *testing.T) {
			var mu sync.Mutex
			open, most := 0, 0
			release := make(chan struct{})
			arrived := make(chan struct{}, 100)
			delivered := map[int]bool{}
			recv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var u tgbotapi.Update
				body, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(body, &u)
				mu.Lock()
				open++
				most = max(most, open)
				mu.Unlock()
				arrived <- struct{}{}
				<-release
				mu.Lock()
				open--
				delivered[u.UpdateID] = true
				mu.Unlock()
			}))
			t.Cleanup(recv.Close) // after the double's own cleanup, which stops its posts
			srv := telegramtest.New(t, telegramtest.WithWebhookClient(recv.Client()))
			bot := newBot(t, srv)
			if _, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": recv.URL + "/hook", "max_connections": fmt.Sprint(conns)}); err != nil {
				t.Fatal(err)
			}
			const updates = 10
			for i := range updates {
				srv.SendText(group, alice, fmt.Sprint("update ", i))
			}
			// The receiver holds every request until as many as allowed are open.
			for n := range conns {
				select {
				case <-arrived:
				case <-time.After(wait):
					t.Fatalf("%d requests open at once, want %d", n, conns)
				}
			}
			close(release)
			// The double records an answer after the receiver gives it.
			if !srv.WaitFor(wait, func() bool { return srv.PendingUpdates() == 0 }) {
				t.Errorf("%d updates still pending after delivery", srv.PendingUpdates())
			}
			mu.Lock()
			defer mu.Unlock()
			if len(delivered) != updates {
				t.Errorf("%d of %d updates delivered", len(delivered), updates)
			}
			if most != conns {
				t.Errorf("at most %d requests open at once, want %d", most, conns)
			}
		})
	}
}
