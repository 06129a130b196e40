// Package polls is /sondage and /questionnaire: members vote with buttons,
// menus or commands; one poll is tallied across every chat and platform of
// the community; Agora closes it at its deadline and posts the result.
package polls

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

// Limits on what members type, chosen so a choice fits a Discord button
// label (80 characters) and a poll fits one message on every platform.
const (
	MaxQuestion    = 300
	MaxChoice      = 80
	MinChoices     = 2
	MaxChoices     = 20
	MaxQuorum      = 100000
	MaxButtons     = 5 // more choices get a menu
	MaxTitle       = 200
	DefaultLive    = 3 * time.Second
	postClaimLease = 2 * time.Minute
)

// Options tune the capability; zero values are the defaults.
type Options struct {
	// EditInterval is the least time between two edits of one poll message.
	EditInterval time.Duration
}

type service struct {
	store     *storage.Store
	messenger commands.Messenger
	clock     commands.Clock
	log       *slog.Logger
	catalog   *locales.Catalog
	live      *coalescer
	ballots   *storage.BallotBatcher

	mu      sync.Mutex
	statics map[int64]storage.Poll // kind, maximum and choices never change once created
}

// New builds the capability with default options.
func New(deps commands.Deps) commands.Module { return NewWithOptions(deps, Options{}) }

// NewWithOptions builds the capability.
func NewWithOptions(deps commands.Deps, opts Options) commands.Module {
	return newService(deps, opts).module()
}

func newService(deps commands.Deps, opts Options) *service {
	if opts.EditInterval <= 0 {
		opts.EditInterval = DefaultLive
	}
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &service{store: deps.Store, messenger: deps.Messenger, clock: deps.Clock, log: log, statics: map[int64]storage.Poll{}}
	if deps.Store != nil {
		s.ballots = deps.Store.NewBallotBatcher()
	}
	if deps.Registry != nil {
		s.catalog = deps.Registry.Catalog()
	}
	s.live = newCoalescer(deps.Clock, opts.EditInterval, s.refresh, deps.Store.PostedOpenPolls, log)
	return s
}

func (s *service) module() commands.Module {
	return commands.Module{
		Specs: []*commands.Spec{s.pollSpec(), s.questionnaireSpec()},
		Jobs: map[string]commands.JobHandler{
			"poll.publish": s.publishJob,
			"poll.close":   s.closeJob,
		},
		Tick: s.live.Flush,
	}
}

var kinds = []commands.Choice{
	{Value: storage.PollSingle, NameID: "poll.kind.single"},
	{Value: storage.PollMultiple, NameID: "poll.kind.multiple"},
	{Value: storage.PollRanked, NameID: "poll.kind.ranked"},
}

var roles = []commands.Choice{
	{Value: "member", NameID: "poll.voters.member"},
	{Value: "ambassador", NameID: "poll.voters.ambassador"},
	{Value: "moderator", NameID: "poll.voters.moderator"},
}

var showResults = []commands.Choice{
	{Value: "live", NameID: "poll.show.live"},
	{Value: "close", NameID: "poll.show.close"},
}

func pollOption() commands.Option {
	return commands.Option{Name: "sondage", Type: commands.OptionInteger, Required: true, Min: 1, Max: 1 << 30, Autocomplete: true}
}

