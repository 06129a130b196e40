package discordtest

import (
	"errors"
	"time"
)

func (s *Server) addGuildLocked(g Guild) {
	if g.Name == "" {
		g.Name = "guild-" + g.ID
	}
	if g.OwnerID == "" {
		g.OwnerID = "1000000000000000001"
	}
	hasEveryone := false
	for _, r := range g.Roles {
		hasEveryone = hasEveryone || r.ID == g.ID
	}
	if !hasEveryone {
		g.Roles = append([]Role{{ID: g.ID, Name: "@everyone", Permissions: "1071698660929"}}, g.Roles...)
	}
	for i := range g.Members {
		if g.Members[i].JoinedAt.IsZero() {
			g.Members[i].JoinedAt = time.Now().Add(-24 * time.Hour)
		}
	}
	if _, ok := s.guilds[g.ID]; !ok {
		s.guildOrder = append(s.guildOrder, g.ID)
	}
	gg := g
	s.guilds[g.ID] = &gg
	for _, c := range g.Channels {
		s.channels[c.ID] = &channelState{id: c.ID, guildID: g.ID, typ: c.Type, name: c.Name}
	}
}

// AddGuild adds (or replaces) a guild; connected sessions get GUILD_CREATE.
func (s *Server) AddGuild(g Guild) {
	s.mu.Lock()
	s.addGuildLocked(g)
	payload := guildJSON(s.guilds[g.ID], true)
	s.notifyLocked()
	s.mu.Unlock()
	s.gw.mu.Lock()
	live := len(s.gw.sessions) > 0
	s.gw.mu.Unlock()
	// Before the first IDENTIFY the guild goes out with READY anyway.
	if live {
		s.Dispatch("GUILD_CREATE", payload)
	}
}

// AddChannel adds a channel to a known guild (or a free-standing one when
// guildID is empty) so messages can be sent to it.
func (s *Server) AddChannel(guildID string, c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.guilds[guildID]; ok {
		g.Channels = append(g.Channels, c)
	}
	s.channels[c.ID] = &channelState{id: c.ID, guildID: guildID, typ: c.Type, name: c.Name}
	s.notifyLocked()
}

// RefuseDMs marks a user as not accepting DMs: messages to their DM channel
// get 403 code 50007.
func (s *Server) RefuseDMs(userID string, refuse bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseDMs[userID] = refuse
}

// Messages returns the non-deleted messages of a channel, oldest first,
// including interaction responses posted there.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages[channelID] {
		if !m.Deleted {
			out = append(out, *m)
		}
	}
	return out
}

// AllMessages returns every message ever created in a channel, deleted ones included.
func (s *Server) AllMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages[channelID] {
		out = append(out, *m)
	}
	return out
}

// DMs returns the messages the bot sent to a user's DM channel.
func (s *Server) DMs(userID string) []Message {
	s.mu.Lock()
	cid, ok := s.dmChannels[userID]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	return s.Messages(cid)
}

// InteractionResponses returns the callbacks the bot sent for an interaction.
func (s *Server) InteractionResponses(interactionID string) []InteractionResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[interactionID]
	if !ok {
		return nil
	}
	return append([]InteractionResponse(nil), in.responses...)
}

// OriginalResponse returns the interaction's @original message, if any.
func (s *Server) OriginalResponse(interactionID string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[interactionID]
	if !ok || in.original == nil {
		return Message{}, false
	}
	return *in.original, true
}

// Followups returns the followup messages sent for an interaction.
func (s *Server) Followups(interactionID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[interactionID]
	if !ok {
		return nil
	}
	var out []Message
	for _, m := range in.followups {
		out = append(out, *m)
	}
	return out
}

// Commands returns the registered commands of a scope: "" for global,
// otherwise a guild ID.
func (s *Server) Commands(guildID string) []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Command
	for _, c := range s.commands[guildID] {
		out = append(out, commandFromMap(s.commandJSON(guildID, c)))
	}
	return out
}

// CommandWrites counts command-changing requests (PUT, POST, PATCH, DELETE)
// across all scopes, so tests can assert that unchanged commands are not
// published again.
func (s *Server) CommandWrites() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commandWrites
}

