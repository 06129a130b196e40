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

// The first steps of a new ambassador: accept the charter, introduce
// themselves in the ambassadors' chat, announce a first meetup, attend a
// first meetup. The first two an ambassador marks (the charter button,
// or /ambassadeur valider), and introducing is seen when they write in the
// ambassadors' chat; moderators mark any step. The meetup steps are
// marked by moderators until the meetups capability marks them itself,
// through MarkAmbassadorStep; reminders follow whoever marks a step.

// selfMarked are the steps an ambassador may mark on their own.
var selfMarked = map[string]bool{model.StepCharter: true, model.StepIntroduce: true}

func charterButton(l *locales.Localizer, id int64) commands.Button {
	return commands.Button{Label: l.S("ambassador.charter.accept"), Action: "amb/charter/" + strconv.FormatInt(id, 10), Style: commands.ButtonSuccess}
}

// progress is where an ambassador stands: which steps are done, and the
// next one with its reminder's time.
type progress struct {
	done  map[string]time.Time
	next  string    // "" when every step is done
	since time.Time // the last progress: the approval, or the latest step done
}

func progressOf(a model.Application, steps []model.AmbassadorStep) progress {
	p := progress{done: map[string]time.Time{}}
	if a.DecidedAt != nil {
		p.since = *a.DecidedAt
	}
	for _, st := range steps {
		if st.ApplicationID != 0 && st.ApplicationID != a.ID {
			continue
		}
		p.done[st.Step] = st.DoneAt
		if st.DoneAt.After(p.since) {
			p.since = st.DoneAt
		}
	}
	for _, step := range model.AmbassadorSteps {
		if _, ok := p.done[step]; !ok {
			p.next = step
			break
		}
	}
	return p
}

// checklist writes the steps, ticked when done (steps is nil for a new
// ambassador).
func checklist(l *locales.Localizer, steps []model.AmbassadorStep) markup.Text {
	done := map[string]time.Time{}
	for _, st := range steps {
		done[st.Step] = st.DoneAt
	}
	lines := []markup.Text{l.N("ambassador.checklist.title", len(done), locales.Data{"Total": len(model.AmbassadorSteps)})}
	for _, step := range model.AmbassadorSteps {
		data := locales.Data{"Step": l.T("ambassador.step." + step)}
		if at, ok := done[step]; ok {
			data["Date"] = l.Date(at)
			lines = append(lines, l.T("ambassador.checklist.done", data))
		} else {
			lines = append(lines, l.T("ambassador.checklist.todo", data))
		}
	}
	return markup.Join(lines, "\n")
}

// progressCommand is /ambassadeur progression: an ambassador's checklist;
// moderators name an ambassador, or see everyone's.
func (s *service) progressCommand(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	if raw := req.String("ambassadeur"); raw != "" {
		if err := requireModerator(req); err != nil {
			return nil, err
		}
		a, err := s.findAmbassador(ctx, req, raw)
		if err != nil {
			return nil, err
		}
		return s.showChecklist(ctx, req, a)
	}
	a, err := s.store.OpenApplication(ctx, req.Community.ID, req.Member.ID)
	if err == nil && a.Status == model.ApplicationApproved {
		return s.showChecklist(ctx, req, a)
	}
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	if req.Member.Role >= commands.RoleModerator {
		return s.list(ctx, req)
	}
	if err == nil { // pending: where it stands, without the "already" said to one applying again
		return commands.Private(req.Loc.T("ambassador.progress.pending", locales.Data{
			"ID": a.ID, "City": a.City, "Date": req.Loc.Date(a.CreatedAt),
		})), nil
	}
	return nil, commands.Fail("ambassador.not_ambassador")
}

