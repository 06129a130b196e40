package frdate

import (
	"errors"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Monday 7 December 2026, 10:00 in Paris.
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, paris)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	var none time.Time
	tests := []struct {
		in   string
		want time.Time // accepted, or understood when err is ErrPast or ErrTooFar
		err  error
	}{
		{"samedi 18h30", at(2026, 12, 12, 18, 30), nil},
		{"Samedi à 18h30", at(2026, 12, 12, 18, 30), nil},
		{"samedi prochain 18h", at(2026, 12, 12, 18, 0), nil},
		{"lundi 11h", at(2026, 12, 7, 11, 0), nil},           // today, still ahead
		{"lundi 9h", at(2026, 12, 14, 9, 0), nil},            // today has passed: next week
		{"lundi 10h", at(2026, 12, 14, 10, 0), nil},          // exactly now is not ahead
		{"lundi prochain 11h", at(2026, 12, 14, 11, 0), nil}, // "prochain" is never today
		{"prochain lundi 11h", at(2026, 12, 14, 11, 0), nil},
		{"mardi prochain 9h", at(2026, 12, 8, 9, 0), nil}, // tomorrow is after today
		{"dimanche prochain à 20h", at(2026, 12, 13, 20, 0), nil},
		{"dimanche 20h", at(2026, 12, 13, 20, 0), nil},
		{"demain 19h", at(2026, 12, 8, 19, 0), nil},
		{"demain à 8h05", at(2026, 12, 8, 8, 5), nil},
		{"après-demain 19h", at(2026, 12, 9, 19, 0), nil},
		{"apres demain 7:30", at(2026, 12, 9, 7, 30), nil},
		{"aujourd'hui 18h", at(2026, 12, 7, 18, 0), nil},
		{"aujourd’hui 18 h 30", at(2026, 12, 7, 18, 30), nil},
		// A part of the day names no hour: the caller asks for it.
		{"ce soir", none, ErrUnreadable},
		{"demain matin", none, ErrUnreadable},
		{"vendredi soir", none, ErrUnreadable},
		// With an hour, the afternoon and the evening are after noon.
		{"ce soir 20h", at(2026, 12, 7, 20, 0), nil},
		{"ce soir à 8h30", at(2026, 12, 7, 20, 30), nil},
		{"8h du soir", at(2026, 12, 7, 20, 0), nil},
		{"ce soir minuit", at(2026, 12, 8, 0, 0), nil}, // the midnight ending the evening
		{"demain soir 19h", at(2026, 12, 8, 19, 0), nil},
		{"demain soir 1h", at(2026, 12, 9, 1, 0), nil}, // the night after that evening, not 13:00
		{"cette nuit 2h", at(2026, 12, 8, 2, 0), nil},
		{"vendredi soir 7h", at(2026, 12, 11, 19, 0), nil},
		{"samedi 12 décembre au soir 8h", at(2026, 12, 12, 20, 0), nil},
		{"vendredi soir minuit", at(2026, 12, 12, 0, 0), nil},
		{"demain après-midi 3h", at(2026, 12, 8, 15, 0), nil},
		{"demain apres midi 14h30", at(2026, 12, 8, 14, 30), nil},
		{"3h de l'après-midi", at(2026, 12, 7, 15, 0), nil},
		{"3h de l'après midi", at(2026, 12, 7, 15, 0), nil},
		{"demain matin 9h", at(2026, 12, 8, 9, 0), nil},
		{"demain matin 18h", at(2026, 12, 8, 18, 0), nil}, // the hour written wins
		{"ce matin 9h", at(2026, 12, 7, 9, 0), ErrPast},   // today's, never tomorrow's
		{"hier soir 20h", at(2026, 12, 6, 20, 0), ErrPast},
		{"soir matin 9h", none, ErrUnreadable},
		{"aujourd'hui 9h", at(2026, 12, 7, 9, 0), ErrPast},
		{"hier 10h", at(2026, 12, 6, 10, 0), ErrPast},
		{"hier à 18h", at(2026, 12, 6, 18, 0), ErrPast},
		{"avant-hier 10h", at(2026, 12, 5, 10, 0), ErrPast},
		{"avant hier 10h", at(2026, 12, 5, 10, 0), ErrPast},
		{"hier samedi 10h", none, ErrUnreadable},
		// A time of day alone is today's, or tomorrow's once passed.
		{"18h", at(2026, 12, 7, 18, 0), nil},
		{"18h30", at(2026, 12, 7, 18, 30), nil},
		{"18:30", at(2026, 12, 7, 18, 30), nil},
		{"18h 30", at(2026, 12, 7, 18, 30), nil}, // minutes after a space, as "18 h 30"
		{"demain 8h 05", at(2026, 12, 8, 8, 5), nil},
		{"18h 12 décembre", at(2026, 12, 12, 18, 0), nil}, // a day before its month is no minutes
		{"18 h 30 décembre", at(2026, 12, 30, 18, 0), nil},
		{"18h 3", none, ErrUnreadable},
		// "N heures" is a time of day, as "Nh" is.
		{"9 heures", at(2026, 12, 8, 9, 0), nil},
		{"à 18 heures", at(2026, 12, 7, 18, 0), nil},
		{"demain à 9 heures", at(2026, 12, 8, 9, 0), nil},
		{"samedi 9 heures 30", at(2026, 12, 12, 9, 30), nil},
		{"1 heure", at(2026, 12, 8, 1, 0), nil},
		{"2 heures", at(2026, 12, 8, 2, 0), nil},
		{"25 heures", none, ErrUnreadable},
		{"18h 30 45", none, ErrUnreadable},
		{"à 18h", at(2026, 12, 7, 18, 0), nil},
		{"9h", at(2026, 12, 8, 9, 0), nil},
		{"2h", at(2026, 12, 8, 2, 0), nil},
		{"10h", at(2026, 12, 8, 10, 0), nil},
		{"midi", at(2026, 12, 7, 12, 0), nil},
		{"demain midi", at(2026, 12, 8, 12, 0), nil},
		{"12/12 18h30", at(2026, 12, 12, 18, 30), nil},
		{"12/12/2026 18h30", at(2026, 12, 12, 18, 30), nil},
		{"le 12/12/2026 à 18h30", at(2026, 12, 12, 18, 30), nil},
		{"12/12/26 18h30", at(2026, 12, 12, 18, 30), nil},
		// A day without a year is its nearest occurrence: last month's is
		// past, next January's is ahead.
		{"12/11 18h", at(2026, 11, 12, 18, 0), ErrPast},
		{"1/12 18h", at(2026, 12, 1, 18, 0), ErrPast},
		{"15/01 18h", at(2027, 1, 15, 18, 0), nil},
		{"7/12 9h", at(2026, 12, 7, 9, 0), ErrPast},
		{"12 décembre 18h30", at(2026, 12, 12, 18, 30), nil},
		{"12 decembre a 18h30", at(2026, 12, 12, 18, 30), nil},
		{"le 12 décembre à 18h30", at(2026, 12, 12, 18, 30), nil},
		{"samedi 12 décembre 18h30", at(2026, 12, 12, 18, 30), nil},
		{"vendredi 12 décembre 18h30", at(2026, 12, 12, 18, 30), ErrWrongWeekday}, // 12 December is a Saturday
		{"samedi 13 décembre 18h", at(2026, 12, 13, 18, 0), ErrWrongWeekday},
		{"samedi 13 décembre", at(2026, 12, 13, 0, 0), ErrWrongWeekday}, // no time would make it right
		{"lundi 2026-12-08 10h", at(2026, 12, 8, 10, 0), ErrWrongWeekday},
		{"3 janvier 2027 9h", at(2027, 1, 3, 9, 0), nil},
		{"3 janvier 10h", at(2027, 1, 3, 10, 0), nil},
		{"1er mars 10h", at(2027, 3, 1, 10, 0), nil},
		{"14 févr. 10h", at(2027, 2, 14, 10, 0), nil}, // abbreviations with a dot
		{"12 déc. 18h", at(2026, 12, 12, 18, 0), nil},
		{"le 12 déc., 18h", at(2026, 12, 12, 18, 0), nil},
		{"12 déc.. 18h", none, ErrUnreadable},
		{"samedi. 18h", none, ErrUnreadable},
		{"14 fev 10h", at(2027, 2, 14, 10, 0), nil},
		{"31/02 10h", none, ErrNoSuchDay},
		{"31/02", none, ErrNoSuchDay}, // no time would make it right
		{"31 avril 2027 10h", none, ErrNoSuchDay},
		{"2026-02-30T10:00", none, ErrNoSuchDay},
		{"29/02 10h", none, ErrNoSuchDay}, // neither 2026 nor 2027 is a leap year
		{"29/02/2027 10h", none, ErrNoSuchDay},
		{"29/02/2028 10h", at(2028, 2, 29, 10, 0), ErrTooFar},
		{"12/12/2027 18h30", at(2027, 12, 12, 18, 30), ErrTooFar},
		{"12 décembre 2025 10h", at(2025, 12, 12, 10, 0), ErrPast},
		// ISO 8601, in the given zone unless the text has an offset.
		{"2026-12-12T18:30", at(2026, 12, 12, 18, 30), nil},
		{"2026-12-12 18:30", at(2026, 12, 12, 18, 30), nil},
		{"2026-12-12T18:30:00", at(2026, 12, 12, 18, 30), nil},
		{"2026-12-12 à 18h30", at(2026, 12, 12, 18, 30), nil},
		{"2026-12-12T17:30Z", at(2026, 12, 12, 18, 30), nil},
		{"2026-12-12T18:30:00+01:00", at(2026, 12, 12, 18, 30), nil},
		{"2026-11-12T18:30", at(2026, 11, 12, 18, 30), ErrPast},
		{"2026-12-12", none, ErrUnreadable}, // the time is required
		{"2026-13-12 10h", none, ErrUnreadable},
		{"2026-12-12T18:30:61", none, ErrUnreadable},
		{"2026-12-12 12/12 10h", none, ErrUnreadable},
		{"12/12", none, ErrUnreadable}, // the time is required
		{"samedi", none, ErrUnreadable},
		{"25h", none, ErrUnreadable},
		{"18h61", none, ErrUnreadable},
		{"18h3", none, ErrUnreadable},
		{"", none, ErrUnreadable},
		{"samedi dimanche 18h", none, ErrUnreadable},
		{"demain samedi 18h", none, ErrUnreadable},
		{"18h 19h", none, ErrUnreadable},
		{"12/12 13/12 18h", none, ErrUnreadable},
		{"13/13 18h", none, ErrUnreadable},
		{"1/1/1 10h", none, ErrUnreadable},
		// English, whatever the member's language.
		{"tomorrow 6pm", at(2026, 12, 8, 18, 0), nil},
		{"Tomorrow at 6 PM", at(2026, 12, 8, 18, 0), nil},
		{"6pm", at(2026, 12, 7, 18, 0), nil},
		{"6:30 p.m.", at(2026, 12, 7, 18, 30), nil},
		{"6:30p.m.", at(2026, 12, 7, 18, 30), nil},
		{"9am", at(2026, 12, 8, 9, 0), nil},
		{"12pm", at(2026, 12, 7, 12, 0), nil},
		{"12am", at(2026, 12, 8, 0, 0), nil},
		{"noon", at(2026, 12, 7, 12, 0), nil},
		{"tomorrow at noon", at(2026, 12, 8, 12, 0), nil},
		{"midnight", at(2026, 12, 8, 0, 0), nil},
		{"saturday 6pm", at(2026, 12, 12, 18, 0), nil},
		{"on Saturday at 6:30pm", at(2026, 12, 12, 18, 30), nil},
		{"tomorrow 18:00", at(2026, 12, 8, 18, 0), nil},
		{"next monday 9am", at(2026, 12, 14, 9, 0), nil},
		{"sunday 10am", at(2026, 12, 13, 10, 0), nil},
		{"monday next 9am", at(2026, 12, 14, 9, 0), nil},
		{"dec 12 6pm", at(2026, 12, 12, 18, 0), nil},
		{"Dec. 12, 6pm", at(2026, 12, 12, 18, 0), nil},
		{"December 12th at 6pm", at(2026, 12, 12, 18, 0), nil},
		{"12 december 18:00", at(2026, 12, 12, 18, 0), nil},
		{"the 12th of december 18:00", at(2026, 12, 12, 18, 0), nil},
		{"january 3, 2027 9am", at(2027, 1, 3, 9, 0), nil},
		{"saturday december 12 6pm", at(2026, 12, 12, 18, 0), nil},
		{"friday december 12 6pm", at(2026, 12, 12, 18, 0), ErrWrongWeekday},
		{"tonight 8pm", at(2026, 12, 7, 20, 0), nil},
		{"tonight at 8", none, ErrUnreadable},
		{"tomorrow tonight 8pm", none, ErrUnreadable},
		{"tonight evening 8pm", none, ErrUnreadable},
		{"tomorrow morning 8pm", none, ErrUnreadable},
		{"tomorrow evening 8", none, ErrUnreadable},
		{"tomorrow evening 8pm", at(2026, 12, 8, 20, 0), nil},
		{"tomorrow evening 8am", none, ErrUnreadable},
		{"yesterday 6pm", at(2026, 12, 6, 18, 0), ErrPast},
		{"today 9am", at(2026, 12, 7, 9, 0), ErrPast},
		{"13pm", none, ErrUnreadable},
		{"0am", none, ErrUnreadable},
		{"6h30pm", none, ErrUnreadable},
		{"12th 6pm", none, ErrUnreadable}, // a day needs its month
		{"dec 12th 13th 6pm", none, ErrUnreadable},
		{"tomorrow", none, ErrUnreadable},
		// Durations are not dates; the caller reads them.
		{"in 2 hours", none, ErrUnreadable},
		{"2 hours", none, ErrUnreadable},
		{"2j", none, ErrUnreadable},
		{"dans 2h", none, ErrUnreadable},
		{"dans 9 heures", none, ErrUnreadable},
		{"2 heures 30 minutes", none, ErrUnreadable},
		{"3h 30min", none, ErrUnreadable},
		{"n'importe quoi", none, ErrUnreadable},
	}
	for _, tt := range tests {
		got, err := Read(tt.in, now, paris)
		if !errors.Is(err, tt.err) || err != nil && tt.err == nil {
			t.Errorf("Read(%q) error %v, want %v", tt.in, err, tt.err)
			continue
		}
		var refused *Error
		switch {
		case tt.err == nil:
			if !got.Time.Equal(tt.want) || got.Time.Location() != paris {
				t.Errorf("Read(%q) = %v, want %v", tt.in, got.Time, tt.want)
			}
		case errors.As(err, &refused):
			if !refused.Time.Equal(tt.want) {
				t.Errorf("Read(%q) understood %v, want %v", tt.in, refused.Time, tt.want)
			}
		case !tt.want.IsZero():
			t.Errorf("Read(%q) = %v without the time understood", tt.in, err)
		}
		// Parse agrees with Read.
		if p, ok := Parse(tt.in, now, paris); ok != (tt.err == nil) || ok && !p.Equal(tt.want) {
			t.Errorf("Parse(%q) = %v, %v", tt.in, p, ok)
		}
	}
}

