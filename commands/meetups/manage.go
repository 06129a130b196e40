package meetups

import (
	"context"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// manageable loads the typed meetup for its author or a moderator, while
// it can still change: not cancelled, not started.
func (s *service) manageable(ctx context.Context, req *commands.Request) (model.Meetup, error) {
	m, err := s.typedMeetup(ctx, req)
	if err != nil {
		return m, err
	}
	if !mayManage(req, m) {
		return m, commands.Fail("meetup.not_yours", locales.Data{"ID": m.ID})
	}
	if !isOpen(m, req.Now) {
		return m, closedError(m)
	}
	return m, nil
}

// edit is /rencontre modifier. A new date or place is told to everyone
// who answered yes, maybe or joined the waiting list (by direct message,
// and in the chats where the meetup was announced); every announcement
// and platform event is updated. A higher capacity seats the waiting list
// in order; a lower one keeps those already seated.
func (s *service) edit(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	m, err := s.manageable(ctx, req)
	if err != nil {
		return nil, err
	}
	apply, err := changesFromOptions(req, m)
	if err != nil {
		return nil, err
	}
	offsets, err := s.offsets(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	var notify bool
	_, after, moved, err := s.store.UpdateMeetup(ctx, m.ID, req.Now, promotedJob, func(cur *model.Meetup) (model.JobPlan, error) {
		if !isOpen(*cur, req.Now) {
			return model.JobPlan{}, closedError(*cur)
		}
		old := *cur
		apply(cur)
		cur.Sequence++
		id := idString(cur.ID)
		plan := model.JobPlan{Schedule: []model.JobAt{{Job: withPayload(eventsJob, id), At: req.Now}}}
		if !cur.Start.Equal(old.Start) {
			reminders := remindersPlan(*cur, offsets, splitLabels(old.Reminders), req.Now)
			plan.Schedule = append(plan.Schedule, reminders.Schedule...)
			plan.Cancel = reminders.Cancel
			plan.Schedule = append(plan.Schedule, model.JobAt{Job: withPayload(startJob, id), At: cur.Start})
			cur.Reminders = joinLabels(offsets)
		}
		notify = !cur.Start.Equal(old.Start) || !cur.End.Equal(old.End) || cur.Place != old.Place || cur.City != old.City
		if notify {
			plan.Schedule = append(plan.Schedule, model.JobAt{Job: withPayload(changedJob, id+"/"+itoa(cur.Sequence)), At: req.Now})
		}
		return plan, nil
	})
	if err != nil {
		return nil, err
	}
	s.outbox.Changed(meetupSubject(m.ID))
	lines := []markup.Text{req.Loc.T("meetup.edited", locales.Data{"ID": m.ID, "Title": after.Title})}
	if notify {
		c, err := s.store.RSVPCounts(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		lines = append(lines, req.Loc.N("meetup.edited_notify", c.Yes+c.Maybe+c.Waiting))
	}
	if len(moved) > 0 {
		lines = append(lines, req.Loc.N("meetup.edited_promoted", len(moved)))
	}
	if after.Capacity > 0 && after.Capacity < m.Capacity {
		if c, err := s.store.RSVPCounts(ctx, m.ID); err == nil && c.Yes > after.Capacity {
			lines = append(lines, req.Loc.N("meetup.edited_over_capacity", c.Yes-after.Capacity))
		}
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// changesFromOptions reads the options of /rencontre modifier into a
// change of the meetup, checked before any write.
func changesFromOptions(req *commands.Request, m model.Meetup) (func(*model.Meetup), error) {
	l := req.Loc
	var changes []func(*model.Meetup)
	label := func(option string) string { return l.S("cmd.rencontre.modifier.opt." + option + ".name") }
	if req.Has("titre") {
		title := cleanLine(req.String("titre"))
		if title == "" {
			return nil, commands.Fail("meetup.title_empty")
		}
		if err := checkLength(label("titre"), title, MaxTitle); err != nil {
			return nil, err
		}
		changes = append(changes, func(m *model.Meetup) { m.Title = title })
	}
	if req.Has("type") {
		kind := req.String("type")
		changes = append(changes, func(m *model.Meetup) { m.Kind = kind })
	}
	if req.Has("description") {
		d := cleanParagraphs(req.String("description"))
		if err := checkLength(label("description"), d, MaxDescription); err != nil {
			return nil, err
		}
		changes = append(changes, func(m *model.Meetup) { m.Description = d })
	}
	if req.Has("places") {
		capacity := req.Int("places", -1)
		if capacity < 0 || capacity > MaxCapacity {
			return nil, commands.Fail("error.option_out_of_range", locales.Data{"Name": label("places"), "Min": locales.Quantity(0), "Max": locales.Quantity(MaxCapacity)})
		}
		changes = append(changes, func(m *model.Meetup) { m.Capacity = capacity })
	}
	if req.Has("date") || req.Has("duree") {
		start, length := m.Start, m.Duration()
		var err error
		if req.Has("date") {
			if start, err = readStart(l, req.String("date"), req.Now, req.Community.Location); err != nil {
				return nil, err
			}
		}
		if req.Has("duree") {
			if length, err = readDuration(req.String("duree")); err != nil {
				return nil, err
			}
		}
		changes = append(changes, func(m *model.Meetup) { m.Start, m.End = start, start.Add(length) })
	}
	if req.Has("lieu") || req.Has("ville") {
		place, city := m.Place, m.City
		if req.Has("lieu") {
			if place = cleanLine(req.String("lieu")); place == "" {
				return nil, commands.Fail("meetup.place_empty")
			}
			if err := checkLength(label("lieu"), place, MaxPlace); err != nil {
				return nil, err
			}
			if !req.Has("ville") {
				city = "" // found again from the new address, or left out
			}
		}
		if req.Has("ville") {
			city = cleanLine(req.String("ville"))
			if err := checkLength(label("ville"), city, MaxCity); err != nil {
				return nil, err
			}
		}
		kind := m.Kind
		if req.Has("type") {
			kind = req.String("type")
		}
		where := locate(place, city, kind)
		changes = append(changes, func(m *model.Meetup) {
			m.Place, m.City, m.CityKey, m.Lat, m.Lon = place, where.City, where.CityKey, where.Lat, where.Lon
		})
	}
	if len(changes) == 0 {
		return nil, commands.Fail("meetup.nothing_to_change")
	}
	return func(m *model.Meetup) {
		for _, c := range changes {
			c(m)
		}
	}, nil
}

// cancel is /rencontre annuler: the meetup is marked cancelled everywhere
// (announcements lose their buttons, platform events are cancelled, the
// calendar feed says so) and everyone who answered yes, maybe or waits is
// told.
func (s *service) cancel(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	m, err := s.manageable(ctx, req)
	if err != nil {
		return nil, err
	}
	reason := cleanLine(req.String("motif"))
	if err := checkLength(req.Loc.S("cmd.rencontre.annuler.opt.motif.name"), reason, MaxReason); err != nil {
		return nil, err
	}
	_, _, _, err = s.store.UpdateMeetup(ctx, m.ID, req.Now, promotedJob, func(cur *model.Meetup) (model.JobPlan, error) {
		if !isOpen(*cur, req.Now) {
			return model.JobPlan{}, closedError(*cur)
		}
		now := req.Now
		cur.Status, cur.CancelledAt, cur.CancelReason = model.MeetupCancelled, &now, reason
		cur.Sequence++
		id := idString(cur.ID)
		plan := remindersPlan(*cur, nil, splitLabels(cur.Reminders), req.Now)
		plan.Cancel = append(plan.Cancel, withPayload(startJob, id), withPayload(publishJob, id))
		plan.Schedule = []model.JobAt{
			{Job: withPayload(eventsJob, id), At: req.Now},
			{Job: withPayload(changedJob, id+"/"+itoa(cur.Sequence)), At: req.Now},
		}
		return plan, nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.outbox.Settle(ctx, meetupSubject(m.ID)); err != nil {
		s.log.Warn("settle a cancelled meetup's announcement", "meetup", m.ID, "error", err)
	}
	c, err := s.store.RSVPCounts(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	return commands.Private(req.Loc.N("meetup.cancelled", c.Yes+c.Maybe+c.Waiting, locales.Data{"ID": m.ID, "Title": m.Title})), nil
}

func itoa(n int) string { return idString(int64(n)) }