// RoleGrants returns every role addition and removal, oldest first.
func (s *Server) RoleGrants() []RoleGrant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RoleGrant(nil), s.roleGrants...)
}

// MemberRoles returns a member's current role IDs.
func (s *Server) MemberRoles(guildID, userID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.guilds[guildID]; ok {
		if m := s.memberLocked(g, userID); m != nil {
			return append([]string(nil), m.Roles...)
		}
	}
	return nil
}

// Member returns a guild member, if the user is one.
func (s *Server) Member(guildID, userID string) (Member, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.guilds[guildID]; ok {
		if m := s.memberLocked(g, userID); m != nil {
			c := *m
			c.Roles = append([]string(nil), m.Roles...)
			return c, true
		}
	}
	return Member{}, false
}

// ScheduledEvents returns a guild's scheduled events as JSON objects.
func (s *Server) ScheduledEvents(guildID string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, e := range s.events[guildID] {
		c := map[string]any{}
		for k, v := range e {
			c[k] = v
		}
		out = append(out, c)
	}
	return out
}

// DispatchMessageCreate sends MESSAGE_CREATE for a message written by author
// and returns the message ID.
func (s *Server) DispatchMessageCreate(channelID string, author User, content string) string {
	s.mu.Lock()
	gid := ""
	if ch, ok := s.channels[channelID]; ok {
		gid = ch.guildID
	}
	s.mu.Unlock()
	id := s.NewID()
	m := map[string]any{
		"id": id, "channel_id": channelID, "type": 0, "content": content, "author": author.json(),
		"timestamp": time.Now().Format(time.RFC3339Nano), "edited_timestamp": nil, "tts": false,
		"mention_everyone": false, "mentions": []any{}, "mention_roles": []any{}, "attachments": []any{},
		"embeds": []any{}, "components": []any{}, "pinned": false, "flags": 0,
	}
	if gid != "" {
		m["guild_id"] = gid
		m["member"] = map[string]any{"roles": s.MemberRoles(gid, author.ID), "joined_at": time.Now().Format(time.RFC3339), "deaf": false, "mute": false}
	}
	s.Dispatch("MESSAGE_CREATE", m)
	return id
}

// DispatchGuildMemberAdd adds a member to a guild and sends GUILD_MEMBER_ADD.
func (s *Server) DispatchGuildMemberAdd(guildID string, m Member) {
	if m.JoinedAt.IsZero() {
		m.JoinedAt = time.Now()
	}
	s.mu.Lock()
	if g, ok := s.guilds[guildID]; ok {
		g.Members = append(g.Members, m)
	}
	s.notifyLocked()
	s.mu.Unlock()
	payload := memberJSON(m)
	payload["guild_id"] = guildID
	s.Dispatch("GUILD_MEMBER_ADD", payload)
}

// Invites returns the invites the bot created to a channel, oldest first,
// used up and expired ones included.
func (s *Server) Invites(channelID string) []Invite {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Invite
	for _, inv := range s.invites {
		if inv.ChannelID == channelID {
			c := *inv
			c.Joined = append([]string(nil), inv.Joined...)
			out = append(out, c)
		}
	}
	return out
}

// ErrInvalidInvite is what JoinWithInvite answers for an invite that is
// unknown, expired or used up, as Discord shows "Invite Invalid".
var ErrInvalidInvite = errors.New("discordtest: invite invalid")

// JoinWithInvite has u accept an invite, as from the Discord client: the
// invite counts one use and u becomes a member of its server, which sends
// GUILD_MEMBER_ADD. A member already in the server uses nothing.
func (s *Server) JoinWithInvite(code string, u User) error {
	s.mu.Lock()
	inv := s.inviteLocked(code)
	if inv == nil {
		s.mu.Unlock()
		return ErrInvalidInvite
	}
	g, ok := s.guilds[inv.GuildID]
	if !ok {
		s.mu.Unlock()
		return ErrInvalidInvite
	}
	if s.memberLocked(g, u.ID) != nil {
		s.mu.Unlock()
		return nil
	}
	inv.Uses++
	inv.Joined = append(inv.Joined, u.ID)
	gid := g.ID
	s.mu.Unlock()
	s.DispatchGuildMemberAdd(gid, Member{User: u})
	return nil
}
