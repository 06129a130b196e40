package ical

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func ptr(f float64) *float64 { return &f }

// frenchText has everything RFC 5545 escapes, and what it must leave alone.
const frenchText = "Apéro « Go & café » : on parle de génériques, de tests; de C:\\temp\\go…\n" +
	"Deuxième ligne 🎉🇫🇷 — rendez-vous à l’entrée, côté quai."

func sampleEvents(t testing.TB) []Event {
	loc := paris(t)
	updated := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	return []Event{
		{
			UID:         "meetup-42@agora.example.org",
			Title:       "Rencontre Go, Lyon; saison 3",
			Description: frenchText,
			Location:    "Café des Sciences, 12 rue de la République, Lyon 2e",
			URL:         "https://agora.example.org/rencontres/42?lang=fr&x=1",
			Start:       time.Date(2026, 12, 12, 18, 30, 0, 0, loc),
			End:         time.Date(2026, 12, 12, 21, 0, 0, 0, loc),
			TZ:          loc,
			Status:      "CONFIRMED",
			Sequence:    3,
			Lat:         ptr(45.764043),
			Lon:         ptr(4.835659),
			Updated:     updated,
		},
		{
			UID:      "meetup-43@agora.example.org",
			Title:    "Pique-nique d'été",
			Start:    time.Date(2027, 6, 20, 12, 0, 0, 0, loc),
			End:      time.Date(2027, 6, 20, 16, 0, 0, 0, loc),
			TZ:       loc,
			Status:   "cancelled",
			Sequence: 1,
			Updated:  updated.Add(time.Hour),
		},
	}
}

func parse(t *testing.T, out []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("ParseCalendar: %v\n%s", err, out)
	}
	return cal
}

func calendarProp(cal *ics.Calendar, name ics.Property) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(name) {
			return p.Value
		}
	}
	return ""
}

func prop(cb *ics.ComponentBase, name ics.ComponentProperty) string {
	if p := cb.GetProperty(name); p != nil {
		return p.Value
	}
	return ""
}

