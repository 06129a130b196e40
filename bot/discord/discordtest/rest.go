package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// handler gets the request, its JSON body (payload_json for multipart) and
// uploaded files, already validated against the spec.
type handler func(w http.ResponseWriter, r *http.Request, body map[string]any, raw any, files []Attachment)

func (s *Server) routes() {
	s.route("GET /gateway", s.getGateway)
	s.route("GET /gateway/bot", s.getGatewayBot)
	s.route("GET /users/@me", s.getMe)
	s.route("GET /oauth2/applications/@me", s.getApplication)

	for _, base := range []string{"/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"} {
		s.route("GET "+base+"/commands", s.listCommands)
		s.route("PUT "+base+"/commands", s.overwriteCommands)
		s.route("POST "+base+"/commands", s.createCommand)
		s.route("GET "+base+"/commands/{command_id}", s.getCommand)
		s.route("PATCH "+base+"/commands/{command_id}", s.editCommand)
		s.route("DELETE "+base+"/commands/{command_id}", s.deleteCommand)
	}

	s.route("POST /interactions/{interaction_id}/{interaction_token}/callback", s.interactionCallback)
	s.route("GET /webhooks/{webhook_id}/{webhook_token}/messages/@original", s.getWebhookMessage)
	s.route("PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original", s.editWebhookMessage)
	s.route("DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original", s.deleteWebhookMessage)
	s.route("GET /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", s.getWebhookMessage)
	s.route("PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", s.editWebhookMessage)
	s.route("DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", s.deleteWebhookMessage)
	s.route("POST /webhooks/{webhook_id}/{webhook_token}", s.followup)

	s.route("POST /channels/{channel_id}/messages", s.createMessage)
	s.route("GET /channels/{channel_id}/messages", s.listMessages)
	s.route("GET /channels/{channel_id}/messages/{message_id}", s.getMessage)
	s.route("PATCH /channels/{channel_id}/messages/{message_id}", s.editMessage)
	s.route("DELETE /channels/{channel_id}/messages/{message_id}", s.deleteMessage)
	s.route("POST /users/@me/channels", s.createDM)
	s.route("POST /channels/{channel_id}/invites", s.createInvite)
	s.route("GET /invites/{code}", s.getInvite)
	s.route("DELETE /invites/{code}", s.deleteInvite)

	s.route("GET /guilds/{guild_id}", s.getGuild)
	s.route("GET /guilds/{guild_id}/roles", s.getRoles)
	s.route("GET /guilds/{guild_id}/members/{user_id}", s.getMember)
	s.route("PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}", s.addRole)
	s.route("DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}", s.removeRole)
	s.route("GET /guilds/{guild_id}/scheduled-events", s.listEvents)
	s.route("POST /guilds/{guild_id}/scheduled-events", s.createEvent)
	s.route("GET /guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}", s.getEvent)
	s.route("PATCH /guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}", s.editEvent)
	s.route("DELETE /guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}", s.deleteEvent)
}

// route registers h; the pattern's path uses the spec's own parameter names,
// so it doubles as the key into the OpenAPI document.
func (s *Server) route(pattern string, h handler) {
	method, specPath, _ := strings.Cut(pattern, " ")
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		raw, files, ok := decodeBody(w, r)
		if !ok {
			return
		}
		if raw != nil {
			errs, err := s.spec.validate(method, specPath, raw)
			if err != nil {
				writeError(w, http.StatusInternalServerError, 0, "discordtest: spec: "+err.Error())
				return
			}
			if errs == nil && s.opts.strictContent {
				errs = botContentLimit(raw)
			}
			if errs != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{
					"code": 50035, "message": "Invalid Form Body", "errors": errs,
				})
				return
			}
		}
		body, _ := raw.(map[string]any)
		h(w, r, body, raw, files)
	})
}

