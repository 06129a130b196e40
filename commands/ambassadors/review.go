package ambassadors

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/commands/welcome"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

const fieldReason = "raison"

func reviewButtons(l *locales.Localizer, id int64) []commands.Button {
	n := strconv.FormatInt(id, 10)
	return []commands.Button{
		{Label: l.S("ambassador.review.approve"), Action: "amb/approve/" + n, Style: commands.ButtonSuccess},
		{Label: l.S("ambassador.review.reject"), Action: "amb/reject/" + n, Style: commands.ButtonDanger},
	}
}

// renderApplication is an application's message in the moderators' chat,
// as it is now: with the approve and reject buttons while it waits, with
// the decision once made.
func (s *service) renderApplication(ctx context.Context, subject string) (*commands.Response, error) {
	id, ok := commands.ParseID(strings.TrimPrefix(subject, applicationKind+"/"))
	if !ok {
		return nil, fmt.Errorf("ambassadors: bad subject %q", subject)
	}
	a, err := s.store.Application(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: render %s: %w", subject, err)
	}
	l, _, err := s.localizer(ctx, a.CommunityID, "")
	if err != nil {
		return nil, err
	}
	r := &commands.Response{Text: applicationText(l, a)}
	if a.Status == model.ApplicationPending {
		r.Buttons = reviewButtons(l, a.ID)
	}
	return r, nil
}

// decisionLine says what was decided, by whom, when; "" while pending.
func decisionLine(l *locales.Localizer, a model.Application) markup.Text {
	if a.Status == model.ApplicationPending {
		return ""
	}
	data := locales.Data{"By": a.DeciderName, "Reason": a.Reason}
	if a.DecidedAt != nil {
		data["Date"] = l.DateTime(*a.DecidedAt)
	}
	return l.T("ambassador.decision."+a.Status, data)
}

// reviewable loads an application a moderator may decide: of their
// community, and not their own.
func (s *service) reviewable(ctx context.Context, req *commands.Request, id int64) (model.Application, error) {
	if err := requireModerator(req); err != nil {
		return model.Application{}, err
	}
	a, err := s.loadApplication(ctx, req, id)
	if err != nil {
		return model.Application{}, err
	}
	if a.MemberID == req.Member.ID {
		return model.Application{}, commands.Fail("ambassador.review.own")
	}
	if a.Status != model.ApplicationPending {
		return model.Application{}, alreadyDecided(a)
	}
	return a, nil
}

// alreadyDecided tells a moderator that someone decided first.
func alreadyDecided(a model.Application) error {
	return &commands.UserError{ID: "ambassador.review.already", Data: locales.Data{"ID": a.ID}, LocalData: func(l *locales.Localizer) locales.Data {
		return locales.Data{"Decision": decisionLine(l, a)}
	}}
}

// view shows an application to a moderator, with its buttons while pending.
func (s *service) view(ctx context.Context, req *commands.Request, id int64) (*commands.Response, error) {
	if err := requireModerator(req); err != nil {
		return nil, err
	}
	a, err := s.loadApplication(ctx, req, id)
	if err != nil {
		return nil, err
	}
	r := commands.Private(applicationText(req.Loc, a))
	if a.Status == model.ApplicationPending && a.MemberID != req.Member.ID {
		r.Buttons = reviewButtons(req.Loc, a.ID)
	}
	return r, nil
}

// approve makes the applicant an ambassador: in Agora at once, with the
// decision; on the platforms right after, in this request, and by a job
// scheduled with the decision should this request die first.
func (s *service) approve(ctx context.Context, req *commands.Request, id int64) (*commands.Response, error) {
	if _, err := s.reviewable(ctx, req, id); err != nil {
		return nil, err
	}
	a, err := s.store.DecideApplication(ctx, id, model.ApplicationApproved, req.Member.ID, "", req.Now, jobFor(grantJob, id), req.Now.Add(followUpDelay))
	if errors.Is(err, model.ErrConflict) {
		return nil, s.lostDecision(req, a)
	}
	if err != nil {
		return nil, fmt.Errorf("ambassadors: approve application %d: %w", id, err)
	}
	s.settle(ctx, a)
	s.tellApplicant(ctx, a)
	actions, err := s.runActions(ctx, a, model.ActionGrant)
	if err != nil {
		// The decision stands; the scheduled grant job finishes the work.
		s.log.Error("ambassadors: grant the role after approval", "application", a.ID, "error", err)
	}
	if err := s.scheduleNudge(ctx, a); err != nil {
		s.log.Error("ambassadors: schedule the first reminder", "application", a.ID, "error", err)
	}
	lines := []markup.Text{req.Loc.T("ambassador.approved", locales.Data{"ID": a.ID, "Name": a.MemberName, "City": a.City})}
	lines = append(lines, outcomeLines(req.Loc, actions)...)
	return commands.Private(markup.Join(lines, "\n")), nil
}

