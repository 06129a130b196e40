package meetups

import (
	"context"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// create is /rencontre creer, for ambassadors and moderators. The meetup is
// stored with its jobs (publication, reminders, start, platform events) in
// one transaction, then announced at once; the jobs retry whatever failed.
func (s *service) create(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	m, where, err := meetupFromOptions(req)
	if err != nil {
		return nil, err
	}
	offsets, err := s.offsets(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	m.CommunityID, m.AuthorID = req.Community.ID, req.Member.ID
	m.Reminders = joinLabels(offsets)
	err = s.store.CreateMeetup(ctx, m, req.Now, func(m model.Meetup) model.JobPlan {
		plan := remindersPlan(m, offsets, nil, req.Now)
		plan.Schedule = append(plan.Schedule,
			model.JobAt{Job: withPayload(publishJob, idString(m.ID)), At: req.Now},
			model.JobAt{Job: withPayload(startJob, idString(m.ID)), At: m.Start},
			model.JobAt{Job: withPayload(eventsJob, idString(m.ID)), At: req.Now},
		)
		return plan
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.store.MarkMilestone(ctx, m.CommunityID, m.AuthorID, model.StepMeetupAnnounced, req.Now); err != nil {
		// The checklist can be marked by a moderator; the meetup stands.
		s.log.Warn("mark the ambassador's first meetup", "meetup", m.ID, "error", err)
	}
	d, fallback, err := s.publish(ctx, m.ID)
	if err != nil {
		// The publish job retries; the meetup exists and will be announced.
		s.log.Warn("announce meetup now failed; the job will retry", "meetup", m.ID, "error", err)
	}
	data := locales.Data{"ID": m.ID, "Title": m.Title, "Date": req.Loc.DateTime(m.Start), "Sent": d.Sent, "Chats": d.Chats}
	lines := []markup.Text{req.Loc.N("meetup.created", d.Chats, data)}
	if d.Chats == 0 {
		lines[0] = req.Loc.T("meetup.created_nowhere", data)
	}
	if d.Sent < d.Chats {
		lines = append(lines, req.Loc.N("meetup.created_pending", d.Chats-d.Sent))
	}
	if fallback && d.Chats > 0 {
		lines = append(lines, req.Loc.T("meetup.created_general"))
	}
	if len(offsets) > 0 {
		lines = append(lines, req.Loc.T("meetup.created_reminders", locales.Data{"Offsets": offsetsText(req.Loc, offsets)}))
	}
	if !where.Found && m.Kind != model.MeetupOnline {
		lines = append(lines, req.Loc.T("meetup.place_unknown", locales.Data{"City": nonEmpty(m.City, m.Place)}))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// meetupFromOptions reads and checks the options of /rencontre creer.
func meetupFromOptions(req *commands.Request) (*model.Meetup, located, error) {
	l := req.Loc
	m := &model.Meetup{
		Title:       cleanLine(req.String("titre")),
		Kind:        model.MeetupLocal,
		Place:       cleanLine(req.String("lieu")),
		Description: cleanParagraphs(req.String("description")),
		Capacity:    req.Int("places", 0),
	}
	if k := req.String("type"); k != "" {
		m.Kind = k
	}
	if m.Title == "" {
		return nil, located{}, commands.Fail("meetup.title_empty")
	}
	if m.Place == "" {
		return nil, located{}, commands.Fail("meetup.place_empty")
	}
	if m.Capacity < 0 || m.Capacity > MaxCapacity {
		return nil, located{}, commands.Fail("error.option_out_of_range", locales.Data{"Name": l.S("cmd.rencontre.creer.opt.places.name"), "Min": locales.Quantity(1), "Max": locales.Quantity(MaxCapacity)})
	}
	for _, c := range []struct {
		option, value string
		limit         int
	}{{"titre", m.Title, MaxTitle}, {"lieu", m.Place, MaxPlace}, {"description", m.Description, MaxDescription}} {
		if err := checkLength(l.S("cmd.rencontre.creer.opt."+c.option+".name"), c.value, c.limit); err != nil {
			return nil, located{}, commands.OptionError(c.option, err)
		}
	}
	start, err := readStart(l, req.String("date"), req.Now, req.Community.Location)
	if err != nil {
		return nil, located{}, commands.OptionError("date", err)
	}
	length := DefaultDuration
	if req.Has("duree") {
		if length, err = readDuration(req.String("duree")); err != nil {
			return nil, located{}, commands.OptionError("duree", err)
		}
	}
	m.Start, m.End = start, start.Add(length)
	city := cleanLine(req.String("ville"))
	if err := checkLength(l.S("cmd.rencontre.creer.opt.ville.name"), city, MaxCity); err != nil {
		return nil, located{}, commands.OptionError("ville", err)
	}
	where := locate(m.Place, city, m.Kind)
	m.City, m.CityKey, m.Lat, m.Lon = where.City, where.CityKey, where.Lat, where.Lon
	return m, where, nil
}

// offsets reads the community's reminders setting; a value an older
// version stored and this one cannot read gives the default.
func (s *service) offsets(ctx context.Context, communityID int64) ([]offset, error) {
	v, err := remindersSetting.Get(ctx, s.store, communityID, model.ErrNotFound)
	if err != nil {
		return nil, err
	}
	o, err := readOffsets(v)
	if err != nil {
		s.log.Warn("unreadable reminders setting; using the default", "community", communityID)
		return readOffsets(remindersSetting.Default)
	}
	return o, nil
}

// remindersPlan schedules a reminder for each offset still ahead of now,
// cancels those already past (a date moved closer) and those of previous
// offsets no longer wanted.
func remindersPlan(m model.Meetup, offsets, previous []offset, now time.Time) model.JobPlan {
	var plan model.JobPlan
	wanted := map[string]bool{}
	for _, o := range offsets {
		job := withPayload(remindJob, idString(m.ID)+"/"+o.Label)
		wanted[o.Label] = true
		if at := m.Start.Add(-o.D); at.After(now) {
			plan.Schedule = append(plan.Schedule, model.JobAt{Job: job, At: at})
		} else {
			plan.Cancel = append(plan.Cancel, job)
		}
	}
	for _, o := range previous {
		if !wanted[o.Label] {
			plan.Cancel = append(plan.Cancel, withPayload(remindJob, idString(m.ID)+"/"+o.Label))
		}
	}
	return plan
}

func withPayload(j model.JobRef, payload string) model.JobRef {
	j.Payload = payload
	return j
}

// purposes are the chats a meetup is announced in: the community's
// announcement chats or, when it has none, its general chats, so a
// community that never set purposes still hears of its meetups. Moderators
// set a chat's purpose with /communaute salon.
func (s *service) purposes(ctx context.Context, communityID int64) (purposes []string, fallback bool, err error) {
	chats, err := s.store.ChatsOfCommunity(ctx, communityID)
	if err != nil {
		return nil, false, err
	}
	for _, c := range chats {
		if c.Purpose == model.PurposeAnnouncements {
			return []string{model.PurposeAnnouncements}, false, nil
		}
	}
	return []string{model.PurposeGeneral}, true, nil
}

// publish announces a scheduled meetup in every chat where it belongs and
// is not posted yet; the outbox claims each post, so repeated runs never
// post twice to a chat.
func (s *service) publish(ctx context.Context, id int64) (commands.Delivery, bool, error) {
	m, err := s.store.Meetup(ctx, id)
	if err != nil {
		return commands.Delivery{}, false, err
	}
	if m.Status != model.MeetupScheduled {
		return commands.Delivery{}, false, nil
	}
	purposes, fallback, err := s.purposes(ctx, m.CommunityID)
	if err != nil {
		return commands.Delivery{}, false, err
	}
	d, err := s.outbox.Publish(ctx, m.CommunityID, meetupSubject(id), purposes)
	return d, fallback, err
}

func nonEmpty(s, otherwise string) string {
	if s != "" {
		return s
	}
	return otherwise
}
