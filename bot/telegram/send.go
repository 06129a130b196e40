package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/commands"
)

// maxCallbackData is Telegram's limit on a button's callback_data, in bytes.
const maxCallbackData = 64

// selectSeparator joins a select menu's route and the chosen value in a
// button's callback_data: "p/c/12|3". Routes never contain it.
const selectSeparator = "|"

// Send posts a response in a chat and returns the ID of the message that
// carries its buttons (the last one when the text was split).
func (a *Adapter) Send(ctx context.Context, chatID string, r *commands.Response) (string, error) {
	id, err := parseID("chat", chatID)
	if err != nil {
		return "", err
	}
	return a.send(ctx, id, 0, r)
}

// DirectMessage writes to a member in their private chat with the bot, which
// Telegram allows only once they have started the bot and not blocked it.
func (a *Adapter) DirectMessage(ctx context.Context, userID string, r *commands.Response) (string, error) {
	id, err := parseID("user", userID)
	if err != nil {
		return "", err
	}
	msgID, err := a.send(ctx, id, 0, r)
	if err != nil && refusedDM(err) {
		return "", fmt.Errorf("%w: %w", commands.ErrDirectMessageRefused, err)
	}
	return msgID, err
}

// refusedDM recognises "bot was blocked by the user", "bot can't initiate
// conversation with a user" and "chat not found".
func refusedDM(err error) bool {
	code := errorCode(err)
	return code == 403 || (code == 400 && strings.Contains(errorMessage(err), "chat not found"))
}

// Edit replaces a message's text and buttons. A text too long for one
// message keeps its first part: edits cannot add messages.
func (a *Adapter) Edit(ctx context.Context, chatID, messageID string, r *commands.Response) error {
	cid, err := parseID("chat", chatID)
	if err != nil {
		return err
	}
	mid, err := parseID("message", messageID)
	if err != nil {
		return err
	}
	return a.edit(ctx, cid, mid, r)
}

func (a *Adapter) edit(ctx context.Context, chatID, messageID int64, r *commands.Response) error {
	kb := a.keyboard(r)
	if kb == nil {
		kb = &inlineKeyboard{Rows: [][]inlineButton{}} // an edit without buttons removes them
	}
	params := tgbotapi.Params{"chat_id": itoa(chatID), "message_id": itoa(messageID), "reply_markup": mustJSON(kb)}
	method := "editMessageReplyMarkup"
	if msgs := renderMessages(r.Text, maxMessage); len(msgs) > 0 {
		if len(msgs) > 1 {
			a.log.Warn("edited text longer than one message; keeping its first part", "chat", chatID, "message", messageID)
		}
		method = "editMessageText"
		params["text"] = msgs[0]
		params["parse_mode"] = "HTML"
		params["disable_web_page_preview"] = "true"
	}
	_, err := a.request(ctx, method, 0, idempotent, params)
	if err != nil && strings.Contains(errorMessage(err), "message is not modified") {
		return nil // the same content again: nothing to do
	}
	// Callers (the runtime's messenger, the log lines here) name the
	// message; the error names the method.
	return err
}

// Delete removes a message; one already gone counts as deleted.
func (a *Adapter) Delete(ctx context.Context, chatID, messageID string) error {
	cid, err := parseID("chat", chatID)
	if err != nil {
		return err
	}
	if _, err := parseID("message", messageID); err != nil {
		return err
	}
	_, err = a.request(ctx, "deleteMessage", 0, idempotent, tgbotapi.Params{"chat_id": itoa(cid), "message_id": messageID})
	if err != nil && strings.Contains(errorMessage(err), "message to delete not found") {
		return nil
	}
	return err
}

