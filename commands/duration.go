package commands

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

var durationUnits = []struct {
	names []string
	unit  time.Duration
}{
	{[]string{"semaines", "semaine", "sem", "weeks", "week", "w"}, 7 * 24 * time.Hour},
	{[]string{"jours", "jour", "days", "day", "j", "d"}, 24 * time.Hour},
	{[]string{"heures", "heure", "hours", "hour", "h"}, time.Hour},
	{[]string{"minutes", "minute", "mins", "min", "mn", "m"}, time.Minute},
	{[]string{"secondes", "seconde", "seconds", "second", "sec", "s"}, time.Second},
}

// MaxDuration bounds durations members type, far beyond any poll or meetup
// and far from overflowing time.Duration.
const MaxDuration = 366 * 24 * time.Hour

// ParseDuration reads durations as French and English speakers write them:
// "2j", "3h30", "1 jour 12 h", "90min", "45s", "2 weeks". A number after
// hours without a unit counts minutes ("3h30"). It returns false for
// anything else, including zero and negative durations.
func ParseDuration(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, false
	}
	var total time.Duration
	var last time.Duration
	for s != "" {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i > 6 {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:i])
		s = strings.TrimLeftFunc(s[i:], unicode.IsSpace)
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
			if last != time.Hour || s != "" {
				return 0, false
			}
			unit = time.Minute
		}
		if last != 0 && unit >= last {
			return 0, false // "2h 3j" and "1h1h" are typos, not durations
		}
		last = unit
		total += time.Duration(n) * unit
		if total > MaxDuration {
			return 0, false
		}
		s = strings.TrimLeft(s, " ,")
		s = strings.TrimPrefix(s, "et ")
		s = strings.TrimPrefix(s, "and ")
	}
	return total, total > 0
}

func startsWithLetter(s string) bool {
	for _, r := range s {
		return unicode.IsLetter(r)
	}
	return false
}
