package polls

import (
	"strings"
	"testing"

	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

func TestRoundLinesSayHowTiesWereBroken(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	poll := func(labels ...string) storage.Poll {
		p := storage.Poll{ID: 1, Kind: storage.PollRanked}
		for _, l := range labels {
			p.Choices = append(p.Choices, storage.PollChoice{Label: l})
		}
		return p
	}
	var issue [][]int
	issue = append(issue, repeat(4, []int{0})...)
	issue = append(issue, repeat(3, []int{1, 2})...)
	issue = append(issue, repeat(3, []int{2, 1})...)
	exhausted := append(repeat(4, []int{0}), append(repeat(3, []int{1}), repeat(2, []int{2})...)...)
	earlier := [][]int{{0}, {0}, {0}, {0}, {0}, {0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {2, 1}, {2, 1}, {2, 1}, {3, 2, 1}}
	tests := []struct {
		name, lang string
		p          storage.Poll
		ballots    [][]int
		want       []string
	}{
		{"draw", "fr", poll("Alpha", "Beta", "Gamma"), issue, []string{
			"_Tour 1_\u00a0: Alpha 4, Beta 3, Gamma 3\u202f; égalité pour la dernière place (Beta, Gamma)\u00a0: Beta éliminé (tirage au sort reproductible)",
			"_Tour 2_\u00a0: Alpha 4, Gamma 6 (majorité\u00a0: 6 sur 10)",
		}},
		{"draw", "en", poll("Alpha", "Beta", "Gamma"), issue, []string{
			"_Round 1_: Alpha 4, Beta 3, Gamma 3; tie for last place (Beta, Gamma): Beta eliminated (reproducible draw)",
			"_Round 2_: Alpha 4, Gamma 6 (majority: 6 of 10)",
		}},
		{"earlier round", "fr", poll("A", "B", "C", "D"), earlier, []string{
			"_Tour 1_\u00a0: A 6, B 4, C 3, D 1\u202f; éliminé\u00a0: D",
			"_Tour 2_\u00a0: A 6, B 4, C 4\u202f; égalité pour la dernière place (B, C)\u00a0: C éliminé (moins de voix au tour 1)",
			"_Tour 3_\u00a0: A 6, B 8 (majorité\u00a0: 8 sur 14)",
		}},
		// Choices without a single vote go together, and the line says so in
		// the plural.
		{"zero votes", "fr", poll("Alpha", "Beta", "Gamma", "Delta"), [][]int{{0}, {0}, {3}, {3}}, []string{
			"_Tour 1_\u00a0: Alpha 2, Delta 2\u202f; éliminés\u00a0: Beta, Gamma",
		}},
		// Ballots naming only eliminated choices are counted as exhausted,
		// and the winning round says what its majority is of: 4 of the 7
		// ballots still in the race, not of the 9 voters.
		{"exhausted", "fr", poll("A", "B", "C"), exhausted, []string{
			"_Tour 1_\u00a0: A 4, B 3, C 2\u202f; éliminé\u00a0: C",
			"_Tour 2_\u00a0: A 4, B 3 (2 bulletins épuisés\u202f; majorité\u00a0: 4 sur 7)",
		}},
		{"exhausted", "en", poll("A", "B", "C"), exhausted, []string{
			"_Round 2_: A 4, B 3 (2 exhausted ballots; majority: 4 of 7)",
		}},
		// A final tie has no majority to show, its exhausted ballots still.
		{"exhausted tie", "fr", poll("A", "B", "C"), append(repeat(3, []int{0}), append(repeat(3, []int{1}), repeat(1, []int{2})...)...), []string{
			"_Tour 2_\u00a0: A 3, B 3 (1 bulletin épuisé)",
		}},
		{"earlier round", "en", poll("A", "B", "C", "D"), earlier, []string{
			"_Round 2_: A 6, B 4, C 4; tie for last place (B, C): C eliminated (fewer votes in round 1)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.lang, func(t *testing.T) {
			tally := Count(tt.p.Kind, len(tt.p.Choices), ballots(tt.ballots...), tt.p.ID)
			got := string(markup.Join(tallyLines(catalog.Localizer(nil, tt.lang), tt.p, tally), "\n"))
			for _, w := range tt.want {
				if !strings.Contains(got, w+"\n") {
					t.Errorf("missing line %q in:\n%s", w, got)
				}
			}
		})
	}
}

// Counts shown to members are grouped as their language writes numbers,
// the quorum too; percentages and prices keep their no-break spaces.
func TestTallyLinesGroupDigits(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	p := storage.Poll{ID: 1, Kind: storage.PollSingle, Quorum: 10000, Choices: []storage.PollChoice{{Label: "Oui", PriceCents: 123456}, {Label: "Non"}}}
	tally := Tally{Voters: 12345, Counts: []int{10000, 2345}, Winner: 0}
	for lang, want := range map[string][]string{
		"fr": {"1. *Oui* (+1\u202f234,56\u00a0€)\u00a0: 10\u202f000 votes (81\u00a0%)", "12\u202f345 votants · quorum de 10\u202f000 atteint"},
		"en": {"1. *Oui* (+€1,234.56): 10,000 votes (81%)", "12,345 voters · quorum of 10,000 reached"},
	} {
		got := string(markup.Join(tallyLines(catalog.Localizer(nil, lang), p, tally), "\n"))
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: missing %q in:\n%s", lang, w, got)
			}
		}
	}
}