func (s *service) showChecklist(ctx context.Context, req *commands.Request, a model.Application) (*commands.Response, error) {
	steps, err := s.store.ApplicationSteps(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	lines := []markup.Text{req.Loc.T("ambassador.progress.who", locales.Data{"Name": a.MemberName, "City": a.City}), checklist(req.Loc, steps)}
	if p := progressOf(a, steps); p.next != "" {
		lines = append(lines, req.Loc.T("ambassador.hint."+p.next))
	} else {
		lines = append(lines, req.Loc.T("ambassador.progress.complete"))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// list is /ambassadeur liste: every ambassador in force, with their
// progress, for moderators.
func (s *service) list(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	apps, err := s.store.Applications(ctx, req.Community.ID, model.ApplicationApproved)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	if len(apps) == 0 {
		return commands.Private(req.Loc.T("ambassador.list.none")), nil
	}
	steps, err := s.store.CommunityAmbassadorSteps(ctx, req.Community.ID)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	lines := []markup.Text{req.Loc.N("ambassador.list.title", len(apps))}
	for _, a := range apps {
		p := progressOf(a, steps)
		data := locales.Data{"ID": a.ID, "Name": a.MemberName, "City": a.City, "Done": len(p.done), "Total": len(model.AmbassadorSteps)}
		if p.next == "" {
			lines = append(lines, req.Loc.T("ambassador.list.line_complete", data))
			continue
		}
		data["Next"] = req.Loc.T("ambassador.step." + p.next)
		data["Since"] = req.Loc.Date(p.since)
		lines = append(lines, req.Loc.T("ambassador.list.line", data))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// charter is /ambassadeur charte: the community's charter, with the button
// that accepts it for an ambassador who has not yet.
func (s *service) charter(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	texts, err := s.store.WelcomeTexts(ctx, req.Community.ID)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	r := commands.Private(markup.Join([]markup.Text{req.Loc.T("ambassador.charter.title"), welcome.Charter(req.Loc, texts)}, "\n\n"))
	a, err := s.store.OpenApplication(ctx, req.Community.ID, req.Member.ID)
	if errors.Is(err, model.ErrNotFound) || err == nil && a.Status != model.ApplicationApproved {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	steps, err := s.store.ApplicationSteps(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	if at, ok := progressOf(a, steps).done[model.StepCharter]; ok {
		r.Text = markup.Join([]markup.Text{r.Text, req.Loc.T("ambassador.charter.accepted_on", locales.Data{"Date": req.Loc.Date(at)})}, "\n\n")
	} else {
		r.Buttons = []commands.Button{charterButton(req.Loc, a.ID)}
	}
	return r, nil
}

// acceptCharter is the "I accept the charter" button, which only its
// ambassador may press (it is sent to them privately).
func (s *service) acceptCharter(ctx context.Context, req *commands.Request, id int64) (*commands.Response, error) {
	a, err := s.store.Application(ctx, id)
	if errors.Is(err, model.ErrNotFound) || err == nil && (a.MemberID != req.Member.ID || a.Status != model.ApplicationApproved) {
		return nil, commands.Fail("error.unknown_action")
	}
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	return s.mark(ctx, req, a, model.StepCharter, 0)
}

// markStep is /ambassadeur valider: an ambassador marks the charter or
// their introduction; moderators mark any step of any ambassador.
func (s *service) markStep(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	step := req.String("etape")
	if raw := req.String("ambassadeur"); raw != "" {
		if err := requireModerator(req); err != nil {
			return nil, err
		}
		a, err := s.findAmbassador(ctx, req, raw)
		if err != nil {
			return nil, err
		}
		return s.mark(ctx, req, a, step, req.Member.ID)
	}
	a, err := s.store.OpenApplication(ctx, req.Community.ID, req.Member.ID)
	if errors.Is(err, model.ErrNotFound) || err == nil && a.Status != model.ApplicationApproved {
		return nil, commands.Fail("ambassador.not_ambassador")
	}
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	if !selfMarked[step] && req.Member.Role < commands.RoleModerator {
		return nil, commands.Fail("ambassador.step.moderators_mark", locales.Data{"Step": req.Loc.T("ambassador.step." + step)})
	}
	by := int64(0)
	if !selfMarked[step] {
		by = req.Member.ID
	}
	return s.mark(ctx, req, a, step, by)
}

// mark records a step and moves the next reminder.
func (s *service) mark(ctx context.Context, req *commands.Request, a model.Application, step string, by int64) (*commands.Response, error) {
	fresh, err := s.store.MarkAmbassadorStep(ctx, a.ID, step, by, req.Now)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	data := locales.Data{"Step": req.Loc.T("ambassador.step." + step), "Name": a.MemberName}
	if !fresh {
		return commands.Private(req.Loc.T("ambassador.step.already", data)), nil
	}
	if err := s.scheduleNudge(ctx, a); err != nil {
		s.log.Error("ambassadors: move the next reminder", "application", a.ID, "error", err)
	}
	steps, err := s.store.ApplicationSteps(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	p := progressOf(a, steps)
	data["Done"], data["Total"] = len(p.done), len(model.AmbassadorSteps)
	lines := []markup.Text{req.Loc.T("ambassador.step.marked", data)}
	if p.next == "" {
		lines = append(lines, req.Loc.T("ambassador.progress.complete"))
	} else {
		lines = append(lines, req.Loc.T("ambassador.hint."+p.next))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// introduced sees an ambassador's first message in the ambassadors' chat
// as their introduction, and welcomes them there.
func (s *service) introduced(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	if req.ChatPurpose != model.PurposeAmbassadors {
		return nil, nil
	}
	a, err := s.store.OpenApplication(ctx, req.Community.ID, req.Member.ID)
	if errors.Is(err, model.ErrNotFound) || err == nil && a.Status != model.ApplicationApproved {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	fresh, err := s.store.MarkAmbassadorStep(ctx, a.ID, model.StepIntroduce, 0, req.Now)
	if err != nil || !fresh {
		return nil, err
	}
	if err := s.scheduleNudge(ctx, a); err != nil {
		s.log.Error("ambassadors: move the next reminder", "application", a.ID, "error", err)
	}
	// Public: the ambassadors' chat reads it in the community's language.
	l := commands.PublicLocalizer(s.catalog, req)
	return commands.Reply(l.T("ambassador.introduced", locales.Data{"Name": req.Member.Name, "Step": l.T("ambassador.step." + model.StepIntroduce)})), nil
}

// scheduleNudge schedules the reminder about the ambassador's next step,
// due when they have made no progress for the community's number of
// days. The job's payload names the step and the time it is due, both
// read from what is stored (the approval, the latest step done): calling
// this again changes nothing, and after progress it schedules a new
// reminder while the old one, when it runs, finds it is not due.
func (s *service) scheduleNudge(ctx context.Context, a model.Application) error {
	steps, err := s.store.ApplicationSteps(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("ambassadors: %w", err)
	}
	return s.scheduleNudgeFor(ctx, a, progressOf(a, steps))
}

func (s *service) scheduleNudgeFor(ctx context.Context, a model.Application, p progress) error {
	if p.next == "" {
		return nil
	}
	after, err := s.nudgeAfter(ctx, a.CommunityID)
	if err != nil {
		return err
	}
	due := p.since.Add(after)
	if err := s.store.Schedule(ctx, nudgeRef(a.ID, p.next, due), due); err != nil {
		return fmt.Errorf("ambassadors: %w", err)
	}
	return nil
}

func nudgeRef(id int64, step string, due time.Time) model.JobRef {
	j := nudgeJob
	j.Payload = strconv.FormatInt(id, 10) + "/" + step + "/" + strconv.FormatInt(due.Unix(), 10)
	return j
}

// rescheduleNudges schedules every ambassador's next reminder again after
// the number of days changed.
func (s *service) rescheduleNudges(ctx context.Context, communityID int64) error {
	apps, err := s.store.Applications(ctx, communityID, model.ApplicationApproved)
	if err != nil {
		return fmt.Errorf("ambassadors: %w", err)
	}
	for _, a := range apps {
		if err := s.scheduleNudge(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// nudgeJob reminds an ambassador of a step they are stuck on, at most once
// per step. When progress was made since it was scheduled, or the number
// of days changed, it is not due: it schedules the reminder that is (under
// another payload: a job never reschedules itself while it runs).
func (s *service) nudgeJob(ctx context.Context, payload string) error {
	parts := strings.Split(payload, "/")
	if len(parts) != 3 || !isStep(parts[1]) {
		return fmt.Errorf("ambassadors: nudge job: bad payload %q", payload)
	}
	id, ok := commands.ParseID(parts[0])
	if !ok {
		return fmt.Errorf("ambassadors: nudge job: bad payload %q", payload)
	}
	step := parts[1]
	a, err := s.store.Application(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ambassadors: %w", err)
	}
	if a.Status != model.ApplicationApproved {
		return nil
	}
	steps, err := s.store.ApplicationSteps(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("ambassadors: %w", err)
	}
	p := progressOf(a, steps)
	if p.next == "" {
		return nil
	}
	after, err := s.nudgeAfter(ctx, a.CommunityID)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if due := p.since.Add(after); p.next != step || now.Before(due) {
		if nudgeRef(a.ID, p.next, due).Payload == payload {
			return nil // this very reminder, run before its time by a clock that disagrees: nothing to move
		}
		return s.scheduleNudgeFor(ctx, a, p)
	}
	first, err := s.store.RecordAmbassadorNudge(ctx, a.ID, step, now)
	if err != nil || !first {
		return err
	}
	l, c, err := s.localizer(ctx, a.CommunityID, a.Locale)
	if err != nil {
		return err
	}
	r := &commands.Response{Text: markup.Join([]markup.Text{
		l.N("ambassador.nudge", int(now.Sub(p.since).Hours()/24), locales.Data{"Name": a.MemberName, "Community": c.Name, "Step": l.T("ambassador.step." + step)}),
		l.T("ambassador.hint." + step),
	}, "\n")}
	if step == model.StepCharter {
		r.Buttons = []commands.Button{charterButton(l, a.ID)}
	}
	if err := s.directMessage(ctx, a, r); err != nil {
		// Recorded as sent: the ambassador refuses private messages, and
		// trying again every day would not change that.
		s.log.Info("ambassadors: reminder not delivered", "application", a.ID, "step", step, "error", err)
	}
	return nil
}

func isStep(step string) bool {
	for _, s := range model.AmbassadorSteps {
		if s == step {
			return true
		}
	}
	return false
}
