// Package ambassadors is /ambassadeur and /ambassadeurs: members apply to
// become ambassadors of their city or region; moderators approve or reject
// each application in the moderators' chat; an approval makes the member
// an ambassador in Agora and on every platform (a Discord role, a single-use
// invite link to the Telegram ambassadors' group), and a revocation takes it
// back everywhere; new ambassadors follow a first-steps checklist, with
// reminders when they are stuck; a directory tells members whom to contact
// near them.
package ambassadors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// Store is what the capability reads and writes; storage.Store implements it.
type Store interface {
	commands.SettingStore
	Community(ctx context.Context, id int64) (model.Community, error)
	ChatsOfCommunity(ctx context.Context, communityID int64) ([]model.Chat, error)
	Identities(ctx context.Context, memberID int64) ([]model.Identity, error)
	Schedule(ctx context.Context, j model.JobRef, runAt time.Time) error
	WelcomeTexts(ctx context.Context, communityID int64) (model.WelcomeTexts, error)

	CreateApplication(ctx context.Context, a *model.Application, now time.Time) error
	Application(ctx context.Context, id int64) (model.Application, error)
	OpenApplication(ctx context.Context, communityID, memberID int64) (model.Application, error)
	Applications(ctx context.Context, communityID int64, status string) ([]model.Application, error)
	DecideApplication(ctx context.Context, id int64, status string, by int64, reason string, now time.Time, followUp model.JobRef, followUpAt time.Time) (model.Application, error)
	RevokeAmbassador(ctx context.Context, id, by int64, reason string, now time.Time, followUp model.JobRef, followUpAt time.Time) (model.Application, error)
	AmbassadorDecisions(ctx context.Context, communityID int64, limit int) ([]model.AmbassadorDecision, error)

	EnsureAmbassadorActions(ctx context.Context, applicationID int64, kind string, now time.Time) error
	ClaimAmbassadorActions(ctx context.Context, applicationID int64, kind string, now time.Time, lease time.Duration) ([]model.AmbassadorAction, error)
	FinishAmbassadorAction(ctx context.Context, id int64, status, reason, detail string, now time.Time) error
	AmbassadorActions(ctx context.Context, applicationID int64, kind string) ([]model.AmbassadorAction, error)
	AmbassadorAction(ctx context.Context, id int64) (model.AmbassadorAction, error)
	RetryAmbassadorActions(ctx context.Context, applicationID int64, kind string, now time.Time) (int, error)

	MarkAmbassadorStep(ctx context.Context, applicationID int64, step string, by int64, now time.Time) (bool, error)
	ApplicationSteps(ctx context.Context, applicationID int64) ([]model.AmbassadorStep, error)
	CommunityAmbassadorSteps(ctx context.Context, communityID int64) ([]model.AmbassadorStep, error)
	RecordAmbassadorNudge(ctx context.Context, applicationID int64, step string, now time.Time) (bool, error)
	MergeAmbassadors(ctx context.Context, into, from int64) error
}

// Limits on what applicants write: a city fits a button label and a line
// of the directory; the rest fits one message in the moderators' chat.
const (
	MaxCity         = 80
	MaxMotivation   = 1000
	MaxAvailability = 300
	MaxReason       = 500
	// historyLength is how many decisions /ambassadeur historique shows.
	historyLength = 20
	// actionLease bounds one platform action: an action still running
	// after it lost its process and is taken again.
	actionLease = 2 * time.Minute
	// followUpDelay is when the job that finishes a decision's platform
	// actions runs: the deciding request performs them at once, and the
	// job only takes over when that request died, once its claims expired.
	followUpDelay = actionLease
	// inviteLifetime is how long the ambassadors' group invite stays valid.
	inviteLifetime = 7 * 24 * time.Hour
)

// The jobs the capability schedules: the platform grants after an
// approval and the removals after a revocation (payload: the application),
// and a reminder about one checklist step (payload: "<application>/<step>").
var (
	grantJob  = model.JobRef{Kind: "ambassador.grant"}
	revokeJob = model.JobRef{Kind: "ambassador.revoke"}
	nudgeJob  = model.JobRef{Kind: "ambassador.nudge"}
)

func jobFor(kind model.JobRef, id int64) model.JobRef {
	kind.Payload = strconv.FormatInt(id, 10)
	return kind
}

// The community settings the capability owns: the Discord role that
// ambassadors get, and after how many days without progress an ambassador
// is reminded of their next step.
var (
	discordRoleSetting = commands.Setting{Key: "ambassador.discord_role", Show: func(l *locales.Localizer, v string) string {
		if v == "" {
			return l.S("setting.ambassador.discord_role.none")
		}
		return v
	}}
	nudgeDaysSetting = commands.Setting{Key: "ambassador.nudge_days", Default: "7"}
)

// What an outbox subject names: an application in the moderators' chat
// ("amb-app/12"), and a failed platform action reported there
// ("amb-fail/34-2": action 34, its second attempt, so each failure is a
// message of its own).
const (
	applicationKind = "amb-app"
	failureKind     = "amb-fail"
)