func TestCalendarRoundTrip(t *testing.T) {
	events := sampleEvents(t)
	out := Calendar("Gophers de Lyon, rencontres; 2026", events)
	cal := parse(t, out)

	for name, want := range map[ics.Property]string{
		ics.PropertyProductId:  prodID,
		ics.PropertyVersion:    "2.0",
		ics.PropertyCalscale:   "GREGORIAN",
		ics.PropertyMethod:     "PUBLISH",
		ics.PropertyXWRCalName: "Gophers de Lyon, rencontres; 2026",
	} {
		if got := calendarProp(cal, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}

	got := cal.Events()
	if len(got) != len(events) {
		t.Fatalf("%d events, want %d", len(got), len(events))
	}
	for i, want := range events {
		ev := &got[i].ComponentBase
		if id := got[i].Id(); id != want.UID {
			t.Errorf("event %d: UID %q, want %q", i, id, want.UID)
		}
		if s := prop(ev, ics.ComponentPropertySummary); s != want.Title {
			t.Errorf("event %d: SUMMARY %q, want %q", i, s, want.Title)
		}
		if s := prop(ev, ics.ComponentPropertyDescription); s != want.Description {
			t.Errorf("event %d: DESCRIPTION %q, want %q", i, s, want.Description)
		}
		if s := prop(ev, ics.ComponentPropertyLocation); s != want.Location {
			t.Errorf("event %d: LOCATION %q, want %q", i, s, want.Location)
		}
		if s := prop(ev, ics.ComponentPropertyUrl); s != want.URL {
			t.Errorf("event %d: URL %q, want %q", i, s, want.URL)
		}
		start, err := got[i].GetStartAt()
		if err != nil || !start.Equal(want.Start) {
			t.Errorf("event %d: start %v (%v), want %v", i, start, err, want.Start)
		}
		end, err := got[i].GetEndAt()
		if err != nil || !end.Equal(want.End) {
			t.Errorf("event %d: end %v (%v), want %v", i, end, err, want.End)
		}
		dtstart := ev.GetProperty(ics.ComponentPropertyDtStart)
		if tzid := dtstart.ICalParameters["TZID"]; len(tzid) != 1 || tzid[0] != "Europe/Paris" {
			t.Errorf("event %d: DTSTART TZID %v, want Europe/Paris", i, tzid)
		}
		if wall := want.Start.Format("20060102T150405"); dtstart.Value != wall {
			t.Errorf("event %d: DTSTART %q, want the wall clock %q", i, dtstart.Value, wall)
		}
		stamp, err := got[i].GetDtStampTime()
		if err != nil || !stamp.Equal(want.Updated) {
			t.Errorf("event %d: DTSTAMP %v (%v), want %v", i, stamp, err, want.Updated)
		}
		if s := prop(ev, ics.ComponentPropertyStatus); s != strings.ToUpper(want.Status) {
			t.Errorf("event %d: STATUS %q, want %q", i, s, strings.ToUpper(want.Status))
		}
		if s := prop(ev, ics.ComponentPropertySequence); s != []string{"3", "1"}[i] {
			t.Errorf("event %d: SEQUENCE %q", i, s)
		}
	}
	if g := prop(&got[0].ComponentBase, ics.ComponentPropertyGeo); g != "45.764043;4.835659" {
		t.Errorf("GEO = %q", g)
	}
	if g := got[1].GetProperty(ics.ComponentPropertyGeo); g != nil {
		t.Errorf("GEO without coordinates: %q", g.Value)
	}
	if g := got[1].GetProperty(ics.ComponentPropertyDescription); g != nil {
		t.Errorf("empty DESCRIPTION written: %q", g.Value)
	}
}

// RFC 5545 3.1: lines end with CRLF and are folded at 75 octets, a
// continuation line starting with one space.
func TestLineStructure(t *testing.T) {
	events := sampleEvents(t)
	events[0].Description = strings.Repeat("Très longue description — « éèàç » 🎉, ", 20) + strings.Repeat("é", 200) + strings.Repeat("x", 200)
	out := Calendar(strings.Repeat("Un nom de calendrier très long ", 5), events)
	checkLines(t, out)
	if n := bytes.Count(out, []byte("\r\n ")); n < 10 {
		t.Errorf("%d folded lines, expected the long texts to fold", n)
	}
	cal := parse(t, out)
	if d := prop(&cal.Events()[0].ComponentBase, ics.ComponentPropertyDescription); d != events[0].Description {
		t.Errorf("folded description came back as %q", d)
	}
}

func checkLines(t *testing.T, out []byte) {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("END:VCALENDAR\r\n")) {
		t.Fatalf("output does not end with END:VCALENDAR CRLF: %q", out[max(0, len(out)-40):])
	}
	lines := bytes.SplitAfter(out, []byte("\n"))
	for i, line := range lines {
		if len(line) == 0 {
			continue // after the final "\n"
		}
		if !bytes.HasSuffix(line, []byte("\r\n")) {
			t.Fatalf("line %d does not end with CRLF: %q", i+1, line)
		}
		content := line[:len(line)-2]
		if len(content) > 75 {
			t.Errorf("line %d has %d octets: %q", i+1, len(content), content)
		}
		if bytes.ContainsAny(content, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, content)
		}
		if !utf8.Valid(content) {
			t.Errorf("line %d splits a UTF-8 character: %q", i+1, content)
		}
	}
}

// RFC 5545 3.3.11: backslash, semicolon, comma and newline are escaped in
// TEXT; everything else, « », accents and emoji included, is written as is.
func TestTextEscaping(t *testing.T) {
	e := sampleEvents(t)[0]
	e.Title = "a,b;c\\d\ne « é » 🎉"
	out := string(Calendar("x", []Event{e}))
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	if want := "SUMMARY:a\\,b\\;c\\\\d\\ne « é » 🎉\r\n"; !strings.Contains(unfolded, want) {
		t.Errorf("no %q in\n%s", want, unfolded)
	}
	if want := "X-WR-CALNAME:x\r\n"; !strings.Contains(unfolded, want) {
		t.Errorf("no %q in\n%s", want, unfolded)
	}
}

