package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/retry"
	"github.com/agora-community/agora/commands"
)

// Discord error codes Agora reacts to.
const (
	codeUnknownMessage   = 10008
	codeCannotSendToUser = 50007
)

type call func(opts ...discordgo.RequestOption) error

// idempotent runs a call that may safely be repeated (an edit, a delete, a
// role PUT, a command overwrite): rate limits, server errors and broken
// connections are retried, a bounded number of times.
func (a *Adapter) idempotent(ctx context.Context, c call) error {
	return a.retry(ctx, retry.SafeToRepeat, c)
}

// once runs a call that creates something (a message, an event): it is
// repeated only when the failure proves nothing was created, never on a
// 5xx, which may come after Discord stored it.
func (a *Adapter) once(ctx context.Context, c call) error {
	return a.retry(ctx, retry.OnlyIfNotSent, c)
}

// retry makes the call under Agora's retry policy. discordgo's own retries
// (of a 502, and its sleep through a 429, which ignores ctx) are turned
// off so there is one policy, which honours Discord's retry_after.
func (a *Adapter) retry(ctx context.Context, s retry.Safety, c call) error {
	p := retry.Policy{
		Attempts: a.cfg.MaxRetries + 1,
		Backoff:  retry.Backoff{First: a.cfg.RetryBackoff},
		Classify: classify,
	}
	return p.Do(ctx, s, func() error {
		return c(discordgo.WithContext(ctx), discordgo.WithRestRetries(0), discordgo.WithRetryOnRatelimit(false))
	})
}

// serverError recognizes discordgo's plain error for a 502 it gave up on.
func serverError(err error) bool {
	return strings.HasPrefix(err.Error(), "Exceeded Max retries HTTP 5")
}

// classify reads a discordgo error for the retry policy. Errors that are
// neither an answer from Discord nor a network failure (a body that does
// not decode) are not retried.
func classify(err error) retry.Failure {
	if serverError(err) {
		return retry.Failure{Outcome: retry.Ambiguous}
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil {
		return retry.Status(http.StatusTooManyRequests, rl.RetryAfter)
	}
	if status, _, ok := restError(err); ok {
		return retry.Status(status, 0)
	}
	if f, ok := retry.Network(err); ok {
		return f
	}
	return retry.Failure{Outcome: retry.Permanent}
}

func messageSend(m message) *discordgo.MessageSend {
	return &discordgo.MessageSend{
		Content: m.Content, Components: nonNilComponents(m.Components), Files: m.files(),
		AllowedMentions: allowedMentions(m.Mentions),
	}
}

func nonNilComponents(c []discordgo.MessageComponent) []discordgo.MessageComponent {
	if c == nil {
		return []discordgo.MessageComponent{}
	}
	return c
}

// Send posts a response in a channel. A text over 2,000 characters becomes
// several messages; the reference lists them all (see bot.Platform).
func (a *Adapter) Send(ctx context.Context, chatID string, r *commands.Response) (string, error) {
	var ids []string
	for _, m := range renderMessages(r) {
		id, err := a.sendOne(ctx, chatID, m)
		if err != nil {
			return bot.MessageRef(ids), err
		}
		ids = append(ids, id)
	}
	return bot.MessageRef(ids), nil
}

func (a *Adapter) sendOne(ctx context.Context, chatID string, m message) (string, error) {
	var sent *discordgo.Message
	err := a.once(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		sent, err = a.s.ChannelMessageSendComplex(chatID, messageSend(m), opts...)
		return err
	})
	if err != nil {
		return "", a.wrap("send a message to channel "+chatID, err)
	}
	return sent.ID, nil
}

// Edit replaces a message Agora posted, part by part (see bot.Platform):
// the existing parts are edited in order, a longer text gets new parts
// after the last one, a shorter one has its surplus parts deleted. The
// components and files go on the last part; the other parts lose theirs.
func (a *Adapter) Edit(ctx context.Context, chatID, ref string, r *commands.Response) (string, error) {
	old := bot.MessageIDs(ref)
	if len(old) == 0 {
		return ref, fmt.Errorf("edit a message in channel %s: empty message reference", chatID)
	}
	msgs := renderMessages(r)
	var now []string // the parts posted, as the edit goes
	for i, m := range msgs {
		if i >= len(old) {
			id, err := a.sendOne(ctx, chatID, m)
			if err != nil {
				return bot.MessageRef(now), err
			}
			now = append(now, id)
			continue
		}
		if err := a.editOne(ctx, chatID, old[i], m); err != nil {
			return bot.MessageRef(append(now, old[i:]...)), err
		}
		now = append(now, old[i])
	}
	for i := len(msgs); i < len(old); i++ {
		if err := a.deleteOne(ctx, chatID, old[i]); err != nil {
			return bot.MessageRef(append(now, old[i:]...)), err
		}
	}
	return bot.MessageRef(now), nil
}