var reviewPurposes = []string{model.PurposeModeration}

func applicationSubject(id int64) string { return applicationKind + "/" + strconv.FormatInt(id, 10) }

type service struct {
	store     Store
	messenger commands.Messenger
	outbox    commands.Outbox
	roles     commands.Roles
	invites   commands.Invites
	clock     commands.Clock
	log       *slog.Logger
	catalog   *locales.Catalog
}

// New builds the capability.
func New(deps commands.Deps, store Store) commands.Module {
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &service{store: store, messenger: deps.Messenger, outbox: deps.Outbox, roles: deps.Roles,
		invites: deps.Invites, clock: deps.Clock, log: log}
	if deps.Registry != nil {
		s.catalog = deps.Registry.Catalog()
	}
	return commands.Module{
		Name:  "ambassadors",
		Specs: []*commands.Spec{s.ambassadorSpec(), s.directorySpec()},
		Jobs: map[string]commands.JobHandler{
			grantJob.Kind:  s.grantJob,
			revokeJob.Kind: s.revokeJob,
			nudgeJob.Kind:  s.nudgeJob,
		},
		Events:       map[string]commands.Handler{commands.EventMessage: s.introduced},
		Posts:        map[string]commands.PostRenderer{applicationKind: s.renderApplication, failureKind: s.renderFailure},
		Settings:     []commands.Setting{discordRoleSetting, nudgeDaysSetting},
		MergeMembers: store.MergeAmbassadors,
	}
}

var stepChoices = []commands.Choice{
	{Value: model.StepCharter, NameID: "ambassador.step_choice.charter"},
	{Value: model.StepIntroduce, NameID: "ambassador.step_choice.introduce"},
	{Value: model.StepMeetupAnnounced, NameID: "ambassador.step_choice.meetup_announced"},
	{Value: model.StepMeetupAttended, NameID: "ambassador.step_choice.meetup_attended"},
}

// ambassadorOption names an ambassador: their application's number
// ("n°3"), or their name; on Discord, autocomplete offers them.
func ambassadorOption(required bool) commands.Option {
	return commands.Option{Name: "ambassadeur", Type: commands.OptionString, Required: required, MaxLength: 100, Autocomplete: true}
}

func (s *service) ambassadorSpec() *commands.Spec {
	mod := commands.RoleModerator
	return &commands.Spec{
		Name:         "ambassadeur",
		ActionPrefix: "amb",
		HandleAction: s.action,
		Subcommands: []*commands.Spec{
			{Name: "postuler", Handle: s.apply},
			{Name: "progression", Handle: s.progressCommand, Autocomplete: s.suggest, Options: []commands.Option{ambassadorOption(false)}},
			{Name: "charte", Handle: s.charter},
			{Name: "valider", Handle: s.markStep, Autocomplete: s.suggest, Options: []commands.Option{
				{Name: "etape", Type: commands.OptionString, Required: true, Choices: stepChoices},
				ambassadorOption(false),
			}},
			{Name: "candidatures", Permission: mod, Handle: s.pending},
			{Name: "liste", Permission: mod, Handle: s.list},
			{Name: "historique", Permission: mod, Handle: s.history},
			{Name: "revoquer", Permission: mod, Handle: s.revoke, Autocomplete: s.suggest, Options: []commands.Option{
				ambassadorOption(true),
				{Name: "raison", Type: commands.OptionString, MaxLength: MaxReason, Rest: true},
			}},
			{Name: "reessayer", Permission: mod, Handle: s.retryCommand, Options: []commands.Option{
				{Name: "candidature", Type: commands.OptionString, Required: true, MaxLength: 20},
			}},
			{Name: "reglage", Permission: mod, Handle: s.settings, Options: []commands.Option{
				{Name: "role_discord", Type: commands.OptionString, MaxLength: 40},
				{Name: "relance_jours", Type: commands.OptionInteger, Min: 1, Max: 90},
			}},
		},
	}
}

// action routes the capability's buttons and forms: "amb/<verb>/<id>".
func (s *service) action(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	args := req.Action.Args()
	if len(args) != 2 {
		return nil, commands.Fail("error.unknown_action")
	}
	id, ok := commands.ParseID(args[1])
	if !ok {
		return nil, commands.Fail("error.unknown_action")
	}
	switch args[0] {
	case "form":
		return s.openForm(ctx, req, id)
	case "apply":
		return s.submit(ctx, req, id)
	case "view":
		return s.view(ctx, req, id)
	case "approve":
		return s.approve(ctx, req, id)
	case "reject":
		return s.askReason(ctx, req, id)
	case "reason":
		return s.reject(ctx, req, id)
	case "retry":
		return s.retry(ctx, req, id)
	case "charter":
		return s.acceptCharter(ctx, req, id)
	}
	return nil, commands.Fail("error.unknown_action")
}

