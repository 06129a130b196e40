package community

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// CodeLifetime is how long a link code can be used.
const CodeLifetime = 15 * time.Minute

// NormalizeCode reads a code as people retype it: any case, with spaces or
// dashes they may add to read it out.
func NormalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
}

// link is /communaute lier: without a code, a moderator gets one; with a
// code from another chat, on the same platform or the other, this chat
// (with its platform group, as a Discord server's channels) joins that
// chat's community, and receives what is live there (open polls, upcoming
// meetups).
func (h handlers) link(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	raw := req.String("code")
	if raw == "" {
		code, err := h.store.CreateLinkCode(ctx, model.LinkChat, req.Community.ID, req.Member.ID, req.Now.Add(CodeLifetime))
		if err != nil {
			return nil, err
		}
		return commands.Private(req.Loc.T("community.link.code", locales.Data{"Code": code, "Minutes": int(CodeLifetime.Minutes())})), nil
	}
	c, err := h.store.UseLinkCode(ctx, NormalizeCode(raw), model.LinkChat, req.Now)
	if errors.Is(err, model.ErrNotFound) {
		return nil, commands.Fail("community.link.bad_code", locales.Data{"Code": raw})
	}
	if err != nil {
		return nil, err
	}
	if c.CommunityID == req.Community.ID {
		return nil, commands.Fail("community.link.same")
	}
	moved, err := h.store.JoinCommunity(ctx, req.Community.ID, c.CommunityID)
	if err != nil {
		return nil, err
	}
	for _, chat := range moved {
		if _, err := h.store.QueueLivePostsForChat(ctx, chat, req.Now); err != nil {
			return nil, err
		}
	}
	target, err := h.store.Community(ctx, c.CommunityID)
	if err != nil {
		return nil, err
	}
	// Said in the language of the community the chat now belongs to.
	l := commands.CommunityLocalizer(h.registry.Catalog(), target, req.Now)
	return commands.Reply(l.N("community.link.done", len(moved), locales.Data{"Name": target.Name})), nil
}

// unlink is /communaute delier: this chat (with its platform group) leaves
// the community for one of its own; both keep their history.
func (h handlers) unlink(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	chats, err := h.store.ChatsOfCommunity(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	others := 0
	for _, c := range chats {
		if c.ID != req.ChatRef && (req.Chat.GroupID == "" || c.PlatformGroupID != req.Chat.GroupID || c.Platform != req.Platform) {
			others++
		}
	}
	if others == 0 {
		return nil, commands.Fail("community.unlink.alone")
	}
	if _, err := h.store.LeaveCommunity(ctx, req.ChatRef); err != nil {
		return nil, err
	}
	return commands.Reply(h.public(req).T("community.unlink.done", locales.Data{"Name": req.Community.Name})), nil
}
