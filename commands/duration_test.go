package commands

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"2j", 48 * time.Hour, true},
		{"3h30", 3*time.Hour + 30*time.Minute, true},
		{"3h 30min", 3*time.Hour + 30*time.Minute, true},
		{"1 jour 12 h", 36 * time.Hour, true},
		{"1 jour et 2 heures", 26 * time.Hour, true},
		{"90min", 90 * time.Minute, true},
		{"45s", 45 * time.Second, true},
		{"2 weeks", 14 * 24 * time.Hour, true},
		{"1sem", 7 * 24 * time.Hour, true},
		{"2d", 48 * time.Hour, true},
		{"  10 M ", 10 * time.Minute, true},
		{"", 0, false},
		{"0h", 0, false},
		{"2", 0, false},
		{"h", 0, false},
		{"2x", 0, false},
		{"2h 3j", 0, false},
		{"1h1h", 0, false},
		{"-2h", 0, false},
		{"9999999h", 0, false},
		{"400j", 0, false},
		{"2jours!", 0, false},
		{"3minutes", 3 * time.Minute, true},
	}
	for _, tt := range tests {
		got, ok := ParseDuration(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"2j", "3h30", "1 jour et 2 heures", "90min"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDuration(s)
		if ok && (d <= 0 || d > MaxDuration) {
			t.Fatalf("ParseDuration(%q) = %v accepted out of range", s, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseDuration(%q) returned %v with false", s, d)
		}
	})
}