// editOne replaces one part whole: content, components, files. Files the
// part had are dropped (an empty attachments list), so a part that was last
// and no longer is loses them with its buttons.
func (a *Adapter) editOne(ctx context.Context, chatID, id string, m message) error {
	err := a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		content, comps := m.Content, nonNilComponents(m.Components)
		edit := &discordgo.MessageEdit{ID: id, Channel: chatID, Content: &content, Components: &comps,
			AllowedMentions: allowedMentions(m.Mentions), Files: m.files(),
			Attachments: &[]*discordgo.MessageAttachment{}}
		_, err := a.s.ChannelMessageEditComplex(edit, opts...)
		return err
	})
	return a.wrap(fmt.Sprintf("edit message %s in channel %s", id, chatID), err)
}

// Delete removes every part of a message Agora posted; a part already gone
// counts as deleted. A part that cannot be deleted does not keep the others.
func (a *Adapter) Delete(ctx context.Context, chatID, ref string) error {
	var errs []error
	for _, id := range bot.MessageIDs(ref) {
		if err := a.deleteOne(ctx, chatID, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (a *Adapter) deleteOne(ctx context.Context, chatID, id string) error {
	err := a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		return a.s.ChannelMessageDelete(chatID, id, opts...)
	})
	if _, code, _ := restError(err); code == codeUnknownMessage {
		return nil
	}
	return a.wrap(fmt.Sprintf("delete message %s in channel %s", id, chatID), err)
}

// DirectMessage writes to a member in private. Discord answers 50007 when
// the member does not accept messages from the server's members or blocked
// Agora: that is commands.ErrDirectMessageRefused.
func (a *Adapter) DirectMessage(ctx context.Context, userID string, r *commands.Response) (string, error) {
	var ch *discordgo.Channel
	// Opening a DM channel returns the existing one: safe to repeat.
	err := a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		ch, err = a.s.UserChannelCreate(userID, opts...)
		return err
	})
	if err == nil {
		var id string
		id, err = a.Send(ctx, ch.ID, r)
		if err == nil {
			return id, nil
		}
	}
	if _, code, _ := restError(err); code == codeCannotSendToUser {
		return "", fmt.Errorf("direct message to Discord user %s: %w", userID, commands.ErrDirectMessageRefused)
	}
	return "", a.wrap("direct message to Discord user "+userID, err)
}

// GrantRole gives a server role to a member (PUT: safe to repeat).
func (a *Adapter) GrantRole(ctx context.Context, guildID, userID, roleID string) error {
	err := a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		return a.s.GuildMemberRoleAdd(guildID, userID, roleID, opts...)
	})
	return a.wrap(fmt.Sprintf("grant role %s to %s in server %s", roleID, userID, guildID), err)
}

// RevokeRole takes a server role from a member.
func (a *Adapter) RevokeRole(ctx context.Context, guildID, userID, roleID string) error {
	err := a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		return a.s.GuildMemberRoleRemove(guildID, userID, roleID, opts...)
	})
	return a.wrap(fmt.Sprintf("revoke role %s from %s in server %s", roleID, userID, guildID), err)
}

func eventParams(e commands.ScheduledEvent) *discordgo.GuildScheduledEventParams {
	start, end := e.Start, e.End
	if !end.After(start) {
		// External events need an end; meetups without one last two hours.
		end = start.Add(2 * time.Hour)
	}
	loc := truncate(nonEmpty(e.Location, "—"), 100)
	return &discordgo.GuildScheduledEventParams{
		Name: truncate(e.Name, 100), Description: truncate(e.Description, 1000),
		ScheduledStartTime: &start, ScheduledEndTime: &end,
		PrivacyLevel:   discordgo.GuildScheduledEventPrivacyLevelGuildOnly,
		EntityType:     discordgo.GuildScheduledEventEntityTypeExternal,
		EntityMetadata: &discordgo.GuildScheduledEventEntityMetadata{Location: loc},
	}
}

// CreateEvent creates a Guild Scheduled Event and returns its ID. It is not
// repeated after an ambiguous failure, so an event is never listed twice.
func (a *Adapter) CreateEvent(ctx context.Context, guildID string, e commands.ScheduledEvent) (string, error) {
	var ev *discordgo.GuildScheduledEvent
	err := a.once(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		ev, err = a.s.GuildScheduledEventCreate(guildID, eventParams(e), opts...)
		return err
	})
	if err != nil {
		return "", a.wrap("create a scheduled event in server "+guildID, err)
	}
	return ev.ID, nil
}

// EditEvent updates a scheduled event.
func (a *Adapter) EditEvent(ctx context.Context, guildID, eventID string, e commands.ScheduledEvent) error {
	err := a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		_, err := a.s.GuildScheduledEventEdit(guildID, eventID, eventParams(e), opts...)
		return err
	})
	return a.wrap(fmt.Sprintf("edit scheduled event %s in server %s", eventID, guildID), err)
}

