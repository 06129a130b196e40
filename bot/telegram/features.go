package telegram

import (
	"context"
	"fmt"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/bot"
)

// Telegram has invite links and can remove members; it has no roles to
// grant nor an event list, so the adapter is neither a bot.RoleGranter nor
// a bot.EventScheduler and the runtime answers commands.ErrUnsupported.
var (
	_ bot.Platform      = (*Adapter)(nil)
	_ bot.InviteLinker  = (*Adapter)(nil)
	_ bot.MemberRemover = (*Adapter)(nil)
)

// maxInviteName is Telegram's limit on an invite link's name.
const maxInviteName = 32

// CreateInviteLink makes an invite link to a group (an ambassadors'
// group, say) that lets one person join, until expires (a zero time: no
// expiry). The name, cut to Telegram's 32 characters, tells the group's
// administrators whom the link was for.
func (a *Adapter) CreateInviteLink(ctx context.Context, chatID, name string, expires time.Time) (string, error) {
	cid, err := parseID("chat", chatID)
	if err != nil {
		return "", err
	}
	params := tgbotapi.Params{"chat_id": itoa(cid), "member_limit": "1"}
	if name, _ = truncatePlain(name, maxInviteName); name != "" {
		params["name"] = name
	}
	if !expires.IsZero() {
		params["expire_date"] = fmt.Sprint(expires.Unix())
	}
	// Not retried on ambiguous failures: a second link would still be single-use, but unasked for.
	resp, err := a.request(ctx, "createChatInviteLink", 0, onceOnly, params)
	if err != nil {
		return "", fmt.Errorf("create an invite link to telegram chat %d: %w", cid, err)
	}
	var link struct {
		InviteLink string `json:"invite_link"`
	}
	if err := decode(resp, &link); err != nil {
		return "", err
	}
	return link.InviteLink, nil
}

// RemoveMember takes a member out of a group and lets them join again
// later: Telegram removes members by banning them, so the ban is lifted at
// once (only_if_banned, so that a member who rejoined in between is not
// removed a second time). Both calls are safe to repeat, and so is
// RemoveMember after a failure.
func (a *Adapter) RemoveMember(ctx context.Context, chatID, userID string) error {
	cid, err := parseID("chat", chatID)
	if err != nil {
		return err
	}
	uid, err := parseID("user", userID)
	if err != nil {
		return err
	}
	member := tgbotapi.Params{"chat_id": itoa(cid), "user_id": itoa(uid)}
	if _, err := a.request(ctx, "banChatMember", 0, idempotent, member); err != nil {
		return fmt.Errorf("remove user %d from telegram chat %d: %w", uid, cid, err)
	}
	member["only_if_banned"] = "true"
	if _, err := a.request(ctx, "unbanChatMember", 0, idempotent, member); err != nil {
		return fmt.Errorf("let user %d back into telegram chat %d after removing them: %w", uid, cid, err)
	}
	return nil
}
