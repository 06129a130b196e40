package markup

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   Text
		want []Span
	}{
		{"", nil},
		{"bonjour", []Span{{Text: "bonjour"}}},
		{"a *b* c", []Span{{Text: "a "}, {Text: "b", Bold: true}, {Text: " c"}}},
		{"_i *bi*_", []Span{{Text: "i ", Italic: true}, {Text: "bi", Bold: true, Italic: true}}},
		{"`*x_`", []Span{{Text: "*x_", Code: true}}},
		{`\*pas gras\*`, []Span{{Text: "*pas gras*"}}},
		{"*ouvert", []Span{{Text: "ouvert", Bold: true}}},
		{`fin\`, []Span{{Text: `fin\`}}},
	}
	for _, tt := range tests {
		if got := Parse(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{"@everyone *gras* _it_ `code` \\ <b>", "l'été", ""} {
		if got := Escape(s).Plain(); got != s {
			t.Errorf("Escape(%q).Plain() = %q", s, got)
		}
		for _, sp := range Parse(Escape(s)) {
			if sp.Bold || sp.Italic || sp.Code {
				t.Errorf("Escape(%q) produced a styled span %#v", s, sp)
			}
		}
	}
}

func FuzzEscape(f *testing.F) {
	f.Add("*a* _b_ `c` \\d")
	f.Add("«Quel prix ?» @here <i>")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		if got := Escape(s).Plain(); got != s {
			t.Fatalf("Escape(%q).Plain() = %q", s, got)
		}
		// Markup around escaped text must keep the text intact and unstyled inside.
		wrapped := "*" + Escape(s) + "*"
		if got := wrapped.Plain(); got != s {
			t.Fatalf("bold(%q).Plain() = %q", s, got)
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add("*a _b `c` d_ e*")
	f.Fuzz(func(t *testing.T, s string) {
		total := 0
		for _, sp := range Parse(Text(s)) {
			if sp.Text == "" {
				t.Fatalf("empty span from %q", s)
			}
			total += len(sp.Text)
		}
		if total > len(s) {
			t.Fatalf("spans longer than input %q", s)
		}
	})
}
