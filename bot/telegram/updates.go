package telegram

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

// allowedUpdates are the update kinds Agora asks Telegram for.
var allowedUpdates = []string{"message", "callback_query", "inline_query"}

// dispatcher handles updates concurrently across chats and in arrival order
// within one, so one slow chat (waiting on its rate limit) does not hold up
// the others. Its goroutines belong to the adapter's Run, which waits for
// them before returning.
type dispatcher struct {
	a       *Adapter
	wg      sync.WaitGroup
	mu      sync.Mutex
	pending map[int64][]tgbotapi.Update // chats with a running drain
	stopped bool                        // Run has returned: refuse new updates
}

// handleTimeout bounds the handling of one update, rate-limit waits included.
const handleTimeout = 2 * time.Minute

// maxQueued bounds the updates waiting in one chat; beyond, the chat is
// flooding and further updates are dropped (and logged).
const maxQueued = 1000

// handle queues an update; it reports false once the dispatcher stopped.
func (d *dispatcher) handle(ctx context.Context, u tgbotapi.Update) bool {
	key := updateChat(u)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return false
	}
	if d.pending == nil {
		d.pending = map[int64][]tgbotapi.Update{}
	}
	q, running := d.pending[key]
	if len(q) >= maxQueued {
		d.a.log.Error("too many updates waiting in one chat; dropping one", "chat", key, "update", u.UpdateID)
		return true
	}
	d.pending[key] = append(q, u)
	if !running {
		d.wg.Add(1)
		go d.drain(ctx, key)
	}
	return true
}

// drain handles one chat's updates, and ends when it has none left.
func (d *dispatcher) drain(ctx context.Context, key int64) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.pending[key]
		if len(q) == 0 {
			delete(d.pending, key)
			d.mu.Unlock()
			return
		}
		u := q[0]
		d.pending[key] = q[1:]
		d.mu.Unlock()
		// An update taken is finished even when Run is asked to stop,
		// so a member is not left with half an answer.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
		d.a.handleUpdate(hctx, u)
		cancel()
	}
}

// stop refuses further updates and waits for those taken.
func (d *dispatcher) stop() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	d.wg.Wait()
}

// updateChat is the chat an update belongs to, for ordering; inline queries
// are ordered per user.
func updateChat(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.InlineQuery != nil:
		return u.InlineQuery.From.ID
	}
	return 0
}

// handleUpdate converts one update and answers it. Failures are logged: an
// update is never retried, so that nothing is answered twice.
func (a *Adapter) handleUpdate(ctx context.Context, u tgbotapi.Update) {
	switch {
	case u.Message != nil && len(u.Message.NewChatMembers) > 0:
		a.joined(ctx, u.Message)
	case u.Message != nil && u.Message.MigrateToChatID != 0:
		a.migrated(ctx, u.Message.Chat.ID, u.Message.MigrateToChatID)
	case u.Message != nil && u.Message.MigrateFromChatID != 0:
		a.migrated(ctx, u.Message.MigrateFromChatID, u.Message.Chat.ID)
	case u.Message != nil && u.Message.From != nil && !u.Message.From.IsBot:
		a.message(ctx, u.Message)
	case u.CallbackQuery != nil:
		a.callback(ctx, u.CallbackQuery)
	case u.InlineQuery != nil:
		a.inline(ctx, u.InlineQuery)
	}
}

// baseRequest describes where a member acts and who they are; group
// administrators are moderators on Telegram's word.
func (a *Adapter) baseRequest(ctx context.Context, chat *tgbotapi.Chat, from *tgbotapi.User) *commands.Request {
	req := &commands.Request{
		Platform: commands.PlatformTelegram,
		Chat:     commands.Chat{ID: itoa(chat.ID), Title: chatTitle(chat, from), Private: chat.IsPrivate()},
		User:     commands.User{ID: itoa(from.ID), Name: displayName(from), Locale: from.LanguageCode, Bot: from.IsBot},
	}
	if !chat.IsPrivate() && a.isAdmin(ctx, chat.ID, from.ID) {
		req.User.PlatformRole = commands.RoleModerator
	}
	return req
}

func chatTitle(chat *tgbotapi.Chat, from *tgbotapi.User) string {
	if chat.Title != "" {
		return chat.Title
	}
	return displayName(from)
}

func displayName(u *tgbotapi.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		name = u.UserName
	}
	return name
}

// loc speaks the member's Telegram language, else the default.
func (a *Adapter) loc(from *tgbotapi.User) *locales.Localizer {
	return a.rt.Localizer(nil, from.LanguageCode)
}

