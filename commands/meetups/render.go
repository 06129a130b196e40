package meetups

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/commands/meetups/places"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// What meetups publish through the outbox: the announcement
// "meetup/<id>", kept up to date while answers come; reminders
// "meetup-reminder/<id>/<offset>/<start>" and change notices
// "meetup-change/<id>/<sequence>", posted where the announcement was. The
// start (Unix seconds) in a reminder's subject makes a reminder for a new
// date a new post.
const (
	meetupKind   = "meetup"
	reminderKind = "meetup-reminder"
	changeKind   = "meetup-change"
)

func meetupSubject(id int64) string { return meetupKind + "/" + idString(id) }

func reminderSubject(id int64, label string, start time.Time) string {
	return reminderKind + "/" + idString(id) + "/" + label + "/" + strconv.FormatInt(start.Unix(), 10)
}

func changeSubject(id int64, sequence int) string {
	return changeKind + "/" + idString(id) + "/" + strconv.Itoa(sequence)
}

// subjectParts splits "<kind>/<id>/<rest...>" and checks the ID.
func subjectParts(subject, kind string, parts int) (int64, []string, error) {
	fields := strings.Split(subject, "/")
	if len(fields) != parts+2 || fields[0] != kind {
		return 0, nil, fmt.Errorf("bad %s subject %q", kind, subject)
	}
	id, ok := commands.ParseID(fields[1])
	if !ok {
		return 0, nil, fmt.Errorf("bad %s subject %q", kind, subject)
	}
	return id, fields[2:], nil
}

// Routes of the answer buttons; they carry only numbers and are checked
// against the database when pressed.
func rsvpRoute(verb string, id int64) string { return "rv/" + verb + "/" + idString(id) }

// isOpen tells whether members may still answer.
func isOpen(m model.Meetup, now time.Time) bool {
	return m.Status == model.MeetupScheduled && now.Before(m.Start)
}

// announcement is the message posted in every announcement chat: what,
// when, where, how many come, and the answer buttons while it is open.
func announcement(l *locales.Localizer, m model.Meetup, c model.RSVPCounts, now time.Time) *commands.Response {
	lines := []markup.Text{
		l.T("meetup.header", locales.Data{"ID": m.ID, "Title": m.Title}),
		l.T("meetup.when", locales.Data{"Kind": l.S("meetup.kind." + m.Kind), "Date": l.DateTime(m.Start), "Duration": durationText(l, m.Duration())}),
		whereLine(l, m),
	}
	if m.Description != "" {
		lines = append(lines, l.T("meetup.description", locales.Data{"Text": m.Description}))
	}
	lines = append(lines, countsLine(l, m, c))
	open := isOpen(m, now)
	switch {
	case m.Status == model.MeetupCancelled:
		lines = append(lines, l.T("meetup.cancelled_banner", locales.Data{"Reason": m.CancelReason}))
	case !open:
		lines = append(lines, l.T("meetup.closed_banner"))
	}
	r := &commands.Response{Text: markup.Join(lines, "\n")}
	if open {
		r.Buttons = rsvpButtons(l, m.ID)
	}
	return r
}

func rsvpButtons(l *locales.Localizer, id int64) []commands.Button {
	return []commands.Button{
		{Label: l.S("meetup.button.yes"), Action: rsvpRoute("y", id), Style: commands.ButtonSuccess},
		{Label: l.S("meetup.button.maybe"), Action: rsvpRoute("m", id), Style: commands.ButtonSecondary},
		{Label: l.S("meetup.button.no"), Action: rsvpRoute("n", id), Style: commands.ButtonDanger},
	}
}

func whereLine(l *locales.Localizer, m model.Meetup) markup.Text {
	return l.T("meetup.where", locales.Data{"Place": m.Place, "City": shownCity(m)})
}

// shownCity is the city to write after the meetup's place, "" when the
// place already names it ("12 rue Sala, Lyon 7e"), accents and case aside.
func shownCity(m model.Meetup) string {
	if strings.Contains(places.FoldCity(m.Place), places.FoldCity(m.City)) {
		return ""
	}
	return m.City
}

func countsLine(l *locales.Localizer, m model.Meetup, c model.RSVPCounts) markup.Text {
	return l.T("meetup.counts", locales.Data{
		"Yes": l.N("meetup.count.yes", c.Yes), "Maybe": c.Maybe, "Capacity": m.Capacity,
		"Free": max(m.Capacity-c.Yes, 0), "Waiting": c.Waiting,
	})
}

