// Package account is /compte: a member links their accounts on several
// platforms into one person, so they have one ballot per poll, one RSVP per
// meetup and one role everywhere.
package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/community"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// Store is what the capability reads and writes; storage.Store implements it.
type Store interface {
	CreateLinkCode(ctx context.Context, kind string, communityID, memberID int64, expires time.Time) (string, error)
	UseLinkCode(ctx context.Context, code, kind string, now time.Time) (model.LinkCode, error)
	LinkIdentity(ctx context.Context, memberID int64, platform, userID string, higher func(a, b string) string, merge model.JobRef) (int64, error)
	Identities(ctx context.Context, memberID int64) ([]model.Identity, error)
}

// New builds the capability.
func New(deps commands.Deps, store Store) commands.Module {
	h := handlers{store: store}
	return commands.Module{Name: "account", Specs: []*commands.Spec{{
		Name: "compte",
		Subcommands: []*commands.Spec{
			{Name: "info", Handle: h.info},
			{Name: "lier", Handle: h.link, Options: []commands.Option{
				{Name: "code", Type: commands.OptionString, MaxLength: 20},
			}},
		},
	}}}
}

type handlers struct{ store Store }

// info lists the member's linked accounts.
func (h handlers) info(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	ids, err := h.store.Identities(ctx, req.Member.ID)
	if err != nil {
		return nil, err
	}
	lines := []markup.Text{req.Loc.N("account.info", len(ids))}
	for _, id := range ids {
		lines = append(lines, req.Loc.T("account.info.line", locales.Data{"Platform": platformName(req.Loc, id.Platform), "Name": id.DisplayName}))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// link is /compte lier: without a code, the member gets one privately;
// typed with the code on another platform (or from another account), the
// account typing it joins the person who asked for it.
func (h handlers) link(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	raw := req.String("code")
	if raw == "" {
		code, err := h.store.CreateLinkCode(ctx, model.LinkAccount, req.Community.ID, req.Member.ID, req.Now.Add(community.CodeLifetime))
		if err != nil {
			return nil, err
		}
		return commands.Private(req.Loc.T("account.link.code", locales.Data{"Code": code, "Minutes": int(community.CodeLifetime.Minutes())})), nil
	}
	c, err := h.store.UseLinkCode(ctx, community.NormalizeCode(raw), model.LinkAccount, req.Now)
	if errors.Is(err, model.ErrNotFound) {
		return nil, commands.Fail("account.link.bad_code", locales.Data{"Code": raw})
	}
	if err != nil {
		return nil, err
	}
	if c.MemberID == req.Member.ID {
		return nil, commands.Fail("account.link.same")
	}
	merged, err := h.store.LinkIdentity(ctx, c.MemberID, req.Platform, req.User.ID, commands.HigherRole, commands.MergeJob)
	if err != nil {
		return nil, err
	}
	id := "account.link.done"
	if merged != 0 {
		// Both accounts may have voted in the same poll: the merge keeps
		// the more recent ballot, and the member should know.
		id = "account.link.merged"
	}
	return commands.Private(req.Loc.T(id, locales.Data{"Platform": platformName(req.Loc, req.Platform)})), nil
}

func platformName(l *locales.Localizer, platform string) string {
	return l.S("account.platform." + strings.ToLower(platform))
}