func (s *service) pollSpec() *commands.Spec {
	return &commands.Spec{
		Name:         "sondage",
		UsageID:      "poll.usage",
		ActionPrefix: "p",
		HandleAction: s.action,
		// Typed as text, "/sondage Quelle pizza ? | Margherita | Regina"
		// creates a poll: the question ends at the first "|".
		DefaultSubcommand: "creer",
		Subcommands: []*commands.Spec{
			{Name: "creer", Handle: s.create, Options: []commands.Option{
				{Name: "question", Type: commands.OptionString, Required: true, MaxLength: MaxQuestion, Until: "|"},
				{Name: "choix", Type: commands.OptionString, Required: true, MaxLength: MaxChoices * (MaxChoice + 3), Rest: true},
				{Name: "type", Type: commands.OptionString, Choices: kinds},
				{Name: "max", Type: commands.OptionInteger, Min: 1, Max: MaxChoices},
				{Name: "fin", Type: commands.OptionString, MaxLength: 100},
				{Name: "anonyme", Type: commands.OptionBoolean},
				{Name: "resultats", Type: commands.OptionString, Choices: showResults},
				{Name: "quorum", Type: commands.OptionInteger, Min: 0, Max: MaxQuorum},
				{Name: "votants", Type: commands.OptionString, Choices: roles},
			}},
			{Name: "voter", Handle: s.voteCommand, Autocomplete: s.suggestPolls, Options: []commands.Option{
				pollOption(),
				{Name: "choix", Type: commands.OptionString, MaxLength: 1000},
				{Name: "classement", Type: commands.OptionString, MaxLength: 1000},
			}},
			{Name: "resultats", Handle: s.results, Autocomplete: s.suggestPolls, Options: []commands.Option{pollOption()}},
			{Name: "fermer", Handle: s.close, Autocomplete: s.suggestPolls, Options: []commands.Option{pollOption()}},
			{Name: "rouvrir", Handle: s.reopen, Autocomplete: s.suggestPolls, Options: []commands.Option{pollOption()}},
			{Name: "supprimer", Handle: s.delete, Autocomplete: s.suggestPolls, Options: []commands.Option{pollOption()}},
			{Name: "exporter", Handle: s.export, Autocomplete: s.suggestPolls, Options: []commands.Option{pollOption()}},
			{Name: "liste", Handle: s.list},
			{Name: "reglage", Handle: s.settings, Permission: commands.RoleModerator, Options: []commands.Option{
				{Name: "creation", Type: commands.OptionString, Required: true, Choices: roles},
			}},
		},
	}
}

// loadPoll finds a poll of the request's community; a poll of another
// community, or a deleted one, does not exist for this member.
func (s *service) loadPoll(ctx context.Context, req *commands.Request, id int64) (storage.Poll, error) {
	p, err := s.store.Poll(ctx, id)
	if errors.Is(err, storage.ErrNotFound) || err == nil && (p.CommunityID != req.Community.ID || p.Status == storage.PollDeleted) {
		return storage.Poll{}, commands.Fail("poll.not_found", locales.Data{"ID": id})
	}
	if err != nil {
		return storage.Poll{}, err
	}
	s.remember(p)
	return p, nil
}

func (s *service) remember(p storage.Poll) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.statics) >= 10000 {
		clear(s.statics) // bounded; the next ballot of each poll reloads it
	}
	s.statics[p.ID] = storage.Poll{ID: p.ID, CommunityID: p.CommunityID, Kind: p.Kind, MaxChoices: p.MaxChoices, Choices: p.Choices}
}

// mayManage is true for the author and for moderators.
func mayManage(req *commands.Request, p storage.Poll) bool {
	return req.Member.Role >= commands.RoleModerator || p.AuthorID == req.Member.ID
}

func (s *service) manageable(ctx context.Context, req *commands.Request) (storage.Poll, error) {
	p, err := s.loadPoll(ctx, req, int64(req.Int("sondage", 0)))
	if err != nil {
		return p, err
	}
	if !mayManage(req, p) {
		return p, commands.Fail("poll.not_yours", locales.Data{"ID": p.ID})
	}
	return p, nil
}

// localizerFor speaks the community's language in its time zone, for
// messages Agora posts on its own.
func (s *service) localizerFor(ctx context.Context, communityID int64) (*locales.Localizer, error) {
	c, err := s.store.Community(ctx, communityID)
	if err != nil {
		return nil, err
	}
	tz, err := time.LoadLocation(c.Timezone)
	if err != nil {
		s.log.Warn("community has an unknown time zone", "community", c.ID, "timezone", c.Timezone)
		tz = time.UTC
	}
	return s.catalog.Localizer(tz, c.Locale), nil
}

func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 12 || s[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

func pollIDString(id int64) string { return strconv.FormatInt(id, 10) }
