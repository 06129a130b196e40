package meetups

import (
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

func paris(t testing.TB) *time.Location {
	t.Helper()
	tz, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return tz
}

// now is Monday 7 December 2026, 10:00 in Paris, as in the console tests.
var now = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// catalog is loaded once: fuzz targets build a request per input.
var catalog = sync.OnceValues(func() (*locales.Catalog, error) { return locales.Load("fr") })

func localizer(t testing.TB, lang string) *locales.Localizer {
	t.Helper()
	cat, err := catalog()
	if err != nil {
		t.Fatal(err)
	}
	return cat.Localizer(paris(t), lang).At(now)
}

func failID(err error) string {
	if ue, ok := commands.AsUserError(err); ok {
		return ue.ID
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

func TestCleanText(t *testing.T) {
	lines := map[string]string{
		"  Apéro   des\tcoopérateurs ": "Apéro des coopérateurs",
		"a\nb\r\nc":                    "a b c",
		"bell\x07ring":                 "bell ring",
		"\xff\xfe":                     "\uFFFD",           // one replacement per invalid run
		"*gras* @everyone":             "*gras* @everyone", // left to the renderers, which escape
		"":                             "",
	}
	for in, want := range lines {
		if got := cleanLine(in); got != want {
			t.Errorf("cleanLine(%q) = %q, want %q", in, got, want)
		}
	}
	paragraphs := map[string]string{
		"Ligne 1\r\n\r\n\r\n\r\nLigne  2\n": "Ligne 1\n\nLigne 2",
		"\n\n  début\nfin  \n\n":            "début\nfin",
		"a\rb":                              "a\nb",
	}
	for in, want := range paragraphs {
		if got := cleanParagraphs(in); got != want {
			t.Errorf("cleanParagraphs(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Apéro\n\ndes\tcoop", "\x00\x01", "\xff", "  ", "a\r\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := cleanLine(s)
		if !utf8.ValidString(line) || strings.ContainsAny(line, "\n\r\t\x00") || strings.Contains(line, "  ") || line != strings.TrimSpace(line) {
			t.Fatalf("cleanLine(%q) = %q", s, line)
		}
		p := cleanParagraphs(s)
		if !utf8.ValidString(p) || strings.ContainsAny(p, "\r\t\x00") || strings.Contains(p, "\n\n\n") || p != strings.TrimSpace(p) {
			t.Fatalf("cleanParagraphs(%q) = %q", s, p)
		}
	})
}

func TestReadOffsets(t *testing.T) {
	tests := []struct {
		in   string
		want string // joined labels; "!" for a refusal
	}{
		{"24h,1h", "24h,1h"},
		{"1h, 24h", "24h,1h"},
		{"2j; 3h30", "48h,210m"},
		{"90min | 1h30", "90m"}, // the same offset once
		{"aucun", ""},
		{"Non", ""},
		{"", ""},
		{"1 an", "!"},
		{"1min", "!"},              // under 5 minutes
		{"15j", "!"},               // over 14 days
		{"45s", "!"},               // not whole minutes
		{"1h,2h,3h,4h,5h,6h", "!"}, // more than 5
		{"demain", "!"},
	}
	for _, tt := range tests {
		got, err := readOffsets(tt.in)
		switch {
		case tt.want == "!":
			if err == nil {
				t.Errorf("readOffsets(%q) = %v, want a refusal", tt.in, got)
			}
		case err != nil || joinLabels(got) != tt.want:
			t.Errorf("readOffsets(%q) = %q, %v; want %q", tt.in, joinLabels(got), err, tt.want)
		}
	}
}

func FuzzReadOffsets(f *testing.F) {
	for _, s := range []string{"24h,1h", "2j; 3h30", "aucun", "90min | 1h30", "1h,2h,3h,4h,5h,6h", ",,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := readOffsets(s)
		if err != nil {
			return
		}
		if len(got) > maxOffsets || !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].D > got[j].D }) {
			t.Fatalf("readOffsets(%q) = %v", s, got)
		}
		for i, o := range got {
			if o.D < minOffset || o.D > maxOffset || i > 0 && got[i-1].D == o.D {
				t.Fatalf("readOffsets(%q) = %v", s, got)
			}
			if d, ok := parseOffsetLabel(o.Label); !ok || d != o.D {
				t.Fatalf("label %q of %v does not read back", o.Label, o.D)
			}
		}
		if again := splitLabels(joinLabels(got)); len(again) != len(got) {
			t.Fatalf("stored offsets %q read back as %v", joinLabels(got), again)
		}
	})
}

