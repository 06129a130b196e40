package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
)

// maxCallbackData is Telegram's limit on a button's callback_data, in bytes.
const maxCallbackData = 64

// selectSeparator joins a select menu's route and the chosen value in a
// button's callback_data: "p/c/12|3". Routes never contain it.
const selectSeparator = "|"

// Send posts a response in a chat and returns its reference: the IDs of
// the text parts, then of the files, in order (see bot.Platform).
func (a *Adapter) Send(ctx context.Context, chatID string, r *commands.Response) (string, error) {
	id, err := parseID("chat", chatID)
	if err != nil {
		return "", err
	}
	ids, err := a.send(ctx, id, 0, r)
	return bot.MessageRef(ids), err
}

// DirectMessage writes to a member in their private chat with the bot, which
// Telegram allows only once they have started the bot and not blocked it.
func (a *Adapter) DirectMessage(ctx context.Context, userID string, r *commands.Response) (string, error) {
	id, err := parseID("user", userID)
	if err != nil {
		return "", err
	}
	ids, err := a.send(ctx, id, 0, r)
	if err != nil && refusedDM(err) {
		a.notePrivate(ctx, id, false)
		return "", fmt.Errorf("%w: %w", commands.ErrDirectMessageRefused, err)
	}
	return bot.MessageRef(ids), err
}

// refusedDM recognises "bot was blocked by the user", "bot can't initiate
// conversation with a user" and "chat not found".
func refusedDM(err error) bool {
	code := errorCode(err)
	return code == 403 || (code == 400 && strings.Contains(errorMessage(err), "chat not found"))
}

// Edit replaces a message Agora posted, part by part (see bot.Platform),
// and returns its new reference.
func (a *Adapter) Edit(ctx context.Context, chatID, ref string, r *commands.Response) (string, error) {
	cid, err := parseID("chat", chatID)
	if err != nil {
		return ref, err
	}
	ids := bot.MessageIDs(ref)
	if len(ids) == 0 {
		return ref, fmt.Errorf("telegram: edit in chat %d: empty message reference", cid)
	}
	for _, id := range ids {
		if _, err := parseID("message", id); err != nil {
			return ref, err
		}
	}
	now, err := a.editParts(ctx, cid, ids, r)
	return bot.MessageRef(now), err
}

// edit replaces the one message a button was pressed on: the earlier parts
// of a split message are not known there, so they stay as they are.
func (a *Adapter) edit(ctx context.Context, chatID, messageID int64, r *commands.Response) error {
	_, err := a.editParts(ctx, chatID, []string{itoa(messageID)}, r)
	return err
}

// editParts edits the text parts in place, in order, then sends the parts
// the new content needs beyond them, then deletes the old parts left over;
// it returns the parts posted now. Telegram cannot turn a file into text
// in place, so files are sent anew and old file parts deleted; an old file
// part shows up as "no text in the message" when editing it. A response
// with neither text nor files changes the buttons of the last part only.
func (a *Adapter) editParts(ctx context.Context, chatID int64, old []string, r *commands.Response) ([]string, error) {
	texts := renderMessages(r.Text, maxMessage)
	kb := a.keyboard(r)
	if len(texts) == 0 && len(r.Files) == 0 {
		return old, a.editMarkup(ctx, chatID, old[len(old)-1], kb)
	}
	var now []string
	edited := 0
	for ; edited < len(texts) && edited < len(old); edited++ {
		var markup *inlineKeyboard
		if edited == len(texts)-1 {
			markup = kb
		}
		err := a.editText(ctx, chatID, old[edited], texts[edited], markup)
		if err != nil && strings.Contains(errorMessage(err), "there is no text in the message to edit") {
			break // the old message's files start here
		}
		if err != nil {
			return append(now, old[edited:]...), fmt.Errorf("part %d of %d: %w", edited+1, len(old), err)
		}
		now = append(now, old[edited])
	}
	restKB := kb
	if edited == len(texts) && len(texts) > 0 {
		restKB = nil // already on the last text part
	}
	sent, err := a.sendParts(ctx, chatID, 0, texts[edited:], r.Files, restKB)
	now = append(now, sent...)
	if err != nil {
		return append(now, old[edited:]...), err
	}
	for i, id := range old[edited:] {
		if err := a.deleteOne(ctx, chatID, id); err != nil {
			return append(now, old[edited+i:]...), err
		}
	}
	return now, nil
}

