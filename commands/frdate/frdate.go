// Package frdate reads the dates and times French speakers type: "samedi
// 18h30", "demain 19h", "12/12 18h30", "12 décembre à 18h30". No Go
// natural-language date library handles French, and the forms members use
// are few, so this is a small hand-written parser with table and fuzz tests.
package frdate

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

var weekdays = map[string]time.Weekday{
	"dimanche": time.Sunday, "lundi": time.Monday, "mardi": time.Tuesday, "mercredi": time.Wednesday,
	"jeudi": time.Thursday, "vendredi": time.Friday, "samedi": time.Saturday,
}

var months = map[string]time.Month{
	"janvier": time.January, "janv": time.January, "fevrier": time.February, "fevr": time.February, "fev": time.February,
	"mars": time.March, "avril": time.April, "avr": time.April, "mai": time.May, "juin": time.June,
	"juillet": time.July, "juil": time.July, "aout": time.August, "septembre": time.September, "sept": time.September,
	"octobre": time.October, "oct": time.October, "novembre": time.November, "nov": time.November,
	"decembre": time.December, "dec": time.December,
}

// filler words carry no meaning for the date.
var filler = map[string]bool{"le": true, "a": true, "au": true, "vers": true, "prochain": true, "prochaine": true, "ce": true, "cet": true}

// Parse reads a French date and time, relative to now, in loc. A weekday
// means its next occurrence still to come (today if the hour is ahead); a
// day without a year means its next occurrence. The time of day is
// required. The result is always after now; otherwise ok is false.
func Parse(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	if len(s) > 100 {
		return time.Time{}, false
	}
	now = now.In(loc)
	words := tokens(s)
	var (
		day, month, year int
		weekday          = -1
		offset           = -1 // days from today
		hour, minute     = -1, 0
	)
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case filler[w]:
		case w == "aujourd'hui" || w == "aujourdhui":
			offset = 0
		case w == "demain":
			offset = 1
		case w == "apres-demain" || w == "apres" && i+1 < len(words) && words[i+1] == "demain":
			if w == "apres" {
				i++
			}
			offset = 2
		case weekdays[w] != 0 || w == "dimanche":
			if weekday >= 0 {
				return time.Time{}, false
			}
			weekday = int(weekdays[w])
		case months[w] != 0:
			if month != 0 {
				return time.Time{}, false
			}
			month = int(months[w])
		case isTime(w):
			if hour >= 0 {
				return time.Time{}, false
			}
			var ok bool
			if hour, minute, ok = parseTime(w); !ok {
				return time.Time{}, false
			}
		case strings.Contains(w, "/"):
			if day != 0 {
				return time.Time{}, false
			}
			var ok bool
			if day, month, year, ok = parseSlashed(w); !ok {
				return time.Time{}, false
			}
		case allDigits(w) && len(w) <= 4:
			n, _ := strconv.Atoi(w)
			switch {
			case day == 0 && len(w) <= 2 && (i+1 < len(words) && months[words[i+1]] != 0 || w == "1er"):
				day = n
			case month != 0 && year == 0 && len(w) == 4:
				year = n
			default:
				return time.Time{}, false
			}
		case w == "1er":
			day = 1
		default:
			return time.Time{}, false
		}
	}
	if hour < 0 {
		return time.Time{}, false
	}
	var t time.Time
	switch {
	case day != 0 || month != 0:
		if day == 0 || month == 0 || offset >= 0 {
			return time.Time{}, false
		}
		if year != 0 && (year < now.Year() || year > now.Year()+2) {
			return time.Time{}, false // a typo, not a deadline
		}
		y := year
		if y == 0 {
			y = now.Year()
		}
		t = time.Date(y, time.Month(month), day, hour, minute, 0, 0, loc)
		if t.Day() != day || t.Month() != time.Month(month) {
			return time.Time{}, false // 31/02
		}
		if year == 0 && !t.After(now) {
			t = time.Date(y+1, time.Month(month), day, hour, minute, 0, 0, loc)
			if t.Day() != day {
				return time.Time{}, false // 29/02 in a common year
			}
		}
		if weekday >= 0 && int(t.Weekday()) != weekday {
			return time.Time{}, false // "samedi 12 décembre" must be a Saturday
		}
	case offset >= 0:
		if weekday >= 0 {
			return time.Time{}, false
		}
		t = time.Date(now.Year(), now.Month(), now.Day()+offset, hour, minute, 0, 0, loc)
	case weekday >= 0:
		ahead := (weekday - int(now.Weekday()) + 7) % 7
		t = time.Date(now.Year(), now.Month(), now.Day()+ahead, hour, minute, 0, 0, loc)
		if !t.After(now) {
			t = time.Date(now.Year(), now.Month(), now.Day()+ahead+7, hour, minute, 0, 0, loc)
		}
	default:
		// A bare time: today if still ahead, else tomorrow.
		t = time.Date(now.Year(), now.Month(), now.Day(), hour, minute, 0, 0, loc)
		if !t.After(now) {
			t = time.Date(now.Year(), now.Month(), now.Day()+1, hour, minute, 0, 0, loc)
		}
	}
	if !t.After(now) {
		return time.Time{}, false
	}
	return t, true
}

// tokens lowercases, drops accents and splits on spaces and commas.
func tokens(s string) []string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	plain, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		return []string{"\x00"} // unreadable: refused by the caller
	}
	plain = strings.ReplaceAll(plain, "’", "'")
	// "à" became "a"; "18 h 30" and "18 h" are glued back into one time.
	fields := strings.FieldsFunc(plain, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	var out []string
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if allDigits(f) && i+1 < len(fields) && fields[i+1] == "h" {
			f += "h"
			i++
			if i+1 < len(fields) && allDigits(fields[i+1]) && len(fields[i+1]) == 2 {
				f += fields[i+1]
				i++
			}
		}
		out = append(out, f)
	}
	return out
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

func isTime(w string) bool {
	return strings.Contains(w, "h") || strings.Contains(w, ":") || w == "midi" || w == "minuit"
}

// parseTime reads "18h", "18h30", "18:30", "midi", "minuit".
func parseTime(w string) (hour, minute int, ok bool) {
	switch w {
	case "midi":
		return 12, 0, true
	case "minuit":
		return 0, 0, true
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