// "<weekday> prochain" is its next occurrence strictly after today,
// whatever day it is typed on.
func TestReadNextWeekday(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, paris) }
	tests := []struct {
		now  time.Time
		in   string
		want time.Time
	}{
		{at(9, 10), "mercredi prochain 16h", at(16, 16)}, // on a Wednesday: next week's
		{at(9, 10), "mercredi 16h", at(9, 16)},           // without "prochain": today
		{at(9, 10), "jeudi prochain 16h", at(10, 16)},
		{at(13, 10), "lundi prochain 9h", at(14, 9)}, // on a Sunday: tomorrow
		{at(13, 10), "dimanche prochain 9h", at(20, 9)},
		{at(12, 23), "samedi prochaine 8h", at(19, 8)},
	}
	for _, tt := range tests {
		got, err := Read(tt.in, tt.now, paris)
		if err != nil || !got.Time.Equal(tt.want) {
			t.Errorf("Read(%q) on %v = %v, %v; want %v", tt.in, tt.now, got.Time, err, tt.want)
		}
	}
}

// A refusal says what was written: the weekday that does not match, the
// day that does not exist.
func TestReadSaysWhyADayIsWrong(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, paris)
	var refused *Error
	if _, err := Read("samedi 13 décembre 18h", now, paris); !errors.As(err, &refused) || refused.Weekday != time.Saturday || refused.Time.Weekday() != time.Sunday {
		t.Errorf("Read = %v, want Saturday written, Sunday 13 December understood", err)
	}
	tests := []struct {
		in         string
		day, month int
		year       int
	}{
		{"31/02 10h", 31, 2, 0},
		{"29/02/2027", 29, 2, 2027},
		{"31 avril 10h", 31, 4, 0},
	}
	for _, tt := range tests {
		_, err := Read(tt.in, now, paris)
		if !errors.As(err, &refused) || !errors.Is(err, ErrNoSuchDay) || refused.Day != tt.day || refused.Month != time.Month(tt.month) || refused.Year != tt.year {
			t.Errorf("Read(%q) = %v, want no day %d/%d/%d", tt.in, err, tt.day, tt.month, tt.year)
		}
	}
}

