package telegram

import (
	"context"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
)

// replier answers a member in a chat for the runtime: replies go under
// their message, and the runtime's guided questions become ForceReply
// prompts aimed at them.
type replier struct {
	a       *Adapter
	chat    *tgbotapi.Chat
	from    *tgbotapi.User
	replyTo int // the member's message, or 0 after a button press
}

func (a *Adapter) replier(chat *tgbotapi.Chat, from *tgbotapi.User, replyTo int) replier {
	return replier{a: a, chat: chat, from: from, replyTo: replyTo}
}

func (r replier) Reply(ctx context.Context, resp *commands.Response) {
	r.a.reply(ctx, &tgbotapi.Message{MessageID: r.replyTo, Chat: r.chat, From: r.from}, resp)
}

// Ask sends the question as a ForceReply aimed at the member (selective,
// replying to them, so only they get the reply field); their reply to it
// is the answer.
func (r replier) Ask(ctx context.Context, q bot.Question) (string, error) {
	hint := r.a.loc(r.from).T("telegram.answer_hint")
	msgs := renderMessages(markup.Join([]markup.Text{q.Text, hint}, "\n"), maxMessage)
	if len(msgs) == 0 {
		return "", fmt.Errorf("telegram: empty question")
	}
	placeholder, _ := truncatePlain(q.Hint, 64)
	params := tgbotapi.Params{
		"chat_id": itoa(r.chat.ID), "text": msgs[0], "parse_mode": "HTML",
		"reply_markup": mustJSON(map[string]any{"force_reply": true, "selective": true, "input_field_placeholder": placeholder}),
	}
	if r.replyTo != 0 {
		params["reply_to_message_id"] = fmt.Sprint(r.replyTo)
		params["allow_sending_without_reply"] = "true"
	}
	id, err := r.a.sendMessage(ctx, r.chat.ID, params)
	if err != nil {
		return "", fmt.Errorf("telegram: send a guided question in chat %d: %w", r.chat.ID, err)
	}
	return id, nil
}
