package polls

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage"
)

func TestParseChoices(t *testing.T) {
	long := strings.Repeat("é", MaxChoice)
	tests := []struct {
		in     string
		prices bool
		want   string // labels and prices, or the error ID
	}{
		{"A | B", false, "A:0 B:0"},
		{"  Samedi   soir |Dimanche ", false, "Samedi soir:0 Dimanche:0"},
		{"A", false, "poll.choice_count"},
		{strings.Repeat("x|", 20) + "y", false, "poll.choice_count"},
		{"A | | B", false, "poll.choice_empty"},
		{"A | a", false, "poll.choice_duplicate"},
		{"A | " + long, false, "A:0 " + long + ":0"},
		{"A | " + long + "e", false, "poll.choice_too_long"},
		{"Bio +0,40 € | Standard", true, "Bio:40 Standard:0"},
		{"Bio +0,40 € | Standard", false, "Bio +0,40 €:0 Standard:0"},
		{"Grand +1 | Petit -0,5 € | Moyen", true, "Grand:100 Petit:-50 Moyen:0"},
		{"Pré-commande | T-shirt-2", true, "Pré-commande:0 T-shirt-2:0"},
		{"Bio +0,4x | B", true, "poll.choice_bad_price"},
		{"+1 € | B", true, "poll.choice_empty"},
		{"Bio 0,40 € | Standard", true, "Bio:40 Standard:0"},
		{"Bio 0,40 | Standard", true, "poll.choice_unsigned_price"},
		{"Bio 0,40 | Standard", false, "Bio 0,40:0 Standard:0"},
		{"Pack de 6 | Pack de 12 +3 €", true, "Pack de 6:0 Pack de 12:300"},
		{"Pack de 6 | Pack de 12 3 €", true, "poll.choice_bad_price"}, // "12 3 €" may be 123 €
		{"A | | B", true, "poll.choice_empty"},
		{"Lot 1 000 € | B", true, "poll.choice_bad_price"},
		// Currency words, and a choice copied as Agora shows it.
		{"Bio 0,40 euros | Standard", true, "Bio:40 Standard:0"},
		{"Bio 0,40 EUR | Standard", true, "Bio:40 Standard:0"},
		{"Bio (+0,40 €) | Standard", true, "Bio:40 Standard:0"},
		{"Bio (+0,40\u00a0€) | Petit (-0,50\u00a0€)", true, "Bio:40 Petit:-50"},
		{"Bio 0,40 euros | Standard", false, "Bio 0,40 euros:0 Standard:0"},
		{"Bio (0,40) | Standard", true, "poll.choice_unsigned_price"},
		{"Bio (lot de 2 €) | Standard", true, "poll.choice_bad_price"},
	}
	for _, tt := range tests {
		got, err := parseChoices(tt.in, tt.prices)
		var s string
		if err != nil {
			ue, ok := commands.AsUserError(err)
			if !ok {
				t.Fatalf("parseChoices(%q): %v is not a user error", tt.in, err)
			}
			s = ue.ID
		} else {
			var parts []string
			for _, c := range got {
				parts = append(parts, c.Label+":"+itoa(int(c.PriceCents)))
			}
			s = strings.Join(parts, " ")
		}
		if s != tt.want {
			t.Errorf("parseChoices(%q, %v) = %q, want %q", tt.in, tt.prices, s, tt.want)
		}
	}
}

