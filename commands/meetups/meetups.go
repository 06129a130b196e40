// Package meetups is /rencontre and /rencontres: ambassadors announce local
// meetups, members answer with buttons (with a waiting list when seats are
// counted), Agora reminds them before the start, tells them of changes,
// keeps Discord's scheduled events in step, and publishes each community's
// meetups as an iCalendar feed and a small web page with a map.
package meetups

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// Limits on what ambassadors type, so a meetup fits one message on every
// platform and a Discord event (whose name holds 100 characters: longer
// titles are shortened there).
const (
	MaxTitle       = 120
	MaxDescription = 1000
	MaxPlace       = 200
	MaxCity        = 80
	MaxReason      = 300
	MaxCapacity    = 10000
	MinDuration    = 15 * time.Minute
	MaxDuration    = 7 * 24 * time.Hour
	// DefaultDuration is a meetup's length when none is given.
	DefaultDuration = 2 * time.Hour
	DefaultRadiusKm = 30
	MaxRadiusKm     = 200
	// maxListed bounds a listing, so it fits one message.
	maxListed = 15
	// maxScanned bounds what a listing reads before filtering by city or
	// distance: months of meetups for a large community.
	maxScanned = 500
	// feedPast keeps recently ended or cancelled meetups in the calendar
	// feed, so subscribed calendars keep them and see cancellations.
	feedPast = 30 * 24 * time.Hour
)

// Store is what meetups read and write; storage.Store implements it.
type Store interface {
	commands.SettingStore
	Community(ctx context.Context, id int64) (model.Community, error)
	ChatsOfCommunity(ctx context.Context, communityID int64) ([]model.Chat, error)

	CreateMeetup(ctx context.Context, m *model.Meetup, now time.Time, plan func(model.Meetup) model.JobPlan) error
	// MarkMilestone records a step of an ambassador's first steps (a first
	// meetup announced, attended); nothing for members who are not one.
	MarkMilestone(ctx context.Context, communityID, memberID int64, step string, now time.Time) (bool, error)
	Meetup(ctx context.Context, id int64) (model.Meetup, error)
	UpdateMeetup(ctx context.Context, id int64, now time.Time, promoted model.JobRef,
		change func(m *model.Meetup) (model.JobPlan, error)) (before, after model.Meetup, moved []model.Attendee, err error)
	Meetups(ctx context.Context, communityID int64, from time.Time, withCancelled bool, limit int) ([]model.Meetup, error)

	SetRSVP(ctx context.Context, rule model.RSVPRule, status string, now time.Time, promoted model.JobRef) (model.RSVPChange, error)
	RSVPCounts(ctx context.Context, meetupID int64) (model.RSVPCounts, error)
	// RSVPCountsOf is RSVPCounts for several meetups at once, by meetup ID.
	RSVPCountsOf(ctx context.Context, meetupIDs []int64) (map[int64]model.RSVPCounts, error)
	Attendees(ctx context.Context, meetupID int64) ([]model.Attendee, error)
	RSVP(ctx context.Context, meetupID, memberID int64) (model.Attendee, error)
	MergeMeetupRSVPs(ctx context.Context, into, from int64) error

	ClaimDelivery(ctx context.Context, meetupID int64, notice string, memberID int64, now time.Time) (bool, error)
	FinishDelivery(ctx context.Context, meetupID int64, notice string, memberID int64, state string) error

	PlatformEvents(ctx context.Context, meetupID int64) ([]model.PlatformEvent, error)
	ClaimPlatformEvent(ctx context.Context, meetupID int64, platform, groupID string, now time.Time) (bool, error)
	RecordPlatformEvent(ctx context.Context, e model.PlatformEvent) error
	ReleasePlatformEvent(ctx context.Context, meetupID int64, platform, groupID string) error

	CalendarToken(ctx context.Context, communityID int64, candidate string, now time.Time) (string, error)
	ResetCalendarToken(ctx context.Context, communityID int64, token string, now time.Time) error
	CommunityByCalendarToken(ctx context.Context, token string) (model.Community, error)
}

// The jobs meetups schedule, in the same transaction as the change they
// follow. Payloads: "<id>", or "<id>/<offset>" for reminders ("12/24h"),
// "<id>/<sequence>" for change notices, "<id>/<member>" for promotions.
var (
	publishJob  = model.JobRef{Kind: "meetup.publish"}
	startJob    = model.JobRef{Kind: "meetup.start"}
	remindJob   = model.JobRef{Kind: "meetup.remind"}
	eventsJob   = model.JobRef{Kind: "meetup.events"}
	changedJob  = model.JobRef{Kind: "meetup.changed"}
	promotedJob = model.JobRef{Kind: "meetup.promoted"}
)