// editText replaces one part's text; a nil keyboard removes its buttons.
func (a *Adapter) editText(ctx context.Context, chatID int64, messageID, text string, kb *inlineKeyboard) error {
	if kb == nil {
		kb = &inlineKeyboard{Rows: [][]inlineButton{}}
	}
	params := tgbotapi.Params{"chat_id": itoa(chatID), "message_id": messageID, "reply_markup": mustJSON(kb),
		"text": text, "parse_mode": "HTML", "disable_web_page_preview": "true"}
	return notModifiedIsDone(a.request(ctx, "editMessageText", 0, idempotent, params))
}

// editMarkup replaces one part's buttons; nil removes them.
func (a *Adapter) editMarkup(ctx context.Context, chatID int64, messageID string, kb *inlineKeyboard) error {
	if kb == nil {
		kb = &inlineKeyboard{Rows: [][]inlineButton{}}
	}
	params := tgbotapi.Params{"chat_id": itoa(chatID), "message_id": messageID, "reply_markup": mustJSON(kb)}
	return notModifiedIsDone(a.request(ctx, "editMessageReplyMarkup", 0, idempotent, params))
}

// notModifiedIsDone accepts Telegram's refusal to edit a message into what
// it already is. Callers (the runtime's messenger, the log lines here) name
// the message; the error names the method.
func notModifiedIsDone(_ *tgbotapi.APIResponse, err error) error {
	if err != nil && strings.Contains(errorMessage(err), "message is not modified") {
		return nil
	}
	return err
}

// Delete removes every part of a message; a part already gone counts as
// deleted, and one that cannot be deleted does not keep the others.
func (a *Adapter) Delete(ctx context.Context, chatID, ref string) error {
	cid, err := parseID("chat", chatID)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range bot.MessageIDs(ref) {
		_, err := parseID("message", id)
		if err == nil {
			err = a.deleteOne(ctx, cid, id)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (a *Adapter) deleteOne(ctx context.Context, chatID int64, messageID string) error {
	_, err := a.request(ctx, "deleteMessage", 0, idempotent, tgbotapi.Params{"chat_id": itoa(chatID), "message_id": messageID})
	if err != nil && strings.Contains(errorMessage(err), "message to delete not found") {
		return nil
	}
	return err
}

// send posts text (split as needed), then files; replyTo threads the first
// message under the member's. It returns the IDs of the parts posted, also
// when it fails after some.
func (a *Adapter) send(ctx context.Context, chatID int64, replyTo int, r *commands.Response) ([]string, error) {
	texts := renderMessages(r.Text, maxMessage)
	kb := a.keyboard(r)
	if len(texts) == 0 && len(r.Files) == 0 {
		if kb == nil {
			return nil, errors.New("telegram: nothing to send (empty text, no files)")
		}
		texts = []string{"👇"} // Telegram needs some text to hang buttons on
	}
	return a.sendParts(ctx, chatID, replyTo, texts, r.Files, kb)
}

// sendParts posts texts, then files. Buttons go on the last text message,
// or on the last file when there is no text.
func (a *Adapter) sendParts(ctx context.Context, chatID int64, replyTo int, texts []string, files []commands.File, kb *inlineKeyboard) ([]string, error) {
	var ids []string
	for i, text := range texts {
		params := tgbotapi.Params{"chat_id": itoa(chatID), "text": text, "parse_mode": "HTML", "disable_web_page_preview": "true"}
		if i == 0 && replyTo != 0 {
			params["reply_to_message_id"] = fmt.Sprint(replyTo)
			params["allow_sending_without_reply"] = "true"
		}
		if i == len(texts)-1 && kb != nil {
			params["reply_markup"] = mustJSON(kb)
		}
		id, err := a.sendMessage(ctx, chatID, params)
		if err != nil && len(texts) > 1 {
			return ids, fmt.Errorf("part %d of %d: %w", i+1, len(texts), err)
		}
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	for i, f := range files {
		var markup any
		if len(texts) == 0 && i == len(files)-1 && kb != nil {
			markup = kb
		}
		id, err := a.sendFile(ctx, chatID, f, markup)
		if err != nil {
			return ids, fmt.Errorf("file %q: %w", f.Name, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
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
