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
	"github.com/agora-community/agora/model"
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
	postClaimLease = 2 * time.Minute
)

// Store is what polls read and write; model.Store implements it.
type Store interface {
	commands.SettingStore
	Community(ctx context.Context, id int64) (model.Community, error)
	ChatsOfCommunity(ctx context.Context, communityID int64) ([]model.Chat, error)

	CreatePoll(ctx context.Context, p *model.Poll, now time.Time, publish, closing model.JobRef) error
	Poll(ctx context.Context, id int64) (model.Poll, error)
	OpenPolls(ctx context.Context, communityID int64) ([]model.Poll, error)
	ClosedPolls(ctx context.Context, communityID int64, limit int) ([]model.Poll, error)
	ClosePoll(ctx context.Context, id int64, now time.Time, announce model.JobRef) (bool, error)
	ReopenPoll(ctx context.Context, id int64, closing model.JobRef) (bool, error)
	DeletePoll(ctx context.Context, id int64, pending ...model.JobRef) error

	CastBallot(ctx context.Context, rule model.BallotRule, choices []int, now time.Time) (replaced bool, err error)
	UpdateBallot(ctx context.Context, rule model.BallotRule, now time.Time, change func(old []int) ([]int, error)) (existed bool, choices []int, err error)
	Ballots(ctx context.Context, pollID int64) ([]model.Ballot, error)
	MergePollBallots(ctx context.Context, into, from int64) error

	CreateQuestionnaire(ctx context.Context, q *model.Questionnaire, authorID int64) error
	Questionnaire(ctx context.Context, id int64) (model.Questionnaire, error)
	Questionnaires(ctx context.Context, communityID int64, limit int) ([]model.Questionnaire, error)
	QuestionnairePolls(ctx context.Context, id int64) ([]model.Poll, error)
	// QuestionnairePollsOf is QuestionnairePolls for several questionnaires
	// at once, by questionnaire ID.
	QuestionnairePollsOf(ctx context.Context, ids []int64) (map[int64][]model.Poll, error)
}

// The jobs polls schedule; their payload is the poll's ID.
var (
	publishJob  = model.JobRef{Kind: "poll.publish"}
	closeJob    = model.JobRef{Kind: "poll.close"}
	announceJob = model.JobRef{Kind: "poll.announce"}
)

// creationSetting is who may create polls in a community.
var creationSetting = commands.Setting{Key: "poll.creation", Default: "member", Choices: roles}

type service struct {
	store   Store
	outbox  commands.Outbox
	clock   commands.Clock
	log     *slog.Logger
	catalog *locales.Catalog

	mu      sync.Mutex
	statics map[int64]model.Poll // kind, maximum and choices never change once created
}

// New builds the capability.
func New(deps commands.Deps, store Store) commands.Module { return newService(deps, store).module() }

func newService(deps commands.Deps, store Store) *service {
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &service{store: store, outbox: deps.Outbox, clock: deps.Clock, log: log, statics: map[int64]model.Poll{}}
	if deps.Registry != nil {
		s.catalog = deps.Registry.Catalog()
	}
	return s
}

func (s *service) module() commands.Module {
	return commands.Module{
		Name:  "polls",
		Specs: []*commands.Spec{s.pollSpec(), s.questionnaireSpec()},
		Jobs: map[string]commands.JobHandler{
			publishJob.Kind:  s.publishJob,
			closeJob.Kind:    s.closeJob,
			announceJob.Kind: s.announceJob,
		},
		Posts:        map[string]commands.PostRenderer{pollKind: s.renderPoll, resultKind: s.renderResult},
		Settings:     []commands.Setting{creationSetting},
		MergeMembers: s.store.MergePollBallots,
	}
}

var kinds = []commands.Choice{
	{Value: model.PollSingle, NameID: "poll.kind.single"},
	{Value: model.PollMultiple, NameID: "poll.kind.multiple"},
	{Value: model.PollRanked, NameID: "poll.kind.ranked"},
}