// lostDecision explains a decision that came second, or an application
// that was the moderator's own after all.
func (s *service) lostDecision(req *commands.Request, a model.Application) error {
	if a.Status == model.ApplicationPending && a.MemberID == req.Member.ID {
		return commands.Fail("ambassador.review.own")
	}
	return alreadyDecided(a)
}

// askReason is the reject button: it asks why, and the answer rejects.
func (s *service) askReason(ctx context.Context, req *commands.Request, id int64) (*commands.Response, error) {
	a, err := s.reviewable(ctx, req, id)
	if err != nil {
		return nil, err
	}
	return &commands.Response{Modal: &commands.Modal{
		Action: "amb/reason/" + strconv.FormatInt(a.ID, 10),
		Title:  req.Loc.S("ambassador.reject.title", locales.Data{"ID": a.ID}),
		Fields: []commands.ModalField{{
			ID: fieldReason, Label: req.Loc.S("ambassador.reject.reason"), Placeholder: req.Loc.S("ambassador.reject.placeholder"),
			Long: true, Required: true, MaxLength: MaxReason,
		}},
	}}, nil
}

// reject records a rejection with its reason and tells the applicant.
func (s *service) reject(ctx context.Context, req *commands.Request, id int64) (*commands.Response, error) {
	if _, err := s.reviewable(ctx, req, id); err != nil {
		return nil, err
	}
	reason, err := readLong(req.Action.Fields[fieldReason], "ambassador.reject.reason", MaxReason)
	if err != nil {
		return nil, err
	}
	a, err := s.store.DecideApplication(ctx, id, model.ApplicationRejected, req.Member.ID, reason, req.Now, model.JobRef{}, time.Time{})
	if errors.Is(err, model.ErrConflict) {
		return nil, s.lostDecision(req, a)
	}
	if err != nil {
		return nil, fmt.Errorf("ambassadors: reject application %d: %w", id, err)
	}
	s.settle(ctx, a)
	s.tellApplicant(ctx, a)
	return commands.Private(req.Loc.T("ambassador.rejected", locales.Data{"ID": a.ID, "Name": a.MemberName})), nil
}

// settle shows the decision on the application's messages, without buttons.
func (s *service) settle(ctx context.Context, a model.Application) {
	if err := s.outbox.Settle(ctx, applicationSubject(a.ID)); err != nil {
		s.log.Error("ambassadors: show a decision in the moderators' chat", "application", a.ID, "error", err)
	}
}

// tellApplicant writes the decision to the applicant privately, in the
// language they applied in. A member who refuses private messages still
// has the decision: /ambassadeur postuler shows where they stand.
func (s *service) tellApplicant(ctx context.Context, a model.Application) {
	l, c, err := s.localizer(ctx, a.CommunityID, a.Locale)
	if err != nil {
		s.log.Error("ambassadors: tell the applicant", "application", a.ID, "error", err)
		return
	}
	data := locales.Data{"Community": c.Name, "City": a.City, "Reason": a.Reason, "ID": a.ID}
	var r *commands.Response
	switch a.Status {
	case model.ApplicationApproved:
		texts, err := s.store.WelcomeTexts(ctx, a.CommunityID)
		if err != nil {
			s.log.Error("ambassadors: read the charter", "community", a.CommunityID, "error", err)
		}
		r = &commands.Response{
			Text: markup.Join([]markup.Text{
				l.T("ambassador.dm.approved", data),
				checklist(l, nil),
				l.T("ambassador.charter.title"),
				welcome.Charter(l, texts),
			}, "\n\n"),
			Buttons: []commands.Button{charterButton(l, a.ID)},
		}
	case model.ApplicationRejected:
		r = commands.Reply(l.T("ambassador.dm.rejected", data))
	case model.ApplicationRevoked:
		r = commands.Reply(l.T("ambassador.dm.revoked", data))
	default:
		return
	}
	if err := s.directMessage(ctx, a, r); err != nil {
		s.log.Warn("ambassadors: the applicant did not get the decision privately", "application", a.ID, "error", err)
	}
}

