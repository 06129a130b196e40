// Package ical writes meetups as iCalendar (RFC 5545): one meetup as an .ics
// download, or a community's upcoming meetups as a feed that calendar apps
// subscribe to. Serialization, text escaping and line folding are
// github.com/arran4/golang-ical's; this package chooses the properties,
// cleans the text members typed, and describes the time zones used.
package ical

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// Event is one meetup.
type Event struct {
	// UID identifies the meetup for ever, across edits: calendar apps
	// replace the event with the same UID. Make it globally unique, e.g.
	// "meetup-42@agora.example.org".
	UID                          string
	Title, Description, Location string
	URL                          string // http(s) only; anything else is left out
	Start, End                   time.Time
	TZ                           *time.Location // where the meetup happens: Europe/Paris; nil writes UTC
	Status                       string         // CONFIRMED, CANCELLED or TENTATIVE; other values are left out
	Sequence                     int            // bumped on each change attendees should notice
	Lat, Lon                     *float64       // GEO, when the place is known
	Updated                      time.Time      // last change: DTSTAMP and LAST-MODIFIED
}

const prodID = "-//agora-community//Agora meetups//FR"

// maxObservances bounds the VTIMEZONE of one zone: two DST changes a year
// over a feed spanning years at most.
const maxObservances = 100

// Calendar writes a VCALENDAR named name holding events, with CRLF line
// ends and lines folded at 75 octets as RFC 5545 requires. The same events
// give the same bytes, so the output can carry an ETag.
func Calendar(name string, events []Event) []byte {
	cal := ics.NewCalendarFor("agora")
	cal.SetProductId(prodID)
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName(cleanText(name))
	// How often a subscribed client should poll the feed: Apple and Google
	// read X-PUBLISHED-TTL, RFC 7986 clients REFRESH-INTERVAL.
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")

	for _, tz := range timezones(events) {
		cal.AddVTimezone(tz)
	}
	for _, e := range events {
		cal.AddVEvent(vevent(e))
	}
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

func vevent(e Event) *ics.VEvent {
	uid := cleanText(e.UID)
	if uid == "" {
		// A UID is required; a stable one keeps re-imports from duplicating.
		sum := sha256.Sum256([]byte(e.Title + "\x00" + e.Start.UTC().Format(time.RFC3339)))
		uid = hex.EncodeToString(sum[:16]) + "@agora"
	}
	ev := ics.NewEvent(uid)
	stamp := e.Updated
	if stamp.IsZero() {
		// DTSTAMP is required; callers should pass Updated, which keeps the
		// output the same for the same meetup.
		stamp = time.Now()
	}
	ev.SetDtStampTime(stamp)
	if !e.Updated.IsZero() {
		ev.SetModifiedAt(e.Updated)
	}
	setTime(ev, ics.ComponentPropertyDtStart, e.Start, e.TZ)
	if e.End.After(e.Start) {
		setTime(ev, ics.ComponentPropertyDtEnd, e.End, e.TZ)
	}
	ev.SetSequence(max(e.Sequence, 0))
	if status, ok := statuses[strings.ToUpper(strings.TrimSpace(e.Status))]; ok {
		ev.SetStatus(status)
	}
	ev.SetSummary(cleanText(e.Title))
	if d := cleanText(e.Description); d != "" {
		ev.SetDescription(d)
	}
	if l := cleanText(e.Location); l != "" {
		ev.SetLocation(l)
	}
	if u, ok := cleanURL(e.URL); ok {
		ev.SetURL(u)
	}
	if e.Lat != nil && e.Lon != nil && validCoordinates(*e.Lat, *e.Lon) {
		// RFC 5545 3.8.1.6: six decimals are enough (about 10 cm).
		ev.SetProperty(ics.ComponentPropertyGeo,
			strconv.FormatFloat(*e.Lat, 'f', 6, 64)+";"+strconv.FormatFloat(*e.Lon, 'f', 6, 64))
	}
	return ev
}

var statuses = map[string]ics.ObjectStatus{
	"CONFIRMED": ics.ObjectStatusConfirmed,
	"CANCELLED": ics.ObjectStatusCancelled,
	"TENTATIVE": ics.ObjectStatusTentative,
}

// setTime writes t as local time with a TZID, so a client shows 18:30 even
// if the DST rules it knows change; or as UTC when there is no named zone.
func setTime(ev *ics.VEvent, prop ics.ComponentProperty, t time.Time, loc *time.Location) {
	if tzid, ok := zoneID(loc); ok {
		ev.SetProperty(prop, t.In(loc).Format("20060102T150405"), ics.WithTZID(tzid))
		return
	}
	ev.SetProperty(prop, t.UTC().Format("20060102T150405Z"))
}

// zoneID is the TZID for loc: an IANA name such as Europe/Paris. UTC, the
// process's "Local" and made-up names get none: they are written in UTC.
func zoneID(loc *time.Location) (string, bool) {
	if loc == nil {
		return "", false
	}
	name := loc.String()
	if name == "" || name == "UTC" || name == "Local" {
		return "", false
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("/_+-", r)) {
			return "", false
		}
	}
	return name, true
}

