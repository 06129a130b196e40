package telegramtest

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/gif"  // register decoders so sendPhoto can check images
	_ "image/jpeg" // like Telegram's IMAGE_PROCESS_FAILED check
	_ "image/png"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

type chatState struct {
	chat   Chat
	nextID int64
	msgs   map[int64]*entry
	order  []int64
}

type entry struct {
	msg     Message
	sent    *SentMessage // nil for messages written by users
	deleted bool
}

// SentMessage is a message the bot sent, with what the test usually wants to
// assert on already decoded.
type SentMessage struct {
	Method    string // sendMessage, sendDocument or sendPhoto
	ChatID    int64
	MessageID int64
	ThreadID  int64
	// Text is the plain text after entity parsing (the caption for media);
	// RawText is the value as sent, markup included.
	Text      string
	RawText   string
	ParseMode string
	Entities  []MessageEntity
	// ReplyMarkup is nil when none was sent; ReplyMarkupJSON keeps it verbatim.
	ReplyMarkup         *ReplyMarkup
	ReplyMarkupJSON     string
	ReplyToMessageID    int64
	LinkPreviewDisabled bool
	File                *UploadedFile
	Time                time.Time
	Edits               int
	Deleted             bool
	// Message is the object returned to the bot.
	Message Message
}

// UploadedFile is a file received by sendDocument or sendPhoto.
type UploadedFile struct {
	Field       string
	FileName    string
	ContentType string
	Data        []byte
	FileID      string
	FilePath    string
}

// Edit is one successful edit of a bot message.
type Edit struct {
	Method    string
	ChatID    int64
	MessageID int64
	OldText   string
	NewText   string
	// ReplyMarkupJSON is the markup after the edit ("" when removed).
	ReplyMarkupJSON string
	Time            time.Time
}

// Deletion is one successful deleteMessage.
type Deletion struct {
	ChatID    int64
	MessageID int64
	Time      time.Time
}

func (s *Server) chatLocked(c Chat) *chatState {
	cs := s.chats[c.ID]
	if cs == nil {
		cs = &chatState{chat: c, nextID: 1, msgs: map[int64]*entry{}}
		s.chats[c.ID] = cs
	}
	return cs
}

func (cs *chatState) add(m Message, sent *SentMessage) *entry {
	m.MessageID = cs.nextID
	cs.nextID++
	e := &entry{msg: m, sent: sent}
	cs.msgs[m.MessageID] = e
	cs.order = append(cs.order, m.MessageID)
	return e
}

// lookupChatLocked resolves chat_id (a number or @username).
func (s *Server) lookupChatLocked(v string) (*chatState, *apiError) {
	if strings.HasPrefix(v, "@") {
		for _, cs := range s.chats {
			if cs.chat.Username != "" && strings.EqualFold("@"+cs.chat.Username, v) && cs.chat.Type != "private" {
				return cs, nil
			}
		}
		return nil, badRequest("chat not found")
	}
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	if cs := s.chats[id]; cs != nil {
		return cs, nil
	}
	if _, known := s.users[id]; known {
		return nil, forbidden("bot can't initiate conversation with a user")
	}
	return nil, badRequest("chat not found")
}

// sendTargetLocked is lookupChatLocked plus the checks Telegram applies
// before delivering into a private chat.
func (s *Server) sendTargetLocked(v string) (*chatState, *apiError) {
	cs, err := s.lookupChatLocked(v)
	if err != nil {
		return nil, err
	}
	if cs.chat.Type == "private" && s.blocked[cs.chat.ID] {
		return nil, forbidden("bot was blocked by the user")
	}
	return cs, nil
}

