package telegramtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"
)

func (s *Server) getMe(*request) (any, *apiError) {
	return map[string]any{
		"id": s.bot.ID, "is_bot": true, "first_name": s.bot.FirstName, "username": s.bot.Username,
		"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": true,
		"can_connect_to_business": false, "has_main_web_app": false,
	}, nil
}

type callbackState struct {
	query    CallbackQuery
	created  time.Time
	answered bool
}

// CallbackAnswer is one successful answerCallbackQuery.
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int64
	Time      time.Time
}

var errQueryTooOld = badRequest("query is too old and response timeout expired or query ID is invalid")

func (s *Server) answerCallbackQuery(r *request) (any, *apiError) {
	p := r.params
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[p["callback_query_id"]]
	if cb == nil || cb.answered || (s.cfg.callbackTTL > 0 && time.Since(cb.created) > s.cfg.callbackTTL) {
		return nil, errQueryTooOld
	}
	if UTF16Len(p["text"]) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	cb.answered = true
	alert, _ := parseBool(p["show_alert"])
	s.callbackAnswers = append(s.callbackAnswers, CallbackAnswer{
		QueryID: cb.query.ID, Text: p["text"], ShowAlert: alert, URL: p["url"],
		CacheTime: intParam(p, "cache_time", 0), Time: time.Now(),
	})
	return true, nil
}

// CallbackAnswers returns every successful answerCallbackQuery.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), s.callbackAnswers...)
}

// WaitCallbackAnswer waits until the callback query id has been answered.
func (s *Server) WaitCallbackAnswer(id string, timeout time.Duration) (CallbackAnswer, bool) {
	var found CallbackAnswer
	ok := s.WaitFor(timeout, func() bool {
		for _, a := range s.CallbackAnswers() {
			if a.QueryID == id {
				found = a
				return true
			}
		}
		return false
	})
	return found, ok
}

type commandKey struct {
	scope BotCommandScope
	lang  string
}

var (
	commandNameRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	langCodeRe    = regexp.MustCompile(`^[a-z]{2}$`)
)

func parseCommandTarget(p map[string]string) (commandKey, *apiError) {
	k := commandKey{scope: BotCommandScope{Type: "default"}, lang: p["language_code"]}
	if v := p["scope"]; v != "" && v != "null" {
		if err := json.Unmarshal([]byte(v), &k.scope); err != nil {
			return k, badRequest("can't parse BotCommandScope JSON object")
		}
	}
	switch k.scope.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		k.scope.ChatID, k.scope.UserID = 0, 0
	case "chat", "chat_administrators":
		if k.scope.ChatID == 0 {
			return k, badRequest("chat not found")
		}
		k.scope.UserID = 0
	case "chat_member":
		if k.scope.ChatID == 0 || k.scope.UserID == 0 {
			return k, badRequest("chat not found")
		}
	default:
		return k, badRequest("wrong bot command scope type specified")
	}
	if k.lang != "" && !langCodeRe.MatchString(k.lang) {
		return k, badRequest("invalid language code specified")
	}
	return k, nil
}

func (s *Server) setMyCommands(r *request) (any, *apiError) {
	var cmds []BotCommand
	if err := json.Unmarshal([]byte(r.params["commands"]), &cmds); err != nil {
		return nil, badRequest("can't parse BotCommand JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if !commandNameRe.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := UTF16Len(strings.TrimSpace(c.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	k, aerr := parseCommandTarget(r.params)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.commands, k)
	} else {
		s.commands[k] = cmds
	}
	return true, nil
}

func (s *Server) getMyCommands(r *request) (any, *apiError) {
	k, aerr := parseCommandTarget(r.params)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]BotCommand{}, s.commands[k]...)
	return out, nil
}

func (s *Server) deleteMyCommands(r *request) (any, *apiError) {
	k, aerr := parseCommandTarget(r.params)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, k)
	return true, nil
}

