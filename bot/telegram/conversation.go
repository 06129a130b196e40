package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

// A guided conversation asks, one ForceReply prompt at a time, for what a
// command or a form still needs: the required options a member left out,
// or a modal's fields (Telegram has no forms). Its state lives in the
// database, so the answer may reach any process, even after a restart.

// convState is a conversation's progress, stored as JSON.
type convState struct {
	// Command and Options for a command waiting for options.
	Command string            `json:"command,omitempty"`
	Options map[string]string `json:"options,omitempty"`
	// Route, Fields and Labels for a form; MessageID is the message whose
	// button opened it.
	Route     string            `json:"route,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	MessageID string            `json:"message_id,omitempty"`
	// Pending lists the option names or field IDs still to ask, in order.
	Pending []string `json:"pending"`
}

func (a *Adapter) isCancel(head string) bool {
	for _, lang := range locales.Supported {
		if head == commandName(a.rt.Localizer(nil, lang).S("telegram.cancel.name")) {
			return true
		}
	}
	return false
}

// startCommandConversation asks for the first missing option of a typed command.
func (a *Adapter) startCommandConversation(ctx context.Context, m *tgbotapi.Message, tc *commands.TypedCommand, missing []string) {
	st := convState{Command: tc.Path, Options: tc.Options, Pending: missing}
	a.ask(ctx, m.Chat, m.From, m.MessageID, st)
}

// startModalConversation asks for a form's fields one by one.
func (a *Adapter) startModalConversation(ctx context.Context, chat *tgbotapi.Chat, from *tgbotapi.User, replyTo int, messageID string, r *commands.Response) {
	st := convState{Route: r.Modal.Action, Fields: map[string]string{}, Labels: map[string]string{}, MessageID: messageID}
	for _, f := range r.Modal.Fields {
		st.Pending = append(st.Pending, f.ID)
		st.Labels[f.ID] = f.Label
	}
	if len(st.Pending) == 0 {
		a.finishModal(ctx, chat, from, replyTo, st)
		return
	}
	if strings.TrimSpace(string(r.Text)) != "" {
		if _, err := a.send(ctx, chat.ID, replyTo, &commands.Response{Text: r.Text}); err != nil {
			a.log.Error("send a form's introduction", "chat", chat.ID, "error", err)
		}
	}
	a.ask(ctx, chat, from, replyTo, st)
}

// ask sends the prompt for st.Pending[0] as a ForceReply aimed at the member
// (selective, replying to them so only they get the reply field), then
// saves the conversation with the prompt's ID.
func (a *Adapter) ask(ctx context.Context, chat *tgbotapi.Chat, from *tgbotapi.User, replyTo int, st convState) {
	l := a.loc(from)
	name := st.Pending[0]
	var prompt markup.Text
	var placeholder string
	if st.Route != "" {
		placeholder = st.Labels[name]
		prompt = l.T("telegram.ask_field", locales.Data{"Label": placeholder})
	} else if spec, ok := a.rt.Registry().Resolve(st.Command); ok && spec.Option(name) != nil {
		o := spec.Option(name)
		placeholder = l.S(o.NameID)
		prompt = l.T("telegram.ask_option", locales.Data{"Name": placeholder, "Description": l.S(o.DescriptionID)})
	} else {
		a.log.Error("conversation asks for an unknown option", "command", st.Command, "option", name)
		return
	}
	placeholder, _ = truncatePlain(placeholder, 64)
	msgs := renderMessages(prompt, maxMessage)
	if len(msgs) == 0 {
		return
	}
	params := tgbotapi.Params{
		"chat_id": itoa(chat.ID), "text": msgs[0], "parse_mode": "HTML",
		"reply_markup": mustJSON(map[string]any{"force_reply": true, "selective": true, "input_field_placeholder": placeholder}),
	}
	if replyTo != 0 {
		params["reply_to_message_id"] = fmt.Sprint(replyTo)
		params["allow_sending_without_reply"] = "true"
	}
	id, err := a.sendMessage(ctx, chat.ID, params)
	if err != nil {
		a.log.Error("send a guided question", "chat", chat.ID, "error", err)
		return
	}
	state, err := json.Marshal(st)
	if err != nil {
		a.log.Error("encode conversation", "error", err)
		return
	}
	c := storage.Conversation{
		Platform: commands.PlatformTelegram, ChatID: itoa(chat.ID), UserID: itoa(from.ID),
		State: string(state), PromptID: id, ExpiresAt: time.Now().Add(a.opts.ConversationTTL),
	}
	if err := a.store.SaveConversation(ctx, c); err != nil {
		a.log.Error("save conversation", "error", err)
		a.reply(ctx, &tgbotapi.Message{MessageID: replyTo, Chat: chat, From: from}, commands.Private(l.T("error.unavailable")))
	}
}

// answerPrompt takes a member's answer to the question they were asked: a
// reply to the prompt, or any message in a private chat.
func (a *Adapter) answerPrompt(ctx context.Context, m *tgbotapi.Message) {
	c, err := a.store.Conversation(ctx, commands.PlatformTelegram, itoa(m.Chat.ID), itoa(m.From.ID), time.Now())
	if errors.Is(err, storage.ErrNotFound) {
		return
	}
	if err != nil {
		a.log.Error("read conversation", "error", err)
		return
	}
	isReply := m.ReplyToMessage != nil && itoa(int64(m.ReplyToMessage.MessageID)) == c.PromptID
	if !isReply && !m.Chat.IsPrivate() {
		return // group chatter, not the answer
	}
	var st convState
	if err := json.Unmarshal([]byte(c.State), &st); err != nil || len(st.Pending) == 0 {
		a.log.Error("unreadable conversation; forgetting it", "error", err)
		_, _ = a.store.EndConversation(ctx, c.Platform, c.ChatID, c.UserID, time.Now())
		return
	}
	name := st.Pending[0]
	answer := strings.TrimSpace(m.Text)
	if st.Route == "" {
		if problem := a.checkAnswer(a.loc(m.From), st.Command, name, answer); problem != "" {
			// Said, then asked again: nothing given so far is lost.
			a.reply(ctx, m, commands.Reply(problem))
			a.ask(ctx, m.Chat, m.From, m.MessageID, st)
			return
		}
	}
	st.Pending = st.Pending[1:]
	if st.Route != "" {
		if st.Fields == nil {
			st.Fields = map[string]string{}
		}
		st.Fields[name] = answer
	} else {
		if st.Options == nil {
			st.Options = map[string]string{}
		}
		st.Options[name] = answer
	}
	if len(st.Pending) > 0 {
		a.ask(ctx, m.Chat, m.From, m.MessageID, st)
		return
	}
	if _, err := a.store.EndConversation(ctx, c.Platform, c.ChatID, c.UserID, time.Now()); err != nil {
		a.log.Error("end conversation", "error", err)
	}
	if st.Route != "" {
		a.finishModal(ctx, m.Chat, m.From, m.MessageID, st)
		return
	}
	req := a.baseRequest(ctx, m.Chat, m.From)
	req.Command, req.Options = st.Command, st.Options
	a.reply(ctx, m, a.rt.Handle(ctx, req))
}

// finishModal submits a completed form as the action it was for.
func (a *Adapter) finishModal(ctx context.Context, chat *tgbotapi.Chat, from *tgbotapi.User, replyTo int, st convState) {
	req := a.baseRequest(ctx, chat, from)
	req.Action = &commands.Action{Route: st.Route, Fields: st.Fields, MessageID: st.MessageID}
	r := a.rt.Handle(ctx, req)
	if r.Edit && st.MessageID != "" && !r.Ephemeral {
		if _, err := a.Edit(ctx, itoa(chat.ID), st.MessageID, r); err != nil {
			a.log.Error("edit after a form", "chat", chat.ID, "error", err)
		}
		return
	}
	a.reply(ctx, &tgbotapi.Message{MessageID: replyTo, Chat: chat, From: from}, r)
}

// cancel ends the member's conversation in the chat, if any.
func (a *Adapter) cancel(ctx context.Context, m *tgbotapi.Message) {
	l := a.loc(m.From)
	live, err := a.store.EndConversation(ctx, commands.PlatformTelegram, itoa(m.Chat.ID), itoa(m.From.ID), time.Now())
	if err != nil {
		a.log.Error("cancel conversation", "error", err)
		a.reply(ctx, m, commands.Private(l.T("error.unavailable")))
		return
	}
	id := "telegram.nothing_to_cancel"
	if live {
		id = "telegram.cancelled"
	}
	// Said in the chat, not privately: it closes the question asked there.
	a.reply(ctx, m, commands.Reply(l.T(id)))
}

// checkAnswer checks an answer as the runtime will check the option, and
// returns what is wrong with it, localized, or "". Checking here lets the
// member retype one answer instead of starting the command over.
func (a *Adapter) checkAnswer(l *locales.Localizer, path, name, v string) markup.Text {
	spec, ok := a.rt.Registry().Resolve(path)
	if !ok || spec.Option(name) == nil {
		return ""
	}
	o := spec.Option(name)
	label := l.S(o.NameID)
	if v == "" {
		return l.T("error.missing_option", locales.Data{"Name": label, "Description": l.S(o.DescriptionID)})
	}
	switch o.Type {
	case commands.OptionInteger:
		n, err := strconv.Atoi(v)
		if err != nil {
			return l.T("error.option_not_integer", locales.Data{"Name": label, "Value": v})
		}
		if o.Max > o.Min && (n < o.Min || n > o.Max) {
			return l.T("error.option_out_of_range", locales.Data{"Name": label, "Min": o.Min, "Max": o.Max})
		}
	case commands.OptionBoolean:
		if _, ok := commands.ParseBool(v); !ok {
			return l.T("error.option_not_boolean", locales.Data{"Name": label, "Value": v})
		}
	}
	if len(o.Choices) > 0 {
		labels := make([]string, 0, len(o.Choices))
		for _, c := range o.Choices {
			if strings.EqualFold(c.Value, v) || strings.EqualFold(l.S(c.NameID), v) {
				return ""
			}
			labels = append(labels, l.S(c.NameID))
		}
		return l.T("error.option_bad_choice", locales.Data{"Name": label, "Choices": strings.Join(labels, ", ")})
	}
	if o.MaxLength > 0 && utf8.RuneCountInString(v) > o.MaxLength {
		return l.T("error.option_too_long", locales.Data{"Name": label, "Length": utf8.RuneCountInString(v), "Max": o.MaxLength})
	}
	return ""
}