// formatText applies parse_mode or explicit entities the way Telegram does.
func (s *Server) formatText(text, parseMode, entitiesJSON string) (string, []MessageEntity, *apiError) {
	switch strings.ToLower(parseMode) {
	case "html":
		plain, ents, err := ParseHTML(text, s.cfg.strictAmpersand)
		if err != nil {
			return "", nil, badRequest("%s", err.Error())
		}
		return plain, ents, nil
	case "markdown", "markdownv2":
		// Not validated: Agora formats with HTML.
		return text, nil, nil
	case "":
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	var ents []MessageEntity
	if entitiesJSON != "" && entitiesJSON != "null" {
		if err := json.Unmarshal([]byte(entitiesJSON), &ents); err != nil {
			return "", nil, badRequest("can't parse entities JSON object")
		}
	}
	return text, ents, nil
}

// parseMarkup validates reply_markup and returns it decoded and in the form
// echoed in the Message (Telegram only echoes inline keyboards).
func parseMarkup(raw string) (*ReplyMarkup, json.RawMessage, *apiError) {
	if raw == "" || raw == "null" {
		return nil, nil, nil
	}
	var m ReplyMarkup
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	var generic map[string]json.RawMessage
	_ = json.Unmarshal([]byte(raw), &generic)
	if _, ok := generic["inline_keyboard"]; !ok {
		if _, ok := generic["keyboard"]; !ok && !m.RemoveKeyboard && !m.ForceReply {
			return nil, nil, badRequest("can't parse reply keyboard markup JSON object")
		}
		return &m, nil, nil
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			kinds := 0
			for _, set := range []bool{b.URL != nil, b.CallbackData != nil, b.SwitchInlineQuery != nil,
				b.SwitchInlineQueryCurrentChat != nil, b.WebApp != nil, b.LoginURL != nil, b.CallbackGame != nil,
				b.Pay, b.CopyText != nil, b.SwitchInlineQueryChosenChat != nil} {
				if set {
					kinds++
				}
			}
			if kinds == 0 {
				return nil, nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			if b.Text == "" {
				return nil, nil, badRequest("can't parse inline keyboard button: Text must be non-empty")
			}
			if b.CallbackData != nil && (len(*b.CallbackData) < 1 || len(*b.CallbackData) > 64) {
				return nil, nil, badRequest("BUTTON_DATA_INVALID")
			}
			if b.URL != nil {
				if _, ok := normalizeURL(*b.URL); !ok {
					return nil, nil, badRequest("BUTTON_URL_INVALID")
				}
			}
		}
	}
	echo, _ := json.Marshal(map[string]any{"inline_keyboard": m.InlineKeyboard})
	return &m, echo, nil
}

type replyParams struct {
	MessageID                int64 `json:"message_id"`
	AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
}

func (s *Server) replyTargetLocked(cs *chatState, p map[string]string) (*Message, int64, *apiError) {
	var rp replyParams
	if v := p["reply_parameters"]; v != "" && v != "null" {
		if err := json.Unmarshal([]byte(v), &rp); err != nil {
			return nil, 0, badRequest("can't parse reply parameters JSON object")
		}
	} else if v := p["reply_to_message_id"]; v != "" {
		rp.MessageID, _ = strconv.ParseInt(v, 10, 64)
		rp.AllowSendingWithoutReply, _ = parseBool(p["allow_sending_without_reply"])
	}
	if rp.MessageID == 0 {
		return nil, 0, nil
	}
	e := cs.msgs[rp.MessageID]
	if e == nil || e.deleted {
		if rp.AllowSendingWithoutReply {
			return nil, 0, nil
		}
		return nil, 0, badRequest("message to be replied not found")
	}
	m := e.msg
	m.ReplyToMessage = nil // Telegram does not nest replies further
	return &m, rp.MessageID, nil
}

func linkPreviewDisabled(p map[string]string) bool {
	if v := p["link_preview_options"]; v != "" {
		var o struct {
			IsDisabled bool `json:"is_disabled"`
		}
		_ = json.Unmarshal([]byte(v), &o)
		return o.IsDisabled
	}
	b, _ := parseBool(p["disable_web_page_preview"])
	return b
}

// commitSendLocked applies rate limits and stores a bot message.
func (s *Server) commitSendLocked(cs *chatState, sm *SentMessage, m Message) (Message, *apiError) {
	now := time.Now()
	if s.cfg.rateLimits {
		if wait := s.limiter.take(cs.chat, now); wait > 0 {
			return Message{}, tooManyRequests(int(math.Ceil(wait.Seconds())))
		}
	}
	m.From = &s.bot
	m.Date = now.Unix()
	m.Chat = cs.chat
	e := cs.add(m, sm)
	sm.ChatID = cs.chat.ID
	sm.MessageID = e.msg.MessageID
	sm.Time = now
	sm.Message = e.msg
	s.sendTimes[cs.chat.ID] = append(s.sendTimes[cs.chat.ID], now)
	return e.msg, nil
}

func (s *Server) sendMessage(r *request) (any, *apiError) {
	p := r.params
	plain, ents, aerr := s.formatText(p["text"], p["parse_mode"], p["entities"])
	if aerr != nil {
		return nil, aerr
	}
	if strings.TrimSpace(plain) == "" {
		return nil, badRequest("message text is empty")
	}
	if UTF16Len(plain) > 4096 {
		return nil, badRequest("message is too long")
	}
	markup, echo, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.sendTargetLocked(p["chat_id"])
	if aerr != nil {
		return nil, aerr
	}
	reply, replyID, aerr := s.replyTargetLocked(cs, p)
	if aerr != nil {
		return nil, aerr
	}
	thread := intParam(p, "message_thread_id", 0)
	sm := &SentMessage{
		Method: r.method, ThreadID: thread, Text: plain, RawText: p["text"], ParseMode: p["parse_mode"],
		Entities: ents, ReplyMarkup: markup, ReplyMarkupJSON: p["reply_markup"], ReplyToMessageID: replyID,
		LinkPreviewDisabled: linkPreviewDisabled(p),
	}
	if sm.ReplyMarkupJSON == "null" {
		sm.ReplyMarkupJSON = ""
	}
	m := Message{Text: plain, Entities: ents, ReplyToMessage: reply, ReplyMarkup: echo}
	if cs.chat.IsForum {
		m.MessageThreadID = thread
	}
	return s.commitSendLocked(cs, sm, m)
}

func (s *Server) sendDocument(r *request) (any, *apiError) { return s.sendMedia(r, "document") }
func (s *Server) sendPhoto(r *request) (any, *apiError)    { return s.sendMedia(r, "photo") }

func (s *Server) sendMedia(r *request, field string) (any, *apiError) {
	p := r.params
	plain, ents, aerr := s.formatText(p["caption"], p["parse_mode"], p["caption_entities"])
	if aerr != nil {
		return nil, aerr
	}
	if UTF16Len(plain) > 1024 {
		return nil, badRequest("message caption is too long")
	}
	markup, echo, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.sendTargetLocked(p["chat_id"])
	if aerr != nil {
		return nil, aerr
	}
	f, aerr := s.resolveFileLocked(r, field)
	if aerr != nil {
		return nil, aerr
	}
	reply, replyID, aerr := s.replyTargetLocked(cs, p)
	if aerr != nil {
		return nil, aerr
	}
	m := Message{Caption: plain, CaptionEntities: ents, ReplyToMessage: reply, ReplyMarkup: echo}
	if field == "photo" {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(f.Data))
		if err != nil {
			return nil, badRequest("IMAGE_PROCESS_FAILED")
		}
		m.Photo = []PhotoSize{{FileID: f.FileID, FileUniqueID: uniqueID(f.FileID), Width: cfg.Width, Height: cfg.Height, FileSize: int64(len(f.Data))}}
	} else {
		m.Document = &Document{FileID: f.FileID, FileUniqueID: uniqueID(f.FileID), FileName: f.FileName, MimeType: f.ContentType, FileSize: int64(len(f.Data))}
	}
	sm := &SentMessage{
		Method: r.method, ThreadID: intParam(p, "message_thread_id", 0), Text: plain, RawText: p["caption"],
		ParseMode: p["parse_mode"], Entities: ents, ReplyMarkup: markup, ReplyMarkupJSON: p["reply_markup"],
		ReplyToMessageID: replyID, File: f,
	}
	return s.commitSendLocked(cs, sm, m)
}

