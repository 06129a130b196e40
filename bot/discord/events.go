package discord

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/agora-community/agora/commands"
)

// eventTimeout bounds the handling of one server event, answers included.
const eventTimeout = 2 * time.Minute

// onMemberAdd hands a member who joined a server to the runtime (Welcomes
// on) and posts what the modules answer in the server's welcome channel.
func (a *Adapter) onMemberAdd(e *discordgo.GuildMemberAdd) {
	if e.Member == nil || e.User == nil {
		return
	}
	ctx, cancel := context.WithTimeout(a.workCtx, eventTimeout)
	defer cancel()
	channelID := a.welcomeChannel(e.GuildID)
	if channelID == "" {
		a.log.Warn("member joined a server without a text channel to welcome them in", "guild", e.GuildID)
		return
	}
	req := &commands.Request{
		Platform: commands.PlatformDiscord,
		Chat:     commands.Chat{ID: channelID, GroupID: e.GuildID, Title: a.channelName(channelID)},
		User:     memberUser(e.Member),
		Event:    &commands.Event{Kind: commands.EventMemberJoined},
	}
	req.User.PlatformRole = a.platformRole(0, e.Roles)
	for _, r := range a.rt.HandleEvent(ctx, req) {
		a.postEvent(ctx, req, "", r)
	}
}

// onMessage hands a channel message to the runtime (AutoFAQ on) and posts
// what the modules answer as replies to it.
func (a *Adapter) onMessage(m *discordgo.MessageCreate) {
	if m.Message == nil || m.Author == nil || m.Content == "" {
		return
	}
	ctx, cancel := context.WithTimeout(a.workCtx, eventTimeout)
	defer cancel()
	u := commands.User{ID: m.Author.ID, Name: nonEmpty(m.Author.GlobalName, m.Author.Username),
		// Agora's own messages and webhooks' are bots' too.
		Bot: m.Author.Bot || m.WebhookID != ""}
	if m.Member != nil {
		if m.Member.Nick != "" {
			u.Name = m.Member.Nick
		}
		u.PlatformRole = a.platformRole(0, m.Member.Roles)
	}
	req := &commands.Request{
		Platform: commands.PlatformDiscord,
		Chat:     commands.Chat{ID: m.ChannelID, GroupID: m.GuildID, Private: m.GuildID == "", Title: a.channelName(m.ChannelID)},
		User:     u,
		Event:    &commands.Event{Kind: commands.EventMessage, Text: m.Content, MessageID: m.ID},
	}
	for _, r := range a.rt.HandleEvent(ctx, req) {
		a.postEvent(ctx, req, m.ID, r)
	}
}

func memberUser(m *discordgo.Member) commands.User {
	u := commands.User{ID: m.User.ID, Name: nonEmpty(m.User.GlobalName, m.User.Username), Bot: m.User.Bot}
	if m.Nick != "" {
		u.Name = m.Nick
	}
	return u
}

// welcomeChannel is where a server greets newcomers: its system channel,
// else its first text channel.
func (a *Adapter) welcomeChannel(guildID string) string {
	if a.s.State == nil {
		return ""
	}
	g, err := a.s.State.Guild(guildID)
	if err != nil {
		return ""
	}
	if g.SystemChannelID != "" {
		return g.SystemChannelID
	}
	var text []*discordgo.Channel
	for _, c := range g.Channels {
		if c.Type == discordgo.ChannelTypeGuildText {
			text = append(text, c)
		}
	}
	sort.SliceStable(text, func(i, j int) bool { return text[i].Position < text[j].Position })
	if len(text) == 0 {
		return ""
	}
	return text[0].ID
}