// botContentLimit applies Discord's 2000-character limit for bot messages,
// stricter than the 4000 the spec allows on channel messages.
func botContentLimit(raw any) map[string]any {
	m, _ := raw.(map[string]any)
	c, _ := m["content"].(string)
	if utf8.RuneCountInString(c) <= 2000 {
		return nil
	}
	tree := map[string]any{}
	addFieldError(tree, []string{"content"}, fieldError{"BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length."})
	return tree
}

var filesField = regexp.MustCompile(`^files\[(\d+)\]$`)

// decodeBody reads a JSON body or a multipart body made of payload_json and
// files[n] parts, the two forms discordgo sends.
func decodeBody(w http.ResponseWriter, r *http.Request) (any, []Attachment, bool) {
	data, _ := io.ReadAll(r.Body)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, true
	}
	var files []Attachment
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		mr := multipart.NewReader(bytes.NewReader(data), params["boundary"])
		var payload []byte
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
				return nil, nil, false
			}
			b, _ := io.ReadAll(p)
			switch name := p.FormName(); {
			case name == "payload_json":
				payload = b
			case filesField.MatchString(name) || name == "file":
				files = append(files, Attachment{Filename: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: b})
			}
		}
		if payload == nil {
			return map[string]any{}, files, true
		}
		data = payload
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return nil, nil, false
	}
	return v, files, true
}

func (s *Server) getGateway(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	writeJSON(w, 200, map[string]any{"url": s.GatewayURL()})
}

func (s *Server) getGatewayBot(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	writeJSON(w, 200, map[string]any{
		"url": s.GatewayURL(), "shards": 1,
		"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1},
	})
}

func (s *Server) botUser() User {
	return User{ID: s.opts.botUserID, Username: s.opts.botUsername, Bot: true}
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	u := s.botUser().json()
	u["verified"], u["mfa_enabled"], u["flags"] = true, false, 0
	writeJSON(w, 200, u)
}

func (s *Server) getApplication(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	writeJSON(w, 200, map[string]any{
		"id": s.opts.appID, "name": s.opts.botUsername, "icon": nil, "description": "",
		"bot_public": true, "bot_require_code_grant": false, "verify_key": strings.Repeat("0", 64),
		"flags": s.opts.appFlags, "bot": s.botUser().json(),
		"owner": User{ID: "1000000000000000001", Username: "owner"}.json(),
	})
}

// --- application commands ---

func (s *Server) checkApp(w http.ResponseWriter, r *http.Request) bool {
	if r.PathValue("application_id") != s.opts.appID {
		writeError(w, http.StatusForbidden, 50001, "Missing Access")
		return false
	}
	return true
}

func (s *Server) commandJSON(scope string, c map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range c {
		out[k] = v
	}
	if _, ok := out["type"]; !ok {
		out["type"] = 1
	}
	out["application_id"] = s.opts.appID
	if scope != "" {
		out["guild_id"] = scope
	}
	if _, ok := out["default_member_permissions"]; !ok {
		out["default_member_permissions"] = nil
	}
	return out
}

func (s *Server) listCommands(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	if !s.checkApp(w, r) {
		return
	}
	scope := r.PathValue("guild_id")
	s.mu.Lock()
	out := []any{}
	for _, c := range s.commands[scope] {
		out = append(out, s.commandJSON(scope, c))
	}
	s.mu.Unlock()
	writeJSON(w, 200, out)
}

func (s *Server) storeCommand(scope string, in map[string]any, id string) map[string]any {
	c := map[string]any{}
	for k, v := range in {
		switch k {
		case "id", "application_id", "guild_id", "version":
			continue
		}
		c[k] = v
	}
	c["id"] = id
	c["version"] = s.NewID()
	return s.commandJSON(scope, c)
}

