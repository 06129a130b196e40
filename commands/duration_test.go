package commands

import (
	"errors"
	"testing"
	"time"
)

func TestReadDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  error
	}{
		{"2j", 48 * time.Hour, nil},
		{"3h30", 3*time.Hour + 30*time.Minute, nil},
		{"3h 30min", 3*time.Hour + 30*time.Minute, nil},
		{"1 jour 12 h", 36 * time.Hour, nil},
		{"1 jour et 2 heures", 26 * time.Hour, nil},
		{"90min", 90 * time.Minute, nil},
		{"45s", 45 * time.Second, nil},
		{"2 weeks", 14 * 24 * time.Hour, nil},
		{"1sem", 7 * 24 * time.Hour, nil},
		{"2d", 48 * time.Hour, nil},
		{"  10 M ", 10 * time.Minute, nil},
		{"3minutes", 3 * time.Minute, nil},
		{"dans 2h", 2 * time.Hour, nil},
		{"Dans 3 jours", 72 * time.Hour, nil},
		{"in 2 hours", 2 * time.Hour, nil},
		{"1000000s", 1000000 * time.Second, nil},
		{"366j", MaxDuration, nil},
		{"dans une heure", time.Hour, nil},
		{"une heure", time.Hour, nil},
		{"un jour et une heure", 25 * time.Hour, nil},
		{"Dans une semaine", 7 * 24 * time.Hour, nil},
		{"in an hour", time.Hour, nil},
		{"a day", 24 * time.Hour, nil},
		{"une", 0, ErrDurationUnreadable},
		{"une 30", 0, ErrDurationUnreadable},
		{"1h une", 0, ErrDurationUnreadable},
		{"1h une 30", 0, ErrDurationUnreadable},
		{"unheure", 0, ErrDurationUnreadable},
		// Months differ in length: refused, for the caller to ask for a
		// date, or days.
		{"1 mois", 0, ErrDurationMonths},
		{"dans un mois", 0, ErrDurationMonths},
		{"2 months", 0, ErrDurationMonths},
		{"1 mois et 2 jours", 0, ErrDurationMonths},
		{"13 mois", 0, ErrDurationMonths},
		{"2j 1 mois", 0, ErrDurationUnreadable},
		{"1 moist", 0, ErrDurationUnreadable},
		{"", 0, ErrDurationUnreadable},
		{"dans", 0, ErrDurationUnreadable},
		{"dans dans 2h", 0, ErrDurationUnreadable},
		{"0h", 0, ErrDurationZero},
		{"0j", 0, ErrDurationZero},
		{"dans 0h", 0, ErrDurationZero},
		{"0h 0min", 0, ErrDurationZero},
		{"0", 0, ErrDurationUnreadable},
		{"2", 0, ErrDurationUnreadable},
		{"h", 0, ErrDurationUnreadable},
		{"2x", 0, ErrDurationUnreadable},
		{"2h 3j", 0, ErrDurationUnreadable},
		{"1h1h", 0, ErrDurationUnreadable},
		{"-2h", 0, ErrDurationUnreadable},
		{"2jours!", 0, ErrDurationUnreadable},
		{"400j !", 0, ErrDurationUnreadable},
		{"1234567890123456789s", 0, ErrDurationUnreadable},
		// Well formed but too long: the member is told the limit.
		{"400j", 0, ErrDurationTooLong},
		{"366j 1h", 0, ErrDurationTooLong},
		{"53 semaines", 0, ErrDurationTooLong},
		{"9999999h", 0, ErrDurationTooLong},
		{"999999 weeks", 0, ErrDurationTooLong}, // would overflow time.Duration
		{"123456789012345678s", 0, ErrDurationTooLong},
	}
	for _, tt := range tests {
		got, err := ReadDuration(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) || err != nil && tt.err == nil {
			t.Errorf("ReadDuration(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
		}
		if d, ok := ParseDuration(tt.in); ok != (tt.err == nil) || d != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, d, ok, tt.want)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"2j", "3h30", "1 jour et 2 heures", "90min", "dans 2h", "400j", "999999 weeks", "0j", "dans une heure", "1 mois"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ReadDuration(s)
		switch {
		case err == nil:
			if d <= 0 || d > MaxDuration {
				t.Fatalf("ReadDuration(%q) = %v accepted out of range", s, d)
			}
		case errors.Is(err, ErrDurationUnreadable), errors.Is(err, ErrDurationTooLong), errors.Is(err, ErrDurationZero), errors.Is(err, ErrDurationMonths):
			if d != 0 {
				t.Fatalf("ReadDuration(%q) returned %v with %v", s, d, err)
			}
		default:
			t.Fatalf("ReadDuration(%q): unexpected error %v", s, err)
		}
		if p, ok := ParseDuration(s); ok != (err == nil) || p != d {
			t.Fatalf("ParseDuration(%q) = %v, %v disagrees with ReadDuration", s, p, ok)
		}
	})
}
