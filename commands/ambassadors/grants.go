package ambassadors

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// Why a platform action did not happen, as stored; each has its sentence
// in locales ("ambassador.reason.<code>").
const (
	reasonNoRole      = "no_role"     // no Discord role is set for ambassadors
	reasonNoServer    = "no_server"   // the community has no Discord server
	reasonNoChat      = "no_chat"     // no ambassadors' chat on that platform
	reasonUnsupported = "unsupported" // the platform has no such feature
	reasonDMRefused   = "dm_refused"  // the invite link could not be sent privately
	reasonPlatform    = "platform"    // the platform refused; Detail says why
)

// maxDetail bounds the platform's words kept with a failure.
const maxDetail = 300

// errBusy makes a job try again later: another process holds some of the
// application's actions, and may die before finishing them.
var errBusy = errors.New("ambassador actions still claimed by another worker")

// runActions performs what granting (or revoking) the role takes on each
// platform account of the ambassador, records each outcome, and reports
// each failure in the moderators' chat. Every action is claimed first, so
// the approving moderator's request and the job scheduled with the
// decision never both act. It returns every action of the kind as it
// stands.
func (s *service) runActions(ctx context.Context, a model.Application, kind string) ([]model.AmbassadorAction, error) {
	now := s.clock.Now()
	if err := s.store.EnsureAmbassadorActions(ctx, a.ID, kind, now); err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	claimed, err := s.store.ClaimAmbassadorActions(ctx, a.ID, kind, now, actionLease)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	if len(claimed) > 0 {
		target, err := s.platformTarget(ctx, a.CommunityID)
		if err != nil {
			return nil, err
		}
		for _, act := range claimed {
			status, reason, detail := s.perform(ctx, a, act, target)
			if err := s.store.FinishAmbassadorAction(ctx, act.ID, status, reason, detail, s.clock.Now()); err != nil {
				return nil, fmt.Errorf("ambassadors: %w", err)
			}
			if status == model.ActionFailed {
				s.reportFailure(ctx, a, act)
			}
		}
	}
	actions, err := s.store.AmbassadorActions(ctx, a.ID, kind)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	return actions, nil
}

// target is where an ambassadorship shows on each platform: the Discord
// server and role, and the ambassadors' chat of every other platform.
type target struct {
	discordServer string
	discordRole   string
	chats         map[string]string // platform → ambassadors' chat ID
}

func (s *service) platformTarget(ctx context.Context, communityID int64) (target, error) {
	t := target{chats: map[string]string{}}
	chats, err := s.store.ChatsOfCommunity(ctx, communityID)
	if err != nil {
		return t, fmt.Errorf("ambassadors: %w", err)
	}
	for _, c := range chats {
		if c.Platform == commands.PlatformDiscord && c.PlatformGroupID != "" && t.discordServer == "" {
			t.discordServer = c.PlatformGroupID
		}
		if c.Purpose == model.PurposeAmbassadors && c.Platform != commands.PlatformDiscord {
			if _, ok := t.chats[c.Platform]; !ok {
				t.chats[c.Platform] = c.PlatformChatID
			}
		}
	}
	role, err := s.settingValue(ctx, communityID, discordRoleSetting)
	if err != nil {
		return t, err
	}
	t.discordRole = role
	return t, nil
}

// perform does one platform action. On Discord the ambassador role is
// added or removed; elsewhere (Telegram, the console) the ambassador gets
// a single-use invite link to the ambassadors' chat by private message,
// and is removed from that chat on revocation.
func (s *service) perform(ctx context.Context, a model.Application, act model.AmbassadorAction, t target) (status, reason, detail string) {
	if act.Platform == commands.PlatformDiscord {
		switch {
		case t.discordServer == "":
			return model.ActionSkipped, reasonNoServer, ""
		case t.discordRole == "":
			return model.ActionFailed, reasonNoRole, ""
		}
		var err error
		if act.Kind == model.ActionGrant {
			err = s.roles.GrantRole(ctx, act.Platform, t.discordServer, act.PlatformUserID, t.discordRole)
		} else {
			err = s.roles.RevokeRole(ctx, act.Platform, t.discordServer, act.PlatformUserID, t.discordRole)
		}
		return outcome(err, "")
	}
	chatID, ok := t.chats[act.Platform]
	if !ok {
		return model.ActionSkipped, reasonNoChat, ""
	}
	chat := commands.ChatAddress{Platform: act.Platform, ChatID: chatID}
	if act.Kind == model.ActionRevoke {
		return outcome(s.invites.RemoveMember(ctx, chat, act.PlatformUserID), "")
	}
	l, c, err := s.localizer(ctx, a.CommunityID, a.Locale)
	if err != nil {
		return outcome(err, "")
	}
	link, err := s.invites.CreateInviteLink(ctx, chat, l.S("ambassador.invite.name", locales.Data{"Name": a.MemberName}), s.clock.Now().Add(inviteLifetime))
	if err != nil {
		return outcome(err, "")
	}
	dm := &commands.Response{
		Text:    l.T("ambassador.invite.text", locales.Data{"Community": c.Name, "Days": int(inviteLifetime.Hours() / 24)}),
		Buttons: []commands.Button{{Label: l.S("ambassador.invite.button"), URL: link}},
	}
	_, err = s.messenger.DirectMessage(ctx, act.Platform, act.PlatformUserID, dm)
	return outcome(err, reasonDMRefused)
}