// send posts text (split as needed), then files; replyTo threads the first
// message under the member's. Buttons go on the last text message, or on
// the last file when there is no text.
func (a *Adapter) send(ctx context.Context, chatID int64, replyTo int, r *commands.Response) (string, error) {
	msgs := renderMessages(r.Text, maxMessage)
	kb := a.keyboard(r)
	if len(msgs) == 0 && len(r.Files) == 0 {
		if kb == nil {
			return "", errors.New("telegram: nothing to send (empty text, no files)")
		}
		msgs = []string{"👇"} // Telegram needs some text to hang buttons on
	}
	var last string
	for i, text := range msgs {
		params := tgbotapi.Params{"chat_id": itoa(chatID), "text": text, "parse_mode": "HTML", "disable_web_page_preview": "true"}
		if i == 0 && replyTo != 0 {
			params["reply_to_message_id"] = fmt.Sprint(replyTo)
			params["allow_sending_without_reply"] = "true"
		}
		if i == len(msgs)-1 && kb != nil {
			params["reply_markup"] = mustJSON(kb)
		}
		id, err := a.sendMessage(ctx, chatID, params)
		if err != nil && len(msgs) > 1 {
			return last, fmt.Errorf("part %d of %d: %w", i+1, len(msgs), err)
		}
		if err != nil {
			return last, err
		}
		last = id
	}
	for i, f := range r.Files {
		var markup any
		if len(msgs) == 0 && i == len(r.Files)-1 && kb != nil {
			markup = kb
		}
		id, err := a.sendFile(ctx, chatID, f, markup)
		if err != nil {
			return last, fmt.Errorf("file %q: %w", f.Name, err)
		}
		if len(msgs) == 0 {
			last = id
		}
	}
	return last, nil
}

// sentMessage is the part of a Telegram message Agora reads back.
type sentMessage struct {
	MessageID int `json:"message_id"`
}

func (a *Adapter) sendMessage(ctx context.Context, chatID int64, params tgbotapi.Params) (string, error) {
	resp, err := a.request(ctx, "sendMessage", chatID, onceOnly, params)
	if err != nil {
		return "", err
	}
	var m sentMessage
	if err := decode(resp, &m); err != nil {
		return "", err
	}
	return fmt.Sprint(m.MessageID), nil
}

// sendFile uploads a file: PNG and JPEG images as photos, the rest as documents.
func (a *Adapter) sendFile(ctx context.Context, chatID int64, f commands.File, markup any) (string, error) {
	data := tgbotapi.FileBytes{Name: f.Name, Bytes: f.Data}
	var cfg tgbotapi.Chattable
	method := "sendDocument"
	if f.ContentType == "image/png" || f.ContentType == "image/jpeg" {
		p := tgbotapi.NewPhoto(chatID, data)
		p.ReplyMarkup = markup
		cfg, method = p, "sendPhoto"
	} else {
		d := tgbotapi.NewDocument(chatID, data)
		d.ReplyMarkup = markup
		cfg = d
	}
	resp, err := a.call(ctx, method, chatID, onceOnly, func(api *tgbotapi.BotAPI) (*tgbotapi.APIResponse, error) {
		return api.Request(cfg)
	})
	if err != nil {
		return "", err
	}
	var m sentMessage
	if err := decode(resp, &m); err != nil {
		return "", err
	}
	return fmt.Sprint(m.MessageID), nil
}

// inlineKeyboard is Telegram's inline_keyboard reply markup.
type inlineKeyboard struct {
	Rows [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// keyboard turns buttons and a select menu into inline keyboard rows, one
// button per row so labels stay readable on phones. A route longer than
// Telegram's 64 bytes cannot be a button: it is left out and logged, since
// cutting it would make a forged-looking route.
func (a *Adapter) keyboard(r *commands.Response) *inlineKeyboard {
	var rows [][]inlineButton
	add := func(label, data, url string) {
		label = strings.TrimSpace(label)
		if label == "" {
			label = "•"
		}
		label, _ = truncatePlain(label, 64)
		switch {
		case url != "":
			rows = append(rows, []inlineButton{{Text: label, URL: url}})
		case data == "":
			a.log.Error("button has neither action nor URL; left out", "label", label)
		case len(data) > maxCallbackData:
			a.log.Error("button action longer than Telegram's 64 bytes; left out", "action", data, "bytes", len(data))
		default:
			rows = append(rows, []inlineButton{{Text: label, CallbackData: data}})
		}
	}
	for _, b := range r.Buttons {
		add(b.Label, b.Action, b.URL)
	}
	if s := r.Select; s != nil {
		for _, o := range s.Options {
			add(o.Label, s.Action+selectSeparator+o.Action, "")
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return &inlineKeyboard{Rows: rows}
}

// parseCallbackData turns a button's data back into an action.
func parseCallbackData(data string) *commands.Action {
	route, value, isSelect := strings.Cut(data, selectSeparator)
	act := &commands.Action{Route: route}
	if isSelect {
		act.Values = []string{value}
	}
	return act
}
