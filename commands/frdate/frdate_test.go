package frdate

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// Monday 7 December 2026, 10:00 in Paris.
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, paris)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	tests := []struct {
		in   string
		want time.Time // zero: refused
	}{
		{"samedi 18h30", at(2026, 12, 12, 18, 30)},
		{"Samedi à 18h30", at(2026, 12, 12, 18, 30)},
		{"samedi prochain 18h", at(2026, 12, 12, 18, 0)},
		{"lundi 11h", at(2026, 12, 7, 11, 0)},  // today, still ahead
		{"lundi 9h", at(2026, 12, 14, 9, 0)},   // today has passed: next week
		{"lundi 10h", at(2026, 12, 14, 10, 0)}, // exactly now is not ahead
		{"dimanche 20h", at(2026, 12, 13, 20, 0)},
		{"demain 19h", at(2026, 12, 8, 19, 0)},
		{"demain à 8h05", at(2026, 12, 8, 8, 5)},
		{"après-demain 19h", at(2026, 12, 9, 19, 0)},
		{"apres demain 7:30", at(2026, 12, 9, 7, 30)},
		{"aujourd'hui 18h", at(2026, 12, 7, 18, 0)},
		{"aujourd’hui 18 h 30", at(2026, 12, 7, 18, 30)},
		{"ce soir", time.Time{}},
		{"aujourd'hui 9h", time.Time{}}, // in the past
		{"18h", at(2026, 12, 7, 18, 0)},
		{"9h", at(2026, 12, 8, 9, 0)},
		{"midi", at(2026, 12, 7, 12, 0)},
		{"demain midi", at(2026, 12, 8, 12, 0)},
		{"12/12 18h30", at(2026, 12, 12, 18, 30)},
		{"12/12/2026 18h30", at(2026, 12, 12, 18, 30)},
		{"12/12/26 18h30", at(2026, 12, 12, 18, 30)},
		{"1/12 18h", at(2027, 12, 1, 18, 0)}, // passed this year: next year
		{"12 décembre 18h30", at(2026, 12, 12, 18, 30)},
		{"12 decembre a 18h30", at(2026, 12, 12, 18, 30)},
		{"le 12 décembre à 18h30", at(2026, 12, 12, 18, 30)},
		{"samedi 12 décembre 18h30", at(2026, 12, 12, 18, 30)},
		{"vendredi 12 décembre 18h30", time.Time{}}, // 12 December is a Saturday
		{"3 janvier 2027 9h", at(2027, 1, 3, 9, 0)},
		{"3 janvier 10h", at(2027, 1, 3, 10, 0)},
		{"1er mars 10h", at(2027, 3, 1, 10, 0)},
		{"14 févr. 10h", time.Time{}}, // abbreviations with a dot are not accepted
		{"14 fev 10h", at(2027, 2, 14, 10, 0)},
		{"31/02 10h", time.Time{}},
		{"29/02 10h", time.Time{}}, // 2027 is not a leap year
		{"29/02/2028 10h", at(2028, 2, 29, 10, 0)},
		{"12/12", time.Time{}}, // the time is required
		{"samedi", time.Time{}},
		{"25h", time.Time{}},
		{"18h61", time.Time{}},
		{"18h3", time.Time{}},
		{"", time.Time{}},
		{"samedi dimanche 18h", time.Time{}},
		{"demain samedi 18h", time.Time{}},
		{"18h 19h", time.Time{}},
		{"12/12 13/12 18h", time.Time{}},
		{"13/13 18h", time.Time{}},
		{"1/1/1 10h", time.Time{}},
		{"2j", time.Time{}},
		{"n'importe quoi", time.Time{}},
		{"12 décembre 2025 10h", time.Time{}}, // in the past
	}
	for _, tt := range tests {
		got, ok := Parse(tt.in, now, paris)
		if tt.want.IsZero() {
			if ok {
				t.Errorf("Parse(%q) = %v, want refusal", tt.in, got)
			}
			continue
		}
		if !ok || !got.Equal(tt.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
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

func FuzzParse(f *testing.F) {
	for _, s := range []string{"samedi 18h30", "demain 19h", "12/12 18h30", "12 décembre 18h30", "1er mars 10h", "après demain midi", "29/02/2028 10h"} {
		f.Add(s)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, paris)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := Parse(s, now, paris)
		if !ok {
			return
		}
		if !got.After(now) {
			t.Fatalf("Parse(%q) = %v, not after now", s, got)
		}
		if got.Sub(now) > 3*366*24*time.Hour {
			t.Fatalf("Parse(%q) = %v, implausibly far", s, got)
		}
		if got.Location() != paris {
			t.Fatalf("Parse(%q) in %v", s, got.Location())
		}
	})
}
