package meetups

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/frdate"
	"github.com/agora-community/agora/commands/meetups/places"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// cleanLine makes member text one line: control characters and runs of
// spaces become one space. Markup and mentions are left as typed: every
// message escapes user text, and the adapters defuse mentions.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// cleanParagraphs keeps a description's line breaks (at most one blank
// line in a row) and cleans each line.
func cleanParagraphs(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out []string
	blank := false
	for _, line := range strings.Split(s, "\n") {
		line = cleanLine(line)
		if line == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// checkLength refuses a text beyond its limit, naming the option: the
// runtime checks typed options already; this holds after cleaning too.
func checkLength(label, value string, limit int) error {
	if n := utf8.RuneCountInString(value); n > limit {
		return commands.Fail("error.option_too_long", locales.Data{"Name": label, "Length": locales.Quantity(n), "Max": locales.Quantity(limit)})
	}
	return nil
}

// checkStart and checkDuration read a meetup's date and length as they
// are given (commands.Option.Check), so a guided question refuses a wrong
// answer before asking the next one.
func checkStart(req *commands.Request, v string) error {
	_, err := readStart(req.Loc, v, req.Now, req.Community.Location)
	return err
}

func checkDuration(_ *commands.Request, v string) error {
	_, err := readDuration(v)
	return err
}

// readStart reads a meetup's date and time in the community's time zone,
// and on refusal tells the member how the text was understood and which
// forms are accepted.
func readStart(l *locales.Localizer, s string, now time.Time, tz *time.Location) (time.Time, error) {
	if tz == nil {
		tz = time.UTC
	}
	r, err := frdate.Read(s, now, tz)
	var understood *frdate.Error
	switch {
	case err == nil:
		return r.Time, nil
	case errors.As(err, &understood):
		return time.Time{}, dateRefusals.Refuse(l.In(tz), s, understood, now)
	case !errors.Is(err, frdate.ErrUnreadable):
		return time.Time{}, fmt.Errorf("read meetup date %q: %w", s, err)
	}
	if day, ok := frdate.DayWithoutTime(s, now, tz); ok {
		if !day.AddDate(0, 0, 1).After(now) {
			// The whole day is over: no time would do.
			return time.Time{}, commands.Fail("meetup.date_past", locales.Data{"Value": s, "Date": l.In(tz).Date(day)})
		}
		return time.Time{}, commands.Fail("meetup.date_no_time", locales.Data{"Value": s, "Day": l.In(tz).Date(day)})
	}
	return time.Time{}, commands.Fail("meetup.date_unreadable", locales.Data{"Value": s})
}

// dateRefusals tell why a meetup date read is refused.
var dateRefusals = commands.DateRefusals{
	Past: "meetup.date_past", TooFar: "meetup.date_too_far",
	WrongWeekday: "meetup.date_wrong_weekday", NoSuchDay: "meetup.date_no_such_day",
	MaxDays: int(frdate.MaxAhead / (24 * time.Hour)),
}

// readDuration reads how long a meetup lasts: "2h", "1h30", "90min", "2j".
func readDuration(s string) (time.Duration, error) {
	d, err := commands.ReadDuration(s)
	data := locales.Data{"Value": s, "Min": int(MinDuration / time.Minute), "Max": int(MaxDuration / (24 * time.Hour))}
	switch {
	case errors.Is(err, commands.ErrDurationTooLong), errors.Is(err, commands.ErrDurationZero), errors.Is(err, commands.ErrDurationMonths), err == nil && d > MaxDuration, err == nil && d < MinDuration:
		return 0, commands.Fail("meetup.duration_range", data)
	case err != nil:
		return 0, commands.Fail("meetup.duration_unreadable", data)
	}
	return d, nil
}

// located is where a meetup happens, as listings and maps need it.
type located struct {
	City     string // as shown
	CityKey  string // folded, for filtering
	Lat, Lon *float64
	Found    bool // in the gazetteer
}

// locate finds a meetup's commune: the city typed, or else the end of the
// address ("12 rue Sala, 69002 Lyon") or the whole of it ("Lyon 7e").
// A place the gazetteer lacks keeps its text: it is listed by city, and
// simply not found by distance.
func locate(place, city, kind string) located {
	var tries []string
	if city != "" {
		tries = append(tries, city)
	} else if kind != model.MeetupOnline && !isLink(place) {
		if i := strings.LastIndex(place, ","); i >= 0 {
			tries = append(tries, place[i+1:])
		}
		tries = append(tries, place)
	}
	for _, t := range tries {
		if p, ok := places.Lookup(t); ok {
			lat, lon := p.Lat, p.Lon
			return located{City: p.Name, CityKey: places.FoldCity(p.Commune), Lat: &lat, Lon: &lon, Found: true}
		}
	}
	return located{City: city, CityKey: places.FoldCity(city)}
}

// isLink tells a web address, for online meetups.
func isLink(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t\n")
}

// cityKeys are the folded names a city filter matches: the text typed and,
// when the gazetteer knows it, its commune ("Lyon 7e" finds all of Lyon).
func cityKeys(typed string) []string {
	keys := []string{places.FoldCity(typed)}
	if p, ok := places.Lookup(typed); ok {
		if k := places.FoldCity(p.Commune); k != keys[0] {
			keys = append(keys, k)
		}
	}
	return keys
}

// offset is a reminder's advance on the start; label names it in job
// payloads and records ("24h", "90m"), so it is stable and ASCII.
type offset struct {
	Label string
	D     time.Duration
}

const (
	maxOffsets = 5
	minOffset  = 5 * time.Minute
	maxOffset  = 14 * 24 * time.Hour
)

// noReminders are the words that turn reminders off.
var noReminders = map[string]bool{"aucun": true, "aucune": true, "non": true, "none": true, "no": true, "off": true, "0": true}

// errBadOffsets refuses a reminders setting; the caller names it.
var errBadOffsets = errors.New("bad reminder offsets")

// readOffsets reads the reminders setting as moderators type it: "24h,
// 1h", "2j, 3h30", "aucun". The result is sorted, longest first, without
// duplicates.
func readOffsets(s string) ([]offset, error) {
	s = strings.TrimSpace(s)
	if noReminders[strings.ToLower(s)] || s == "" {
		return nil, nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' })
	if len(parts) > maxOffsets {
		return nil, errBadOffsets
	}
	seen := map[time.Duration]bool{}
	var out []offset
	for _, p := range parts {
		d, err := commands.ReadDuration(p)
		if err != nil || d < minOffset || d > maxOffset || d%time.Minute != 0 {
			return nil, errBadOffsets
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, offset{Label: offsetLabel(d), D: d})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].D > out[j].D })
	return out, nil
}

// offsetLabel writes an offset as "24h" or "90m".
func offsetLabel(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
}

// parseOffsetLabel reads a label back; only labels offsetLabel writes.
func parseOffsetLabel(s string) (time.Duration, bool) {
	if len(s) < 2 || len(s) > 6 {
		return 0, false
	}
	n, ok := commands.ParseID(s[:len(s)-1])
	if !ok {
		return 0, false
	}
	var d time.Duration
	switch s[len(s)-1] {
	case 'h':
		d = time.Duration(n) * time.Hour
	case 'm':
		d = time.Duration(n) * time.Minute
	default:
		return 0, false
	}
	if d < minOffset || d > maxOffset || offsetLabel(d) != s {
		return 0, false
	}
	return d, true
}

func joinLabels(offsets []offset) string {
	labels := make([]string, len(offsets))
	for i, o := range offsets {
		labels[i] = o.Label
	}
	return strings.Join(labels, ",")
}

// splitLabels reads a meetup's stored reminders ("24h,1h").
func splitLabels(s string) []offset {
	var out []offset
	for _, l := range strings.Split(s, ",") {
		if d, ok := parseOffsetLabel(l); ok {
			out = append(out, offset{Label: l, D: d})
		}
	}
	return out
}

const (
	maxTilesURL = 300
	maxSiteURL  = 200
)

// checkTiles accepts a tile server URL template for Leaflet: https (or
// http on the local machine), with {z}, {x} and {y}, and {s} for
// subdomains at most in the host. It returns the origin the page's
// Content-Security-Policy must allow images from.
func checkTiles(s string) (origin string, ok bool) {
	if len(s) > maxTilesURL || strings.ContainsAny(s, " \t\r\n\"'<>\\`") {
		return "", false
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if strings.Count(s, p) != 1 {
			return "", false
		}
	}
	probe := strings.NewReplacer("{s}", "a", "{z}", "1", "{x}", "2", "{y}", "3", "{r}", "").Replace(s)
	if strings.ContainsAny(probe, "{}") {
		return "", false
	}
	u, err := url.Parse(probe)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return "", false
	}
	local := u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1"
	if u.Scheme != "https" && !(u.Scheme == "http" && local) {
		return "", false
	}
	host := s[len(u.Scheme)+3:]
	if i := strings.IndexAny(host, "/?"); i >= 0 {
		host = host[:i]
	}
	if strings.Contains(host, "{s}") {
		if !strings.HasPrefix(host, "{s}.") || strings.Count(host, "{s}") != 1 {
			return "", false
		}
		host = "*" + host[len("{s}"):]
	}
	if strings.ContainsAny(host, "{}") {
		return "", false
	}
	return u.Scheme + "://" + host, true
}

// checkSite accepts the public address of Agora's HTTP server: an http(s)
// URL with a host and no query, returned without its trailing slash.
func checkSite(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > maxSiteURL || strings.ContainsAny(s, " \t\r\n\"'<>\\`") {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	return strings.TrimRight(s, "/"), true
}
