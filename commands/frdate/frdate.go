// Package frdate reads the dates and times French speakers type: "samedi
// 18h30", "demain 19h", "12/12 18h30", "12 déc. à 18h30", "18h30",
// "demain soir 8h", and ISO 8601 dates. No Go
// natural-language date library handles French, and the forms members use
// are few, so this is a small hand-written parser with table and fuzz tests.
//
// It reads English too, whatever the member's language, since members of
// a French community may write in English: "tomorrow 6pm", "saturday at
// noon", "next monday 9am", "dec 12 6pm", "12th december 18:00". No word
// means one thing in French and another in English, so both are read
// together. Dates with slashes are day first in both ("12/12", "25/12").
//
// "18.30" is not a time: Swiss and Belgian French write dates with dots
// ("12.12"), so a dotted pair would be a guess either way.
package frdate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Weekdays are written in full: short forms clash ("mon" is French for
// "my").
var weekdays = map[string]time.Weekday{
	"dimanche": time.Sunday, "lundi": time.Monday, "mardi": time.Tuesday, "mercredi": time.Wednesday,
	"jeudi": time.Thursday, "vendredi": time.Friday, "samedi": time.Saturday,
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

var months = map[string]time.Month{
	"janvier": time.January, "janv": time.January, "fevrier": time.February, "fevr": time.February, "fev": time.February,
	"mars": time.March, "avril": time.April, "avr": time.April, "mai": time.May, "juin": time.June,
	"juillet": time.July, "juil": time.July, "aout": time.August, "septembre": time.September, "sept": time.September,
	"octobre": time.October, "oct": time.October, "novembre": time.November, "nov": time.November,
	"decembre": time.December, "dec": time.December,
	"january": time.January, "jan": time.January, "february": time.February, "feb": time.February,
	"march": time.March, "mar": time.March, "april": time.April, "apr": time.April, "may": time.May,
	"june": time.June, "jun": time.June, "july": time.July, "jul": time.July, "august": time.August,
	"aug": time.August, "september": time.September, "sep": time.September, "october": time.October,
	"november": time.November, "december": time.December,
}

// filler words carry no meaning for the date.
var filler = map[string]bool{
	"le": true, "a": true, "au": true, "vers": true, "ce": true, "cet": true, "cette": true, "du": true, "de": true,
	"at": true, "on": true, "the": true, "this": true, "of": true, "around": true,
}

// Parts of the day name no hour: "demain soir" is a day without a time,
// for the member to be asked the hour rather than given one they did not
// write. With an hour, the afternoon and the evening make "8h" 20:00, as
// "8h du soir" is said; the morning changes no hour. Without a day they
// are today's: "ce soir".
const (
	morning = iota + 1
	afternoon
	evening
)

var dayParts = map[string]int{
	"matin": morning, "matinee": morning,
	"apres-midi": afternoon, "l'apres-midi": afternoon, "aprem": afternoon,
	"soir": evening, "soiree": evening, "nuit": evening,
	"morning": morning, "afternoon": afternoon, "evening": evening, "night": evening,
}

// MaxAhead is how far ahead a date may be: commands.MaxDuration, the
// bound on durations members type, so a deadline written as a date or as
// a duration has one limit.
const MaxAhead = 366 * 24 * time.Hour

// Read's refusals. All but ErrUnreadable come as an *Error that carries
// what was understood, so the member can be told why the text was
// refused rather than that it was not understood.
var (
	ErrUnreadable   = errors.New("unreadable date")
	ErrPast         = errors.New("date in the past")
	ErrTooFar       = errors.New("date too far ahead")
	ErrWrongWeekday = errors.New("weekday does not match the date") // "samedi 13 décembre" on a Sunday
	ErrNoSuchDay    = errors.New("no such day")                     // "31/02"
)

// Error is a date that was read but refused.
type Error struct {
	Err error
	// Time is the date understood (ErrPast, ErrTooFar, ErrWrongWeekday;
	// at midnight when the text has no time); zero for ErrNoSuchDay.
	Time time.Time
	// Weekday is the weekday written, for ErrWrongWeekday.
	Weekday time.Weekday
	// Day, Month and Year are the day written, for ErrNoSuchDay; Year is
	// 0 when the text has none.
	Day   int
	Month time.Month
	Year  int
}

func (e *Error) Error() string {
	if errors.Is(e.Err, ErrNoSuchDay) {
		return fmt.Sprintf("%v: %d/%d/%d", e.Err, e.Day, e.Month, e.Year)
	}
	return e.Err.Error() + ": " + e.Time.Format(time.RFC3339)
}
func (e *Error) Unwrap() error { return e.Err }

// Reading is what Read understood.
type Reading struct {
	Time time.Time // in the location given to Read
}

// Parse is Read for callers that only need an accepted date.
func Parse(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	r, err := Read(s, now, loc)
	return r.Time, err == nil
}

// Read reads a date and time, relative to now, in loc: "samedi 18h30",
// "demain 19h", "12/12/2026 18h30", "12 décembre à 18h30", "18h30",
// "18h 30", "à 9 heures", English ("tomorrow 6pm", "dec 12 6pm") and ISO
// 8601 ("2026-12-12T18:30", "2026-12-12 18:30", with an optional UTC
// offset). The time of day is required. The result must be after now and
// at most MaxAhead later.
//
// Without a day, a time of day is today's if still ahead, else
// tomorrow's; a weekday is its next occurrence (today if the hour is
// ahead). "Prochain" ("next") with a weekday ("mercredi prochain") is its next
// occurrence strictly after today, whatever the hour: typed on a
// Wednesday it is next week's, typed on a Sunday "lundi prochain" is
// tomorrow. French speakers disagree on whether it also skips the
// coming days of this week; one simple rule, shown back to the member
// as a date, beats a guess. A day without a year is the nearest
// occurrence of that day, this year's, last year's or next year's:
// "15/01" typed in December is next January, but "12/11" typed on 7
// December is last month, refused as past rather than silently moved
// eleven months ahead. "aujourd'hui 9h" at 10h and an explicit past year
// are refused as past too.
func Read(s string, now time.Time, loc *time.Location) (Reading, error) {
	if len(s) > 100 {
		return Reading{}, ErrUnreadable
	}
	now = now.In(loc)
	if t, ok := readISOWithOffset(strings.TrimSpace(s)); ok {
		return check(t.In(loc), now)
	}
	x, err := read(tokens(s))
	if err != nil {
		return Reading{}, ErrUnreadable
	}
	if x.hour < 0 {
		// Without a time the text is unreadable (DayWithoutTime tells
		// which day it names), unless no time could make the day right:
		// then the member is told why.
		x.hour = 0
		if _, err := x.resolve(now, loc); errors.Is(err, ErrWrongWeekday) || errors.Is(err, ErrNoSuchDay) {
			return Reading{}, err
		}
		return Reading{}, ErrUnreadable
	}
	t, err := x.resolve(now, loc)
	if err != nil {
		return Reading{}, err
	}
	return check(t, now)
}

// words is what a text says about a date, before it is placed relative
// to now. Zero, or -1 where marked, means the text does not say.
type words struct {
	day, month, year int
	weekday          int // -1
	offset           int // days from today, when hasOffset
	hasOffset        bool
	next             bool // "prochain": a weekday strictly after today
	part             int  // morning, afternoon, evening; 0 if none
	hour, minute     int  // hour -1
	meridiem         bool // the hour was written with am or pm
}

// namesDay tells whether the words name a day, with or without a time.
func (x words) namesDay() bool {
	return x.day != 0 || x.month != 0 || x.year != 0 || x.weekday >= 0 || x.hasOffset
}

// read reads the tokens of a text; an error means it is not a date.
func read(ws []string) (words, error) {
	x := words{weekday: -1, hour: -1}
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		switch {
		case filler[w]:
		case w == "prochain" || w == "prochaine" || w == "next":
			x.next = true
		case w == "tonight":
			if x.part != 0 || x.hasOffset {
				return words{}, ErrUnreadable
			}
			x.part = evening
			x.offset, x.hasOffset = 0, true
		case dayParts[w] != 0 || (w == "apres" || w == "l'apres") && i+1 < len(ws) && ws[i+1] == "midi":
			if x.part != 0 {
				return words{}, ErrUnreadable
			}
			if w == "apres" || w == "l'apres" {
				w = "apres-midi"
				i++
			}
			x.part = dayParts[w]
		case w == "aujourd'hui" || w == "aujourdhui" || w == "today":
			x.offset, x.hasOffset = 0, true
		case w == "demain" || w == "tomorrow":
			x.offset, x.hasOffset = 1, true
		case w == "hier" || w == "yesterday":
			// Read only to say it is past.
			x.offset, x.hasOffset = -1, true
		case w == "avant-hier" || w == "avant" && i+1 < len(ws) && ws[i+1] == "hier":
			if w == "avant" {
				i++
			}
			x.offset, x.hasOffset = -2, true
		case w == "apres-demain" || w == "apres" && i+1 < len(ws) && ws[i+1] == "demain":
			if w == "apres" {
				i++
			}
			x.offset, x.hasOffset = 2, true
		case isWeekday(w):
			if x.weekday >= 0 {
				return words{}, ErrUnreadable
			}
			x.weekday = int(weekdays[w])
		case months[w] != 0:
			if x.month != 0 {
				return words{}, ErrUnreadable
			}
			x.month = int(months[w])
		case isISODate(w):
			if x.day != 0 || x.month != 0 {
				return words{}, ErrUnreadable
			}
			var clock string
			var ok bool
			if x.year, x.month, x.day, clock, ok = parseISO(w); !ok {
				return words{}, ErrUnreadable
			}
			if clock != "" {
				if x.hour >= 0 {
					return words{}, ErrUnreadable
				}
				if x.hour, x.minute, ok = parseTime(clock); !ok {
					return words{}, ErrUnreadable
				}
			}
		case isOrdinal(w):
			// "12th december", "december 12th".
			if x.day != 0 || !nextToMonth(ws, i) {
				return words{}, ErrUnreadable
			}
			x.day, _ = strconv.Atoi(strings.TrimRight(w, "stndrh"))
		case isTime(w):
			if x.hour >= 0 {
				return words{}, ErrUnreadable
			}
			var ok bool
			if x.hour, x.minute, ok = parseTime(w); !ok {
				return words{}, ErrUnreadable
			}
			x.meridiem = strings.HasSuffix(w, "am") || strings.HasSuffix(w, "pm")
		case strings.Contains(w, "/"):
			if x.day != 0 {
				return words{}, ErrUnreadable
			}
			var ok bool
			if x.day, x.month, x.year, ok = parseSlashed(w); !ok {
				return words{}, ErrUnreadable
			}
		case allDigits(w) && len(w) <= 4:
			n, _ := strconv.Atoi(w)
			switch {
			case x.day == 0 && len(w) <= 2 && nextToMonth(ws, i):
				x.day = n // "12 décembre", "dec 12"
			case x.month != 0 && x.year == 0 && len(w) == 4:
				x.year = n
			default:
				return words{}, ErrUnreadable
			}
		case w == "1er":
			x.day = 1
		default:
			return words{}, ErrUnreadable
		}
	}
	if x.part != 0 && !x.namesDay() {
		x.offset, x.hasOffset = 0, true // "ce soir" is today's
	}
	return x, nil
}

// resolve places the words relative to now, at their time of day, which
// the caller has set.
func (x words) resolve(now time.Time, loc *time.Location) (time.Time, error) {
	hour, later := x.hour, 0
	switch {
	case x.part == evening && hour < 6:
		later = 1 // "ce soir minuit", "demain soir 1h": the night after that evening
	case x.part == morning && hour >= 12 && x.meridiem:
		return time.Time{}, ErrUnreadable // "tomorrow morning 8pm"
	case (x.part == afternoon || x.part == evening) && hour < 12 && x.meridiem:
		return time.Time{}, ErrUnreadable // "tomorrow evening 8am"
	case (x.part == afternoon || x.part == evening) && hour < 12:
		hour += 12 // "8h du soir"
	}
	today := func(days int) time.Time {
		return time.Date(now.Year(), now.Month(), now.Day()+days+later, hour, x.minute, 0, 0, loc)
	}
	switch {
	case x.day != 0 || x.month != 0:
		if x.day == 0 || x.month == 0 || x.hasOffset {
			return time.Time{}, ErrUnreadable
		}
		t, ok := dated(x.year, x.month, x.day, hour, x.minute, now, loc)
		if !ok {
			return time.Time{}, &Error{Err: ErrNoSuchDay, Day: x.day, Month: time.Month(x.month), Year: x.year}
		}
		if x.weekday >= 0 && int(t.Weekday()) != x.weekday {
			// "samedi 12 décembre" must be a Saturday.
			return time.Time{}, &Error{Err: ErrWrongWeekday, Time: t, Weekday: time.Weekday(x.weekday)}
		}
		return t.AddDate(0, 0, later), nil
	case x.hasOffset:
		if x.weekday >= 0 {
			return time.Time{}, ErrUnreadable
		}
		return today(x.offset), nil
	case x.weekday >= 0:
		ahead := (x.weekday - int(now.Weekday()) + 7) % 7
		if x.next && ahead == 0 {
			ahead = 7
		}
		if t := today(ahead); t.After(now) || x.next {
			return t, nil
		}
		return today(ahead + 7), nil
	}
	// A bare time: today if still ahead, else tomorrow.
	if t := today(0); t.After(now) {
		return t, nil
	}
	return today(1), nil
}

// check refuses a date understood but not ahead, or too far ahead.
func check(t, now time.Time) (Reading, error) {
	switch {
	case !t.After(now):
		return Reading{}, &Error{Err: ErrPast, Time: t}
	case t.Sub(now) > MaxAhead:
		return Reading{}, &Error{Err: ErrTooFar, Time: t}
	}
	return Reading{Time: t}, nil
}

// dated builds a day of a month at a time. Without a year it picks the
// occurrence of that day nearest to now (see Read). Days that do not exist
// (31/02, 29/02 of a common year) are refused.
func dated(year, month, day, hour, minute int, now time.Time, loc *time.Location) (time.Time, bool) {
	build := func(y int) (time.Time, bool) {
		t := time.Date(y, time.Month(month), day, hour, minute, 0, 0, loc)
		return t, t.Day() == day && t.Month() == time.Month(month)
	}
	if year != 0 {
		return build(year)
	}
	var best time.Time
	found := false
	for _, y := range []int{now.Year() - 1, now.Year(), now.Year() + 1} {
		t, ok := build(y)
		if ok && (!found || distance(t, now) < distance(best, now)) {
			best, found = t, true
		}
	}
	return best, found
}

func distance(a, b time.Time) time.Duration {
	if d := a.Sub(b); d >= 0 {
		return d
	}
	return b.Sub(a)
}

// readISOWithOffset reads an ISO 8601 date and time with an explicit UTC
// offset ("2026-12-12T18:30Z", "2026-12-12T18:30:00+01:00"); without an
// offset the date is read in the community's time zone by Read.
func readISOWithOffset(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// isISODate is true for tokens starting with an ISO 8601 date, "2026-12-12".
func isISODate(w string) bool {
	return len(w) >= 10 && allDigits(w[:4]) && w[4] == '-' && allDigits(w[5:7]) && w[7] == '-' && allDigits(w[8:10])
}

// parseISO reads "2026-12-12" and "2026-12-12t18:30" (tokens are lower
// case), seconds allowed; clock is the time of day, "" without one.
func parseISO(w string) (year, month, day int, clock string, ok bool) {
	year, _ = strconv.Atoi(w[:4])
	month, _ = strconv.Atoi(w[5:7])
	day, _ = strconv.Atoi(w[8:10])
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return 0, 0, 0, "", false
	}
	rest := w[10:]
	if rest == "" {
		return year, month, day, "", true
	}
	if rest[0] != 't' || !strings.Contains(rest, ":") {
		return 0, 0, 0, "", false
	}
	clock = rest[1:]
	if hm, sec, found := strings.Cut(clock, ":"); found {
		if m, s, hasSec := strings.Cut(sec, ":"); hasSec {
			if len(s) != 2 || !allDigits(s) || s > "59" {
				return 0, 0, 0, "", false
			}
			clock = hm + ":" + m
		}
	}
	return year, month, day, clock, true
}

// tokens lowercases, drops accents and splits on spaces and commas.
func tokens(s string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	plain, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		return []string{"\x00"} // unreadable: refused by the caller
	}
	plain = strings.ReplaceAll(plain, "’", "'")
	// "à" became "a"; "18 h 30", "18 h", "18h 30" and "9 heures" are glued
	// back into one time, as "18h30", "18h" and "9h": "9 heures" is a time
	// of day as "9h" is ("dans 9 heures" is a duration, which Read refuses
	// for the caller to read).
	fields := strings.FieldsFunc(plain, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	var out []string
	for i, f := range fields {
		// "déc." is "déc", "6p.m." is "6pm".
		if m := strings.TrimSuffix(f, "."); months[m] != 0 {
			fields[i] = m
		}
		for dotted, m := range meridiems {
			if clock, found := strings.CutSuffix(f, dotted); found && clock != "" && dotted != m {
				fields[i] = clock + m
			}
		}
	}
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if allDigits(f) && i+1 < len(fields) && (fields[i+1] == "h" || fields[i+1] == "heure" || fields[i+1] == "heures") {
			f += "h"
			i++
		}
		if isHour(f) && minutesFollow(fields, i) {
			f += fields[i+1]
			i++
		}
		// "6 pm", "6:30 p.m." are "6pm", "6:30pm".
		if f != "" && f[0] >= '0' && f[0] <= '9' && i+1 < len(fields) {
			if m := meridiems[fields[i+1]]; m != "" {
				f += m
				i++
			}
		}
		out = append(out, f)
	}
	return out
}