func TestSplitPrice(t *testing.T) {
	tests := []struct {
		in    string
		label string
		cents int64
		err   error
	}{
		// Signed impacts, as before.
		{"Bio +0,40 €", "Bio", 40, nil},
		{"Grand +1", "Grand", 100, nil},
		{"Petit -0,5 €", "Petit", -50, nil},
		{"Petit − 0,50 €", "Petit", -50, nil},
		{"Petit - 0,5", "Petit", -50, nil},
		// An amount in euros without a sign is an addition.
		{"Bio 0,40 €", "Bio", 40, nil},
		{"Bio 0,40€", "Bio", 40, nil},
		{"Bio 0.40 €", "Bio", 40, nil},
		{"Bio 2 €", "Bio", 200, nil},
		{"Bio €2", "Bio", 200, nil},
		{"Bio € 2,50", "Bio", 250, nil},
		{"Menu 2-3 pers 5 €", "Menu 2-3 pers", 500, nil},
		{"0,40 €", "", 40, nil}, // refused later as an empty label
		// Numbers that are names.
		{"Standard", "Standard", 0, nil},
		{"", "", 0, nil},
		{"Pack de 6", "Pack de 6", 0, nil},
		{"Taille 42", "Taille 42", 0, nil},
		{"Version 1.5", "Version 1.5", 0, nil},
		{"T-shirt-2", "T-shirt-2", 0, nil},
		{"Pré-commande", "Pré-commande", 0, nil},
		{"Prix en €", "Prix en €", 0, nil},
		// Never silently priced at nothing.
		{"Bio 0,40", "", 0, errAmbiguousPrice},
		{"Bio 2,5", "", 0, errAmbiguousPrice},
		{"Bio +0,4x", "", 0, errBadPrice},
		{"Bio 0,4x €", "", 0, errBadPrice},
		{"Lot 1 000 €", "", 0, errBadPrice},
		{"Bio0,40 €", "", 0, errBadPrice},
		{"Bio 0,405 €", "", 0, errBadPrice},
		{"Bio 12345678 €", "", 0, errBadPrice},
		// Currency words after the amount, any case.
		{"Bio 0,40 euros", "Bio", 40, nil},
		{"Bio 0,40 EUR", "Bio", 40, nil},
		{"Bio 0,40 eur", "Bio", 40, nil},
		{"Bio 1 euro", "Bio", 100, nil},
		{"Bio 2EUR", "Bio", 200, nil},
		{"Bio +0,40 euros", "Bio", 40, nil},
		{"Petit -0,50 Euros", "Petit", -50, nil},
		{"Prix en euros", "Prix en euros", 0, nil},
		{"Fleur", "Fleur", 0, nil},
		{"Bio 0,4x euros", "", 0, errBadPrice},
		{"Bio0,40 euros", "", 0, errBadPrice},
		{"Bio 0,40 eurosx", "Bio 0,40 eurosx", 0, nil},
		// In parentheses, as Agora shows a priced choice: "1. Bio (+0,40 €)".
		{"Bio (+0,40 €)", "Bio", 40, nil},
		{"Bio (+0,40\u00a0€)", "Bio", 40, nil},
		{"Lot (+1\u202f234,00\u00a0€)", "Lot", 123400, nil},
		{"Petit (-0,50 €)", "Petit", -50, nil},
		{"Bio (0,40 €)", "Bio", 40, nil},
		{"Bio (0,40 euros)", "Bio", 40, nil},
		{"Grand (+1)", "Grand", 100, nil},
		{"Bio(+0,40 €)", "Bio", 40, nil},
		{"Bio (AB) (+0,40 €)", "Bio (AB)", 40, nil},
		{"Taille (42)", "Taille (42)", 0, nil},
		{"Bio (local)", "Bio (local)", 0, nil},
		{"Bio ()", "Bio ()", 0, nil},
		{"Bio (0,40)", "", 0, errAmbiguousPrice},
		{"Bio (lot de 2 €)", "", 0, errBadPrice},
		{"Bio (+0,4x €)", "", 0, errBadPrice},
	}
	for _, tt := range tests {
		label, cents, err := splitPrice(tt.in)
		if label != tt.label || cents != tt.cents || !errors.Is(err, tt.err) || err != nil && tt.err == nil {
			t.Errorf("splitPrice(%q) = %q, %d, %v; want %q, %d, %v", tt.in, label, cents, err, tt.label, tt.cents, tt.err)
		}
	}
}