func uniqueID(fileID string) string { return "AgAD" + fileID[len(fileID)-6:] }

// resolveFileLocked finds the file for a media field: an uploaded part, an
// attach:// reference, a known file_id or an HTTP URL Telegram would fetch.
func (s *Server) resolveFileLocked(r *request, field string) (*UploadedFile, *apiError) {
	f := r.files[field]
	if f == nil {
		v := r.params[field]
		switch {
		case strings.HasPrefix(v, "attach://"):
			f = r.files[strings.TrimPrefix(v, "attach://")]
		case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
			name := v[strings.LastIndex(v, "/")+1:]
			f = &UploadedFile{Field: field, FileName: name}
		case v != "":
			if known := s.files[v]; known != nil {
				return known, nil
			}
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
	}
	if f == nil {
		return nil, badRequest("there is no %s in the request", field)
	}
	if len(f.Data) == 0 && f.FileID == "" && !strings.HasPrefix(r.params[field], "http") {
		return nil, badRequest("file must be non-empty")
	}
	if f.FileID == "" {
		id := s.nextID()
		f.Field = field
		f.FileID = "BQACAgQAAxkDAAI" + strconv.FormatInt(100000+id, 36) + "ZmlsZQ" + strconv.FormatInt(1000000+id, 10)
		f.FilePath = field + "s/file_" + strconv.FormatInt(id, 10)
		if ext := strings.LastIndex(f.FileName, "."); ext >= 0 {
			f.FilePath += f.FileName[ext:]
		}
		s.files[f.FileID] = f
	}
	return f, nil
}

func (s *Server) editTargetLocked(p map[string]string) (*chatState, *entry, *apiError) {
	if p["inline_message_id"] != "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	if p["chat_id"] == "" {
		return nil, nil, badRequest("chat_id is empty")
	}
	cs, aerr := s.lookupChatLocked(p["chat_id"])
	if aerr != nil {
		return nil, nil, aerr
	}
	id := intParam(p, "message_id", 0)
	e := cs.msgs[id]
	if e == nil || e.deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	if e.sent == nil {
		return nil, nil, badRequest("message can't be edited")
	}
	return cs, e, nil
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	_ = json.Unmarshal(a, &x)
	_ = json.Unmarshal(b, &y)
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func sameEntities(a, b []MessageEntity) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return bytes.Equal(x, y)
}

