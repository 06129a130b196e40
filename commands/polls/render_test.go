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
	earlier := [][]int{{0}, {0}, {0}, {0}, {0}, {0}, {1, 0}, {1, 0}, {1, 0}, {1, 0}, {2, 1}, {2, 1}, {2, 1}, {3, 2, 1}}
	tests := []struct {
		name, lang string
		p          storage.Poll
		ballots    [][]int
		want       []string
	}{
		{"draw", "fr", poll("Alpha", "Beta", "Gamma"), issue, []string{
			"_Tour 1_ : Alpha 4, Beta 3, Gamma 3 ; égalité pour la dernière place (Beta, Gamma) : Beta éliminé (tirage au sort reproductible)",
			"_Tour 2_ : Alpha 4, Gamma 6",
		}},
		{"draw", "en", poll("Alpha", "Beta", "Gamma"), issue, []string{
			"_Round 1_: Alpha 4, Beta 3, Gamma 3; tie for last place (Beta, Gamma): Beta eliminated (reproducible draw)",
			"_Round 2_: Alpha 4, Gamma 6",
		}},
		{"earlier round", "fr", poll("A", "B", "C", "D"), earlier, []string{
			"_Tour 1_ : A 6, B 4, C 3, D 1 ; éliminé : D",
			"_Tour 2_ : A 6, B 4, C 4 ; égalité pour la dernière place (B, C) : C éliminé (moins de voix au tour 1)",
			"_Tour 3_ : A 6, B 8",
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
