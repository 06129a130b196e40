package discordtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

func (s *Server) interactionCallback(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, files []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[r.PathValue("interaction_id")]
	if !ok || in.token != r.PathValue("interaction_token") {
		writeError(w, 404, 10062, "Unknown interaction")
		return
	}
	if len(in.responses) > 0 {
		writeError(w, 400, 40060, "Interaction has already been acknowledged.")
		return
	}
	s.acknowledgeLocked(in, body, files)
	w.WriteHeader(http.StatusNoContent)
}

// RecordHTTPResponse registers the JSON a bot wrote as the HTTP response to
// an HTTP interaction (built with NewSlashCommand and friends), as Discord
// would: it is validated like a callback body, and later webhook edits and
// followups of the interaction then work.
func (s *Server) RecordHTTPResponse(interactionID string, body []byte) error {
	var raw any
	if err := json.Unmarshal(body, &raw); err != nil {
		return fmt.Errorf("discordtest: HTTP interaction response is not JSON: %w", err)
	}
	errs, err := s.spec.validate("POST", "/interactions/{interaction_id}/{interaction_token}/callback", raw)
	if err != nil {
		return fmt.Errorf("discordtest: spec: %w", err)
	}
	if errs != nil {
		b, _ := json.Marshal(errs)
		return fmt.Errorf("discordtest: invalid interaction response: %s", b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[interactionID]
	if !ok {
		return fmt.Errorf("discordtest: unknown interaction %s", interactionID)
	}
	if len(in.responses) > 0 {
		return fmt.Errorf("discordtest: interaction %s already acknowledged", interactionID)
	}
	m, _ := raw.(map[string]any)
	s.acknowledgeLocked(in, m, nil)
	return nil
}

// acknowledgeLocked records an interaction's first answer; s.mu must be held.
func (s *Server) acknowledgeLocked(in *interactionState, body map[string]any, files []Attachment) {
	t, _ := body["type"].(float64)
	data, _ := body["data"].(map[string]any)
	resp := InteractionResponse{InteractionID: in.id, Type: int(t), Data: data, Time: time.Now()}
	if f, ok := data["flags"].(float64); ok {
		resp.Flags = int(f)
	}
	for _, f := range files {
		f.ID = s.NewID()
		resp.Attachments = append(resp.Attachments, f)
	}
	switch resp.Type {
	case 4, 5:
		m := &Message{ID: s.NewID(), ChannelID: in.channelID, GuildID: in.guildID, InteractionID: in.id, Timestamp: time.Now()}
		if resp.Type == 5 {
			m.Flags = resp.Flags | 128 // "loading" until the bot edits @original
		} else {
			s.applyPayload(m, data, nil)
			m.Attachments = resp.Attachments
		}
		in.original = m
		s.messages[in.channelID] = append(s.messages[in.channelID], m)
	case 7:
		if m := s.findMessage(in.channelID, in.messageID); m != nil {
			s.applyPayload(m, data, files)
			m.Edits++
		}
	}
	in.responses = append(in.responses, resp)
	s.notifyLocked()
}

func (s *Server) webhookInteraction(w http.ResponseWriter, r *http.Request) *interactionState {
	in, ok := s.byToken[r.PathValue("webhook_token")]
	if !ok || r.PathValue("webhook_id") != s.opts.appID {
		writeError(w, 404, 10015, "Unknown Webhook")
		return nil
	}
	return in
}

// webhookMessage resolves @original (for deferred updates, the clicked
// message) or a followup ID.
func (s *Server) webhookMessage(in *interactionState, id string) *Message {
	if id == "" || id == "@original" {
		if in.original != nil && !in.original.Deleted {
			return in.original
		}
		if in.messageID != "" {
			return s.findMessage(in.channelID, in.messageID)
		}
		return nil
	}
	for _, m := range in.followups {
		if m.ID == id && !m.Deleted {
			return m
		}
	}
	return nil
}

func messageIDParam(r *http.Request) string {
	if id := r.PathValue("message_id"); id != "" {
		return id
	}
	return "@original"
}

func (s *Server) getWebhookMessage(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.webhookInteraction(w, r)
	if in == nil {
		return
	}
	m := s.webhookMessage(in, messageIDParam(r))
	if m == nil {
		writeError(w, 404, 10008, "Unknown Message")
		return
	}
	writeJSON(w, 200, s.messageJSON(m))
}

func (s *Server) editWebhookMessage(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, files []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.webhookInteraction(w, r)
	if in == nil {
		return
	}
	m := s.webhookMessage(in, messageIDParam(r))
	if m == nil {
		writeError(w, 404, 10008, "Unknown Message")
		return
	}
	loading := m.Flags & 128
	s.applyPayload(m, body, files)
	if loading != 0 {
		m.Flags &^= 128 // the deferred "thinking" state ends with the first edit
	}
	m.Edits++
	s.notifyLocked()
	writeJSON(w, 200, s.messageJSON(m))
}

func (s *Server) deleteWebhookMessage(w http.ResponseWriter, r *http.Request, _ map[string]any, _ any, _ []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.webhookInteraction(w, r)
	if in == nil {
		return
	}
	m := s.webhookMessage(in, messageIDParam(r))
	if m == nil {
		writeError(w, 404, 10008, "Unknown Message")
		return
	}
	m.Deleted = true
	s.notifyLocked()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) followup(w http.ResponseWriter, r *http.Request, body map[string]any, _ any, files []Attachment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.webhookInteraction(w, r)
	if in == nil {
		return
	}
	if len(in.responses) == 0 {
		writeError(w, 400, 40060, "Interaction has not been acknowledged.")
		return
	}
	if isEmptyMessage(body, files) {
		writeError(w, 400, 50006, "Cannot send an empty message")
		return
	}
	m := &Message{ID: s.NewID(), ChannelID: in.channelID, GuildID: in.guildID, InteractionID: in.id, Timestamp: time.Now()}
	s.applyPayload(m, body, files)
	in.followups = append(in.followups, m)
	s.messages[in.channelID] = append(s.messages[in.channelID], m)
	s.notifyLocked()
	writeJSON(w, 200, s.messageJSON(m))
}

// --- building interactions ---

// Invoker describes who triggers an interaction and where. An empty GuildID
// means a DM (the payload then carries "user" instead of "member").
type Invoker struct {
	GuildID     string
	ChannelID   string
	User        User
	Roles       []string
	Permissions string // decimal permission bits, e.g. "2147483647"
	Locale      string // e.g. "fr" or "en-US"; defaults to "en-US"
	GuildLocale string
}

// CommandOption is an option of an invoked command. Sub-commands (type 1)
// and groups (type 2) carry nested Options.
type CommandOption struct {
	Name    string
	Type    int // 1 sub, 2 group, 3 string, 4 integer, 5 bool, 6 user, 7 channel, 8 role, 10 number, 11 attachment
	Value   any
	Focused bool
	Options []CommandOption
	// File is the file a member sends with an attachment option (type 11,
	// the default when File is set). As Discord does, the double serves it
	// on its CDN (see Interaction.Files), and the option's value is the
	// attachment's ID, resolved in data.resolved.attachments with the
	// file's name, size, content type and signed URL. An empty ID is
	// given a fresh snowflake.
	File *Attachment
}

// json writes the option; attach serves an option's file and returns the
// attachment's ID.
func (o CommandOption) json(attach func(Attachment) string) map[string]any {
	if o.File != nil {
		if o.Type == 0 {
			o.Type = 11
		}
		o.Value = attach(*o.File)
	}
	m := map[string]any{"name": o.Name, "type": o.Type}
	if o.Value != nil {
		m["value"] = o.Value
	}
	if o.Focused {
		m["focused"] = true
	}
	if len(o.Options) > 0 || o.Type == 1 || o.Type == 2 {
		sub := []any{}
		for _, c := range o.Options {
			sub = append(sub, c.json(attach))
		}
		m["options"] = sub
	}
	return m
}

// SlashCommand is an application command invocation (also used for
// autocomplete, where one option has Focused set).
type SlashCommand struct {
	Invoker
	Name      string
	CommandID string
	Type      int // command type; 1 (chat input) when zero
	Options   []CommandOption
}

// ComponentClick is a button (ComponentType 2) or select (3, with Values) use.
type ComponentClick struct {
	Invoker
	CustomID      string
	ComponentType int
	Values        []string
	MessageID     string // the message carrying the component; must exist for type-7 updates
}

// TextInput is one field of a submitted modal.
type TextInput struct {
	CustomID string
	Value    string
}

// ModalSubmit is a modal submission.
type ModalSubmit struct {
	Invoker
	CustomID string
	Fields   []TextInput
}

// Interaction is a built interaction, registered with the double so the bot
// can answer it.
type Interaction struct {
	ID    string
	Token string
	Type  int
	// JSON is the payload as Discord sends it (INTERACTION_CREATE data, or an
	// HTTP-interactions POST body).
	JSON []byte
	// Files are the files of the command's attachment options, in the
	// order of the options, as the double serves them.
	Files []ServedFile
}

func (s *Server) newInteraction(typ int, inv Invoker, data map[string]any, message map[string]any, messageID string) Interaction {
	id := s.NewID()
	token := "itoken-" + id + "-" + randomHex(16)
	if inv.Locale == "" {
		inv.Locale = "en-US"
	}
	if inv.GuildLocale == "" {
		inv.GuildLocale = "en-US"
	}
	if inv.ChannelID == "" {
		inv.ChannelID = s.firstTextChannel(inv.GuildID)
	}
	if inv.User.ID == "" {
		inv.User = User{ID: s.NewID(), Username: "tester"}
	}
	if inv.Permissions == "" {
		inv.Permissions = "0"
	}
	p := map[string]any{
		"id": id, "application_id": s.opts.appID, "type": typ, "token": token, "version": 1,
		"channel_id": inv.ChannelID, "locale": inv.Locale, "app_permissions": "2251799813685247",
		"entitlements": []any{}, "authorizing_integration_owners": map[string]any{"0": inv.GuildID},
	}
	if data != nil {
		p["data"] = data
	}
	if message != nil {
		p["message"] = message
	}
	if inv.GuildID != "" {
		roles := inv.Roles
		if roles == nil {
			roles = []string{}
		}
		p["guild_id"] = inv.GuildID
		p["guild_locale"] = inv.GuildLocale
		p["context"] = 0
		p["channel"] = map[string]any{"id": inv.ChannelID, "type": 0, "guild_id": inv.GuildID}
		p["member"] = map[string]any{
			"user": inv.User.json(), "roles": roles, "permissions": inv.Permissions,
			"joined_at": time.Now().Add(-time.Hour).Format(time.RFC3339), "deaf": false, "mute": false, "flags": 0, "pending": false, "nick": nil,
		}
	} else {
		p["context"] = 1
		p["channel"] = map[string]any{"id": inv.ChannelID, "type": 1}
		p["user"] = inv.User.json()
	}
	b, _ := json.Marshal(p)
	st := &interactionState{id: id, token: token, typ: typ, guildID: inv.GuildID, channelID: inv.ChannelID, messageID: messageID}
	s.mu.Lock()
	s.interactions[id] = st
	s.byToken[token] = st
	if _, ok := s.channels[inv.ChannelID]; !ok && inv.ChannelID != "" {
		// Interactions can come from channels the double was not told about;
		// answers still need somewhere to live.
		s.channels[inv.ChannelID] = &channelState{id: inv.ChannelID, guildID: inv.GuildID}
	}
	s.mu.Unlock()
	return Interaction{ID: id, Token: token, Type: typ, JSON: b}
}

func (s *Server) firstTextChannel(gid string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.guilds[gid]; ok {
		for _, c := range g.Channels {
			if c.Type == 0 {
				return c.ID
			}
		}
	}
	return s.NewID()
}

// commandData writes the command's data, serving the files of its
// attachment options. It picks the channel when c has none, since the
// files' URLs name it.
func (s *Server) commandData(c *SlashCommand) (map[string]any, []ServedFile) {
	if c.Type == 0 {
		c.Type = 1
	}
	if c.CommandID == "" {
		c.CommandID = s.commandIDByName(c.GuildID, c.Name)
	}
	if c.ChannelID == "" {
		c.ChannelID = s.firstTextChannel(c.GuildID)
	}
	var files []ServedFile
	attachments := map[string]any{}
	attach := func(a Attachment) string {
		s.mu.Lock()
		f, obj := s.serveFileLocked(c.ChannelID, a)
		s.mu.Unlock()
		s.checkAttachment(obj)
		attachments[f.ID] = obj
		files = append(files, f)
		return f.ID
	}
	opts := []any{}
	for _, o := range c.Options {
		opts = append(opts, o.json(attach))
	}
	d := map[string]any{"id": c.CommandID, "name": c.Name, "type": c.Type, "options": opts}
	if c.GuildID != "" {
		d["guild_id"] = c.GuildID
	}
	if len(attachments) > 0 {
		d["resolved"] = map[string]any{"attachments": attachments}
	}
	return d, files
}

// commandIDByName uses the registered command's ID when there is one, as
// Discord would.
func (s *Server) commandIDByName(gid, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, scope := range []string{gid, ""} {
		for _, c := range s.commands[scope] {
			if c["name"] == name {
				return c["id"].(string)
			}
		}
	}
	return s.NewID()
}

// NewSlashCommand builds and registers an APPLICATION_COMMAND (type 2)
// interaction without sending it (for HTTP-interactions tests). Options
// with a File carry it as Discord does (see CommandOption.File).
func (s *Server) NewSlashCommand(c SlashCommand) Interaction {
	data, files := s.commandData(&c)
	in := s.newInteraction(2, c.Invoker, data, nil, "")
	in.Files = files
	return in
}

// NewAutocomplete builds and registers an APPLICATION_COMMAND_AUTOCOMPLETE
// (type 4) interaction; mark the option being typed with Focused.
func (s *Server) NewAutocomplete(c SlashCommand) Interaction {
	data, files := s.commandData(&c)
	in := s.newInteraction(4, c.Invoker, data, nil, "")
	in.Files = files
	return in
}

// NewComponentClick builds and registers a MESSAGE_COMPONENT (type 3) interaction.
func (s *Server) NewComponentClick(c ComponentClick) Interaction {
	if c.ComponentType == 0 {
		c.ComponentType = 2
	}
	data := map[string]any{"custom_id": c.CustomID, "component_type": c.ComponentType}
	if c.ComponentType != 2 {
		vals := c.Values
		if vals == nil {
			vals = []string{}
		}
		data["values"] = vals
	}
	if c.ChannelID == "" {
		c.ChannelID = s.firstTextChannel(c.GuildID)
	}
	var msg map[string]any
	s.mu.Lock()
	if m := s.findMessage(c.ChannelID, c.MessageID); m != nil {
		msg = s.messageJSON(m)
	}
	s.mu.Unlock()
	if msg == nil {
		if c.MessageID == "" {
			c.MessageID = s.NewID()
		}
		msg = map[string]any{"id": c.MessageID, "channel_id": c.ChannelID, "type": 0, "content": "",
			"author": s.botUser().json(), "components": []any{}, "embeds": []any{}, "attachments": []any{},
			"timestamp": time.Now().Format(time.RFC3339), "flags": 0}
	}
	return s.newInteraction(3, c.Invoker, data, msg, c.MessageID)
}

// NewModalSubmit builds and registers a MODAL_SUBMIT (type 5) interaction.
func (s *Server) NewModalSubmit(m ModalSubmit) Interaction {
	rows := []any{}
	for _, f := range m.Fields {
		rows = append(rows, map[string]any{"type": 1, "components": []any{
			map[string]any{"type": 4, "custom_id": f.CustomID, "value": f.Value},
		}})
	}
	return s.newInteraction(5, m.Invoker, map[string]any{"custom_id": m.CustomID, "components": rows}, nil, "")
}

// DispatchSlashCommand sends a slash-command INTERACTION_CREATE on the
// gateway; an option with a File sends that file with the command.
func (s *Server) DispatchSlashCommand(c SlashCommand) Interaction {
	return s.dispatchInteraction(s.NewSlashCommand(c))
}

// DispatchAutocomplete sends an autocomplete INTERACTION_CREATE.
func (s *Server) DispatchAutocomplete(c SlashCommand) Interaction {
	return s.dispatchInteraction(s.NewAutocomplete(c))
}

// DispatchComponentClick sends a component INTERACTION_CREATE.
func (s *Server) DispatchComponentClick(c ComponentClick) Interaction {
	return s.dispatchInteraction(s.NewComponentClick(c))
}

// DispatchModalSubmit sends a modal-submit INTERACTION_CREATE.
func (s *Server) DispatchModalSubmit(m ModalSubmit) Interaction {
	return s.dispatchInteraction(s.NewModalSubmit(m))
}

func (s *Server) dispatchInteraction(in Interaction) Interaction {
	s.Dispatch("INTERACTION_CREATE", json.RawMessage(in.JSON))
	return in
}

// WaitInteractionResponse waits for the bot's callback to interaction id.
func (s *Server) WaitInteractionResponse(id string, timeout time.Duration) (InteractionResponse, bool) {
	var out InteractionResponse
	ok := s.WaitFor(timeout, func() bool {
		rs := s.InteractionResponses(id)
		if len(rs) == 0 {
			return false
		}
		out = rs[0]
		return true
	})
	return out, ok
}

// --- HTTP-interactions signing ---

// Signer signs HTTP-interaction requests the way Discord does, so a bot's
// endpoint can be tested with a known public key.
type Signer struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

// NewSigner generates a fresh Ed25519 key pair.
func NewSigner() *Signer {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return &Signer{pub: pub, priv: priv}
}

// PublicKeyHex is the application public key as shown in the developer portal.
func (s *Signer) PublicKeyHex() string { return hex.EncodeToString(s.pub) }

// PublicKey is the raw public key.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.pub }

// Sign returns the hex X-Signature-Ed25519 value: a signature over timestamp+body.
func (s *Signer) Sign(timestamp string, body []byte) string {
	msg := append([]byte(timestamp), body...)
	return hex.EncodeToString(ed25519.Sign(s.priv, msg))
}

// Headers returns X-Signature-Ed25519 and X-Signature-Timestamp for body,
// timestamped now (Unix seconds, as Discord sends it).
func (s *Signer) Headers(body []byte) http.Header {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	h := http.Header{}
	h.Set("X-Signature-Ed25519", s.Sign(ts, body))
	h.Set("X-Signature-Timestamp", ts)
	h.Set("Content-Type", "application/json")
	return h
}

// SignRequest sets the signature headers on req for body.
func (s *Signer) SignRequest(req *http.Request, body []byte) {
	for k, v := range s.Headers(body) {
		req.Header[k] = v
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