// localizer speaks lang (or the community's language when lang is empty)
// in the community's time zone, dated by the runtime's clock, for what
// Agora writes on its own: posts, direct messages.
func (s *service) localizer(ctx context.Context, communityID int64, lang string) (*locales.Localizer, model.Community, error) {
	c, err := s.store.Community(ctx, communityID)
	if err != nil {
		return nil, model.Community{}, fmt.Errorf("ambassadors: %w", err)
	}
	if _, err := commands.LoadLocation(c.Timezone); err != nil {
		s.log.Warn("community has an unknown time zone", "community", c.ID, "timezone", c.Timezone)
	}
	return commands.CommunityLocalizer(s.catalog, c, s.clock.Now(), lang), c, nil
}

// settingValue reads one of the capability's settings.
func (s *service) settingValue(ctx context.Context, communityID int64, setting commands.Setting) (string, error) {
	v, err := setting.Get(ctx, s.store, communityID, model.ErrNotFound)
	if err != nil {
		return "", fmt.Errorf("ambassadors: read setting %s: %w", setting.Key, err)
	}
	return v, nil
}

// nudgeAfter is how long an ambassador may stay on a step before a reminder.
func (s *service) nudgeAfter(ctx context.Context, communityID int64) (time.Duration, error) {
	v, err := s.settingValue(ctx, communityID, nudgeDaysSetting)
	if err != nil {
		return 0, err
	}
	days, err := strconv.Atoi(v)
	if err != nil || days < 1 {
		days, _ = strconv.Atoi(nudgeDaysSetting.Default)
	}
	return time.Duration(days) * 24 * time.Hour, nil
}

// loadApplication finds an application of the request's community; one of
// another community does not exist for this member.
func (s *service) loadApplication(ctx context.Context, req *commands.Request, id int64) (model.Application, error) {
	a, err := s.store.Application(ctx, id)
	if errors.Is(err, model.ErrNotFound) || err == nil && a.CommunityID != req.Community.ID {
		return model.Application{}, commands.Fail("ambassador.application_not_found", locales.Data{"ID": id})
	}
	if err != nil {
		return model.Application{}, fmt.Errorf("ambassadors: %w", err)
	}
	return a, nil
}

// requireModerator refuses buttons meant for moderators to anyone else:
// buttons share the command's permission, which members have.
func requireModerator(req *commands.Request) error {
	if req.Member.Role >= commands.RoleModerator {
		return nil
	}
	return commands.Fail("error.permission", locales.Data{"Role": req.Loc.S("role." + commands.RoleModerator.String())})
}

// findAmbassador reads the "ambassadeur" option: an application number
// ("3", "n°3", "#3") or an ambassador's name, among the community's
// ambassadors in force.
func (s *service) findAmbassador(ctx context.Context, req *commands.Request, raw string) (model.Application, error) {
	apps, err := s.store.Applications(ctx, req.Community.ID, model.ApplicationApproved)
	if err != nil {
		return model.Application{}, fmt.Errorf("ambassadors: %w", err)
	}
	if id, ok := commands.ParseNumber(raw); ok {
		for _, a := range apps {
			if a.ID == id {
				return a, nil
			}
		}
		return model.Application{}, commands.Fail("ambassador.unknown_ambassador", locales.Data{"Value": raw})
	}
	name := commands.FoldName(strings.TrimPrefix(strings.TrimSpace(raw), "@"))
	var found []model.Application
	for _, a := range apps {
		if commands.FoldName(a.MemberName) == name {
			found = append(found, a)
		}
	}
	switch len(found) {
	case 0:
		return model.Application{}, commands.Fail("ambassador.unknown_ambassador", locales.Data{"Value": raw})
	case 1:
		return found[0], nil
	}
	var numbers []string
	for _, a := range found {
		numbers = append(numbers, strconv.FormatInt(a.ID, 10))
	}
	return model.Application{}, commands.Fail("ambassador.ambiguous_ambassador", locales.Data{"Value": raw, "Numbers": strings.Join(numbers, ", ")})
}

// suggest offers the community's ambassadors for the "ambassadeur" option.
func (s *service) suggest(ctx context.Context, req *commands.Request, option, partial string) ([]commands.Suggestion, error) {
	if option != "ambassadeur" {
		return nil, nil
	}
	apps, err := s.store.Applications(ctx, req.Community.ID, model.ApplicationApproved)
	if err != nil {
		return nil, err
	}
	want := commands.FoldName(partial)
	var out []commands.Suggestion
	for _, a := range apps {
		label := req.Loc.S("ambassador.suggestion", locales.Data{"Name": a.MemberName, "City": a.City, "ID": a.ID})
		if want != "" && !strings.Contains(commands.FoldName(label), want) {
			continue
		}
		out = append(out, commands.Suggestion{Label: label, Value: strconv.FormatInt(a.ID, 10)})
		if len(out) == 25 { // Discord shows 25 at most
			break
		}
	}
	return out, nil
}