// An amount in euros at the end of a choice is read or refused, never
// left in the label at no cost.
func FuzzSplitPrice(f *testing.F) {
	for _, s := range []string{"Bio +0,40 €", "Bio 0,40 €", "Bio 0,40", "Pack de 6", "T-shirt-2", "Lot 1 000 €", "Bio €2",
		"Bio 0,40 euros", "Bio 2EUR", "Bio (+0,40 €)", "Taille (42)", "Bio (lot de 2 €)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.Join(strings.Fields(s), " ") // as parseChoices passes it
		label, cents, err := splitPrice(s)
		if err != nil {
			if label != "" || cents != 0 {
				t.Fatalf("splitPrice(%q) = %q, %d with %v", s, label, cents, err)
			}
			return
		}
		if !strings.HasPrefix(s, label) {
			t.Fatalf("splitPrice(%q) = label %q, not a prefix", s, label)
		}
		if label == s && endsWithEuros(s) {
			t.Fatalf("splitPrice(%q) kept an amount in euros in the label", s)
		}
	})
}

// endsWithEuros is true for a text that ends with a digit and a currency
// mark, in parentheses or not: "… 0,40 €", "… 2EUR", "… (+0,40 euros)".
func endsWithEuros(s string) bool {
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, "("); i >= 0 {
			s = s[i+1 : len(s)-1]
		}
	}
	s = strings.ToLower(strings.TrimSpace(s))
	for _, mark := range []string{"€", "euros", "euro", "eur"} {
		if before, ok := strings.CutSuffix(s, mark); ok {
			before = strings.TrimSpace(before)
			return before != "" && before[len(before)-1] >= '0' && before[len(before)-1] <= '9'
		}
	}
	return false
}

func FuzzParseChoices(f *testing.F) {
	for _, s := range []string{"A | B", "Bio +0,40 € | Standard", "a|a", "|", "x -1,5 | y +2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, prices := range []bool{false, true} {
			got, err := parseChoices(s, prices)
			if err != nil {
				if _, ok := commands.AsUserError(err); !ok {
					t.Fatalf("not a user error: %v", err)
				}
				continue
			}
			if len(got) < MinChoices || len(got) > MaxChoices {
				t.Fatalf("%d choices accepted", len(got))
			}
			seen := map[string]bool{}
			for _, c := range got {
				if c.Label == "" || utf8.RuneCountInString(c.Label) > MaxChoice || seen[strings.ToLower(c.Label)] {
					t.Fatalf("bad choice accepted: %q in %q", c.Label, s)
				}
				seen[strings.ToLower(c.Label)] = true
			}
		}
	})
}