// Across the autumn change of time, "demain 10h" is still 10:00 local.
func TestParseKeepsWallClockAcrossDST(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 10, 24, 12, 0, 0, 0, paris)
	got, ok := Parse("demain 10h", now, paris)
	if !ok || got.Hour() != 10 || got.Day() != 25 {
		t.Fatalf("Parse = %v, %v", got, ok)
	}
}

// Early in January, a day of late December is last month's: past.
func TestReadDayWithoutYearAcrossNewYear(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2027, 1, 3, 12, 0, 0, 0, paris)
	_, err := Read("28/12 18h", now, paris)
	var refused *Error
	if !errors.As(err, &refused) || !errors.Is(err, ErrPast) || refused.Time.Year() != 2026 {
		t.Fatalf("Read = %v, want 28 December 2026, past", err)
	}
	got, err := Read("5/01 18h", now, paris)
	if err != nil || !got.Time.Equal(time.Date(2027, 1, 5, 18, 0, 0, 0, paris)) {
		t.Fatalf("Read = %v, %v", got, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"samedi 18h30", "demain 19h", "12/12 18h30", "12 décembre 18h30", "1er mars 10h", "après demain midi", "29/02/2028 10h",
		"18h30", "2026-12-12T18:30", "2026-12-12 18:30", "2026-12-12T17:30:00+01:00", "12/11 18h",
		"18h 30", "18h 12 décembre", "demain à 9 heures", "dans 9 heures", "lundi prochain 11h",
		"samedi 13 décembre 18h", "31/02 10h", "29/02", "hier 10h", "avant hier 9h",
		"ce soir 8h", "ce soir minuit", "demain après midi 3h", "12 déc. 18h",
		"tomorrow 6pm", "6:30 p.m.", "noon", "next monday 9am", "dec 12 6pm", "12th december 18:00", "tonight 8pm"} {
		f.Add(s)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, paris)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Read(s, now, paris)
		var refused *Error
		switch {
		case err == nil:
			if !got.Time.After(now) || got.Time.Sub(now) > MaxAhead {
				t.Fatalf("Read(%q) = %v, out of range", s, got.Time)
			}
			if got.Time.Location() != paris {
				t.Fatalf("Read(%q) in %v", s, got.Time.Location())
			}
		case errors.As(err, &refused):
			past := errors.Is(err, ErrPast) && !refused.Time.After(now)
			far := errors.Is(err, ErrTooFar) && refused.Time.Sub(now) > MaxAhead
			wrongDay := errors.Is(err, ErrWrongWeekday) && refused.Time.Weekday() != refused.Weekday && refused.Time.Location() == paris
			noDay := errors.Is(err, ErrNoSuchDay) && refused.Month >= time.January && refused.Month <= time.December &&
				!exists(refused.Day, refused.Month, refused.Year, now)
			if !past && !far && !wrongDay && !noDay {
				t.Fatalf("Read(%q) refused %+v as %v", s, refused, err)
			}
		case !errors.Is(err, ErrUnreadable):
			t.Fatalf("Read(%q) = unexpected error %v", s, err)
		}
		if p, ok := Parse(s, now, paris); ok != (err == nil) || ok && !p.Equal(got.Time) {
			t.Fatalf("Parse(%q) = %v, %v disagrees with Read", s, p, ok)
		}
	})
}

