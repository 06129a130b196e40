package discord

import (
	"context"
	"sort"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/agora-community/agora/commands"
)

// eventTimeout bounds the handling of one server event, answers included.
const eventTimeout = 2 * time.Minute

// onMemberAdd hands a member who joined a server to the runtime (Welcomes
// on) and posts what the modules answer in the server's welcome channel.
func (a *Adapter) onMemberAdd(s *discordgo.Session, e *discordgo.GuildMemberAdd) {
	if e.Member == nil || e.User == nil || !a.track() {
		return
	}
	defer a.work.Done()
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
func (a *Adapter) onMessage(s *discordgo.Session, m *discordgo.MessageCreate) {
	if m.Message == nil || m.Author == nil || m.Content == "" || !a.track() {
		return
	}
	defer a.work.Done()
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
