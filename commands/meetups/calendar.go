package meetups

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/commands/meetups/ical"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// icsEvent is a meetup as calendar apps see it. Its UID never changes, so
// an edited meetup replaces the event (with a higher SEQUENCE) and a
// cancelled one shows as cancelled.
func icsEvent(l *locales.Localizer, m model.Meetup, tz *time.Location) ical.Event {
	status := "CONFIRMED"
	if m.Status == model.MeetupCancelled {
		status = "CANCELLED"
	}
	description := l.S("meetup.kind." + m.Kind)
	if m.Description != "" {
		description += "\n\n" + m.Description
	}
	if m.Status == model.MeetupCancelled && m.CancelReason != "" {
		description = l.S("meetup.ics.cancelled", locales.Data{"Reason": m.CancelReason}) + "\n\n" + description
	}
	e := ical.Event{
		UID:   "meetup-" + idString(m.ID) + "-" + idString(m.CommunityID) + "@agora",
		Title: m.Title, Description: description, Location: eventLocation(m),
		Start: m.Start, End: m.End, TZ: tz, Status: status, Sequence: m.Sequence,
		Lat: m.Lat, Lon: m.Lon, Updated: m.UpdatedAt,
	}
	if isLink(m.Place) {
		e.URL = m.Place
	}
	return e
}

// calendarName names a community's calendar in the apps.
func calendarName(l *locales.Localizer, c model.Community) string {
	return l.S("meetup.ics.name", locales.Data{"Community": c.Name})
}

// export is /rencontre exporter: one meetup, or every upcoming one, as an
// .ics file to open in any calendar app.
func (s *service) export(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	c, tz, err := s.community(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	l := req.Loc.In(tz)
	if req.Has("rencontre") {
		m, err := s.typedMeetup(ctx, req)
		if err != nil {
			return nil, err
		}
		data := ical.Calendar(calendarName(l, c), []ical.Event{icsEvent(l, m, tz)})
		return &commands.Response{
			Text:      req.Loc.T("meetup.export.one", locales.Data{"ID": m.ID, "Title": m.Title}),
			Ephemeral: true,
			Files:     []commands.File{{Name: "rencontre-" + idString(m.ID) + ".ics", ContentType: "text/calendar", Data: data}},
		}, nil
	}
	upcoming, err := s.store.Meetups(ctx, req.Community.ID, req.Now, false, maxScanned)
	if err != nil {
		return nil, err
	}
	if len(upcoming) == 0 {
		return commands.Private(req.Loc.T("meetup.list.empty", locales.Data{})), nil
	}
	events := make([]ical.Event, len(upcoming))
	for i, m := range upcoming {
		events[i] = icsEvent(l, m, tz)
	}
	return &commands.Response{
		Text:      req.Loc.N("meetup.export.all", len(upcoming)),
		Ephemeral: true,
		Files:     []commands.File{{Name: "rencontres.ics", ContentType: "text/calendar", Data: ical.Calendar(calendarName(l, c), events)}},
	}, nil
}

// newToken is a calendar secret: 128 random bits, in hex.
func newToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return hex.EncodeToString(b)
}

// validToken tells a text that could be a calendar secret, so that any
// other URL is refused without a database query.
func validToken(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// agenda is /rencontre agenda, for moderators: the community's secret
// calendar URLs (a feed to subscribe to and a web page with a map);
// nouveau:oui makes new ones, and the old ones stop working.
func (s *service) agenda(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	var token string
	var err error
	if req.Bool("nouveau", false) {
		token = newToken()
		err = s.store.ResetCalendarToken(ctx, req.Community.ID, token, req.Now)
	} else {
		token, err = s.store.CalendarToken(ctx, req.Community.ID, newToken(), req.Now)
	}
	if err != nil {
		return nil, err
	}
	site, err := siteSetting.Get(ctx, s.store, req.Community.ID, model.ErrNotFound)
	if err != nil {
		return nil, err
	}
	base := site + agendaPrefix + token + "/"
	lines := []markup.Text{req.Loc.T("meetup.agenda", locales.Data{
		"Page": base, "Feed": base + feedFile, "Renewed": req.Bool("nouveau", false),
	})}
	if site == "" {
		lines = append(lines, req.Loc.T("meetup.agenda_no_site"))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// settings is /rencontre reglage, for moderators: reminders before the
// start, the web page's map tiles, Agora's public address.
func (s *service) settings(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	if !req.Has("rappels") && !req.Has("tuiles") && !req.Has("site") {
		return nil, commands.Fail("meetup.settings_nothing")
	}
	type change struct {
		setting commands.Setting
		value   string
	}
	var changes []change
	var lines []markup.Text
	if req.Has("rappels") {
		offsets, err := readOffsets(req.String("rappels"))
		if err != nil {
			return nil, commands.Fail("meetup.reminders_bad", locales.Data{"Value": req.String("rappels"), "Max": maxOffsets})
		}
		value := joinLabels(offsets)
		if len(offsets) == 0 {
			value = "aucun"
			lines = append(lines, req.Loc.T("meetup.reminders_off"))
		} else {
			lines = append(lines, req.Loc.T("meetup.reminders_set", locales.Data{"Offsets": offsetsText(req.Loc, offsets)}))
		}
		changes = append(changes, change{remindersSetting, value})
	}
	if req.Has("tuiles") {
		value := req.String("tuiles")
		if isDefaultWord(value) {
			value = DefaultTiles
		} else if _, ok := checkTiles(value); !ok {
			return nil, commands.Fail("meetup.tiles_bad", locales.Data{"Value": value})
		}
		changes = append(changes, change{tilesSetting, value})
		lines = append(lines, req.Loc.T("meetup.tiles_set", locales.Data{"Value": value}))
	}
	if req.Has("site") {
		value := req.String("site")
		if isDefaultWord(value) || noReminders[value] {
			value = ""
		} else if site, ok := checkSite(value); ok {
			value = site
		} else {
			return nil, commands.Fail("meetup.site_bad", locales.Data{"Value": value})
		}
		changes = append(changes, change{siteSetting, value})
		lines = append(lines, req.Loc.T("meetup.site_set", locales.Data{"Value": value}))
	}
	for _, c := range changes {
		if err := c.setting.Set(ctx, s.store, req.Community.ID, c.value, req.Now); err != nil {
			return nil, err
		}
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

func isDefaultWord(s string) bool {
	switch s {
	case "defaut", "défaut", "default":
		return true
	}
	return false
}

// etag names a response body for conditional requests.
func etag(data []byte) string {
	h := fnv.New64a()
	h.Write(data)
	return `"` + strconv.FormatUint(h.Sum64(), 16) + `"`
}