// outcome reads a platform call's error as an action's outcome.
func outcome(err error, refused string) (status, reason, detail string) {
	switch {
	case err == nil:
		return model.ActionDone, "", ""
	case errors.Is(err, commands.ErrUnsupported):
		return model.ActionSkipped, reasonUnsupported, ""
	case refused != "" && errors.Is(err, commands.ErrDirectMessageRefused):
		return model.ActionFailed, refused, ""
	}
	return model.ActionFailed, reasonPlatform, platformDetail(err)
}

// platformDetail is a platform error as moderators read it: the adapters' errors
// name the call and the platform's answer, without secrets, which is what
// fixing a missing permission takes. Wrapping puts the platform's own
// words last, so a long one keeps its end, on one line.
func platformDetail(err error) string {
	d := strings.Join(strings.Fields(err.Error()), " ")
	if r := []rune(d); len(r) > maxDetail {
		d = "…" + string(r[len(r)-maxDetail+1:])
	}
	return d
}

// outcomeLines say how each platform action went, for the moderator who
// decided or retried.
func outcomeLines(l *locales.Localizer, actions []model.AmbassadorAction) []markup.Text {
	var lines []markup.Text
	for _, act := range actions {
		lines = append(lines, outcomeLine(l, act))
	}
	return lines
}

func outcomeLine(l *locales.Localizer, act model.AmbassadorAction) markup.Text {
	data := locales.Data{"Platform": l.S("ambassador.platform." + act.Platform)}
	switch act.Status {
	case model.ActionDone:
		return l.T("ambassador.outcome.done."+act.Kind+"."+platformFamily(act.Platform), data)
	case model.ActionSkipped:
		return l.T("ambassador.outcome.skipped", data, locales.Data{"Why": l.T("ambassador.reason." + act.Reason)})
	case model.ActionFailed:
		return l.T("ambassador.outcome.failed", data, locales.Data{"Why": reasonText(l, act)})
	}
	return l.T("ambassador.outcome.running", data)
}

// platformFamily is how a platform shows ambassadors: a role (Discord) or
// an invitation into a chat (every other one).
func platformFamily(platform string) string {
	if platform == commands.PlatformDiscord {
		return "role"
	}
	return "chat"
}

func reasonText(l *locales.Localizer, act model.AmbassadorAction) markup.Text {
	return l.T("ambassador.reason."+act.Reason, locales.Data{"Detail": act.Detail})
}

// reportFailure posts a failed action in the moderators' chat, with a
// button to retry; the subject names the attempt, so each failure is
// posted once, by whichever process sends it.
func (s *service) reportFailure(ctx context.Context, a model.Application, act model.AmbassadorAction) {
	subject := failureKind + "/" + strconv.FormatInt(act.ID, 10) + "-" + strconv.Itoa(act.Attempts)
	if _, err := s.outbox.Publish(ctx, a.CommunityID, subject, reviewPurposes); err != nil {
		s.log.Error("ambassadors: report a failed platform action", "application", a.ID, "action", act.ID, "error", err)
	}
}

// renderFailure is the report of a failed platform action.
func (s *service) renderFailure(ctx context.Context, subject string) (*commands.Response, error) {
	rest := strings.TrimPrefix(subject, failureKind+"/")
	idText, _, _ := strings.Cut(rest, "-")
	id, ok := commands.ParseID(idText)
	if !ok || rest == subject {
		return nil, fmt.Errorf("ambassadors: bad subject %q", subject)
	}
	act, err := s.store.AmbassadorAction(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: render %s: %w", subject, err)
	}
	a, err := s.store.Application(ctx, act.ApplicationID)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: render %s: %w", subject, err)
	}
	l, _, err := s.localizer(ctx, a.CommunityID, "")
	if err != nil {
		return nil, err
	}
	return &commands.Response{
		Text: l.T("ambassador.failure."+act.Kind, locales.Data{
			"ID": a.ID, "Name": a.MemberName, "Platform": l.S("ambassador.platform." + act.Platform),
		}, locales.Data{"Why": reasonText(l, act)}),
		Buttons: []commands.Button{{Label: l.S("ambassador.retry.button"), Action: "amb/retry/" + strconv.FormatInt(a.ID, 10)}},
	}, nil
}