func TestParseOffsetLabel(t *testing.T) {
	for in, want := range map[string]time.Duration{"24h": 24 * time.Hour, "1h": time.Hour, "90m": 90 * time.Minute, "336h": 14 * 24 * time.Hour} {
		if d, ok := parseOffsetLabel(in); !ok || d != want {
			t.Errorf("parseOffsetLabel(%q) = %v, %v", in, d, ok)
		}
	}
	for _, in := range []string{"", "h", "60m", "024h", "1d", "4m", "337h", "-1h", "1.5h", "99999999h"} {
		if d, ok := parseOffsetLabel(in); ok {
			t.Errorf("parseOffsetLabel(%q) = %v, want a refusal", in, d)
		}
	}
}

// The kit's number readers are tested in commands; here, only how a job
// payload is split.
func TestPayload(t *testing.T) {
	if id, rest, ok := payload("12/24h"); !ok || id != 12 || rest != "24h" {
		t.Errorf("payload = %d, %q, %v", id, rest, ok)
	}
}

func TestCheckTiles(t *testing.T) {
	good := map[string]string{
		DefaultTiles: "https://tile.openstreetmap.org",
		"https://{s}.tile.example.org/{z}/{x}/{y}.png":        "https://*.tile.example.org",
		"https://tiles.example.org/{z}/{x}/{y}{r}.png?key=ab": "https://tiles.example.org",
		"http://localhost:8081/{z}/{x}/{y}.png":               "http://localhost:8081",
	}
	for in, want := range good {
		if origin, ok := checkTiles(in); !ok || origin != want {
			t.Errorf("checkTiles(%q) = %q, %v; want %q", in, origin, ok, want)
		}
	}
	for _, in := range []string{
		"", "http://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/{z}/{x}.png", "javascript:alert(1)//{z}{x}{y}",
		`https://t.example.org/{z}/{x}/{y}.png" onload="x`, "https://user:pw@t.example.org/{z}/{x}/{y}", "https://t.example.org/{z}/{x}/{y}/{z}",
		"https://a{s}.example.org/{z}/{x}/{y}", "https://{z}/{x}/{y}", "https://t.example.org/{z}/{x}/{y}#f", "https://t.example.org/{q}/{z}/{x}/{y}",
	} {
		if origin, ok := checkTiles(in); ok {
			t.Errorf("checkTiles(%q) = %q, want a refusal", in, origin)
		}
	}
}

func FuzzCheckTiles(f *testing.F) {
	for _, s := range []string{DefaultTiles, "https://{s}.t.example.org/{z}/{x}/{y}.png", "javascript:{z}{x}{y}", "https://{z}/{x}/{y}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		origin, ok := checkTiles(s)
		if !ok {
			return
		}
		// The origin lands in a Content-Security-Policy header: one token.
		if !(strings.HasPrefix(origin, "https://") || strings.HasPrefix(origin, "http://localhost") || strings.HasPrefix(origin, "http://127.0.0.1")) ||
			strings.ContainsAny(origin, " ;,'\"\r\n{}") {
			t.Fatalf("checkTiles(%q) origin %q", s, origin)
		}
		if strings.ContainsAny(s, " \"'<>\\`\r\n") {
			t.Fatalf("checkTiles(%q) accepted a character that could break out of the page", s)
		}
	})
}