func (s *Server) editMessageText(r *request) (any, *apiError) {
	p := r.params
	plain, ents, aerr := s.formatText(p["text"], p["parse_mode"], p["entities"])
	if aerr != nil {
		return nil, aerr
	}
	if strings.TrimSpace(plain) == "" {
		return nil, badRequest("message text is empty")
	}
	if UTF16Len(plain) > 4096 {
		return nil, badRequest("message is too long")
	}
	markup, echo, aerr := parseMarkup(p["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, e, aerr := s.editTargetLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	if e.msg.Text == "" {
		return nil, badRequest("there is no text in the message to edit")
	}
	// Omitting reply_markup removes the inline keyboard, so it takes part in
	// the "not modified" comparison as an empty markup.
	if e.msg.Text == plain && sameEntities(e.msg.Entities, ents) && sameJSON(e.msg.ReplyMarkup, echo) {
		return nil, badRequest(notModified)
	}
	old := e.msg.Text
	e.msg.Text, e.msg.Entities, e.msg.ReplyMarkup = plain, ents, echo
	e.msg.EditDate = time.Now().Unix()
	e.sent.Text, e.sent.RawText, e.sent.ParseMode, e.sent.Entities = plain, p["text"], p["parse_mode"], ents
	e.sent.ReplyMarkup, e.sent.ReplyMarkupJSON = markup, string(echo)
	e.sent.Edits++
	e.sent.Message = e.msg
	s.edits = append(s.edits, Edit{Method: r.method, ChatID: cs.chat.ID, MessageID: e.msg.MessageID, OldText: old, NewText: plain, ReplyMarkupJSON: string(echo), Time: time.Now()})
	return e.msg, nil
}

func (s *Server) editMessageReplyMarkup(r *request) (any, *apiError) {
	markup, echo, aerr := parseMarkup(r.params["reply_markup"])
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, e, aerr := s.editTargetLocked(r.params)
	if aerr != nil {
		return nil, aerr
	}
	if sameJSON(e.msg.ReplyMarkup, echo) {
		return nil, badRequest(notModified)
	}
	e.msg.ReplyMarkup = echo
	e.msg.EditDate = time.Now().Unix()
	e.sent.ReplyMarkup, e.sent.ReplyMarkupJSON = markup, string(echo)
	e.sent.Edits++
	e.sent.Message = e.msg
	s.edits = append(s.edits, Edit{Method: r.method, ChatID: cs.chat.ID, MessageID: e.msg.MessageID, OldText: e.msg.Text, NewText: e.msg.Text, ReplyMarkupJSON: string(echo), Time: time.Now()})
	return e.msg, nil
}

func (s *Server) deleteMessage(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.lookupChatLocked(r.params["chat_id"])
	if aerr != nil {
		return nil, aerr
	}
	id := intParam(r.params, "message_id", 0)
	e := cs.msgs[id]
	if e == nil || e.deleted {
		return nil, badRequest("message to delete not found")
	}
	e.deleted = true
	if e.sent != nil {
		e.sent.Deleted = true
	}
	s.deletions = append(s.deletions, Deletion{ChatID: cs.chat.ID, MessageID: id, Time: time.Now()})
	return true, nil
}

// SentMessages returns the bot's messages in a chat, oldest first, deleted
// ones included (see SentMessage.Deleted).
func (s *Server) SentMessages(chatID int64) []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentLocked(chatID)
}