var roles = []commands.Choice{
	{Value: "member", NameID: "poll.voters.member"},
	{Value: "ambassador", NameID: "poll.voters.ambassador"},
	{Value: "moderator", NameID: "poll.voters.moderator"},
}

// Audiences are the chats a poll is posted to (option "salons"): chats of
// one purpose, both public kinds, or the moderators' own chats.
const (
	audienceGeneral       = "general"
	audienceAnnouncements = "announcements"
	audiencePublic        = "public"
	audienceModeration    = "moderation"
)

var audiences = []commands.Choice{
	{Value: audienceGeneral, NameID: "poll.audience.general"},
	{Value: audienceAnnouncements, NameID: "poll.audience.announcements"},
	{Value: audiencePublic, NameID: "poll.audience.public"},
	{Value: audienceModeration, NameID: "poll.audience.moderation"},
}

// audiencePurposes are the chat purposes an audience names. Polls created
// before the option have none stored and went to the public chats.
func audiencePurposes(audience string) []string {
	switch audience {
	case audienceGeneral:
		return []string{model.PurposeGeneral}
	case audienceAnnouncements:
		return []string{model.PurposeAnnouncements}
	case audienceModeration:
		return []string{model.PurposeModeration}
	}
	return []string{model.PurposeGeneral, model.PurposeAnnouncements}
}

// hiddenFrom is true when a poll is none of this member's business: a poll
// posted in the moderators' chats only exists for moderators.
func hiddenFrom(req *commands.Request, p model.Poll) bool {
	return p.Audience == audienceModeration && req.Member.Role < commands.RoleModerator
}

var showResults = []commands.Choice{
	{Value: "live", NameID: "poll.show.live"},
	{Value: "close", NameID: "poll.show.close"},
}

// pollOption is the poll number. It is a string, not an integer option,
// so that members may write it as Agora does ("n°12") or as English
// speakers do ("#12"); the handler reads it with commands.ParseNumber.
func pollOption() commands.Option {
	return commands.Option{Name: "sondage", Type: commands.OptionString, Required: true, MaxLength: 40, Autocomplete: true}
}

// latestPollOption is the poll number where it may be left out: the
// command then takes the community's latest poll.
func latestPollOption() commands.Option {
	o := pollOption()
	o.Required = false
	return o
}

// listStates are what /sondage liste shows: open polls (by default),
// closed ones, or both.
var listStates = []commands.Choice{
	{Value: "open", NameID: "poll.state.open", SynonymsID: "poll.state.open.synonyms"},
	{Value: "closed", NameID: "poll.state.closed", SynonymsID: "poll.state.closed.synonyms"},
	{Value: "all", NameID: "poll.state.all", SynonymsID: "poll.state.all.synonyms"},
}

// numberOption is a questionnaire's number, read like a poll's.
func numberOption(name string) commands.Option {
	return commands.Option{Name: name, Type: commands.OptionString, Required: true, MaxLength: 40}
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
				{Name: "choix", Type: commands.OptionString, Required: true, MaxLength: MaxChoices * (MaxChoice + 3), Rest: true, Check: checkChoices},
				{Name: "type", Type: commands.OptionString, Choices: kinds},
				{Name: "max", Type: commands.OptionInteger, Min: 1, Max: MaxChoices},
				{Name: "fin", Type: commands.OptionString, MaxLength: 100, Check: checkDeadline},
				{Name: "anonyme", Type: commands.OptionBoolean},
				{Name: "resultats", Type: commands.OptionString, Choices: showResults},
				{Name: "quorum", Type: commands.OptionInteger, Min: 0, Max: MaxQuorum},
				{Name: "votants", Type: commands.OptionString, Choices: roles},
				{Name: "salons", Type: commands.OptionString, Choices: audiences},
			}},
			{Name: "voter", Handle: s.voteCommand, Autocomplete: s.suggestPolls, Options: []commands.Option{
				pollOption(),
				// The choice takes the rest of the line: "/sondage voter 3
				// Quatre fromages" is one label, and a ranking is named.
				{Name: "choix", Type: commands.OptionString, MaxLength: 1000, Rest: true},
				{Name: "classement", Type: commands.OptionString, MaxLength: 1000},
			}},
			{Name: "retirer", Handle: s.withdraw, Autocomplete: s.suggestPolls, Options: []commands.Option{pollOption()}},
			{Name: "resultats", Handle: s.results, Autocomplete: s.suggestPolls, Options: []commands.Option{latestPollOption()}},
			{Name: "fermer", Handle: s.close, Autocomplete: s.suggestPolls, Options: []commands.Option{pollOption()}},
			{Name: "rouvrir", Handle: s.reopen, Autocomplete: s.suggestPolls, Options: []commands.Option{pollOption()}},
			{Name: "supprimer", Handle: s.delete, Autocomplete: s.suggestPolls, Options: []commands.Option{pollOption()}},
			{Name: "exporter", Handle: s.export, Autocomplete: s.suggestPolls, Options: []commands.Option{pollOption()}},
			{Name: "liste", Handle: s.list, Options: []commands.Option{
				{Name: "etat", Type: commands.OptionString, Choices: listStates},
			}},
			{Name: "reglage", Handle: s.settings, Permission: commands.RoleModerator, Options: []commands.Option{
				{Name: "creation", Type: commands.OptionString, Required: true, Choices: roles},
			}},
		},
	}
}