func TestCheckSite(t *testing.T) {
	for in, want := range map[string]string{"https://agora.example.org/": "https://agora.example.org", "http://127.0.0.1:8080": "http://127.0.0.1:8080", " https://a.org/x ": "https://a.org/x"} {
		if got, ok := checkSite(in); !ok || got != want {
			t.Errorf("checkSite(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "agora.example.org", "ftp://a.org", "https://a.org/?q=1", "https://u@a.org", "https://a.org/<x>", "javascript:alert(1)"} {
		if got, ok := checkSite(in); ok {
			t.Errorf("checkSite(%q) = %q, want a refusal", in, got)
		}
	}
}

func FuzzCheckSite(f *testing.F) {
	for _, s := range []string{"https://agora.example.org/", "http://x", "javascript:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := checkSite(s)
		if ok && (!(strings.HasPrefix(got, "https://") || strings.HasPrefix(got, "http://")) || strings.HasSuffix(got, "/") ||
			strings.ContainsAny(got, " \"'<>\\`\r\n?#")) {
			t.Fatalf("checkSite(%q) = %q", s, got)
		}
	})
}

func TestLocate(t *testing.T) {
	tests := []struct {
		place, city, kind string
		wantCity, wantKey string
		found             bool
	}{
		{"Café du Nord", "Lyon 7e", model.MeetupLocal, "Lyon 7e", "lyon", true},
		{"Café du Nord", "st etienne", model.MeetupLocal, "Saint-Étienne", "saint etienne", true},
		{"12 rue Sala, 69002 Lyon", "", model.MeetupLocal, "Lyon 2e", "lyon", true},
		{"Saint-Étienne", "", model.MeetupLocal, "Saint-Étienne", "saint etienne", true},
		{"Salle des fêtes", "Trifouillis-les-Oies", model.MeetupLocal, "Trifouillis-les-Oies", "trifouillis les oies", false},
		{"Salle des fêtes", "", model.MeetupLocal, "", "", false},
		{"https://meet.example.org/lyon", "", model.MeetupOnline, "", "", false},
		{"https://meet.example.org/lyon", "", model.MeetupLocal, "", "", false}, // a link is no address
		{"Visio", "Lyon", model.MeetupOnline, "Lyon", "lyon", true},
	}
	for _, tt := range tests {
		got := locate(tt.place, tt.city, tt.kind)
		if got.City != tt.wantCity || got.CityKey != tt.wantKey || got.Found != tt.found || (got.Lat != nil) != tt.found {
			t.Errorf("locate(%q, %q) = %+v", tt.place, tt.city, got)
		}
	}
	if keys := cityKeys("Lyon 7e"); len(keys) != 2 || keys[0] != "lyon 7e" || keys[1] != "lyon" {
		t.Errorf("cityKeys(Lyon 7e) = %v", keys)
	}
}

func TestReadStartAndDuration(t *testing.T) {
	l, tz := localizer(t, "fr"), paris(t)
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, tz) }
	starts := []struct {
		in   string
		want time.Time
		fail string
	}{
		{"12/12/2026 18h30", at(12, 18, 30), ""},
		{"12 décembre 18h30", at(12, 18, 30), ""},
		{"samedi 18h30", at(12, 18, 30), ""},
		{"demain 19h", at(8, 19, 0), ""},
		{"2026-12-12T18:30", at(12, 18, 30), ""},
		{"2026-12-12T17:30Z", at(12, 18, 30), ""},
		{"1/12 18h", time.Time{}, "meetup.date_past"},
		{"12/12/2027 18h", time.Time{}, "meetup.date_too_far"},
		{"samedi", time.Time{}, "meetup.date_no_time"},
		{"12/12/2026", time.Time{}, "meetup.date_no_time"},
		{"7/12", time.Time{}, "meetup.date_no_time"}, // today: not over
		{"1/12", time.Time{}, "meetup.date_past"},    // over: no time would do
		{"hier 18h", time.Time{}, "meetup.date_past"},
		{"hier soir", time.Time{}, "meetup.date_past"},
		{"vendredi soir", time.Time{}, "meetup.date_no_time"},
		{"vendredi soir 8h", at(11, 20, 0), ""},
		{"samedi 13 décembre 18h", time.Time{}, "meetup.date_wrong_weekday"},
		{"31/04/2027 18h", time.Time{}, "meetup.date_no_such_day"},
		{"la semaine prochaine", time.Time{}, "meetup.date_unreadable"},
		{"", time.Time{}, "meetup.date_unreadable"},
	}
	for _, tt := range starts {
		got, err := readStart(l, tt.in, now, tz)
		if failID(err) != tt.fail || tt.fail == "" && !got.Equal(tt.want) {
			t.Errorf("readStart(%q) = %v, %v", tt.in, got, err)
		}
	}
	durations := []struct {
		in   string
		want time.Duration
		fail string
	}{
		{"2h", 2 * time.Hour, ""},
		{"1h30", 90 * time.Minute, ""},
		{"90min", 90 * time.Minute, ""},
		{"7j", 7 * 24 * time.Hour, ""},
		{"15min", 15 * time.Minute, ""},
		{"14min", 0, "meetup.duration_range"},
		{"0h", 0, "meetup.duration_range"},
		{"une heure", time.Hour, ""},
		{"1 mois", 0, "meetup.duration_range"},
		{"8j", 0, "meetup.duration_range"},
		{"400j", 0, "meetup.duration_range"},
		{"longtemps", 0, "meetup.duration_unreadable"},
	}
	for _, tt := range durations {
		got, err := readDuration(tt.in)
		if failID(err) != tt.fail || got != tt.want {
			t.Errorf("readDuration(%q) = %v, %v", tt.in, got, err)
		}
	}
}

// request is a member's /rencontre creer with these options.
func request(t testing.TB, options map[string]string) *commands.Request {
	return &commands.Request{
		Options: options, Loc: localizer(t, "fr"), Now: now,
		Community: commands.Community{ID: 1, Location: paris(t)},
	}
}