func (s *Server) overwriteCommands(w http.ResponseWriter, r *http.Request, _ map[string]any, raw any, _ []Attachment) {
	if !s.checkApp(w, r) {
		return
	}
	scope := r.PathValue("guild_id")
	list, _ := raw.([]any)
	s.mu.Lock()
	// Discord keeps the ID of a command whose name (and type) is unchanged.
	byName := map[string]string{}
	for _, c := range s.commands[scope] {
		byName[commandKey(c)] = c["id"].(string)
	}
	var stored []map[string]any
	out := []any{}
	for _, item := range list {
		m, _ := item.(map[string]any)
		id, ok := byName[commandKey(m)]
		if !ok {
			id = s.NewID()
		}
		c := s.storeCommand(scope, m, id)
		stored = append(stored, c)
		out = append(out, c)
	}
	s.commands[scope] = stored
	s.commandWrites++
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, 200, out)
}

func commandKey(c map[string]any) string {
	t, _ := c["type"].(float64)
	if t == 0 {
		t = 1
	}
	n, _ := c["name"].(string)
	return strconv.Itoa(int(t)) + "/" + n
}

func (s *Server) createCommand(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, _ []Attachment) {
	if !s.checkApp(w, r) {
		return
	}
	scope := r.PathValue("guild_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commandWrites++
	defer s.notifyLocked()
	// POST is an upsert by name in Discord: 200 when replacing, 201 when new.
	for i, c := range s.commands[scope] {
		if commandKey(c) == commandKey(body) {
			nc := s.storeCommand(scope, body, c["id"].(string))
			s.commands[scope][i] = nc
			writeJSON(w, 200, nc)
			return
		}
	}
	nc := s.storeCommand(scope, body, s.NewID())
	s.commands[scope] = append(s.commands[scope], nc)
	writeJSON(w, 201, nc)
}

func (s *Server) findCommand(scope, id string) int {
	for i, c := range s.commands[scope] {
		if c["id"] == id {
			return i
		}
	}
	return -1
}

func (s *Server) getCommand(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	if !s.checkApp(w, r) {
		return
	}
	scope := r.PathValue("guild_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findCommand(scope, r.PathValue("command_id"))
	if i < 0 {
		writeError(w, 404, 10063, "Unknown application command")
		return
	}
	writeJSON(w, 200, s.commandJSON(scope, s.commands[scope][i]))
}

func (s *Server) editCommand(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, _ []Attachment) {
	if !s.checkApp(w, r) {
		return
	}
	scope := r.PathValue("guild_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findCommand(scope, r.PathValue("command_id"))
	if i < 0 {
		writeError(w, 404, 10063, "Unknown application command")
		return
	}
	merged := map[string]any{}
	for k, v := range s.commands[scope][i] {
		merged[k] = v
	}
	for k, v := range body {
		merged[k] = v
	}
	nc := s.storeCommand(scope, merged, s.commands[scope][i]["id"].(string))
	s.commands[scope][i] = nc
	s.commandWrites++
	s.notifyLocked()
	writeJSON(w, 200, nc)
}

func (s *Server) deleteCommand(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	if !s.checkApp(w, r) {
		return
	}
	scope := r.PathValue("guild_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findCommand(scope, r.PathValue("command_id"))
	if i < 0 {
		writeError(w, 404, 10063, "Unknown application command")
		return
	}
	s.commands[scope] = append(s.commands[scope][:i], s.commands[scope][i+1:]...)
	s.commandWrites++
	s.notifyLocked()
	w.WriteHeader(http.StatusNoContent)
}

// --- messages ---

func (s *Server) messageJSON(m *Message) map[string]any {
	atts := []any{}
	for _, a := range m.Attachments {
		atts = append(atts, map[string]any{
			"id": a.ID, "filename": a.Filename, "size": len(a.Data), "content_type": a.ContentType,
			"url":       s.URL() + "/attachments/" + m.ChannelID + "/" + a.ID + "/" + a.Filename,
			"proxy_url": s.URL() + "/attachments/" + m.ChannelID + "/" + a.ID + "/" + a.Filename,
		})
	}
	embeds := []any{}
	for _, e := range m.Embeds {
		embeds = append(embeds, e)
	}
	comps := m.Components
	if comps == nil {
		comps = []any{}
	}
	out := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "type": 0, "content": m.Content,
		"author": s.botUser().json(), "timestamp": m.Timestamp.Format(time.RFC3339Nano),
		"edited_timestamp": nil, "tts": false, "mention_everyone": false, "mentions": []any{},
		"mention_roles": []any{}, "attachments": atts, "embeds": embeds, "components": comps,
		"pinned": false, "flags": m.Flags,
	}
	if m.GuildID != "" {
		out["guild_id"] = m.GuildID
	}
	if m.InteractionID != "" {
		out["webhook_id"] = s.opts.appID
		out["application_id"] = s.opts.appID
	}
	if m.Edits > 0 {
		out["edited_timestamp"] = time.Now().Format(time.RFC3339Nano)
	}
	return out
}

// applyPayload copies the message fields of a create/edit body onto m;
// fields absent from an edit are left as they were, as Discord does.
func (s *Server) applyPayload(m *Message, body map[string]any, files []Attachment) {
	if v, ok := body["content"]; ok {
		m.Content, _ = v.(string)
	}
	if v, ok := body["embeds"]; ok {
		m.Embeds = nil
		list, _ := v.([]any)
		for _, e := range list {
			if em, ok := e.(map[string]any); ok {
				m.Embeds = append(m.Embeds, em)
			}
		}
	}
	if v, ok := body["components"]; ok {
		m.Components, _ = v.([]any)
	}
	if v, ok := body["flags"]; ok {
		f, _ := v.(float64)
		m.Flags = int(f)
	}
	if v, ok := body["allowed_mentions"]; ok {
		m.AllowedMentions, _ = v.(map[string]any)
	}
	if v, ok := body["attachments"]; ok {
		// An edit's attachments list names the files to keep.
		keep := map[string]bool{}
		list, _ := v.([]any)
		for _, a := range list {
			am, _ := a.(map[string]any)
			if id, ok := am["id"].(string); ok {
				keep[id] = true
			}
		}
		var kept []Attachment
		for _, a := range m.Attachments {
			if keep[a.ID] {
				kept = append(kept, a)
			}
		}
		m.Attachments = kept
	}
	for _, f := range files {
		f.ID = s.NewID()
		m.Attachments = append(m.Attachments, f)
	}
	m.Payload = body
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, files []Attachment) {
	cid := r.PathValue("channel_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[cid]
	if !ok {
		writeError(w, 404, 10003, "Unknown Channel")
		return
	}
	if ch.dmUser != "" && s.refuseDMs[ch.dmUser] {
		writeError(w, 403, 50007, "Cannot send messages to this user")
		return
	}
	if isEmptyMessage(body, files) {
		writeError(w, 400, 50006, "Cannot send an empty message")
		return
	}
	m := &Message{ID: s.NewID(), ChannelID: cid, GuildID: ch.guildID, Timestamp: time.Now()}
	s.applyPayload(m, body, files)
	s.messages[cid] = append(s.messages[cid], m)
	s.notifyLocked()
	writeJSON(w, 200, s.messageJSON(m))
}

func isEmptyMessage(body map[string]any, files []Attachment) bool {
	if len(files) > 0 {
		return false
	}
	for _, k := range []string{"content", "embeds", "components", "sticker_ids", "poll"} {
		switch v := body[k].(type) {
		case string:
			if v != "" {
				return false
			}
		case []any:
			if len(v) > 0 {
				return false
			}
		case map[string]any:
			return false
		}
	}
	return true
}

func (s *Server) findMessage(cid, mid string) *Message {
	for _, m := range s.messages[cid] {
		if m.ID == mid && !m.Deleted {
			return m
		}
	}
	return nil
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	cid := r.PathValue("channel_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.channels[cid]; !ok {
		writeError(w, 404, 10003, "Unknown Channel")
		return
	}
	limit := 50
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 && l <= 100 {
		limit = l
	}
	out := []any{}
	msgs := s.messages[cid]
	for i := len(msgs) - 1; i >= 0 && len(out) < limit; i-- {
		if !msgs[i].Deleted {
			out = append(out, s.messageJSON(msgs[i]))
		}
	}
	writeJSON(w, 200, out)
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cid := r.PathValue("channel_id")
	if _, ok := s.channels[cid]; !ok {
		writeError(w, 404, 10003, "Unknown Channel")
		return
	}
	m := s.findMessage(cid, r.PathValue("message_id"))
	if m == nil {
		writeError(w, 404, 10008, "Unknown Message")
		return
	}
	writeJSON(w, 200, s.messageJSON(m))
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, files []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cid := r.PathValue("channel_id")
	if _, ok := s.channels[cid]; !ok {
		writeError(w, 404, 10003, "Unknown Channel")
		return
	}
	m := s.findMessage(cid, r.PathValue("message_id"))
	if m == nil {
		writeError(w, 404, 10008, "Unknown Message")
		return
	}
	s.applyPayload(m, body, files)
	m.Edits++
	s.notifyLocked()
	writeJSON(w, 200, s.messageJSON(m))
}

func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cid := r.PathValue("channel_id")
	if _, ok := s.channels[cid]; !ok {
		writeError(w, 404, 10003, "Unknown Channel")
		return
	}
	m := s.findMessage(cid, r.PathValue("message_id"))
	if m == nil {
		writeError(w, 404, 10008, "Unknown Message")
		return
	}
	m.Deleted = true
	s.notifyLocked()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createDM(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, _ []Attachment) {
	uid, _ := body["recipient_id"].(string)
	if uid == "" {
		writeJSON(w, 400, map[string]any{"code": 50035, "message": "Invalid Form Body",
			"errors": map[string]any{"recipient_id": map[string]any{"_errors": []fieldError{{"BASE_TYPE_REQUIRED", "This field is required"}}}}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cid := s.dmChannelLocked(uid)
	writeJSON(w, 200, map[string]any{
		"id": cid, "type": 1, "last_message_id": nil, "flags": 0,
		"recipients": []any{s.userLocked(uid).json()},
	})
}

func (s *Server) dmChannelLocked(uid string) string {
	if cid, ok := s.dmChannels[uid]; ok {
		return cid
	}
	cid := s.NewID()
	s.dmChannels[uid] = cid
	s.channels[cid] = &channelState{id: cid, typ: 1, dmUser: uid}
	return cid
}

func (s *Server) userLocked(uid string) User {
	for _, g := range s.guilds {
		for _, m := range g.Members {
			if m.User.ID == uid {
				return m.User
			}
		}
	}
	return User{ID: uid, Username: "user" + uid}
}

// --- guilds ---

func (s *Server) guildOr404(w http.ResponseWriter, r *http.Request) *Guild {
	g, ok := s.guilds[r.PathValue("guild_id")]
	if !ok {
		writeError(w, 404, 10004, "Unknown Guild")
		return nil
	}
	return g
}

func (s *Server) getGuild(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.guildOr404(w, r); g != nil {
		out := guildJSON(g, false)
		delete(out, "channels")
		delete(out, "members")
		writeJSON(w, 200, out)
	}
}

func (s *Server) getRoles(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.guildOr404(w, r); g != nil {
		writeJSON(w, 200, rolesJSON(g))
	}
}

func (s *Server) memberLocked(g *Guild, uid string) *Member {
	for i := range g.Members {
		if g.Members[i].User.ID == uid {
			return &g.Members[i]
		}
	}
	return nil
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildOr404(w, r)
	if g == nil {
		return
	}
	m := s.memberLocked(g, r.PathValue("user_id"))
	if m == nil {
		writeError(w, 404, 10007, "Unknown Member")
		return
	}
	writeJSON(w, 200, memberJSON(*m))
}

func (s *Server) roleChange(w http.ResponseWriter, r *http.Request, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildOr404(w, r)
	if g == nil {
		return
	}
	m := s.memberLocked(g, r.PathValue("user_id"))
	if m == nil {
		writeError(w, 404, 10007, "Unknown Member")
		return
	}
	rid := r.PathValue("role_id")
	known := false
	for _, role := range g.Roles {
		known = known || role.ID == rid
	}
	if !known {
		writeError(w, 404, 10011, "Unknown Role")
		return
	}
	var roles []string
	for _, id := range m.Roles {
		if id != rid {
			roles = append(roles, id)
		}
	}
	if add {
		roles = append(roles, rid)
	}
	m.Roles = roles
	s.roleGrants = append(s.roleGrants, RoleGrant{GuildID: g.ID, UserID: m.User.ID, RoleID: rid, Added: add, Reason: r.Header.Get("X-Audit-Log-Reason")})
	s.notifyLocked()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) addRole(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.roleChange(w, r, true)
}

func (s *Server) removeRole(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.roleChange(w, r, false)
}

// --- scheduled events ---

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildOr404(w, r)
	if g == nil {
		return
	}
	out := []any{}
	for _, e := range s.events[g.ID] {
		out = append(out, e)
	}
	writeJSON(w, 200, out)
}

// Scheduled event statuses.
const (
	eventScheduled = 1
	eventActive    = 2
	eventCompleted = 3
	eventCanceled  = 4
)

// eventTimesError applies the rules Discord documents but the spec cannot
// say: an external event needs an end, after its start, and a new event
// cannot start in the past.
func eventTimesError(e map[string]any, creating bool) map[string]any {
	tree := map[string]any{}
	start, _ := time.Parse(time.RFC3339, fmt.Sprint(e["scheduled_start_time"]))
	end, hasEnd := e["scheduled_end_time"].(string)
	if creating && start.Before(time.Now()) {
		addFieldError(tree, []string{"scheduled_start_time"}, fieldError{"GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past."})
	}
	if t, _ := e["entity_type"].(float64); t == 3 && (!hasEnd || end == "") {
		addFieldError(tree, []string{"scheduled_end_time"}, fieldError{"BASE_TYPE_REQUIRED", "This field is required"})
	}
	if hasEnd && end != "" {
		if endTime, err := time.Parse(time.RFC3339, end); err == nil && !endTime.After(start) {
			addFieldError(tree, []string{"scheduled_end_time"}, fieldError{"GUILD_SCHEDULED_EVENT_END_BEFORE_START", "The end must be after the start."})
		}
	}
	if len(tree) == 0 {
		return nil
	}
	return tree
}

// statusChangeAllowed follows Discord: a scheduled event may start or be
// canceled, an active one may end; a finished one stays as it is.
func statusChangeAllowed(from, to int) bool {
	switch {
	case from == to:
		return true
	case from == eventScheduled:
		return to == eventActive || to == eventCanceled
	case from == eventActive:
		return to == eventCompleted
	}
	return false
}

func (s *Server) createEvent(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildOr404(w, r)
	if g == nil {
		return
	}
	if errs := eventTimesError(body, true); errs != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": errs})
		return
	}
	e := map[string]any{
		"channel_id": nil, "description": nil, "scheduled_end_time": nil, "entity_metadata": nil,
		"image": nil, "entity_id": nil, "recurrence_rule": nil,
	}
	for k, v := range body {
		e[k] = v
	}
	e["id"], e["guild_id"], e["creator_id"], e["status"] = s.NewID(), g.ID, s.opts.botUserID, float64(eventScheduled)
	e["creator"] = s.botUser().json()
	e["user_count"] = 0
	s.events[g.ID] = append(s.events[g.ID], e)
	s.notifyLocked()
	writeJSON(w, 200, e)
}

func (s *Server) findEvent(gid, eid string) int {
	for i, e := range s.events[gid] {
		if e["id"] == eid {
			return i
		}
	}
	return -1
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildOr404(w, r)
	if g == nil {
		return
	}
	i := s.findEvent(g.ID, r.PathValue("guild_scheduled_event_id"))
	if i < 0 {
		writeError(w, 404, 10070, "Unknown Guild Scheduled Event")
		return
	}
	writeJSON(w, 200, s.events[g.ID][i])
}

func (s *Server) editEvent(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildOr404(w, r)
	if g == nil {
		return
	}
	i := s.findEvent(g.ID, r.PathValue("guild_scheduled_event_id"))
	if i < 0 {
		writeError(w, 404, 10070, "Unknown Guild Scheduled Event")
		return
	}
	ev := s.events[g.ID][i]
	merged := map[string]any{}
	for k, v := range ev {
		merged[k] = v
	}
	for k, v := range body {
		merged[k] = v
	}
	if errs := eventTimesError(merged, false); errs != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": errs})
		return
	}
	from, _ := ev["status"].(float64)
	to, _ := merged["status"].(float64)
	if !statusChangeAllowed(int(from), int(to)) {
		tree := map[string]any{}
		addFieldError(tree, []string{"status"}, fieldError{"BASE_TYPE_CHOICES", fmt.Sprintf("Cannot change the status from %v to %v.", from, to)})
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": tree})
		return
	}
	s.events[g.ID][i] = merged
	s.notifyLocked()
	writeJSON(w, 200, merged)
}

func (s *Server) deleteEvent(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guildOr404(w, r)
	if g == nil {
		return
	}
	i := s.findEvent(g.ID, r.PathValue("guild_scheduled_event_id"))
	if i < 0 {
		writeError(w, 404, 10070, "Unknown Guild Scheduled Event")
		return
	}
	s.events[g.ID] = append(s.events[g.ID][:i], s.events[g.ID][i+1:]...)
	s.notifyLocked()
	w.WriteHeader(http.StatusNoContent)
}

// --- invites ---

func (s *Server) inviteJSON(inv *Invite) map[string]any {
	out := map[string]any{
		"type": 0, "code": inv.Code, "inviter": s.botUser().json(), "max_age": inv.MaxAge, "max_uses": inv.MaxUses,
		"uses": inv.Uses, "temporary": inv.Temporary, "created_at": inv.CreatedAt.Format(time.RFC3339Nano), "expires_at": nil,
		"channel": map[string]any{"id": inv.ChannelID, "type": 0, "name": s.channels[inv.ChannelID].name},
	}
	if inv.MaxAge > 0 {
		out["expires_at"] = inv.CreatedAt.Add(time.Duration(inv.MaxAge) * time.Second).Format(time.RFC3339Nano)
	}
	if g, ok := s.guilds[inv.GuildID]; ok {
		out["guild_id"] = g.ID
		out["guild"] = map[string]any{"id": g.ID, "name": g.Name, "icon": nil, "splash": nil, "banner": nil,
			"description": nil, "features": []any{}, "verification_level": 0, "vanity_url_code": nil, "nsfw_level": 0}
	}
	return out
}

// inviteCode makes an 8-character code, as Discord's unique invites have.
func (s *Server) inviteCode() string {
	const letters = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	n := s.ids.Add(1)
	code := make([]byte, 8)
	for i := range code {
		code[i] = letters[n%uint64(len(letters))]
		n /= uint64(len(letters))
	}
	return string(code)
}

func (s *Server) createInvite(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[r.PathValue("channel_id")]
	if !ok {
		writeError(w, 404, 10003, "Unknown Channel")
		return
	}
	if ch.guildID == "" {
		writeError(w, 400, 50024, "Cannot execute action on this channel type")
		return
	}
	inv := &Invite{ChannelID: ch.id, GuildID: ch.guildID, MaxAge: 86400, CreatedAt: time.Now()}
	if v, ok := body["max_age"].(float64); ok {
		inv.MaxAge = int(v)
	}
	if v, ok := body["max_uses"].(float64); ok {
		inv.MaxUses = int(v)
	}
	inv.Temporary, _ = body["temporary"].(bool)
	inv.Unique, _ = body["unique"].(bool)
	if !inv.Unique {
		// Without unique Discord hands back a similar invite still valid.
		for _, old := range s.invites {
			if old.ChannelID == inv.ChannelID && old.MaxAge == inv.MaxAge && old.MaxUses == inv.MaxUses &&
				old.Temporary == inv.Temporary && !old.expired(time.Now()) {
				writeJSON(w, 200, s.inviteJSON(old))
				return
			}
		}
	}
	inv.Code = s.inviteCode()
	s.invites = append(s.invites, inv)
	s.notifyLocked()
	writeJSON(w, 200, s.inviteJSON(inv))
}

// inviteLocked finds a usable invite; Discord forgets used up and expired ones.
func (s *Server) inviteLocked(code string) *Invite {
	for _, inv := range s.invites {
		if inv.Code == code && !inv.expired(time.Now()) {
			return inv
		}
	}
	return nil
}

func (s *Server) getInvite(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.inviteLocked(r.PathValue("code"))
	if inv == nil {
		writeError(w, 404, 10006, "Unknown Invite")
		return
	}
	writeJSON(w, 200, s.inviteJSON(inv))
}

func (s *Server) deleteInvite(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.inviteLocked(r.PathValue("code"))
	if inv == nil {
		writeError(w, 404, 10006, "Unknown Invite")
		return
	}
	out := s.inviteJSON(inv)
	inv.MaxUses, inv.Uses = 1, 1 // used up: forgotten
	s.notifyLocked()
	writeJSON(w, 200, out)
}

// --- JSON shapes of guild objects ---

func rolesJSON(g *Guild) []any {
	out := []any{}
	roles := append([]Role(nil), g.Roles...)
	sort.SliceStable(roles, func(i, j int) bool { return roles[i].Position < roles[j].Position })
	for _, r := range roles {
		out = append(out, map[string]any{
			"id": r.ID, "name": r.Name, "permissions": r.Permissions, "position": r.Position,
			"color": r.Color, "hoist": false, "managed": false, "mentionable": false, "flags": 0,
		})
	}
	return out
}

func memberJSON(m Member) map[string]any {
	roles := m.Roles
	if roles == nil {
		roles = []string{}
	}
	out := map[string]any{
		"user": m.User.json(), "roles": roles, "joined_at": m.JoinedAt.Format(time.RFC3339),
		"deaf": false, "mute": false, "flags": 0, "pending": false, "nick": nil,
	}
	if m.Nick != "" {
		out["nick"] = m.Nick
	}
	return out
}

func guildJSON(g *Guild, create bool) map[string]any {
	chans := []any{}
	for _, c := range g.Channels {
		cm := map[string]any{"id": c.ID, "name": c.Name, "type": c.Type, "guild_id": g.ID, "position": 0, "permission_overwrites": []any{}}
		if c.ParentID != "" {
			cm["parent_id"] = c.ParentID
		}
		chans = append(chans, cm)
	}
	members := []any{}
	for _, m := range g.Members {
		members = append(members, memberJSON(m))
	}
	out := map[string]any{
		"id": g.ID, "name": g.Name, "icon": nil, "owner_id": g.OwnerID, "roles": rolesJSON(g),
		"emojis": []any{}, "features": []any{}, "preferred_locale": "en-US", "verification_level": 0,
		"channels": chans, "members": members, "member_count": len(g.Members),
	}
	if create {
		out["unavailable"] = false
		out["large"] = false
		out["joined_at"] = time.Now().Format(time.RFC3339)
		out["threads"], out["voice_states"], out["presences"] = []any{}, []any{}, []any{}
		out["stage_instances"], out["guild_scheduled_events"] = []any{}, []any{}
	}
	return out
}