func (s *Server) sentLocked(chatID int64) []SentMessage {
	cs := s.chats[chatID]
	if cs == nil {
		return nil
	}
	var out []SentMessage
	for _, id := range cs.order {
		if e := cs.msgs[id]; e.sent != nil {
			out = append(out, *e.sent)
		}
	}
	return out
}

// LastSent returns the bot's latest message in a chat.
func (s *Server) LastSent(chatID int64) (SentMessage, bool) {
	msgs := s.SentMessages(chatID)
	if len(msgs) == 0 {
		return SentMessage{}, false
	}
	return msgs[len(msgs)-1], true
}

// Documents returns the files the bot sent to a chat with sendDocument or
// sendPhoto.
func (s *Server) Documents(chatID int64) []UploadedFile {
	var out []UploadedFile
	for _, m := range s.SentMessages(chatID) {
		if m.File != nil {
			out = append(out, *m.File)
		}
	}
	return out
}

// Edits returns every successful edit.
func (s *Server) Edits() []Edit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Edit(nil), s.edits...)
}

// Deletions returns every successful deleteMessage.
func (s *Server) Deletions() []Deletion {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Deletion(nil), s.deletions...)
}

// SendTimes returns when each successful send to a chat happened, for
// asserting that a sender respects Telegram's limits.
func (s *Server) SendTimes(chatID int64) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.sendTimes[chatID]...)
}

// WaitMessage waits for a bot message in chatID matching pred (nil matches
// any), including ones sent before the call.
func (s *Server) WaitMessage(chatID int64, timeout time.Duration, pred func(SentMessage) bool) (SentMessage, bool) {
	var found SentMessage
	ok := s.WaitFor(timeout, func() bool {
		for _, m := range s.SentMessages(chatID) {
			if pred == nil || pred(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, ok
}

// rateLimiter models Telegram's flood limits as token buckets.
type rateLimiter struct {
	mu     sync.Mutex
	scale  float64
	global bucket
	chats  map[int64]*bucket
	groups map[int64]*bucket
}

type bucket struct {
	tokens float64
	cap    float64
	rate   float64 // tokens per second
	last   time.Time
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.tokens, b.last = b.cap, now
		return
	}
	b.tokens = math.Min(b.cap, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
}

func (b *bucket) wait() time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

func newRateLimiter(scale float64) *rateLimiter {
	return &rateLimiter{scale: scale, global: bucket{cap: 30, rate: 30 * scale}, chats: map[int64]*bucket{}, groups: map[int64]*bucket{}}
}

// take consumes one message from every applicable bucket, or reports how long
// to wait when any is empty (consuming nothing).
func (l *rateLimiter) take(c Chat, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	bs := []*bucket{&l.global}
	cb := l.chats[c.ID]
	if cb == nil {
		// "Avoid more than one message per second in a chat"; short bursts
		// are tolerated, modelled as a bucket of 3.
		cb = &bucket{cap: 3, rate: 1 * l.scale}
		l.chats[c.ID] = cb
	}
	bs = append(bs, cb)
	if c.Type != "private" {
		gb := l.groups[c.ID]
		if gb == nil {
			gb = &bucket{cap: 20, rate: 20.0 / 60 * l.scale}
			l.groups[c.ID] = gb
		}
		bs = append(bs, gb)
	}
	var wait time.Duration
	for _, b := range bs {
		b.refill(now)
		wait = max(wait, b.wait())
	}
	if wait > 0 {
		return wait
	}
	for _, b := range bs {
		b.tokens--
	}
	return 0
}