// durationText writes a length as "2 h", "1 h 30 min", "3 j".
func durationText(l *locales.Localizer, d time.Duration) string {
	days, rest := d/(24*time.Hour), d%(24*time.Hour)
	hours, minutes := rest/time.Hour, rest%time.Hour/time.Minute
	var parts []string
	if days > 0 {
		parts = append(parts, l.N("meetup.duration.days", int(days)).Plain())
	}
	if hours > 0 {
		parts = append(parts, l.N("meetup.duration.hours", int(hours)).Plain())
	}
	if minutes > 0 {
		parts = append(parts, l.N("meetup.duration.minutes", int(minutes)).Plain())
	}
	return strings.Join(parts, " ")
}

// offsetText writes a reminder's advance: "24 heures", "2 jours", "30 minutes".
func offsetText(l *locales.Localizer, d time.Duration) string {
	switch {
	case d >= 48*time.Hour && d%(24*time.Hour) == 0:
		return l.N("meetup.in.days", int(d/(24*time.Hour))).Plain()
	case d%time.Hour == 0:
		return l.N("meetup.in.hours", int(d/time.Hour)).Plain()
	}
	return l.N("meetup.in.minutes", int(d/time.Minute)).Plain()
}

func offsetsText(l *locales.Localizer, offsets []offset) string {
	parts := make([]string, len(offsets))
	for i, o := range offsets {
		parts[i] = offsetText(l, o.D)
	}
	return strings.Join(parts, ", ")
}

// reminderText is a reminder, in a chat or by direct message.
func reminderText(l *locales.Localizer, m model.Meetup, d time.Duration) markup.Text {
	return l.T("meetup.reminder", locales.Data{
		"ID": m.ID, "Title": m.Title, "In": offsetText(l, d), "Date": l.DateTime(m.Start), "Where": whereLine(l, m),
	})
}

// noticeText tells of a change or a cancellation, as the meetup is now.
func noticeText(l *locales.Localizer, m model.Meetup) markup.Text {
	d := locales.Data{"ID": m.ID, "Title": m.Title, "Date": l.DateTime(m.Start), "Where": whereLine(l, m), "Reason": m.CancelReason}
	if m.Status == model.MeetupCancelled {
		return l.T("meetup.notice.cancelled", d)
	}
	return l.T("meetup.notice.changed", d)
}

// communityLocalizer speaks a community's language in its time zone.
func (s *service) communityLocalizer(ctx context.Context, communityID int64) (*locales.Localizer, error) {
	c, _, err := s.community(ctx, communityID) // warns of an unknown time zone
	if err != nil {
		return nil, err
	}
	return commands.CommunityLocalizer(s.catalog, c, s.clock.Now()), nil
}

// renderMeetup is the announcement as the meetup is now.
func (s *service) renderMeetup(ctx context.Context, subject string) (*commands.Response, error) {
	id, _, err := subjectParts(subject, meetupKind, 0)
	if err != nil {
		return nil, err
	}
	m, err := s.store.Meetup(ctx, id)
	if err != nil {
		return nil, err
	}
	l, err := s.communityLocalizer(ctx, m.CommunityID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.RSVPCounts(ctx, id)
	if err != nil {
		return nil, err
	}
	return announcement(l, m, c, s.clock.Now()), nil
}

func (s *service) renderReminder(ctx context.Context, subject string) (*commands.Response, error) {
	id, rest, err := subjectParts(subject, reminderKind, 2)
	if err != nil {
		return nil, err
	}
	d, ok := parseOffsetLabel(rest[0])
	if !ok {
		return nil, fmt.Errorf("bad reminder subject %q", subject)
	}
	m, err := s.store.Meetup(ctx, id)
	if err != nil {
		return nil, err
	}
	l, err := s.communityLocalizer(ctx, m.CommunityID)
	if err != nil {
		return nil, err
	}
	return &commands.Response{Text: reminderText(l, m, d)}, nil
}

func (s *service) renderChange(ctx context.Context, subject string) (*commands.Response, error) {
	id, _, err := subjectParts(subject, changeKind, 1)
	if err != nil {
		return nil, err
	}
	m, err := s.store.Meetup(ctx, id)
	if err != nil {
		return nil, err
	}
	l, err := s.communityLocalizer(ctx, m.CommunityID)
	if err != nil {
		return nil, err
	}
	return &commands.Response{Text: noticeText(l, m)}, nil
}
