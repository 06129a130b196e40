package meetups

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// Jobs run once per scheduling (storage claims each), but may run again
// after a crash or an error: each is idempotent. Messages to members are
// claimed per member before sending (ClaimDelivery), so a member gets each
// reminder, change notice or promotion once at most; posts in chats go
// through the outbox, which claims them per chat.

func (s *service) publishJob(ctx context.Context, p string) error {
	id, ok := commands.ParseID(p)
	if !ok {
		return fmt.Errorf("meetup.publish job: bad payload %q", p)
	}
	_, _, err := s.publish(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	return err
}

// startJob closes answers when the meetup starts: the announcement's last
// edit shows it without buttons.
func (s *service) startJob(ctx context.Context, p string) error {
	id, ok := commands.ParseID(p)
	if !ok {
		return fmt.Errorf("meetup.start job: bad payload %q", p)
	}
	m, err := s.store.Meetup(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.Status != model.MeetupScheduled || s.clock.Now().Before(m.Start) {
		return nil // cancelled, or moved later: the moved job will run then
	}
	// Those who said they come attend: an ambassador's first meetup
	// attended is a step of their checklist.
	attendees, err := s.store.Attendees(ctx, id)
	if err != nil {
		return err
	}
	for _, a := range attendees {
		if a.Status != model.RSVPYes {
			continue
		}
		if _, err := s.store.MarkMilestone(ctx, m.CommunityID, a.MemberID, model.StepMeetupAttended, m.Start); err != nil {
			return err
		}
	}
	return s.outbox.Settle(ctx, meetupSubject(id))
}

// remindJob reminds a meetup's attendees (yes and maybe) before its start:
// in the chats where it was announced, and to each by direct message.
func (s *service) remindJob(ctx context.Context, p string) error {
	id, label, ok := payload(p)
	d, okLabel := parseOffsetLabel(label)
	if !ok || !okLabel {
		return fmt.Errorf("meetup.remind job: bad payload %q", p)
	}
	m, err := s.store.Meetup(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.clock.Now()
	wanted := false
	for _, o := range splitLabels(m.Reminders) {
		wanted = wanted || o.Label == label
	}
	// Cancelled, started, moved later (its job moved too) or no longer
	// wanted: nothing to say now. A reminder run more than half its
	// advance late (Agora was down) is dropped: "in 24 hours" said 9 hours
	// before would mislead, and the next, shorter reminder still comes.
	if !isOpen(m, now) || now.Before(m.Start.Add(-d)) || !wanted || m.Start.Sub(now) < d/2 {
		return nil
	}
	var errs []error
	if _, err := s.outbox.PublishAlong(ctx, reminderSubject(id, label, m.Start), meetupSubject(id)); err != nil {
		errs = append(errs, err)
	}
	attendees, err := s.recipients(ctx, id, model.RSVPYes, model.RSVPMaybe)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	notice := "remind/" + label + "/" + strconv.FormatInt(m.Start.Unix(), 10)
	errs = append(errs, s.deliver(ctx, m, notice, attendees, func(l *locales.Localizer) *commands.Response {
		return &commands.Response{Text: reminderText(l, m, d)}
	}))
	return errors.Join(errs...)
}

// changedJob tells attendees (yes, maybe and waiting) of a new date or
// place, or of the cancellation, as the meetup is when it runs.
func (s *service) changedJob(ctx context.Context, p string) error {
	id, rest, ok := payload(p)
	sequence, err := strconv.Atoi(rest)
	if !ok || err != nil {
		return fmt.Errorf("meetup.changed job: bad payload %q", p)
	}
	m, err := s.store.Meetup(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	if _, err := s.outbox.PublishAlong(ctx, changeSubject(id, sequence), meetupSubject(id)); err != nil {
		errs = append(errs, err)
	}
	attendees, err := s.recipients(ctx, id, model.RSVPYes, model.RSVPMaybe, model.RSVPWaiting)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	errs = append(errs, s.deliver(ctx, m, "changed/"+rest, attendees, func(l *locales.Localizer) *commands.Response {
		return &commands.Response{Text: noticeText(l, m)}
	}))
	return errors.Join(errs...)
}

// promotedJob tells a member who left the waiting list that they have a
// seat. A member who accepts no direct message is not told: they see it
// with /rencontre voir and in the reminders.
func (s *service) promotedJob(ctx context.Context, p string) error {
	id, rest, ok := payload(p)
	member, okMember := commands.ParseID(rest)
	if !ok || !okMember {
		return fmt.Errorf("meetup.promoted job: bad payload %q", p)
	}
	m, err := s.store.Meetup(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	a, err := s.store.RSVP(ctx, id, member)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !isOpen(m, s.clock.Now()) || a.Status != model.RSVPYes {
		return nil // withdrew again, or too late to matter
	}
	// The promotion's time names it, so a member promoted twice (after
	// leaving and joining the list again) is told twice, once each.
	notice := "promoted/" + strconv.FormatInt(a.AnsweredAt.Unix(), 10)
	return s.deliver(ctx, m, notice, []model.Attendee{a}, func(l *locales.Localizer) *commands.Response {
		return &commands.Response{Text: l.T("meetup.promoted", locales.Data{"ID": m.ID, "Title": m.Title, "Date": l.DateTime(m.Start), "Where": whereLine(l, m)})}
	})
}

func (s *service) recipients(ctx context.Context, id int64, statuses ...string) ([]model.Attendee, error) {
	all, err := s.store.Attendees(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []model.Attendee
	for _, a := range all {
		for _, st := range statuses {
			if a.Status == st {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// deliver writes message to each attendee by direct message, on the
// account they answered from, in their language, once: each message is
// claimed before it is sent. A member who accepts no direct message (never
// opened one with Agora, blocked it, or is on a platform this process does
// not serve) is skipped for good, without stopping the others; a failure
// that sent nothing releases the claim, and the job's retry tries again.
func (s *service) deliver(ctx context.Context, m model.Meetup, notice string, attendees []model.Attendee,
	message func(l *locales.Localizer) *commands.Response) error {
	if len(attendees) == 0 {
		return nil
	}
	c, _, err := s.community(ctx, m.CommunityID) // warns of an unknown time zone
	if err != nil {
		return err
	}
	now := s.clock.Now()
	var errs []error
	for _, a := range attendees {
		claimed, err := s.store.ClaimDelivery(ctx, m.ID, notice, a.MemberID, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !claimed {
			continue
		}
		_, err = s.messenger.DirectMessage(ctx, a.Platform, a.PlatformUserID, message(commands.CommunityLocalizer(s.catalog, c, s.clock.Now(), a.Locale)))
		state := deliverySent
		switch {
		case err == nil:
		case errors.Is(err, commands.ErrDirectMessageRefused), errors.Is(err, commands.ErrUnknownPlatform), errors.Is(err, commands.ErrUnsupported):
			s.log.Info("member accepts no direct message; skipped", "meetup", m.ID, "notice", notice, "member", a.MemberID, "platform", a.Platform)
			state = deliveryRefused
		default:
			state = "" // nothing was sent: release the claim for the retry
			errs = append(errs, fmt.Errorf("write %s of meetup %d to member %d: %w", notice, m.ID, a.MemberID, err))
		}
		if err := s.store.FinishDelivery(ctx, m.ID, notice, a.MemberID, state); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// eventsJob keeps the meetup in the event list of every platform group of
// its community (each Discord server): created once, edited after each
// change, cancelled with it. A platform without event lists is marked and
// not asked again; other failures make the job retry, and a creation that
// failed is released so the retry creates it.
func (s *service) eventsJob(ctx context.Context, p string) error {
	id, ok := commands.ParseID(p)
	if !ok {
		return fmt.Errorf("meetup.events job: bad payload %q", p)
	}
	if s.events == nil {
		return nil
	}
	m, err := s.store.Meetup(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	chats, err := s.store.ChatsOfCommunity(ctx, m.CommunityID)
	if err != nil {
		return err
	}
	listed, err := s.store.PlatformEvents(ctx, id)
	if err != nil {
		return err
	}
	known := map[string]model.PlatformEvent{}
	for _, e := range listed {
		known[e.Platform+"\x00"+e.GroupID] = e
	}
	event := commands.ScheduledEvent{Name: m.Title, Description: m.Description, Location: eventLocation(m), Start: m.Start, End: m.End}
	now := s.clock.Now()
	seen := map[string]bool{}
	var errs []error
	for _, c := range chats {
		key := c.Platform + "\x00" + c.PlatformGroupID
		if c.PlatformGroupID == "" || seen[key] {
			continue
		}
		seen[key] = true
		e, ok := known[key]
		if !ok {
			if !isOpen(m, now) {
				continue
			}
			errs = append(errs, s.createEvent(ctx, m, c.Platform, c.PlatformGroupID, event))
			continue
		}
		if e.EventID == "" || e.Cancelled {
			continue // no event list there, or a creation in doubt: never a second event
		}
		switch {
		case m.Status == model.MeetupCancelled:
			err = s.events.CancelEvent(ctx, e.Platform, e.GroupID, e.EventID)
			e.Cancelled = true
		case e.Sequence < m.Sequence:
			err = s.events.EditEvent(ctx, e.Platform, e.GroupID, e.EventID, event)
		default:
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("update %s event of meetup %d: %w", e.Platform, id, err))
			continue
		}
		e.Sequence = m.Sequence
		errs = append(errs, s.store.RecordPlatformEvent(ctx, e))
	}
	return errors.Join(errs...)
}

func (s *service) createEvent(ctx context.Context, m model.Meetup, platform, group string, event commands.ScheduledEvent) error {
	claimed, err := s.store.ClaimPlatformEvent(ctx, m.ID, platform, group, s.clock.Now())
	if err != nil || !claimed {
		return err
	}
	e := model.PlatformEvent{MeetupID: m.ID, Platform: platform, GroupID: group, Sequence: m.Sequence}
	e.EventID, err = s.events.CreateEvent(ctx, platform, group, event)
	switch {
	case errors.Is(err, commands.ErrUnsupported) || errors.Is(err, commands.ErrUnknownPlatform):
		e.Unsupported = true
	case err != nil:
		if rerr := s.store.ReleasePlatformEvent(ctx, m.ID, platform, group); rerr != nil {
			return errors.Join(err, rerr)
		}
		return fmt.Errorf("create %s event of meetup %d: %w", platform, m.ID, err)
	}
	return s.store.RecordPlatformEvent(ctx, e)
}

// eventLocation is where a platform event or calendar says the meetup is.
func eventLocation(m model.Meetup) string {
	if city := shownCity(m); city != "" {
		return m.Place + ", " + city
	}
	return m.Place
}