// message hands a text message to the runtime's text front end: a
// command, an answer to a guided question, or chatter (a message event,
// whose answers reply to it).
func (a *Adapter) message(ctx context.Context, m *tgbotapi.Message) {
	text := strings.TrimSpace(m.Text)
	if text == "" {
		return
	}
	if head, _ := commands.CommandHead(text); commandName(head) == "start" {
		// Telegram sends /start (with a deep-link payload, which Agora
		// does not use) when a member opens the bot.
		if _, ok := a.rt.Registry().Word("start", spelling); !ok {
			text = "/" + a.opts.StartCommand
		}
	}
	req := a.baseRequest(ctx, m.Chat, m.From)
	msg := bot.TextMessage{
		Platform: req.Platform, Chat: req.Chat, User: req.User, Text: text,
		MessageID: itoa(int64(m.MessageID)), Direct: m.Chat.IsPrivate(), BotName: a.username, Spelling: spelling,
	}
	if m.ReplyToMessage != nil {
		msg.ReplyTo = itoa(int64(m.ReplyToMessage.MessageID))
	}
	a.rt.HandleText(ctx, msg, a.replier(m.Chat, m.From, m.MessageID))
}

// reply delivers the answer to a member's message. There is no ephemeral
// message in a Telegram group: a private answer goes by direct message
// when the member has started the bot, else it is posted in the group as a
// reply to them.
func (a *Adapter) reply(ctx context.Context, m *tgbotapi.Message, r *commands.Response) {
	if r.Ephemeral && !m.Chat.IsPrivate() {
		if _, err := a.send(ctx, m.From.ID, 0, r); err == nil {
			return
		} else if !refusedDM(err) {
			a.log.Warn("private answer failed; answering in the group", "error", err)
		}
	}
	if _, err := a.send(ctx, m.Chat.ID, m.MessageID, r); err != nil {
		a.log.Error("answer a command", "chat", m.Chat.ID, "error", err)
	}
}

// callback handles a button press and always answers it, so the member's
// client stops its spinner. The answer goes before any public message,
// which may wait behind the chat's rate limit longer than Telegram waits
// for the answer.
func (a *Adapter) callback(ctx context.Context, q *tgbotapi.CallbackQuery) {
	answered := false
	answer := func(toast string, alert bool) {
		if answered {
			return
		}
		answered = true
		params := tgbotapi.Params{"callback_query_id": q.ID}
		if toast != "" {
			params["text"] = toast
			if alert {
				params["show_alert"] = "true"
			}
		}
		if _, err := a.request(ctx, "answerCallbackQuery", 0, idempotent, params); err != nil {
			a.log.Warn("answer callback query", "error", err)
		}
	}
	defer answer("", false)
	chat := &tgbotapi.Chat{ID: q.From.ID, Type: "private"}
	var messageID int
	if q.Message != nil {
		chat, messageID = q.Message.Chat, q.Message.MessageID
	}
	req := a.baseRequest(ctx, chat, q.From)
	req.Action = parseCallbackData(q.Data)
	if messageID != 0 {
		req.Action.MessageID = itoa(int64(messageID))
	}
	r := a.rt.Handle(ctx, req)
	switch {
	case r.Modal != nil:
		answer("", false)
		a.rt.StartForm(ctx, req, r, a.replier(chat, q.From, 0))
	case r.Ephemeral && !chat.IsPrivate():
		if _, err := a.send(ctx, q.From.ID, 0, r); err == nil {
			answer(a.loc(q.From).S("telegram.sent_privately"), false)
			return
		} else if !refusedDM(err) {
			a.log.Warn("private answer to a button failed; answering with a toast", "error", err)
		}
		toast, cut := truncatePlain(strings.TrimSpace(r.Text.Plain()), 200)
		answer(toast, cut || strings.Contains(toast, "\n") || len([]rune(toast)) > 60)
	case r.Edit && messageID != 0:
		answer("", false)
		if err := a.edit(ctx, chat.ID, int64(messageID), r); err != nil {
			a.log.Error("edit after a button", "chat", chat.ID, "error", err)
		}
	default:
		answer("", false)
		if _, err := a.send(ctx, chat.ID, 0, r); err != nil {
			a.log.Error("answer a button", "chat", chat.ID, "error", err)
		}
	}
}