func FuzzMeetupFromOptions(f *testing.F) {
	f.Add("Apéro", "samedi 18h30", "Café du Nord, 69002 Lyon", "", "2h", "Venez !")
	f.Add(" ", "demain", "Bar", "Lyon 7e", "1j", "")
	f.Add("*x* @everyone", "2026-12-12T18:30Z", "https://meet.example.org", "st etienne", "90min", "a\n\n\nb")
	f.Fuzz(func(t *testing.T, title, date, place, city, length, description string) {
		options := map[string]string{"titre": title, "date": date, "lieu": place, "description": description}
		if city != "" {
			options["ville"] = city
		}
		if length != "" {
			options["duree"] = length
		}
		m, where, err := meetupFromOptions(request(t, options))
		if err != nil {
			if _, ok := commands.AsUserError(err); !ok && !errors.Is(err, errBadOffsets) {
				t.Fatalf("meetupFromOptions: an error members would not understand: %v", err)
			}
			return
		}
		switch {
		case m.Title == "" || utf8.RuneCountInString(m.Title) > MaxTitle || m.Place == "" || utf8.RuneCountInString(m.Place) > MaxPlace:
			t.Fatalf("accepted title %q, place %q", m.Title, m.Place)
		case !m.Start.After(now) || m.Duration() < MinDuration || m.Duration() > MaxDuration:
			t.Fatalf("accepted %v for %v", m.Start, m.Duration())
		case utf8.RuneCountInString(m.Description) > MaxDescription || utf8.RuneCountInString(m.City) > MaxCity:
			t.Fatalf("accepted an over-long description or city")
		case where.Found != (m.Lat != nil):
			t.Fatalf("coordinates %v without a commune found", m.Lat)
		}
	})
}

func TestRemindersPlan(t *testing.T) {
	m := model.Meetup{ID: 7, Start: now.Add(10 * time.Hour)}
	offsets, _ := readOffsets("24h, 1h")
	plan := remindersPlan(m, offsets, splitLabels("24h,30m"), now)
	var scheduled, cancelled []string
	for _, j := range plan.Schedule {
		scheduled = append(scheduled, j.Job.Payload+"@"+j.At.Sub(now).String())
	}
	for _, j := range plan.Cancel {
		cancelled = append(cancelled, j.Payload)
	}
	// 24 hours before is past: not scheduled, and cancelled if it was;
	// 30 minutes is no longer wanted.
	if strings.Join(scheduled, " ") != "7/1h@9h0m0s" || strings.Join(cancelled, " ") != "7/24h 7/30m" {
		t.Fatalf("scheduled %v, cancelled %v", scheduled, cancelled)
	}
}

func TestAnnouncementKeepsMemberTextLiteral(t *testing.T) {
	l := localizer(t, "fr")
	m := model.Meetup{ID: 3, Title: "*gras* _it_ `code` \\", Kind: model.MeetupSocial, Place: "Bar *x*", City: "Lyon",
		Description: "Ligne _1_\nLigne 2", Start: now.Add(48 * time.Hour), End: now.Add(50 * time.Hour), Status: model.MeetupScheduled, Capacity: 10}
	r := announcement(l, m, model.RSVPCounts{Yes: 1, Maybe: 2, Waiting: 0}, now)
	plain := r.Text.Plain()
	for _, want := range []string{"Rencontre n°\u00a03\u00a0: *gras* _it_ `code` \\", "temps convivial", "📍 Bar *x* — Lyon", "Ligne _1_\nLigne 2", "1 inscrit·e · 2 peut-être · 9 places libres sur 10"} {
		if !strings.Contains(plain, want) {
			t.Errorf("announcement lacks %q:\n%s", want, plain)
		}
	}
	if len(r.Buttons) != 3 || r.Buttons[0].Action != "rv/y/3" || r.Buttons[1].Action != "rv/m/3" || r.Buttons[2].Action != "rv/n/3" {
		t.Errorf("buttons = %+v", r.Buttons)
	}
	m.Status, m.CancelReason = model.MeetupCancelled, "*pluie*"
	if r := announcement(l, m, model.RSVPCounts{}, now); len(r.Buttons) != 0 || !strings.Contains(r.Text.Plain(), "Annulée\u00a0: *pluie*") {
		t.Errorf("cancelled announcement: %q, %d buttons", r.Text.Plain(), len(r.Buttons))
	}
	if got := durationText(l, 26*time.Hour+5*time.Minute); got != "1\u00a0j 2\u00a0h 5\u00a0min" {
		t.Errorf("durationText = %q", got)
	}
}
