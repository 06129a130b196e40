package commands

import (
	"strconv"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // 0: refused
	}{
		// Digits alone, with spaces around and leading zeros.
		{"1", 1}, {"3", 3}, {"12", 12}, {" 12 ", 12}, {"\t12\n", 12}, {"012", 12}, {"007", 7}, {" 007 ", 7},
		{"100", 100}, {"999999999999", 999999999999},
		// Leading zeros do not count towards the 12 digits.
		{"0999999999999", 999999999999}, {"0000000000000012", 12},
		// Marks, in any case, with or without spaces after them.
		{"n°1", 1}, {"n°12", 12}, {"n° 1", 1}, {"n° 12", 12}, {"n°\u00a01", 1}, {"n°\u00a03", 3}, {"n°\u202f1", 1},
		{"N°1", 1}, {"N°12", 12}, {"N° 12", 12}, {"n°  12 ", 12}, {"n°007", 7},
		{"nº3", 3}, {"Nº 5", 5},
		{"#1", 1}, {"#7", 7}, {"#12", 12}, {"# 1", 1},
		{"no 3", 3}, {"no 4", 4}, {"NO 5", 5}, {"no4", 4}, {"No. 4", 4}, {"no.4", 4},
		// Refused: nothing, a mark alone, zero.
		{"", 0}, {" ", 0}, {"n°", 0}, {"#", 0}, {"no", 0}, {"0", 0}, {"00", 0}, {"000000000000000", 0}, {"n°0", 0}, {"-0", 0},
		// Refused: signs, decimals, exponents, separators, other bases.
		{"-1", 0}, {"+1", 0}, {"n°-3", 0}, {"n° +3", 0}, {"1.5", 0}, {"1e3", 0}, {"0x10", 0}, {"1_000", 0}, {"1 000", 0},
		// Refused: words and numbers followed or mixed with other text.
		{"un", 0}, {"nope", 0}, {"Noé", 0}, {"3a", 0}, {"12a", 0}, {"n°12,", 0}, {"n°1 2", 0}, {"n° 0 12", 0},
		// Refused: two marks, or a mark split or cut.
		{"##1", 0}, {"n°#1", 0}, {"n° n°12", 0}, {"no.. 4", 0}, {"n ° 12", 0}, {"°12", 0}, {"n12", 0},
		// Refused: marks no copy ever read, and digits other than ASCII ones.
		{"№12", 0}, {"１", 0}, {"１２", 0}, {"٣", 0}, {"n°٣", 0},
		// Refused: more than 12 digits.
		{"1000000000000", 0}, {"9999999999999", 0}, {"n°9999999999999", 0},
	}
	for _, tt := range tests {
		got, ok := ParseNumber(tt.in)
		if ok != (tt.want != 0) || got != tt.want {
			t.Errorf("ParseNumber(%q) = %d, %v; want %d", tt.in, got, ok, tt.want)
		}
	}
}

func TestParseID(t *testing.T) {
	tests := []struct {
		in   string
		want int64 // 0: refused
	}{
		{"1", 1}, {"12", 12}, {"100", 100}, {"999999999999", 999999999999},
		// Only the form strconv writes: no zero, sign, space or mark.
		{"", 0}, {"0", 0}, {"00", 0}, {"01", 0}, {"012", 0}, {"+1", 0}, {"+3", 0}, {"-3", 0}, {"-0", 0},
		{" 3", 0}, {"3 ", 0}, {"1 ", 0}, {"1/2", 0}, {"1e3", 0}, {"n°1", 0}, {"#1", 0},
		{"é", 0}, {"٣", 0}, {"１", 0},
		{"1000000000000", 0}, {"9999999999999", 0},
	}
	for _, tt := range tests {
		got, ok := ParseID(tt.in)
		if ok != (tt.want != 0) || got != tt.want {
			t.Errorf("ParseID(%q) = %d, %v; want %d", tt.in, got, ok, tt.want)
		}
	}
}

func TestTrimNumberPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "12": "12", " 12 ": "12", "n° 12": "12", "N°1": "1", " #12 ": "12", "nº3": "3", "No. 4": "4", "no 4": "4",
		"n°": "", "no": "", "n": "n", "n°#12": "#12", "Noé": "é", "abc": "abc",
	} {
		if got := TrimNumberPrefix(in); got != want {
			t.Errorf("TrimNumberPrefix(%q) = %q; want %q", in, got, want)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1", "12", "0", "01", "n°1", "n° 1", "n° 007", "N°1", "#1", "no. 2", "Noé", "0000000000000012", "+1", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := ParseNumber(s)
		if !ok {
			if n != 0 {
				t.Fatalf("ParseNumber(%q) refused with %d", s, n)
			}
		} else {
			if n <= 0 || n > 999999999999 {
				t.Fatalf("ParseNumber(%q) = %d", s, n)
			}
			written := strconv.FormatInt(n, 10)
			if back, ok := ParseNumber(written); !ok || back != n {
				t.Fatalf("ParseNumber(%q) = %d, %v; want %d", written, back, ok, n)
			}
			if back, ok := ParseNumber("n°" + written); !ok || back != n {
				t.Fatalf("ParseNumber(n°%s) = %d, %v; want %d", written, back, ok, n)
			}
			if back, ok := ParseID(written); !ok || back != n {
				t.Fatalf("ParseID(%q) = %d, %v; want %d", written, back, ok, n)
			}
		}

		// What ParseID accepts is canonical, and read alike by ParseNumber.
		id, ok := ParseID(s)
		if !ok {
			if id != 0 {
				t.Fatalf("ParseID(%q) refused with %d", s, id)
			}
			return
		}
		if strconv.FormatInt(id, 10) != s {
			t.Fatalf("ParseID(%q) = %d, not canonical", s, id)
		}
		if n != id {
			t.Fatalf("ParseNumber(%q) = %d but ParseID reads %d", s, n, id)
		}
	})
}