// Commands returns the command list stored for scope and language ("" for
// all languages); a zero scope means the default scope.
func (s *Server) Commands(scope BotCommandScope, languageCode string) ([]BotCommand, bool) {
	if scope.Type == "" {
		scope.Type = "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.commands[commandKey{scope: scope, lang: languageCode}]
	return append([]BotCommand(nil), c...), ok
}

// InviteLink is a link created through createChatInviteLink.
type InviteLink struct {
	ChatID int64
	ChatInviteLink
	Time time.Time
	// Joined lists the users who joined with the link, in order.
	Joined []int64
}

func randomSlug() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) createChatInviteLink(r *request) (any, *apiError) {
	p := r.params
	link := ChatInviteLink{Creator: s.bot, Name: p["name"]}
	link.CreatesJoinRequest, _ = parseBool(p["creates_join_request"])
	if _, ok := p["member_limit"]; ok {
		link.MemberLimit = int(intParam(p, "member_limit", 0))
		if link.MemberLimit < 1 || link.MemberLimit > 99999 {
			return nil, badRequest("USAGE_LIMIT_INVALID")
		}
		if link.CreatesJoinRequest {
			return nil, badRequest("member_limit can't be specified for links requiring administrator approval")
		}
	}
	if UTF16Len(link.Name) > 32 {
		return nil, badRequest("invite link name is too long")
	}
	if _, ok := p["expire_date"]; ok {
		link.ExpireDate = intParam(p, "expire_date", 0)
		if link.ExpireDate != 0 && link.ExpireDate <= time.Now().Unix() {
			return nil, badRequest("EXPIRE_DATE_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.lookupChatLocked(p["chat_id"])
	if aerr != nil {
		return nil, aerr
	}
	if cs.chat.Type == "private" {
		return nil, badRequest("can't invite members to a private chat")
	}
	if !s.isAdminLocked(cs.chat.ID, s.bot.ID) {
		return nil, badRequest("not enough rights to manage chat invite links")
	}
	link.InviteLink = "https://t.me/+" + randomSlug()
	s.invites = append(s.invites, InviteLink{ChatID: cs.chat.ID, ChatInviteLink: link, Time: time.Now()})
	return link, nil
}

// InviteLinks returns the links created for a chat.
func (s *Server) InviteLinks(chatID int64) []InviteLink {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []InviteLink
	for _, l := range s.invites {
		if l.ChatID == chatID {
			l.Joined = append([]int64(nil), l.Joined...)
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) isAdminLocked(chatID, userID int64) bool {
	for _, u := range s.admins[chatID] {
		if u.ID == userID {
			return true
		}
	}
	return false
}

// memberTargetLocked checks a ban or unban the way Telegram does: a group
// the bot administers, a user it knows, who is not an administrator.
func (s *Server) memberTargetLocked(p map[string]string) (*chatState, int64, *apiError) {
	cs, aerr := s.lookupChatLocked(p["chat_id"])
	if aerr != nil {
		return nil, 0, aerr
	}
	if cs.chat.Type == "private" {
		return nil, 0, badRequest("chat member status can't be changed in private chats")
	}
	if !s.isAdminLocked(cs.chat.ID, s.bot.ID) {
		return nil, 0, badRequest("not enough rights to restrict/unrestrict chat member")
	}
	uid := intParam(p, "user_id", 0)
	if uid == s.bot.ID {
		return nil, 0, badRequest("can't restrict self")
	}
	for i, u := range s.admins[cs.chat.ID] {
		if u.ID == uid && i == 0 {
			return nil, 0, badRequest("can't remove chat owner")
		}
		if u.ID == uid {
			return nil, 0, badRequest("user is an administrator of the chat")
		}
	}
	if _, known := s.users[uid]; !known {
		return nil, 0, badRequest("user not found")
	}
	if s.banned[cs.chat.ID] == nil {
		s.banned[cs.chat.ID] = map[int64]bool{}
	}
	return cs, uid, nil
}

// banChatMember removes the user from the group and keeps them out until
// unbanned (until_date is not modelled: bans last until lifted).
func (s *Server) banChatMember(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, uid, aerr := s.memberTargetLocked(r.params)
	if aerr != nil {
		return nil, aerr
	}
	delete(s.members[cs.chat.ID], uid)
	s.banned[cs.chat.ID][uid] = true
	return true, nil
}

// unbanChatMember lifts a ban. As Telegram documents, without
// only_if_banned it also removes a user who is a member, so that after the
// call they are not in the group but may join it.
func (s *Server) unbanChatMember(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, uid, aerr := s.memberTargetLocked(r.params)
	if aerr != nil {
		return nil, aerr
	}
	onlyIfBanned, _ := parseBool(r.params["only_if_banned"])
	switch {
	case s.banned[cs.chat.ID][uid]:
		delete(s.banned[cs.chat.ID], uid)
	case !onlyIfBanned:
		delete(s.members[cs.chat.ID], uid)
	}
	return true, nil
}

// IsMember reports whether a user is in a chat: they wrote there, joined,
// or were added, and were not removed since.
func (s *Server) IsMember(chatID, userID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.members[chatID][userID]
}

// IsBanned reports whether a user is banned from a chat.
func (s *Server) IsBanned(chatID, userID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.banned[chatID][userID]
}

// Errors JoinByLink answers, as the Telegram app shows them.
var (
	// ErrInviteLinkInvalid: no such link, or it was revoked (INVITE_HASH_INVALID).
	ErrInviteLinkInvalid = errors.New("telegramtest: INVITE_HASH_INVALID")
	// ErrInviteLinkExpired: the link's expire_date passed, or as many
	// people joined with it as its member_limit (INVITE_HASH_EXPIRED).
	ErrInviteLinkExpired = errors.New("telegramtest: INVITE_HASH_EXPIRED")
	// ErrBannedFromChat: the user is banned from the chat.
	ErrBannedFromChat = errors.New("telegramtest: USER_BANNED_IN_CHANNEL")
	// ErrAlreadyMember: the user is in the chat already (USER_ALREADY_PARTICIPANT).
	ErrAlreadyMember = errors.New("telegramtest: USER_ALREADY_PARTICIPANT")
)

// JoinByLink has u open an invite link in the Telegram app and join. The
// link's expire_date and member_limit are enforced; on success u becomes a
// member and the bot gets the new_chat_members service message.
func (s *Server) JoinByLink(link string, u User) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var inv *InviteLink
	for i := range s.invites {
		if s.invites[i].InviteLink == link {
			inv = &s.invites[i]
		}
	}
	switch {
	case inv == nil || inv.IsRevoked:
		return Message{}, ErrInviteLinkInvalid
	case inv.ExpireDate != 0 && time.Now().Unix() >= inv.ExpireDate,
		inv.MemberLimit > 0 && len(inv.Joined) >= inv.MemberLimit:
		return Message{}, ErrInviteLinkExpired
	case s.banned[inv.ChatID][u.ID]:
		return Message{}, ErrBannedFromChat
	case s.members[inv.ChatID][u.ID]:
		return Message{}, ErrAlreadyMember
	}
	inv.Joined = append(inv.Joined, u.ID)
	return s.newChatMembersLocked(s.chats[inv.ChatID].chat, u, u), nil
}

func adminMember(u User, creator bool) map[string]any {
	if creator {
		return map[string]any{"status": "creator", "user": u, "is_anonymous": false}
	}
	m := map[string]any{"status": "administrator", "user": u, "can_be_edited": false, "is_anonymous": false}
	for _, r := range []string{"can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
		"can_promote_members", "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
		"can_delete_stories", "can_pin_messages"} {
		m[r] = true
	}
	return m
}

func (s *Server) getChatAdministrators(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.lookupChatLocked(r.params["chat_id"])
	if aerr != nil {
		return nil, aerr
	}
	if cs.chat.Type == "private" {
		return nil, badRequest("there are no administrators in the private chat")
	}
	out := []map[string]any{}
	for i, u := range s.admins[cs.chat.ID] {
		out = append(out, adminMember(u, i == 0))
	}
	return out, nil
}

func (s *Server) getChatMember(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.lookupChatLocked(r.params["chat_id"])
	if aerr != nil {
		return nil, aerr
	}
	uid := intParam(r.params, "user_id", 0)
	for i, u := range s.admins[cs.chat.ID] {
		if u.ID == uid {
			return adminMember(u, i == 0), nil
		}
	}
	u, known := s.users[uid]
	if uid == s.bot.ID {
		u, known = s.bot, true
	}
	if !known {
		return nil, badRequest("user not found")
	}
	if s.banned[cs.chat.ID][uid] {
		return map[string]any{"status": "kicked", "user": u, "until_date": 0}, nil
	}
	if s.members[cs.chat.ID][uid] || (cs.chat.Type == "private" && cs.chat.ID == uid) || uid == s.bot.ID {
		return map[string]any{"status": "member", "user": u}, nil
	}
	return map[string]any{"status": "left", "user": u}, nil
}

func (s *Server) getChat(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.lookupChatLocked(r.params["chat_id"])
	if aerr != nil {
		return nil, aerr
	}
	c := cs.chat
	out := map[string]any{"id": c.ID, "type": c.Type, "accent_color_id": 0, "max_reaction_count": 11,
		"accepted_gift_types": map[string]bool{"unlimited_gifts": true, "limited_gifts": true, "unique_gifts": true, "premium_subscription": true}}
	for k, v := range map[string]string{"title": c.Title, "username": c.Username, "first_name": c.FirstName, "last_name": c.LastName} {
		if v != "" {
			out[k] = v
		}
	}
	if c.IsForum {
		out["is_forum"] = true
	}
	return out, nil
}

type inlineState struct {
	query    InlineQuery
	answered bool
}

// InlineAnswer is one successful answerInlineQuery.
type InlineAnswer struct {
	QueryID    string
	Results    []json.RawMessage
	CacheTime  int64
	IsPersonal bool
	NextOffset string
	Time       time.Time
}

func (s *Server) answerInlineQuery(r *request) (any, *apiError) {
	p := r.params
	var results []json.RawMessage
	if err := json.Unmarshal([]byte(p["results"]), &results); err != nil {
		return nil, badRequest("can't parse InlineQueryResult JSON object")
	}
	if len(results) > 50 {
		return nil, badRequest("RESULTS_TOO_MUCH")
	}
	ids := map[string]bool{}
	for _, raw := range results {
		var res struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		}
		if json.Unmarshal(raw, &res) != nil || res.Type == "" {
			return nil, badRequest("can't parse InlineQueryResult JSON object")
		}
		if res.ID == "" || len(res.ID) > 64 || ids[res.ID] {
			return nil, badRequest("RESULT_ID_INVALID")
		}
		ids[res.ID] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	iq := s.inlines[p["inline_query_id"]]
	if iq == nil || iq.answered {
		return nil, errQueryTooOld
	}
	iq.answered = true
	personal, _ := parseBool(p["is_personal"])
	s.inlineAnswers = append(s.inlineAnswers, InlineAnswer{QueryID: iq.query.ID, Results: results,
		CacheTime: intParam(p, "cache_time", 0), IsPersonal: personal, NextOffset: p["next_offset"], Time: time.Now()})
	return true, nil
}

// InlineAnswers returns every successful answerInlineQuery.
func (s *Server) InlineAnswers() []InlineAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]InlineAnswer(nil), s.inlineAnswers...)
}

var chatActions = map[string]bool{"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true}

func (s *Server) sendChatAction(r *request) (any, *apiError) {
	if !chatActions[r.params["action"]] {
		return nil, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, aerr := s.sendTargetLocked(r.params["chat_id"]); aerr != nil {
		return nil, aerr
	}
	return true, nil
}

func (s *Server) getFile(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[r.params["file_id"]]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	return map[string]any{"file_id": f.FileID, "file_unique_id": uniqueID(f.FileID), "file_size": len(f.Data), "file_path": f.FilePath}, nil
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/file/bot")
	token, path, _ := strings.Cut(rest, "/")
	if token != s.token {
		writeError(w, &apiError{code: 401, desc: "Unauthorized"})
		return
	}
	s.mu.Lock()
	var data []byte
	found := false
	for _, f := range s.files {
		if f.FilePath == path {
			data, found = f.Data, true
		}
	}
	s.mu.Unlock()
	if !found {
		writeError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	_, _ = w.Write(data)
}
