package commands

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// month marks a number of months, which is no duration: months differ in
// length, so ReadDuration refuses them with ErrDurationMonths. Its value
// only orders it before weeks.
const month = 31 * 24 * time.Hour

var durationUnits = []struct {
	names []string
	unit  time.Duration
}{
	{[]string{"mois", "months", "month"}, month},
	{[]string{"semaines", "semaine", "sem", "weeks", "week", "w"}, 7 * 24 * time.Hour},
	{[]string{"jours", "jour", "days", "day", "j", "d"}, 24 * time.Hour},
	{[]string{"heures", "heure", "hours", "hour", "h"}, time.Hour},
	{[]string{"minutes", "minute", "mins", "min", "mn", "m"}, time.Minute},
	{[]string{"secondes", "seconde", "seconds", "second", "sec", "s"}, time.Second},
}

// MaxDuration bounds durations members type, far beyond any poll or meetup
// and far from overflowing time.Duration.
const MaxDuration = 366 * 24 * time.Hour

// ReadDuration's refusals: the text is not a duration, or it is one
// longer than MaxDuration, which members are told as the limit, or one
// of zero ("0j", "dans 0h"), which members are told is too short, or a
// number of months ("1 mois"), which has no fixed length: members are
// asked for a date, or days or weeks, rather than given 30 days.
var (
	ErrDurationUnreadable = errors.New("unreadable duration")
	ErrDurationTooLong    = errors.New("duration too long")
	ErrDurationZero       = errors.New("zero duration")
	ErrDurationMonths     = errors.New("months are no fixed duration")
)

// ParseDuration is ReadDuration for callers that only need an accepted
// duration.
func ParseDuration(s string) (time.Duration, bool) {
	d, err := ReadDuration(s)
	return d, err == nil
}

// ReadDuration reads durations as French and English speakers write them:
// "2j", "3h30", "1 jour 12 h", "90min", "45s", "2 weeks", "une heure",
// "an hour", optionally after "dans" or "in" ("dans 2h"). A number after
// hours without a unit counts minutes ("3h30"). Negative and malformed
// durations are ErrDurationUnreadable; a well-formed one beyond
// MaxDuration ("400j") is ErrDurationTooLong, one of zero ("0j")
// ErrDurationZero, one in months ("1 mois") ErrDurationMonths.
func ReadDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, word := range []string{"dans ", "in "} {
		if rest, ok := strings.CutPrefix(s, word); ok {
			s = strings.TrimSpace(rest)
			break
		}
	}
	if s == "" {
		return 0, ErrDurationUnreadable
	}
	var total, last time.Duration
	tooLong, months := false, false
	for s != "" {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		var n int64
		if i == 0 {
			// "une heure", "un jour", "an hour", "a week".
			one := ""
			for _, w := range []string{"une ", "un ", "an ", "a "} {
				if strings.HasPrefix(s, w) {
					one = w
					break
				}
			}
			if one == "" {
				return 0, ErrDurationUnreadable
			}
			n, s = 1, strings.TrimLeftFunc(s[len(one):], unicode.IsSpace)
		} else {
			// 18 digits still fit an int64; any such count of seconds is
			// already far beyond MaxDuration.
			if i > 18 {
				return 0, ErrDurationUnreadable
			}
			n, _ = strconv.ParseInt(s[:i], 10, 64)
			s = strings.TrimLeftFunc(s[i:], unicode.IsSpace)
		}
		unit := time.Duration(0)
		for _, u := range durationUnits {
			for _, name := range u.names {
				if strings.HasPrefix(s, name) && !startsWithLetter(s[len(name):]) {
					unit = u.unit
					s = s[len(name):]
					break
				}
			}
			if unit != 0 {
				break
			}
		}
		if unit == 0 {
			if last != time.Hour || s != "" || i == 0 {
				return 0, ErrDurationUnreadable
			}
			unit = time.Minute
		}
		months = months || unit == month
		if last != 0 && unit >= last {
			return 0, ErrDurationUnreadable // "2h 3j" and "1h1h" are typos, not durations
		}
		last = unit
		// Compare before multiplying, so the product cannot overflow; the
		// rest is still read, so "400j !" is unreadable, not too long.
		if tooLong || n > int64((MaxDuration-total)/unit) {
			tooLong = true
		} else {
			total += time.Duration(n) * unit
		}
		s = strings.TrimLeft(s, " ,")
		s = strings.TrimPrefix(s, "et ")
		s = strings.TrimPrefix(s, "and ")
	}
	switch {
	case months:
		return 0, ErrDurationMonths
	case tooLong:
		return 0, ErrDurationTooLong
	case total == 0:
		return 0, ErrDurationZero
	}
	return total, nil
}

func startsWithLetter(s string) bool {
	for _, r := range s {
		return unicode.IsLetter(r)
	}
	return false
}