// loadPoll finds a poll of the request's community; a poll of another
// community, a deleted one, or one meant for moderators only when the
// member is not one, does not exist for this member.
func (s *service) loadPoll(ctx context.Context, req *commands.Request, id int64) (model.Poll, error) {
	p, err := s.store.Poll(ctx, id)
	if errors.Is(err, model.ErrNotFound) || err == nil && (p.CommunityID != req.Community.ID || p.Status == model.PollDeleted || hiddenFrom(req, p)) {
		return model.Poll{}, commands.Fail("poll.not_found", locales.Data{"ID": id})
	}
	if err != nil {
		return model.Poll{}, err
	}
	s.remember(p)
	return p, nil
}

func (s *service) remember(p model.Poll) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.statics) >= 10000 {
		clear(s.statics) // bounded; the next ballot of each poll reloads it
	}
	s.statics[p.ID] = model.Poll{ID: p.ID, CommunityID: p.CommunityID, Kind: p.Kind, MaxChoices: p.MaxChoices, Choices: p.Choices}
}

// mayManage is true for the author and for moderators.
func mayManage(req *commands.Request, p model.Poll) bool {
	return req.Member.Role >= commands.RoleModerator || p.AuthorID == req.Member.ID
}

// typedPoll loads the poll whose number the member typed in the option
// "sondage".
func (s *service) typedPoll(ctx context.Context, req *commands.Request) (model.Poll, error) {
	raw := req.String("sondage")
	id, ok := commands.ParseNumber(raw)
	if !ok {
		return model.Poll{}, commands.OptionError("sondage", commands.Fail("poll.bad_number", locales.Data{"Value": raw}))
	}
	p, err := s.loadPoll(ctx, req, id)
	if err != nil {
		return p, commands.OptionError("sondage", err)
	}
	return p, nil
}

func (s *service) manageable(ctx context.Context, req *commands.Request) (model.Poll, error) {
	p, err := s.typedPoll(ctx, req)
	if err != nil {
		return p, err
	}
	if !mayManage(req, p) {
		return p, commands.Fail("poll.not_yours", locales.Data{"ID": p.ID})
	}
	return p, nil
}

// localizerFor speaks the community's language in its time zone, dated by
// the runtime's clock, for messages Agora posts on its own.
func (s *service) localizerFor(ctx context.Context, communityID int64) (*locales.Localizer, error) {
	c, err := s.store.Community(ctx, communityID)
	if err != nil {
		return nil, err
	}
	if _, err := commands.LoadLocation(c.Timezone); err != nil {
		s.log.Warn("community has an unknown time zone", "community", c.ID, "timezone", c.Timezone)
	}
	return commands.CommunityLocalizer(s.catalog, c, s.clock.Now()), nil
}

func pollIDString(id int64) string { return strconv.FormatInt(id, 10) }
