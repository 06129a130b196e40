// Package community is /communaute: moderators see and set how their
// community is configured (name, language, time zone, what each chat is for).
package community

import (
	"context"
	"strings"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// MaxNameLength bounds a community's name, which shows in every listing.
const MaxNameLength = 100

var purposes = []commands.Choice{
	{Value: model.PurposeGeneral, NameID: "community.purpose.general"},
	{Value: model.PurposeAnnouncements, NameID: "community.purpose.announcements"},
	{Value: model.PurposeModeration, NameID: "community.purpose.moderation"},
	{Value: model.PurposeAmbassadors, NameID: "community.purpose.ambassadors"},
}

var languages = []commands.Choice{
	{Value: "fr", NameID: "community.language.fr"},
	{Value: "en", NameID: "community.language.en"},
}

// Store is what the capability reads and writes; storage.Store implements it.
type Store interface {
	commands.SettingStore
	Community(ctx context.Context, id int64) (model.Community, error)
	ChatsOfCommunity(ctx context.Context, communityID int64) ([]model.Chat, error)
	SetChatPurpose(ctx context.Context, chatID int64, purpose string) error
	RenameCommunity(ctx context.Context, id int64, name string) error
	SetCommunityLocale(ctx context.Context, id int64, locale string) error
	SetCommunityTimezone(ctx context.Context, id int64, timezone string) error

	CreateLinkCode(ctx context.Context, kind string, communityID, memberID int64, expires time.Time) (string, error)
	UseLinkCode(ctx context.Context, code, kind string, now time.Time) (model.LinkCode, error)
	JoinCommunity(ctx context.Context, from, into int64) ([]int64, error)
	LeaveCommunity(ctx context.Context, chatID int64) (int64, error)
	QueueLivePostsForChat(ctx context.Context, chatID int64, now time.Time) (int, error)
}

// New builds the capability.
func New(deps commands.Deps, store Store) commands.Module {
	h := handlers{store: store, registry: deps.Registry}
	return commands.Module{Name: "community", Specs: []*commands.Spec{{
		Name:       "communaute",
		Permission: commands.RoleModerator,
		Subcommands: []*commands.Spec{
			{Name: "info", Handle: h.info},
			{Name: "salon", Handle: h.chatPurpose, Options: []commands.Option{
				{Name: "objectif", Type: commands.OptionString, Required: true, Choices: purposes},
			}},
			{Name: "nom", Handle: h.rename, Options: []commands.Option{
				{Name: "nom", Type: commands.OptionString, Required: true, MaxLength: MaxNameLength},
			}},
			{Name: "langue", Handle: h.language, Options: []commands.Option{
				{Name: "langue", Type: commands.OptionString, Required: true, Choices: languages},
			}},
			{Name: "fuseau", Handle: h.timezone, Options: []commands.Option{
				{Name: "fuseau", Type: commands.OptionString, Required: true, MaxLength: 64},
			}},
			{Name: "lier", Handle: h.link, Options: []commands.Option{
				{Name: "code", Type: commands.OptionString, MaxLength: 20},
			}},
			{Name: "delier", Handle: h.unlink},
		},
	}}}
}

type handlers struct {
	store    Store
	registry *commands.Registry // lists every capability's settings
}

// public speaks the community's language, for the replies the whole chat
// reads.
func (h handlers) public(req *commands.Request) *locales.Localizer {
	return commands.PublicLocalizer(h.registry.Catalog(), req)
}

func (h handlers) info(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	c, err := h.store.Community(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	chats, err := h.store.ChatsOfCommunity(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	l := req.Loc
	lines := []markup.Text{l.T("community.info", locales.Data{
		"Name": c.Name, "Language": l.S("community.language." + c.Locale), "Timezone": c.Timezone,
	})}
	for _, setting := range h.registry.Settings() {
		v, err := setting.Get(ctx, h.store, c.ID, model.ErrNotFound)
		if err != nil {
			return nil, err
		}
		lines = append(lines, l.T("community.info.setting", locales.Data{"Name": l.S(setting.NameID()), "Value": setting.Display(l, v)}))
	}
	lines = append(lines, l.T("community.info.chats"))
	for _, ch := range chats {
		title := ch.Title
		if title == "" {
			title = ch.PlatformChatID
		}
		lines = append(lines, l.T("community.info.chat", locales.Data{
			"Platform": ch.Platform, "Title": title, "Purpose": l.S("community.purpose." + ch.Purpose),
		}))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

func (h handlers) chatPurpose(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	purpose := req.String("objectif")
	if err := h.store.SetChatPurpose(ctx, req.ChatRef, purpose); err != nil {
		return nil, err
	}
	// A chat that now serves announcements receives what is live there
	// (open polls, upcoming meetups); the outbox posts it shortly.
	if _, err := h.store.QueueLivePostsForChat(ctx, req.ChatRef, req.Now); err != nil {
		return nil, err
	}
	l := h.public(req)
	return commands.Reply(l.T("community.purpose.set", locales.Data{"Purpose": l.S("community.purpose." + purpose)})), nil
}

func (h handlers) rename(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	name := strings.TrimSpace(req.String("nom")) // the runtime already enforced MaxLength
	if err := h.store.RenameCommunity(ctx, req.Community.ID, name); err != nil {
		return nil, err
	}
	return commands.Reply(h.public(req).T("community.renamed", locales.Data{"Name": name})), nil
}

func (h handlers) language(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	lang := req.String("langue")
	if err := h.store.SetCommunityLocale(ctx, req.Community.ID, lang); err != nil {
		return nil, err
	}
	// Said in the language the community now speaks.
	l := h.registry.Catalog().Localizer(req.Community.Location, lang).At(req.Now)
	return commands.Reply(l.T("community.language.set", locales.Data{"Language": l.S("community.language." + lang)})), nil
}

func (h handlers) timezone(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	name := strings.TrimSpace(req.String("fuseau"))
	tz, err := time.LoadLocation(name)
	if err != nil || name == "" || strings.EqualFold(name, "local") {
		return nil, commands.Fail("community.timezone.unknown", locales.Data{"Value": name})
	}
	if err := h.store.SetCommunityTimezone(ctx, req.Community.ID, tz.String()); err != nil {
		return nil, err
	}
	l := h.public(req).In(tz)
	return commands.Reply(l.T("community.timezone.set", locales.Data{
		"Timezone": tz.String(), "Now": l.DateTime(req.Now),
	})), nil
}