// CancelEvent marks a scheduled event canceled; members who showed
// interest see it so, rather than seeing it vanish.
func (a *Adapter) CancelEvent(ctx context.Context, guildID, eventID string) error {
	err := a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		_, err := a.s.GuildScheduledEventEdit(guildID, eventID,
			&discordgo.GuildScheduledEventParams{Status: discordgo.GuildScheduledEventStatusCanceled}, opts...)
		return err
	})
	return a.wrap(fmt.Sprintf("cancel scheduled event %s in server %s", eventID, guildID), err)
}

// maxInviteAge is the longest a Discord invite may last: 7 days.
const maxInviteAge = 7 * 24 * time.Hour

// CreateInviteLink makes an invite to a channel that one person may use
// once, until expires (a zero time: no expiry). Discord invites last at most
// 7 days, so a later expiry is brought back to 7 days. Discord invites have
// no name: name is not used. unique makes Discord create a fresh invite
// instead of handing back an existing one that someone else may have used.
func (a *Adapter) CreateInviteLink(ctx context.Context, channelID, name string, expires time.Time) (string, error) {
	age := time.Duration(0)
	if !expires.IsZero() {
		// Discord counts max_age from its own clock, which is real time.
		age = time.Until(expires)
		if age < time.Second {
			return "", fmt.Errorf("invite to channel %s: expiry %s is already past", channelID, expires.Format(time.RFC3339))
		}
		age = min(age, maxInviteAge)
	}
	var inv *discordgo.Invite
	// Not repeated after an ambiguous failure: a second link would be unasked for.
	err := a.once(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		inv, err = a.s.ChannelInviteCreate(channelID, discordgo.Invite{MaxAge: int(age / time.Second), MaxUses: 1, Unique: true}, opts...)
		return err
	})
	if err != nil {
		return "", a.wrap("create an invite to channel "+channelID, err)
	}
	return "https://discord.gg/" + inv.Code, nil
}

// The Discord adapter has no RemoveMember: access on Discord (to the
// ambassadors' channels, say) follows a role, which RevokeRole takes away;
// kicking from the whole server is not what a capability means by it.

// Permission bits Agora reads.
const (
	PermissionAdministrator = int64(discordgo.PermissionAdministrator)
	PermissionManageServer  = int64(discordgo.PermissionManageServer)
)

// MemberPermissions computes a member's server-wide permission bits: the
// owner and administrators have every permission.
func (a *Adapter) MemberPermissions(ctx context.Context, guildID, userID string) (int64, error) {
	perms, _, err := a.member(ctx, guildID, userID)
	return perms, err
}

// MemberRole is what the server makes of a member in Agora: moderator with
// Manage Server, Administrator or the moderator role; ambassador with the
// ambassador role.
func (a *Adapter) MemberRole(ctx context.Context, guildID, userID string) (commands.Role, error) {
	perms, roles, err := a.member(ctx, guildID, userID)
	if err != nil {
		return commands.RoleMember, err
	}
	return a.platformRole(perms, roles), nil
}

// member reads a member's roles and computes their permissions from the
// server's roles (channel overwrites do not matter for server-wide rights).
func (a *Adapter) member(ctx context.Context, guildID, userID string) (int64, []string, error) {
	var g *discordgo.Guild
	var m *discordgo.Member
	err := a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		if g, err = a.s.Guild(guildID, opts...); err != nil {
			return err
		}
		m, err = a.s.GuildMember(guildID, userID, opts...)
		return err
	})
	if err != nil {
		return 0, nil, a.wrap(fmt.Sprintf("read permissions of %s in server %s", userID, guildID), err)
	}
	if g.OwnerID == userID {
		return discordgo.PermissionAll, m.Roles, nil
	}
	held := map[string]bool{guildID: true} // @everyone has the server's ID
	for _, r := range m.Roles {
		held[r] = true
	}
	var perms int64
	for _, r := range g.Roles {
		if held[r.ID] {
			perms |= r.Permissions
		}
	}
	if perms&PermissionAdministrator != 0 {
		perms = discordgo.PermissionAll
	}
	return perms, m.Roles, nil
}

func (a *Adapter) platformRole(perms int64, roles []string) commands.Role {
	role := commands.RoleMember
	if perms&(PermissionAdministrator|PermissionManageServer) != 0 {
		return commands.RoleModerator
	}
	for _, r := range roles {
		switch {
		case r == "":
		case r == a.cfg.ModeratorRoleID:
			return commands.RoleModerator
		case r == a.cfg.AmbassadorRoleID:
			role = commands.RoleAmbassador
		}
	}
	return role
}