// While a poll is open, a quorum not reached yet is a count to reach, not
// a verdict; once closed, the result says it is not valid.
func TestQuorumWordingWhileOpen(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	p := storage.Poll{ID: 1, Kind: storage.PollSingle, Quorum: 10, Choices: []storage.PollChoice{{Label: "Oui"}, {Label: "Non"}}}
	tally := Count(p.Kind, 2, ballots([]int{0}, []int{0}, []int{1}), p.ID)
	tests := []struct {
		status, lang, want, never string
	}{
		{storage.PollOpen, "fr", "3 votants · quorum de 10 pas encore atteint", "non valable"},
		{storage.PollOpen, "en", "3 voters · quorum of 10 not reached yet", "not valid"},
		{storage.PollClosed, "fr", "3 votants · quorum de 10 non atteint\u00a0: résultat non valable", "pas encore"},
		{storage.PollClosed, "en", "3 voters · quorum of 10 not reached: result not valid", "yet"},
	}
	for _, tt := range tests {
		p.Status = tt.status
		got := string(markup.Join(tallyLines(catalog.Localizer(nil, tt.lang), p, tally), "\n"))
		if !strings.Contains(got, tt.want) || strings.Contains(got, tt.never) {
			t.Errorf("%s %s: want %q and no %q in:\n%s", tt.status, tt.lang, tt.want, tt.never, got)
		}
	}
}

// Price impacts are written as the reader's language writes amounts.
func TestPriceImpactFollowsTheLanguage(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	fr, en := catalog.Localizer(nil, "fr"), catalog.Localizer(nil, "en")
	for _, tt := range []struct {
		cents  int64
		fr, en string
	}{
		{40, "+0,40\u00a0€", "+€0.40"},
		{-30, "-0,30\u00a0€", "-€0.30"},
		{210, "+2,10\u00a0€", "+€2.10"},
		{123456, "+1\u202f234,56\u00a0€", "+€1,234.56"},
		{0, "", ""},
	} {
		if got := priceImpact(fr, tt.cents); got != tt.fr {
			t.Errorf("fr %d: %q, want %q", tt.cents, got, tt.fr)
		}
		if got := priceImpact(en, tt.cents); got != tt.en {
			t.Errorf("en %d: %q, want %q", tt.cents, got, tt.en)
		}
	}
	if got := euros(en, 210); got != "€2.10" {
		t.Errorf("euros(en, 210) = %q", got)
	}
	if got := euros(fr, 210); got != "2,10\u00a0€" {
		t.Errorf("euros(fr, 210) = %q", got)
	}
	p := storage.Poll{ID: 1, Kind: storage.PollSingle, Choices: []storage.PollChoice{{Label: "Organic", PriceCents: 40}, {Label: "Plain"}}}
	got := string(markup.Join(tallyLines(en, p, Tally{Voters: 1, Counts: []int{1, 0}, Winner: 0}), "\n"))
	if !strings.Contains(got, "1. *Organic* (+€0.40): 1 vote") {
		t.Errorf("English line: %q", got)
	}
	if c := resultChart(en, p, Tally{Voters: 1, Counts: []int{1, 0}, Winner: 0}); c.Bars[0].Label != "Organic (+€0.40)" {
		t.Errorf("English chart label %q", c.Bars[0].Label)
	}
}