// Delivery states, as storage records them.
const (
	deliverySent    = "sent"
	deliveryRefused = "refused"
)

// Community settings the capability owns.
var (
	// remindersSetting lists how long before the start Agora reminds
	// attendees ("24h,1h"; "aucun" for none).
	remindersSetting = commands.Setting{Key: "meetup.reminders", Default: "24h,1h", Show: showReminders}
	// tilesSetting is the map tile server of the web page.
	tilesSetting = commands.Setting{Key: "meetup.tiles", Default: DefaultTiles}
	// siteSetting is the public address of Agora's HTTP server, to write
	// the calendar links in full.
	siteSetting = commands.Setting{Key: "meetup.site", Default: "", Show: func(l *locales.Localizer, v string) string {
		if v == "" {
			return l.S("setting.meetup.site.none")
		}
		return v
	}}
)

// showReminders writes the reminders setting as /rencontre creer writes a
// meetup's: "24 heures, 1 heure".
func showReminders(l *locales.Localizer, v string) string {
	offsets, err := readOffsets(v)
	if err != nil {
		return v // not written by this version: shown as stored
	}
	if len(offsets) == 0 {
		return l.S("setting.meetup.reminders.none")
	}
	return offsetsText(l, offsets)
}

// DefaultTiles is OpenStreetMap's standard tile server. Its usage policy
// asks for attribution (the page shows it) and moderate use; a community
// with many visitors sets its own with /rencontre reglage tuiles:.
const DefaultTiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

var kinds = []commands.Choice{
	{Value: model.MeetupLocal, NameID: "meetup.kind.local"},
	{Value: model.MeetupProducer, NameID: "meetup.kind.producer"},
	{Value: model.MeetupStore, NameID: "meetup.kind.store"},
	{Value: model.MeetupSocial, NameID: "meetup.kind.social"},
	{Value: model.MeetupOnline, NameID: "meetup.kind.online"},
}

type service struct {
	store     Store
	outbox    commands.Outbox
	messenger commands.Messenger
	events    commands.Events
	clock     commands.Clock
	log       *slog.Logger
	catalog   *locales.Catalog
}

// New builds the capability.
func New(deps commands.Deps, store Store) commands.Module { return newService(deps, store).module() }

func newService(deps commands.Deps, store Store) *service {
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &service{store: store, outbox: deps.Outbox, messenger: deps.Messenger, events: deps.Events, clock: deps.Clock, log: log}
	if deps.Registry != nil {
		s.catalog = deps.Registry.Catalog()
	}
	return s
}

func (s *service) module() commands.Module {
	return commands.Module{
		Name:  "meetups",
		Specs: []*commands.Spec{s.meetupSpec(), s.listSpec()},
		Jobs: map[string]commands.JobHandler{
			publishJob.Kind:  s.publishJob,
			startJob.Kind:    s.startJob,
			remindJob.Kind:   s.remindJob,
			eventsJob.Kind:   s.eventsJob,
			changedJob.Kind:  s.changedJob,
			promotedJob.Kind: s.promotedJob,
		},
		Posts: map[string]commands.PostRenderer{
			meetupKind:   s.renderMeetup,
			reminderKind: s.renderReminder,
			changeKind:   s.renderChange,
		},
		Routes:       s.routes(),
		Settings:     []commands.Setting{remindersSetting, tilesSetting, siteSetting},
		MergeMembers: s.store.MergeMeetupRSVPs,
	}
}

// meetupOption is the meetup number, a string so that members may write it
// as Agora does ("n°12") or as English speakers do ("#12").
func meetupOption(required bool) commands.Option {
	return commands.Option{Name: "rencontre", Type: commands.OptionString, Required: required, MaxLength: 20, Autocomplete: true}
}

func filterOptions() []commands.Option {
	return []commands.Option{
		{Name: "ville", Type: commands.OptionString, MaxLength: MaxCity},
		{Name: "pres", Type: commands.OptionString, MaxLength: MaxCity},
		{Name: "rayon", Type: commands.OptionInteger, Min: 1, Max: MaxRadiusKm},
	}
}