// postEvent posts an answer to an event in its channel, the first part
// replying to the message when there is one. Outside interactions Discord
// has no private answers: an ephemeral one goes by direct message, or not
// at all.
func (a *Adapter) postEvent(ctx context.Context, req *commands.Request, replyTo string, r *commands.Response) {
	if r.Ephemeral {
		if _, err := a.DirectMessage(ctx, req.User.ID, r); err != nil {
			a.log.Warn("private answer to an event not delivered", "event", req.Describe(), "error", err)
		}
		return
	}
	noFail := false
	for i, m := range renderMessages(r) {
		send := messageSend(m)
		if i == 0 && replyTo != "" {
			send.Reference = &discordgo.MessageReference{MessageID: replyTo, ChannelID: req.Chat.ID, FailIfNotExists: &noFail}
		}
		err := a.once(ctx, func(opts ...discordgo.RequestOption) error {
			_, err := a.s.ChannelMessageSendComplex(req.Chat.ID, send, opts...)
			return err
		})
		if err != nil {
			a.logFailure("answer an event", err, "event", req.Describe())
			return
		}
	}
}

// stateEvents are the events that keep discordgo's State cache (servers,
// channels, roles, members) current, with the type each is read into.
var stateEvents = map[string]func() any{
	"READY":               func() any { return &discordgo.Ready{} },
	"GUILD_CREATE":        func() any { return &discordgo.GuildCreate{} },
	"GUILD_UPDATE":        func() any { return &discordgo.GuildUpdate{} },
	"GUILD_DELETE":        func() any { return &discordgo.GuildDelete{} },
	"GUILD_ROLE_CREATE":   func() any { return &discordgo.GuildRoleCreate{} },
	"GUILD_ROLE_UPDATE":   func() any { return &discordgo.GuildRoleUpdate{} },
	"GUILD_ROLE_DELETE":   func() any { return &discordgo.GuildRoleDelete{} },
	"GUILD_MEMBER_UPDATE": func() any { return &discordgo.GuildMemberUpdate{} },
	"GUILD_MEMBER_REMOVE": func() any { return &discordgo.GuildMemberRemove{} },
	"CHANNEL_CREATE":      func() any { return &discordgo.ChannelCreate{} },
	"CHANNEL_UPDATE":      func() any { return &discordgo.ChannelUpdate{} },
	"CHANNEL_DELETE":      func() any { return &discordgo.ChannelDelete{} },
	"THREAD_CREATE":       func() any { return &discordgo.ThreadCreate{} },
	"THREAD_UPDATE":       func() any { return &discordgo.ThreadUpdate{} },
	"THREAD_DELETE":       func() any { return &discordgo.ThreadDelete{} },
	"THREAD_LIST_SYNC":    func() any { return &discordgo.ThreadListSync{} },
}

// onGatewayEvent reads a gateway event and hands it on: a press, a
// command, a newcomer or a message to a goroutine of its own (see
// handOff), everything else to the State cache. Events Agora did not ask
// for are ignored.
func (a *Adapter) onGatewayEvent(event string, d json.RawMessage) {
	switch event {
	case "INTERACTION_CREATE":
		i, err := decodeInteraction(d)
		if err != nil {
			a.log.Error("read an interaction from the Discord gateway", "error", err)
			return
		}
		ic := &discordgo.InteractionCreate{Interaction: i}
		a.handOff(func() { a.onInteraction(ic) })
	case "GUILD_MEMBER_ADD":
		var e discordgo.GuildMemberAdd
		if a.readEvent(event, d, &e) && a.cfg.Welcomes {
			a.handOff(func() { a.onMemberAdd(&e) })
		}
	case "MESSAGE_CREATE":
		if !a.cfg.AutoFAQ {
			return
		}
		var m discordgo.MessageCreate
		if a.readEvent(event, d, &m) {
			a.handOff(func() { a.onMessage(&m) })
		}
	default:
		if newEvent, ok := stateEvents[event]; ok {
			a.readEvent(event, d, newEvent())
		}
	}
}

// readEvent reads an event into e and gives it to the State cache. It
// reports false when the event could not be read.
func (a *Adapter) readEvent(event string, d json.RawMessage, e any) bool {
	if err := json.Unmarshal(d, e); err != nil {
		a.log.Error("read an event from the Discord gateway", "event", event, "error", err)
		return false
	}
	if err := a.s.State.OnInterface(a.s, e); err != nil {
		a.log.Warn("keep the Discord state", "event", event, "error", err)
	}
	return true
}
