package telegramtest

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// AddChat makes a chat known. For a private chat this means the user has
// started the bot, so the bot may write to them.
func (s *Server) AddChat(c Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(c)
	s.broadcastLocked()
}

// AddUser makes a user known without a private chat: sending to them fails
// with "bot can't initiate conversation with a user".
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// Block marks that userID blocked the bot; sends to their private chat fail
// with 403 until they write to the bot again.
func (s *Server) Block(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[userID] = true
}

// SetAdministrators replaces the administrators of a chat; the first one is
// reported as the creator.
func (s *Server) SetAdministrators(chatID int64, users ...User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.admins[chatID] = append([]User(nil), users...)
	for _, u := range users {
		s.users[u.ID] = u
	}
}

func (s *Server) noteUserLocked(c Chat, from User) *chatState {
	s.users[from.ID] = from
	if s.members[c.ID] == nil {
		s.members[c.ID] = map[int64]bool{}
	}
	s.members[c.ID][from.ID] = true
	if c.Type == "private" {
		// Writing to the bot implies the user has (re)started it.
		delete(s.blocked, from.ID)
	}
	return s.chatLocked(c)
}

// SendText injects a message written by from in chat. The returned message
// carries the id and entities (bot_command) Telegram would assign.
func (s *Server) SendText(chat Chat, from User, text string) Message {
	return s.userMessage(chat, from, 0, text)
}

// SendDocument injects a user's document message with a caption (a
// command sent with a file); the file is then served by getFile and the
// file endpoint, as Telegram does.
func (s *Server) SendDocument(chat Chat, from User, name, caption string, data []byte) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.noteUserLocked(chat, from)
	id := s.nextID()
	f := &UploadedFile{Field: "document", FileName: name, ContentType: "application/octet-stream", Data: data,
		FileID:   "BQACAgQAAxkBAAI" + strconv.FormatInt(100000+id, 36) + "dXNlcg" + strconv.FormatInt(1000000+id, 10),
		FilePath: "documents/file_" + strconv.FormatInt(id, 10)}
	s.files[f.FileID] = f
	fr := from
	m := Message{From: &fr, Date: time.Now().Unix(), Chat: cs.chat, Caption: caption, CaptionEntities: commandEntities(caption),
		Document: &Document{FileID: f.FileID, FileUniqueID: uniqueID(f.FileID), FileName: name, MimeType: f.ContentType, FileSize: int64(len(data))}}
	e := cs.add(m, nil)
	s.enqueueLocked(Update{Message: &e.msg})
	return e.msg
}

// ReplyTo injects a user's reply to message replyToMessageID, as produced by
// a ForceReply prompt.
func (s *Server) ReplyTo(chat Chat, from User, replyToMessageID int64, text string) Message {
	return s.userMessage(chat, from, replyToMessageID, text)
}

func (s *Server) userMessage(chat Chat, from User, replyTo int64, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.noteUserLocked(chat, from)
	f := from
	m := Message{From: &f, Date: time.Now().Unix(), Chat: cs.chat, Text: text, Entities: commandEntities(text)}
	if replyTo != 0 {
		if e := cs.msgs[replyTo]; e != nil && !e.deleted {
			r := e.msg
			r.ReplyToMessage = nil
			m.ReplyToMessage = &r
		} else {
			s.t.Errorf("telegramtest: ReplyTo: message %d not found in chat %d", replyTo, chat.ID)
		}
	}
	e := cs.add(m, nil)
	s.enqueueLocked(Update{Message: &e.msg})
	return e.msg
}

// commandEntities finds bot commands the way Telegram marks them: a '/' at
// the start of a word followed by up to 64 of [A-Za-z0-9_], optionally
// @botusername.
func commandEntities(text string) []MessageEntity {
	var out []MessageEntity
	off := 0
	prev := ' '
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '/' && (i == 0 || isWordBreak(prev)) {
			j := i + 1
			for j < len(text) && j-i-1 < 64 && isCmdChar(text[j]) {
				j++
			}
			if j > i+1 {
				if j < len(text) && text[j] == '@' {
					k := j + 1
					for k < len(text) && isCmdChar(text[k]) {
						k++
					}
					if k-j-1 >= 3 && k-j-1 <= 32 {
						j = k
					}
				}
				if j == len(text) || !isCmdChar(text[j]) && text[j] != '/' {
					out = append(out, MessageEntity{Type: "bot_command", Offset: off, Length: UTF16Len(text[i:j])})
					off += UTF16Len(text[i:j])
					i = j
					prev = 'x'
					continue
				}
			}
		}
		off += utf16Len(r)
		prev = r
		i += size
	}
	return out
}

func isCmdChar(c byte) bool { return isAlnum(c) || c == '_' }
func isWordBreak(r rune) bool {
	return r == ' ' || r == '\n' || r == '\t' || r == '(' || r == '"' || r == '\''
}

// PressButton injects a callback query for an inline button with data on
// message messageID, and returns the query id to pass to WaitCallbackAnswer.
func (s *Server) PressButton(chat Chat, from User, messageID int64, data string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.noteUserLocked(chat, from)
	id := strconv.FormatInt(4382000000000000000+s.nextID()*7919, 10)
	q := CallbackQuery{ID: id, From: from, ChatInstance: strconv.FormatInt(-8000000000000000000+cs.chat.ID, 10), Data: data}
	if e := cs.msgs[messageID]; e != nil && !e.deleted {
		m := e.msg
		q.Message = &m
	} else {
		// Telegram sends an InaccessibleMessage: date 0, no content.
		q.Message = &Message{MessageID: messageID, Chat: cs.chat}
	}
	s.callbacks[id] = &callbackState{query: q, created: time.Now()}
	s.enqueueLocked(Update{CallbackQuery: &q})
	return id
}

// InlineQuery injects an inline query and returns its id.
func (s *Server) InlineQuery(from User, query string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[from.ID] = from
	id := strconv.FormatInt(5104000000000000000+s.nextID()*104729, 10)
	q := InlineQuery{ID: id, From: from, Query: query, Offset: "", ChatType: "sender"}
	s.inlines[id] = &inlineState{query: q}
	s.enqueueLocked(Update{InlineQuery: &q})
	return id
}

// NewChatMembers injects the service message Telegram sends when members
// join (from added them, or from == the member for self-joins).
func (s *Server) NewChatMembers(chat Chat, from User, members ...User) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newChatMembersLocked(chat, from, members...)
}

func (s *Server) newChatMembersLocked(chat Chat, from User, members ...User) Message {
	cs := s.noteUserLocked(chat, from)
	for _, u := range members {
		if u.ID != s.bot.ID {
			s.users[u.ID] = u
		}
		s.members[chat.ID][u.ID] = true
	}
	f := from
	m := Message{From: &f, Date: time.Now().Unix(), Chat: cs.chat, NewChatMembers: append([]User(nil), members...)}
	e := cs.add(m, nil)
	s.enqueueLocked(Update{Message: &e.msg})
	return e.msg
}

// Messages returns every message in a chat (users' and the bot's), oldest
// first, as Telegram would show them; deleted ones are left out.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return nil
	}
	var out []Message
	for _, id := range cs.order {
		if e := cs.msgs[id]; !e.deleted {
			out = append(out, e.msg)
		}
	}
	return out
}