func (s *service) meetupSpec() *commands.Spec {
	return &commands.Spec{
		Name:         "rencontre",
		UsageID:      "meetup.usage",
		ActionPrefix: "rv",
		HandleAction: s.action,
		Subcommands: []*commands.Spec{
			{Name: "creer", Handle: s.create, Permission: commands.RoleAmbassador, Options: []commands.Option{
				{Name: "titre", Type: commands.OptionString, Required: true, MaxLength: MaxTitle},
				{Name: "date", Type: commands.OptionString, Required: true, MaxLength: 100, Check: checkStart},
				{Name: "lieu", Type: commands.OptionString, Required: true, MaxLength: MaxPlace},
				{Name: "ville", Type: commands.OptionString, MaxLength: MaxCity},
				{Name: "type", Type: commands.OptionString, Choices: kinds},
				{Name: "duree", Type: commands.OptionString, MaxLength: 40, Check: checkDuration},
				{Name: "places", Type: commands.OptionInteger, Min: 1, Max: MaxCapacity},
				{Name: "description", Type: commands.OptionString, MaxLength: MaxDescription},
			}},
			{Name: "modifier", Handle: s.edit, Autocomplete: s.suggest, Options: []commands.Option{
				meetupOption(true),
				{Name: "titre", Type: commands.OptionString, MaxLength: MaxTitle},
				{Name: "date", Type: commands.OptionString, MaxLength: 100, Check: checkStart},
				{Name: "lieu", Type: commands.OptionString, MaxLength: MaxPlace},
				{Name: "ville", Type: commands.OptionString, MaxLength: MaxCity},
				{Name: "type", Type: commands.OptionString, Choices: kinds},
				{Name: "duree", Type: commands.OptionString, MaxLength: 40, Check: checkDuration},
				{Name: "places", Type: commands.OptionInteger, Min: 0, Max: MaxCapacity},
				{Name: "description", Type: commands.OptionString, MaxLength: MaxDescription},
			}},
			{Name: "annuler", Handle: s.cancel, Autocomplete: s.suggest, Options: []commands.Option{
				meetupOption(true),
				{Name: "motif", Type: commands.OptionString, MaxLength: MaxReason},
			}},
			{Name: "liste", Handle: s.list, Options: filterOptions()},
			{Name: "voir", Handle: s.show, Autocomplete: s.suggest, Options: []commands.Option{meetupOption(true)}},
			{Name: "exporter", Handle: s.export, Autocomplete: s.suggest, Options: []commands.Option{meetupOption(false)}},
			{Name: "agenda", Handle: s.agenda, Permission: commands.RoleModerator, Options: []commands.Option{
				{Name: "nouveau", Type: commands.OptionBoolean},
			}},
			{Name: "reglage", Handle: s.settings, Permission: commands.RoleModerator, Options: []commands.Option{
				{Name: "rappels", Type: commands.OptionString, MaxLength: 60},
				{Name: "tuiles", Type: commands.OptionString, MaxLength: maxTilesURL},
				{Name: "site", Type: commands.OptionString, MaxLength: maxSiteURL},
			}},
		},
	}
}

func (s *service) listSpec() *commands.Spec {
	return &commands.Spec{Name: "rencontres", UsageID: "meetup.list_usage", Handle: s.list, Options: filterOptions()}
}

// loadMeetup finds a meetup of the request's community; a meetup of
// another community does not exist for this member.
func (s *service) loadMeetup(ctx context.Context, req *commands.Request, id int64) (model.Meetup, error) {
	m, err := s.store.Meetup(ctx, id)
	if errors.Is(err, model.ErrNotFound) || err == nil && m.CommunityID != req.Community.ID {
		return model.Meetup{}, commands.Fail("meetup.not_found", locales.Data{"ID": id})
	}
	return m, err
}

// typedMeetup loads the meetup whose number the member typed.
func (s *service) typedMeetup(ctx context.Context, req *commands.Request) (model.Meetup, error) {
	raw := req.String("rencontre")
	id, ok := commands.ParseNumber(raw)
	if !ok {
		return model.Meetup{}, commands.OptionError("rencontre", commands.Fail("meetup.bad_number", locales.Data{"Value": raw}))
	}
	m, err := s.loadMeetup(ctx, req, id)
	if err != nil {
		return m, commands.OptionError("rencontre", err)
	}
	return m, nil
}

// mayManage is true for the author and for moderators.
func mayManage(req *commands.Request, m model.Meetup) bool {
	return req.Member.Role >= commands.RoleModerator || m.AuthorID == req.Member.ID
}

// community loads a community with its time zone, for messages Agora
// writes on its own.
func (s *service) community(ctx context.Context, id int64) (model.Community, *time.Location, error) {
	c, err := s.store.Community(ctx, id)
	if err != nil {
		return model.Community{}, nil, err
	}
	tz, err := commands.LoadLocation(c.Timezone)
	if err != nil {
		s.log.Warn("community has an unknown time zone", "community", c.ID, "timezone", c.Timezone)
		tz = time.UTC
	}
	return c, tz, nil
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// payload splits a job payload "<id>/<rest>".
func payload(p string) (int64, string, bool) {
	first, rest, _ := strings.Cut(p, "/")
	id, ok := commands.ParseID(first)
	return id, rest, ok
}