// inline answers an inline query from the configured command's autocomplete.
func (a *Adapter) inline(ctx context.Context, q *tgbotapi.InlineQuery) {
	type content struct {
		Text      string `json:"message_text"`
		ParseMode string `json:"parse_mode"`
	}
	type article struct {
		Type    string  `json:"type"`
		ID      string  `json:"id"`
		Title   string  `json:"title"`
		Content content `json:"input_message_content"`
	}
	results := []article{}
	if spec, ok := a.rt.Registry().Resolve(a.opts.InlineCommand); ok && spec.Autocomplete != nil && strings.TrimSpace(q.Query) != "" {
		req := a.baseRequest(ctx, &tgbotapi.Chat{ID: q.From.ID, Type: "private"}, q.From)
		req.Command = spec.Path()
		option := ""
		for _, o := range spec.Options {
			if o.Autocomplete {
				option = o.Name
				break
			}
		}
		for i, s := range a.rt.Autocomplete(ctx, req, option, q.Query) {
			if i == 50 { // Telegram's maximum
				break
			}
			title, _ := truncatePlain(s.Label, 200)
			body, _ := truncatePlain(s.Value, maxMessage)
			if strings.TrimSpace(title) == "" || strings.TrimSpace(body) == "" {
				continue
			}
			results = append(results, article{Type: "article", ID: itoa(int64(i)), Title: title, Content: content{Text: escapeHTML(body), ParseMode: "HTML"}})
		}
	}
	params := tgbotapi.Params{"inline_query_id": q.ID, "results": mustJSON(results), "cache_time": "10", "is_personal": "true"}
	if _, err := a.request(ctx, "answerInlineQuery", 0, idempotent, params); err != nil {
		a.log.Warn("answer inline query", "error", err)
	}
}

// joined hands each new group member to the runtime as an event and posts
// what the modules answer (a welcome) in the group; a private answer goes
// to the newcomer when they have started the bot.
func (a *Adapter) joined(ctx context.Context, m *tgbotapi.Message) {
	for _, u := range m.NewChatMembers {
		a.log.Info("member joined a group", "chat", m.Chat.ID, "user", u.ID)
		req := &commands.Request{
			Platform: commands.PlatformTelegram,
			Chat:     commands.Chat{ID: itoa(m.Chat.ID), Title: chatTitle(m.Chat, &u)},
			User:     commands.User{ID: itoa(u.ID), Name: displayName(&u), Locale: u.LanguageCode, Bot: u.IsBot || u.ID == a.botID},
			Event:    &commands.Event{Kind: commands.EventMemberJoined},
		}
		for _, r := range a.rt.HandleEvent(ctx, req) {
			a.reply(ctx, &tgbotapi.Message{Chat: m.Chat, From: &u}, r)
		}
	}
}

// migrated follows a group upgraded to a supergroup, which changes its ID:
// Telegram says so in both the old and the new chat, and the first notice
// moves Agora's chat (community, purpose, posts) to the new ID.
func (a *Adapter) migrated(ctx context.Context, from, to int64) {
	moved, err := a.store.ChangeChatID(ctx, commands.PlatformTelegram, itoa(from), itoa(to))
	switch {
	case errors.Is(err, storage.ErrConflict):
		a.log.Warn("group upgraded to a supergroup that Agora already knew; the old group's settings stay behind", "from", from, "to", to)
	case err != nil:
		a.log.Error("follow a group upgraded to a supergroup", "from", from, "to", to, "error", err)
	case moved:
		a.log.Info("group upgraded to a supergroup; chat moved", "from", from, "to", to)
	}
	a.mu.Lock()
	delete(a.admins, from)
	a.mu.Unlock()
}

// isAdmin asks Telegram who administers a group, remembering the answer
// for a minute. When Telegram cannot say, the member is not a moderator
// on Telegram's word (their stored role still applies).
func (a *Adapter) isAdmin(ctx context.Context, chatID, userID int64) bool {
	a.mu.Lock()
	e, ok := a.admins[chatID]
	a.mu.Unlock()
	if !ok || time.Since(e.at) > a.opts.AdminCacheTTL {
		resp, err := a.request(ctx, "getChatAdministrators", 0, idempotent, tgbotapi.Params{"chat_id": itoa(chatID)})
		if err != nil {
			a.log.Warn("read group administrators", "chat", chatID, "error", err)
			return false
		}
		var members []struct {
			User tgbotapi.User `json:"user"`
		}
		if err := decode(resp, &members); err != nil {
			a.log.Warn("read group administrators", "chat", chatID, "error", err)
			return false
		}
		e = adminEntry{ids: map[int64]bool{}, at: time.Now()}
		for _, m := range members {
			e.ids[m.User.ID] = true
		}
		a.mu.Lock()
		a.admins[chatID] = e
		a.mu.Unlock()
	}
	return e.ids[userID]
}