// directMessage writes to a member privately: first on the account they
// applied with, then on their other accounts, until one accepts.
func (s *service) directMessage(ctx context.Context, a model.Application, r *commands.Response) error {
	targets := []model.Identity{{Platform: a.Platform, PlatformUserID: a.PlatformUserID}}
	ids, err := s.store.Identities(ctx, a.MemberID)
	if err != nil {
		return fmt.Errorf("ambassadors: accounts of member %d: %w", a.MemberID, err)
	}
	for _, id := range ids {
		if id.Platform != a.Platform || id.PlatformUserID != a.PlatformUserID {
			targets = append(targets, id)
		}
	}
	var errs []error
	for _, t := range targets {
		_, err := s.messenger.DirectMessage(ctx, t.Platform, t.PlatformUserID, r)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// pending lists the applications waiting for a decision, each with a
// button that shows it with its approve and reject buttons.
func (s *service) pending(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	apps, err := s.store.Applications(ctx, req.Community.ID, model.ApplicationPending)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	if len(apps) == 0 {
		return commands.Private(req.Loc.T("ambassador.pending.none")), nil
	}
	lines := []markup.Text{req.Loc.N("ambassador.pending.title", len(apps))}
	var buttons []commands.Button
	for _, a := range apps {
		lines = append(lines, req.Loc.T("ambassador.pending.line", locales.Data{
			"ID": a.ID, "Name": a.MemberName, "City": a.City, "Date": req.Loc.Date(a.CreatedAt),
		}))
		if len(buttons) < 25 {
			buttons = append(buttons, commands.Button{Label: req.Loc.S("ambassador.pending.view", locales.Data{"ID": a.ID}), Action: "amb/view/" + strconv.FormatInt(a.ID, 10)})
		}
	}
	return &commands.Response{Text: markup.Join(lines, "\n"), Ephemeral: true, Buttons: buttons}, nil
}

// history lists the latest decisions with who made them.
func (s *service) history(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	decisions, err := s.store.AmbassadorDecisions(ctx, req.Community.ID, historyLength)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	if len(decisions) == 0 {
		return commands.Private(req.Loc.T("ambassador.history.none")), nil
	}
	lines := []markup.Text{req.Loc.T("ambassador.history.title")}
	for _, d := range decisions {
		by := d.DeciderName
		if by == "" {
			by = req.Loc.S("ambassador.history.someone")
		}
		lines = append(lines, req.Loc.T("ambassador.history."+d.Decision, locales.Data{
			"ID": d.ApplicationID, "Name": d.MemberName, "City": d.City, "By": by, "Reason": d.Reason, "Date": req.Loc.DateTime(d.DecidedAt),
		}))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// revoke takes the ambassador role back, in Agora and on every platform.
func (s *service) revoke(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	target, err := s.findAmbassador(ctx, req, req.String("ambassadeur"))
	if err != nil {
		return nil, err
	}
	reason := ""
	if raw := req.String("raison"); raw != "" {
		reason = welcome.CleanText(raw)
	}
	a, err := s.store.RevokeAmbassador(ctx, target.ID, req.Member.ID, reason, req.Now, jobFor(revokeJob, target.ID), req.Now.Add(followUpDelay))
	if errors.Is(err, model.ErrConflict) {
		return nil, alreadyDecided(a)
	}
	if err != nil {
		return nil, fmt.Errorf("ambassadors: revoke application %d: %w", target.ID, err)
	}
	s.tellApplicant(ctx, a)
	actions, err := s.runActions(ctx, a, model.ActionRevoke)
	if err != nil {
		s.log.Error("ambassadors: remove the role after revocation", "application", a.ID, "error", err)
	}
	lines := []markup.Text{req.Loc.T("ambassador.revoked", locales.Data{"ID": a.ID, "Name": a.MemberName})}
	lines = append(lines, outcomeLines(req.Loc, actions)...)
	return commands.Private(markup.Join(lines, "\n")), nil
}