func TestParseEuros(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2,10", 210, true}, {"2.10", 210, true}, {"2,1", 210, true}, {"2 €", 200, true}, {"€3", 300, true},
		{"+0,40 €", 40, true}, {"-1", -100, true}, {"−0,05", -5, true}, {"0", 0, true},
		{"", 0, false}, {"2,105", 0, false}, {"abc", 0, false}, {"2,", 0, false}, {",5", 0, false}, {"12345678", 0, false},
		// As Agora writes amounts, with no-break spaces; other groupings are refused.
		{"2,10\u00a0€", 210, true}, {"1\u202f234,56\u00a0€", 123456, true}, {"-1\u202f000\u202f000", -100000000, true},
		{"12\u202f34", 0, false}, {"1\u202f2345", 0, false}, {"1\u202f\u202f234", 0, false}, {"1 234", 0, false}, {"1\u00a0234", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseEuros(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseEuros(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for in, want := range map[string]int64{"2,10 euros": 210, "3 EUR": 300, " 1 euro ": 100, "2,10eur": 210, "2,10 €": 210} {
		if got, ok := parseBasePrice(in); !ok || got != want {
			t.Errorf("parseBasePrice(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"euros", "2,10 eurox", "deux euros", "2,10 € euros"} {
		if got, ok := parseBasePrice(in); ok {
			t.Errorf("parseBasePrice(%q) = %d, accepted", in, got)
		}
	}
	for cents, want := range map[int64]string{0: "0,00\u00a0€", 210: "2,10\u00a0€", 5: "0,05\u00a0€", -40: "-0,40\u00a0€", 123456: "1\u202f234,56\u00a0€", 100000000: "1\u202f000\u202f000,00\u00a0€"} {
		if got := formatEuros(cents); got != want {
			t.Errorf("formatEuros(%d) = %q, want %q", cents, got, want)
		}
	}
}

func TestMatchChoices(t *testing.T) {
	p := storage.Poll{Kind: storage.PollMultiple, Choices: []storage.PollChoice{{Label: "Bio"}, {Label: "Sel, poivre"}, {Label: "Sucre"}}}
	tests := []struct {
		kind, in, want string
	}{
		{storage.PollMultiple, "1", "[0]"},
		{storage.PollMultiple, "bio", "[0]"},
		{storage.PollMultiple, "1, 3", "[0 2]"},
		{storage.PollMultiple, "Sel, poivre", "[1]"},
		{storage.PollMultiple, "Bio | Sel, poivre", "[0 1]"},
		{storage.PollMultiple, "4", "poll.no_such_choice"},
		{storage.PollMultiple, "1, 1", "poll.choice_twice"},
		{storage.PollRanked, "Sucre > 1 > sel, poivre", "[2 0 1]"},
		{storage.PollRanked, "Sucre >", "poll.no_such_choice"},
	}
	for _, tt := range tests {
		p.Kind = tt.kind
		got, err := matchChoices(p, tt.in)
		s := fmtInts(got)
		if err != nil {
			ue, _ := commands.AsUserError(err)
			s = ue.ID
		}
		if s != tt.want {
			t.Errorf("matchChoices(%s, %q) = %s, want %s", tt.kind, tt.in, s, tt.want)
		}
	}
}

func fmtInts(v []int) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = itoa(n)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// Routes fit Telegram's 64 bytes, and only canonical numbers are accepted.
func TestRoutes(t *testing.T) {
	p := storage.Poll{ID: 999999999999, Kind: storage.PollMultiple, Choices: make([]storage.PollChoice, 20)}
	if r := voteRoute(p, 19); len(r) > 64 || r != "p/t/999999999999/19" {
		t.Fatalf("route %q", r)
	}
	if r := deleteRoute(999999999999, 999999999999, 9999999); len(r) > 64 || r != "p/del/999999999999/999999999999/9999999" {
		t.Fatalf("route %q", r)
	}
	for _, bad := range []string{"", "00", "01", "20", "-1", "1a", "+1", "100", " 1", "1 "} {
		if _, ok := parseIndex(bad, 20); ok {
			t.Errorf("parseIndex(%q) accepted", bad)
		}
	}
	if c, ok := parseIndex("19", 20); !ok || c != 19 {
		t.Fatalf("parseIndex(19) = %d, %v", c, ok)
	}
	if _, err := selectedChoices([]string{"1", "1"}, 3); err == nil {
		t.Fatal("a repeated menu value was accepted")
	}
}

// Button data is read strictly: a route is accepted only as Agora writes
// it, since a platform hands back whatever a client sends.
func TestParseRoute(t *testing.T) {
	tests := []struct {
		in   string
		want route // zero: refused
	}{
		{"p/v/2/0", route{verbVote, 2, 0, 0}},
		{"p/v/2/19", route{verbVote, 2, 19, 0}},
		{"p/t/12/3", route{verbToggle, 12, 3, 0}},
		{"p/s/7", route{verb: verbSelect, poll: 7}},
		{"p/del/7/42/3", route{verbDelete, 7, 42, 3}},
		{"p/del/7/42/0", route{verbDelete, 7, 42, 0}},
		{"p/v/999999999999/1", route{verbVote, 999999999999, 1, 0}},
		// Numbers not written as Agora writes them.
		{"p/v/+2/0", route{}}, {"p/v/02/0", route{}}, {"p/v/ 2/0", route{}}, {"p/v/2 /0", route{}},
		{"p/v/2/+0", route{}}, {"p/v/2/00", route{}}, {"p/v/2/01", route{}}, {"p/v/2/-1", route{}}, {"p/v/2/ 1", route{}},
		{"p/v/0/0", route{}}, {"p/v/-2/0", route{}}, {"p/v/2e1/0", route{}}, {"p/v/0x2/0", route{}}, {"p/v/２/0", route{}},
		{"p/v/2/20", route{}}, {"p/v/2/100", route{}}, {"p/v/9999999999999/0", route{}},
		{"p/del/7/+42/3", route{}}, {"p/del/7/042/3", route{}}, {"p/del/7/0/3", route{}}, {"p/del/+7/42/3", route{}},
		{"p/del/7/42/03", route{}}, {"p/del/7/42/+3", route{}}, {"p/del/7/42/12345678", route{}}, {"p/del/7/42", route{}},
		// Wrong shapes.
		{"", route{}}, {"p", route{}}, {"p/v", route{}}, {"p/v/2", route{}}, {"p/v/2/0/0", route{}}, {"p/v/2/", route{}},
		{"p/s/7/0", route{}}, {"p/s/", route{}}, {"p/del/7", route{}}, {"p/x/2/0", route{}}, {"P/v/2/0", route{}},
		{"q/v/2/0", route{}}, {"/p/v/2/0", route{}}, {"p//2/0", route{}}, {"p/V/2/0", route{}},
	}
	for _, tt := range tests {
		got, ok := parseRoute(tt.in)
		if ok != (tt.want != route{}) || got != tt.want && ok {
			t.Errorf("parseRoute(%q) = %+v, %v; want %+v", tt.in, got, ok, tt.want)
		}
		if ok && got.String() != tt.in {
			t.Errorf("parseRoute(%q) writes back as %q", tt.in, got.String())
		}
	}
}

// Any route accepted is exactly the text Agora writes for it.
func FuzzParseRoute(f *testing.F) {
	for _, s := range []string{"p/v/2/0", "p/t/12/19", "p/s/7", "p/del/7/42/3", "p/v/+2/0", "p/v/02/0", "p/v/ 2/0", "p/v/2 /0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := parseRoute(s)
		if !ok {
			return
		}
		if r.String() != s {
			t.Fatalf("parseRoute(%q) = %+v, which writes %q", s, r, r.String())
		}
		if r.poll <= 0 || r.arg < 0 || len(s) > 64 {
			t.Fatalf("parseRoute(%q) = %+v", s, r)
		}
	})
}

func FuzzMatchChoices(f *testing.F) {
	for _, s := range []string{"1", "bio", "1, 3", "Sucre > 1 > sel, poivre", "|", ">>", "0", "-1"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, ranked bool) {
		p := storage.Poll{Kind: storage.PollMultiple, Choices: []storage.PollChoice{{Label: "Bio"}, {Label: "Sel, poivre"}, {Label: "Sucre"}}}
		if ranked {
			p.Kind = storage.PollRanked
		}
		got, err := matchChoices(p, s)
		if err != nil {
			if _, ok := commands.AsUserError(err); !ok {
				t.Fatalf("not a user error: %v", err)
			}
			return
		}
		seen := map[int]bool{}
		for _, c := range got {
			if c < 0 || c >= len(p.Choices) || seen[c] {
				t.Fatalf("matchChoices(%q) = %v", s, got)
			}
			seen[c] = true
		}
	})
}

func FuzzParseEuros(f *testing.F) {
	for _, s := range []string{"2,10", "+0,40 €", "−1", "€3", "12345678", "2,10 euros", "3EUR"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if cents, ok := parseBasePrice(s); ok {
			if back, ok := parseBasePrice(formatEuros(cents)); !ok || back != cents {
				t.Fatalf("parseBasePrice(%q) = %d, which reads back as %d, %v", s, cents, back, ok)
			}
		}
		cents, ok := parseEuros(s)
		if !ok {
			return
		}
		if cents >= 1_000_000_000 || cents <= -1_000_000_000 {
			t.Fatalf("parseEuros(%q) = %d: out of bounds", s, cents)
		}
		if back, ok := parseEuros(formatEuros(cents)); !ok || back != cents {
			t.Fatalf("parseEuros(formatEuros(%d)) = %d, %v", cents, back, ok)
		}
	})
}