// timezones describes each zone the events use, over the span they cover,
// ordered by name so the output is stable.
func timezones(events []Event) []*ics.VTimezone {
	type span struct {
		loc      *time.Location
		from, to time.Time
	}
	spans := map[string]*span{}
	for _, e := range events {
		id, ok := zoneID(e.TZ)
		if !ok {
			continue
		}
		end := e.Start
		if e.End.After(end) {
			end = e.End
		}
		s, seen := spans[id]
		if !seen {
			spans[id] = &span{e.TZ, e.Start, end}
			continue
		}
		if e.Start.Before(s.from) {
			s.from = e.Start
		}
		if end.After(s.to) {
			s.to = end
		}
	}
	ids := make([]string, 0, len(spans))
	for id := range spans {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []*ics.VTimezone
	for _, id := range ids {
		s := spans[id]
		out = append(out, vtimezone(id, s.loc, s.from, s.to))
	}
	return out
}

// vtimezone writes the observances of loc from the one in force at from to
// the one in force at to, one STANDARD or DAYLIGHT component per period,
// read from Go's zone data (time.Time.ZoneBounds).
//
// The library has no VTIMEZONE generator. A hand-written Europe/Paris
// block with RRULEs would serve only that zone and could drift from the
// tz database; listing the actual transitions is exact for any zone the
// events use and needs no recurrence rule: RFC 5545 3.6.5 allows
// observances given by DTSTART alone, and clients that know the TZID by
// name (most) use their own rules anyway.
func vtimezone(id string, loc *time.Location, from, to time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(id)
	t := from.In(loc)
	for range maxObservances {
		name, offset := t.Zone()
		start, end := t.ZoneBounds()
		onset, offsetFrom := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), offset
		if !start.IsZero() {
			onset = start
			_, offsetFrom = start.Add(-time.Second).Zone()
		}
		var obs *ics.ComponentBase
		if t.IsDST() {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			obs = &d.ComponentBase
		} else {
			s := ics.NewStandard()
			tz.Components = append(tz.Components, s)
			obs = &s.ComponentBase
		}
		// DTSTART is the onset in the local time that was in force before it.
		obs.SetProperty(ics.ComponentPropertyDtStart, onset.In(time.FixedZone("", offsetFrom)).Format("20060102T150405"))
		obs.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(offsetFrom))
		obs.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(offset))
		if name != "" {
			obs.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
		}
		if end.IsZero() || end.After(to) {
			break
		}
		t = end.In(loc)
	}
	return tz
}

// utcOffset formats seconds east of UTC as RFC 5545 3.3.14: +0100, -0330,
// with seconds only when there are some.
func utcOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	s := fmt.Sprintf("%s%02d%02d", sign, seconds/3600, seconds/60%60)
	if seconds%60 != 0 {
		s += fmt.Sprintf("%02d", seconds%60)
	}
	return s
}

// cleanText makes member-typed text fit a TEXT value: valid UTF-8, line
// breaks as "\n" (the library escapes it; a bare CR would end the line),
// and no other control characters, which RFC 5545 forbids.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// cleanURL keeps absolute http(s) URLs: a URI value is written unescaped,
// so anything else could break the line structure.
func cleanURL(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}

func validCoordinates(lat, lon float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}