func TestCleaning(t *testing.T) {
	loc := paris(t)
	e := Event{
		UID:         "meetup-1@agora.example.org",
		Title:       "Titre\r\nX-INJECTED:1\rsuite\x00\x07\x7f fin",
		Description: "ligne 1\r\nligne 2\ttabulée",
		URL:         "javascript:alert(1)",
		Start:       time.Date(2026, 12, 12, 18, 30, 0, 0, loc),
		TZ:          loc,
		Status:      "peut-être",
		Sequence:    -4,
		Lat:         ptr(45.7),
		Lon:         ptr(200), // out of range: no GEO
		Updated:     time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
	}
	out := Calendar("c", []Event{e})
	checkLines(t, out)
	if bytes.Contains(out, []byte("\r\nX-INJECTED")) {
		t.Fatalf("a newline in the title started a property:\n%s", out)
	}
	ev := parse(t, out).Events()[0]
	for p, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertySummary:     "Titre\nX-INJECTED:1\nsuite fin",
		ics.ComponentPropertyDescription: "ligne 1\nligne 2\ttabulée",
		ics.ComponentPropertySequence:    "0",
	} {
		if got := prop(&ev.ComponentBase, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	for _, p := range []ics.ComponentProperty{ics.ComponentPropertyUrl, ics.ComponentPropertyStatus, ics.ComponentPropertyGeo, ics.ComponentPropertyDtEnd} {
		if got := ev.GetProperty(p); got != nil {
			t.Errorf("%s written: %q", p, got.Value)
		}
	}
}

func TestCleanURL(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when refused
	}{
		{"https://agora.example.org/r/42", "https://agora.example.org/r/42"},
		{" http://example.org/a?b=c,d;e ", "http://example.org/a?b=c,d;e"},
		{"javascript:alert(1)", ""},
		{"ftp://example.org/x", ""},
		{"https://", ""},
		{"/relative/path", ""},
		{"https://example.org/a b", ""},
		{"https://example.org/\r\nX-EVIL:1", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := cleanURL(tt.in)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("cleanURL(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestUTCWithoutZone(t *testing.T) {
	e := Event{
		UID:     "u@x",
		Title:   "t",
		Start:   time.Date(2026, 12, 12, 17, 30, 0, 0, time.UTC),
		End:     time.Date(2026, 12, 12, 19, 0, 0, 0, time.UTC),
		Updated: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
	}
	for _, tz := range []*time.Location{nil, time.UTC, time.Local, time.FixedZone("UTC+1; X", 3600)} {
		e.TZ = tz
		out := Calendar("c", []Event{e})
		if !bytes.Contains(out, []byte("\r\nDTSTART:20261212T173000Z\r\n")) || bytes.Contains(out, []byte("VTIMEZONE")) {
			t.Errorf("TZ %v:\n%s", tz, out)
		}
	}
}

func TestDeterministic(t *testing.T) {
	events := sampleEvents(t)
	if a, b := Calendar("c", events), Calendar("c", events); !bytes.Equal(a, b) {
		t.Errorf("two calls differ:\n%s\n%s", a, b)
	}
}

func TestMissingUID(t *testing.T) {
	e := sampleEvents(t)[0]
	e.UID = ""
	a := parse(t, Calendar("c", []Event{e})).Events()[0].Id()
	b := parse(t, Calendar("c", []Event{e})).Events()[0].Id()
	if a == "" || a != b {
		t.Errorf("derived UIDs %q and %q: want one stable non-empty UID", a, b)
	}
}

// The VTIMEZONE for a feed from March to April 2026 in Paris: the winter
// time that began in October 2025, then the summer time of 29 March 2026.
func TestVTimezoneParis(t *testing.T) {
	loc := paris(t)
	e := sampleEvents(t)[0]
	e.Start = time.Date(2026, 3, 20, 19, 0, 0, 0, loc)
	e.End = e.Start.Add(2 * time.Hour)
	f := e
	f.UID = "other@x"
	f.Start = time.Date(2026, 4, 10, 19, 0, 0, 0, loc)
	f.End = f.Start.Add(2 * time.Hour)
	out := string(Calendar("c", []Event{e, f}))
	want := "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n" +
		"BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n" +
		"BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n" +
		"END:VTIMEZONE\r\n"
	if !strings.Contains(out, want) {
		t.Errorf("want\n%s\nin\n%s", want, out)
	}
	if strings.Index(out, "BEGIN:VTIMEZONE") > strings.Index(out, "BEGIN:VEVENT") {
		t.Error("VTIMEZONE after the events")
	}
	start, err := parse(t, []byte(out)).Events()[1].GetStartAt()
	if err != nil || !start.Equal(f.Start) || start.UTC().Hour() != 17 {
		t.Errorf("summer start %v (%v), want %v, 17:00 UTC", start, err, f.Start)
	}
}

// For any zone, the VTIMEZONE written must give the offset Go's zone data
// gives at every instant of the span: a client that only reads VTIMEZONE
// shows the right wall clock.
func TestVTimezoneMatchesZoneData(t *testing.T) {
	zones := []string{"Europe/Paris", "America/Toronto", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham", "America/Sao_Paulo", "Etc/GMT-3"}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range zones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		tz := vtimezone(name, loc, from, to)
		if len(tz.Components) == 0 || len(tz.Components) >= maxObservances {
			t.Fatalf("%s: %d observances", name, len(tz.Components))
		}
		onsets, offsets := observances(t, tz)
		for at := from; !at.After(to); at = at.Add(3 * time.Hour) {
			want := offsetAt(at, loc)
			got, found := 0, false
			for i := range onsets {
				if !onsets[i].After(at) {
					got, found = offsets[i], true
				}
			}
			if !found || got != want {
				t.Fatalf("%s at %v: VTIMEZONE gives %d s (found %v), zone data %d s", name, at, got, found, want)
			}
		}
	}
}

func offsetAt(at time.Time, loc *time.Location) int {
	_, off := at.In(loc).Zone()
	return off
}

// observances reads back each sub-component's onset (as an instant) and
// offset, checking they come in order.
func observances(t *testing.T, tz *ics.VTimezone) ([]time.Time, []int) {
	t.Helper()
	var onsets []time.Time
	var offsets []int
	for _, c := range tz.Components {
		var cb *ics.ComponentBase
		switch o := c.(type) {
		case *ics.Standard:
			cb = &o.ComponentBase
		case *ics.Daylight:
			cb = &o.ComponentBase
		default:
			t.Fatalf("unexpected component %T", c)
		}
		from := parseOffset(t, prop(cb, ics.ComponentProperty(ics.PropertyTzoffsetfrom)))
		to := parseOffset(t, prop(cb, ics.ComponentProperty(ics.PropertyTzoffsetto)))
		local, err := time.Parse("20060102T150405", prop(cb, ics.ComponentPropertyDtStart))
		if err != nil {
			t.Fatal(err)
		}
		onset := local.Add(-time.Duration(from) * time.Second)
		if n := len(onsets); n > 0 && !onset.After(onsets[n-1]) {
			t.Fatalf("observances out of order at %v", onset)
		}
		onsets, offsets = append(onsets, onset), append(offsets, to)
	}
	return onsets, offsets
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 {
		t.Fatalf("offset %q", s)
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	digits := s[1:] + "00"
	var hh, mm, ss int
	for _, part := range []struct {
		dst *int
		txt string
	}{{&hh, digits[0:2]}, {&mm, digits[2:4]}, {&ss, digits[4:6]}} {
		for _, c := range part.txt {
			if c < '0' || c > '9' {
				t.Fatalf("offset %q", s)
			}
			*part.dst = *part.dst*10 + int(c-'0')
		}
	}
	return sign * (hh*3600 + mm*60 + ss)
}

func TestUTCOffset(t *testing.T) {
	tests := []struct {
		seconds int
		want    string
	}{
		{3600, "+0100"}, {7200, "+0200"}, {0, "+0000"}, {-12600, "-0330"}, {20700, "+0545"}, {561, "+000921"}, {-(4*3600 + 56*60 + 2), "-045602"},
	}
	for _, tt := range tests {
		if got := utcOffset(tt.seconds); got != tt.want {
			t.Errorf("utcOffset(%d) = %q, want %q", tt.seconds, got, tt.want)
		}
	}
}

func FuzzCalendar(f *testing.F) {
	f.Add("Rencontre Go", frenchText, "Lyon 2e, « au fond »", "https://example.org/a")
	f.Add("a,b;c\\d", "\r\n\r", "é\x00è", "javascript:x")
	f.Add(strings.Repeat("🎉", 40), strings.Repeat("x ", 80), "", "")
	loc := paris(f)
	f.Fuzz(func(t *testing.T, title, description, location, link string) {
		e := Event{
			UID: "fuzz@agora", Title: title, Description: description, Location: location, URL: link,
			Start:   time.Date(2026, 12, 12, 18, 30, 0, 0, loc),
			End:     time.Date(2026, 12, 12, 21, 0, 0, 0, loc),
			TZ:      loc,
			Updated: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		}
		out := Calendar(title, []Event{e})
		checkLines(t, out)
		cal := parse(t, out)
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events in\n%s", len(evs), out)
		}
		if got, want := prop(&evs[0].ComponentBase, ics.ComponentPropertySummary), cleanText(title); got != want {
			t.Fatalf("SUMMARY %q, want %q", got, want)
		}
		if got, want := prop(&evs[0].ComponentBase, ics.ComponentPropertyDescription), cleanText(description); got != want {
			t.Fatalf("DESCRIPTION %q, want %q", got, want)
		}
		if start, err := evs[0].GetStartAt(); err != nil || !start.Equal(e.Start) {
			t.Fatalf("start %v (%v)", start, err)
		}
	})
}

// A community's feed: 50 upcoming meetups over a year, crossing two DST
// changes.
func BenchmarkCalendar(b *testing.B) {
	base := sampleEvents(b)[0]
	events := make([]Event, 50)
	for i := range events {
		e := base
		e.UID = "meetup-" + strconv.Itoa(i) + "@agora.example.org"
		e.Start = base.Start.AddDate(0, 0, 7*i)
		e.End = base.End.AddDate(0, 0, 7*i)
		events[i] = e
	}
	var size int
	for b.Loop() {
		size = len(Calendar("Gophers de Lyon", events))
	}
	b.ReportMetric(float64(size), "bytes")
}