// exists tells whether a day exists in year or, when year is 0, in one
// of the years around now's, where Read looks for it.
func exists(day int, month time.Month, year int, now time.Time) bool {
	years := []int{year}
	if year == 0 {
		years = []int{now.Year() - 1, now.Year(), now.Year() + 1}
	}
	for _, y := range years {
		if time.Date(y, month, day, 0, 0, 0, 0, time.UTC).Day() == day {
			return true
		}
	}
	return false
}

func TestDayWithoutTime(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, paris) // a Monday
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, paris) }
	tests := []struct {
		in   string
		want time.Time // zero: not a day without a time
	}{
		{"12/12/2026", day(2026, 12, 12)},
		{"12/12", day(2026, 12, 12)},
		{"samedi", day(2026, 12, 12)},
		{"lundi", day(2026, 12, 7)}, // today: the day is not over
		{"lundi prochain", day(2026, 12, 14)},
		{"mardi prochain", day(2026, 12, 8)},
		{"prochain", time.Time{}}, // names no day
		{"demain", day(2026, 12, 8)},
		{"12 décembre", day(2026, 12, 12)},
		{"le 3 janvier 2027", day(2027, 1, 3)},
		{"2026-12-12", day(2026, 12, 12)},
		{"12/11", day(2026, 11, 12)},      // past, but still a day without a time
		{"12/12/2027", day(2027, 12, 12)}, // too far, still a day
		{"samedi 18h30", time.Time{}},     // read by Read
		{"12/12 25h", time.Time{}},        // a bad time is not a missing one
		{"", time.Time{}},                 // nothing
		{"à", time.Time{}},                // a filler word alone names no day
		{"n'importe quoi", time.Time{}},   // nothing understood
		{"31/02", time.Time{}},            // no such day
		{"hier", day(2026, 12, 6)},        // past, still a day: the caller says it is over
		{"ce soir", day(2026, 12, 7)},
		{"cet après-midi", day(2026, 12, 7)},
		{"demain matin", day(2026, 12, 8)},
		{"demain soir", day(2026, 12, 8)},
		{"vendredi soir", day(2026, 12, 11)},
		{"hier soir", day(2026, 12, 6)},
		{"12 déc.", day(2026, 12, 12)},
		{"tomorrow", day(2026, 12, 8)},
		{"tonight", day(2026, 12, 7)},
		{"next saturday", day(2026, 12, 12)},
		{"dec 24", day(2026, 12, 24)},
		{"friday evening", day(2026, 12, 11)},
		{"vendredi 12 décembre", time.Time{}}, // not a Friday
	}
	for _, tt := range tests {
		got, ok := DayWithoutTime(tt.in, now, paris)
		if ok != !tt.want.IsZero() || ok && !got.Equal(tt.want) {
			t.Errorf("DayWithoutTime(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
	}
}

func FuzzDayWithoutTime(f *testing.F) {
	for _, s := range []string{"12/12/2026", "samedi", "demain", "2026-12-12", "12 décembre", "à", "12/12 25h", "lundi prochain", "ce soir", "vendredi soir", "tomorrow", "tonight", "dec 24"} {
		f.Add(s)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, paris)
	f.Fuzz(func(t *testing.T, s string) {
		day, ok := DayWithoutTime(s, now, paris)
		if !ok {
			return
		}
		if _, err := Read(s, now, paris); !errors.Is(err, ErrUnreadable) {
			t.Fatalf("DayWithoutTime(%q) answered for a text Read does not refuse as unreadable", s)
		}
		if day.Hour() != 0 || day.Minute() != 0 || day.Location() != paris {
			t.Fatalf("DayWithoutTime(%q) = %v, not a midnight in Paris", s, day)
		}
	})
}