var meridiems = map[string]string{"am": "am", "a.m.": "am", "pm": "pm", "p.m.": "pm"}

// isHour is true for a whole hour without minutes: "18h".
func isHour(f string) bool {
	return len(f) >= 2 && len(f) <= 3 && f[len(f)-1] == 'h' && allDigits(f[:len(f)-1])
}

// minutesFollow tells whether the field after fields[i] is minutes: two
// digits, not a day before its month ("18h 12 décembre").
func minutesFollow(fields []string, i int) bool {
	if i+1 >= len(fields) || len(fields[i+1]) != 2 || !allDigits(fields[i+1]) {
		return false
	}
	return i+2 >= len(fields) || months[fields[i+2]] == 0
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isWeekday(w string) bool {
	_, ok := weekdays[w]
	return ok
}

// isOrdinal is true for an English day of the month: "1st", "12th".
func isOrdinal(w string) bool {
	for _, suffix := range []string{"st", "nd", "rd", "th"} {
		if n, found := strings.CutSuffix(w, suffix); found && allDigits(n) && len(n) <= 2 {
			return true
		}
	}
	return false
}

// nextToMonth tells whether ws[i] is next to a month: "12 décembre",
// "dec 12", "12th of december".
func nextToMonth(ws []string, i int) bool {
	after := i + 1
	if after+1 < len(ws) && ws[after] == "of" {
		after++
	}
	return after < len(ws) && months[ws[after]] != 0 || i > 0 && months[ws[i-1]] != 0
}

// namedTimes are times of day written as words.
var namedTimes = map[string]int{"midi": 12, "minuit": 0, "noon": 12, "midday": 12, "midnight": 0}

func isTime(w string) bool {
	if _, ok := namedTimes[w]; ok {
		return true
	}
	return w != "" && w[0] >= '0' && w[0] <= '9' &&
		(strings.ContainsAny(w, "h:") || strings.HasSuffix(w, "am") || strings.HasSuffix(w, "pm"))
}

// parseTime reads "18h", "18h30", "18:30", "6pm", "6:30am", "midi",
// "noon", "minuit", "midnight". With am or pm the hour is 1 to 12, and
// 12am is midnight, 12pm noon.
func parseTime(w string) (hour, minute int, ok bool) {
	if h, ok := namedTimes[w]; ok {
		return h, 0, true
	}
	if clock, pm := strings.CutSuffix(w, "pm"); pm || strings.HasSuffix(w, "am") {
		if !pm {
			clock = strings.TrimSuffix(w, "am")
		}
		if strings.Contains(clock, "h") {
			return 0, 0, false // "6h30pm" mixes two ways
		}
		if !strings.Contains(clock, ":") {
			clock += ":00"
		}
		hour, minute, ok = parseTime(clock)
		if !ok || hour < 1 || hour > 12 {
			return 0, 0, false
		}
		hour %= 12
		if pm {
			hour += 12
		}
		return hour, minute, true
	}
	h, m, found := strings.Cut(w, "h")
	if !found {
		h, m, found = strings.Cut(w, ":")
		if !found || m == "" {
			return 0, 0, false
		}
	}
	if !allDigits(h) || len(h) > 2 {
		return 0, 0, false
	}
	hour, _ = strconv.Atoi(h)
	if m != "" {
		if !allDigits(m) || len(m) != 2 {
			return 0, 0, false
		}
		minute, _ = strconv.Atoi(m)
	}
	if hour > 23 || minute > 59 {
		return 0, 0, false
	}
	return hour, minute, true
}

// parseSlashed reads "12/12" and "12/12/2026" (day first, as in France).
func parseSlashed(w string) (day, month, year int, ok bool) {
	parts := strings.Split(w, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		if !allDigits(p) || len(p) > 4 || (i < 2 && len(p) > 2) {
			return 0, 0, 0, false
		}
		nums[i], _ = strconv.Atoi(p)
	}
	day, month = nums[0], nums[1]
	if len(nums) == 3 {
		year = nums[2]
		if len(parts[2]) == 2 {
			year += 2000
		} else if len(parts[2]) != 4 {
			return 0, 0, 0, false
		}
	}
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return 0, 0, 0, false
	}
	return day, month, year, true
}

// DayWithoutTime tells whether s names a day but no time of day
// ("12/12/2026", "samedi", "demain", "2026-12-12"), which Read refuses as
// unreadable, and which day it names (at midnight, in loc), so a caller
// can tell a member that only the time is missing. It changes nothing in
// what Read accepts: it is only asked about texts Read refused.
func DayWithoutTime(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	if len(s) > 100 {
		return time.Time{}, false
	}
	if _, err := Read(s, now, loc); !errors.Is(err, ErrUnreadable) {
		return time.Time{}, false
	}
	x, err := read(tokens(s))
	if err != nil || x.hour >= 0 || !x.namesDay() {
		return time.Time{}, false
	}
	// The latest time of the day, so "samedi" typed on a Saturday morning
	// is that day, as the member means it.
	x.hour, x.minute = 23, 59
	t, err := x.resolve(now.In(loc), loc)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc), true
}