// kindFor is what an ambassadorship's platform actions do now: grant
// while it is in force, revoke once it ended.
func kindFor(a model.Application) (string, bool) {
	switch a.Status {
	case model.ApplicationApproved:
		return model.ActionGrant, true
	case model.ApplicationRevoked:
		return model.ActionRevoke, true
	}
	return "", false
}

// retry performs the failed platform actions of an application again:
// the retry button of a failure report, or /ambassadeur reessayer.
func (s *service) retry(ctx context.Context, req *commands.Request, id int64) (*commands.Response, error) {
	if err := requireModerator(req); err != nil {
		return nil, err
	}
	a, err := s.loadApplication(ctx, req, id)
	if err != nil {
		return nil, err
	}
	kind, ok := kindFor(a)
	if !ok {
		return nil, commands.Fail("ambassador.retry.nothing", locales.Data{"ID": a.ID})
	}
	if _, err := s.store.RetryAmbassadorActions(ctx, a.ID, kind, req.Now); err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	actions, err := s.runActions(ctx, a, kind)
	if err != nil {
		return nil, err
	}
	lines := []markup.Text{req.Loc.T("ambassador.retry.done", locales.Data{"ID": a.ID, "Name": a.MemberName})}
	lines = append(lines, outcomeLines(req.Loc, actions)...)
	return commands.Private(markup.Join(lines, "\n")), nil
}

func (s *service) retryCommand(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	raw := req.String("candidature")
	id, ok := commands.ParseNumber(raw)
	if !ok {
		return nil, commands.OptionError("candidature", commands.Fail("ambassador.bad_number", locales.Data{"Value": raw}))
	}
	return s.retry(ctx, req, id)
}

// grantJob finishes the grants of an approval (scheduled with the
// decision, so a crash before they were made does not lose them).
func (s *service) grantJob(ctx context.Context, payload string) error {
	return s.actionsJob(ctx, payload, model.ActionGrant)
}

// revokeJob finishes the removals of a revocation.
func (s *service) revokeJob(ctx context.Context, payload string) error {
	return s.actionsJob(ctx, payload, model.ActionRevoke)
}

func (s *service) actionsJob(ctx context.Context, payload, kind string) error {
	id, ok := commands.ParseID(payload)
	if !ok {
		return fmt.Errorf("ambassadors: %s job: bad payload %q", kind, payload)
	}
	a, err := s.store.Application(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ambassadors: %w", err)
	}
	if now, ok := kindFor(a); !ok || now != kind {
		return nil // revoked before the grants ran, or approved anew: nothing of this kind to do
	}
	actions, err := s.runActions(ctx, a, kind)
	if err != nil {
		return err
	}
	if kind == model.ActionGrant {
		if err := s.scheduleNudge(ctx, a); err != nil {
			return err
		}
	}
	for _, act := range actions {
		if act.Status == model.ActionRunning {
			return errBusy
		}
	}
	return nil
}

// settings is /ambassadeur reglage: the Discord role ambassadors get, and
// after how many days a stuck ambassador is reminded; without options, it
// shows them.
func (s *service) settings(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	var lines []markup.Text
	if req.Has("role_discord") {
		raw := req.String("role_discord")
		role, ok := parseRoleID(raw)
		if !ok {
			return nil, commands.Fail("ambassador.settings.bad_role", locales.Data{"Value": raw})
		}
		if err := discordRoleSetting.Set(ctx, s.store, req.Community.ID, role, req.Now); err != nil {
			return nil, fmt.Errorf("ambassadors: %w", err)
		}
		lines = append(lines, req.Loc.T("ambassador.settings.role_set", locales.Data{"Role": role}))
	}
	if req.Has("relance_jours") {
		days := req.Int("relance_jours", 7)
		if err := nudgeDaysSetting.Set(ctx, s.store, req.Community.ID, strconv.Itoa(days), req.Now); err != nil {
			return nil, fmt.Errorf("ambassadors: %w", err)
		}
		if err := s.rescheduleNudges(ctx, req.Community.ID); err != nil {
			return nil, err
		}
		lines = append(lines, req.Loc.N("ambassador.settings.days_set", days))
	}
	if len(lines) > 0 {
		return commands.Private(markup.Join(lines, "\n")), nil
	}
	role, err := s.settingValue(ctx, req.Community.ID, discordRoleSetting)
	if err != nil {
		return nil, err
	}
	after, err := s.nudgeAfter(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	roleText := req.Loc.S("ambassador.settings.no_role")
	if role != "" {
		roleText = role
	}
	return commands.Private(req.Loc.T("ambassador.settings.show", locales.Data{"Role": roleText, "Days": int(after.Hours() / 24)})), nil
}

// parseRoleID reads a Discord role ID, as copied from Discord ("<@&123>"
// when a role mention is pasted).
func parseRoleID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<@&"), ">")
	if len(s) < 1 || len(s) > 25 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, true
}
