package polls

import (
	"fmt"
	"testing"
	"time"

	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

// The totals say the outcome, so a spreadsheet never shows a loser as the
// leader: the winner or the tie, the quorum, and for ranked polls every
// round with each choice's fate and the exhausted ballots.
func TestExportTotalsSayTheOutcome(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	closed := time.Date(2026, 12, 2, 14, 7, 0, 0, time.UTC)
	poll := func(kind string, quorum int, labels ...string) storage.Poll {
		p := storage.Poll{ID: 1, Question: "Q ?", Kind: kind, Quorum: quorum, Status: storage.PollClosed, ClosedAt: &closed}
		for _, l := range labels {
			p.Choices = append(p.Choices, storage.PollChoice{Label: l})
		}
		return p
	}
	var issue [][]int
	issue = append(issue, repeat(4, []int{0})...)
	issue = append(issue, repeat(3, []int{1, 2})...)
	issue = append(issue, repeat(3, []int{2, 1})...)
	open := poll(storage.PollRanked, 20, "Alpha", "Beta", "Gamma")
	open.Status, open.ClosedAt = storage.PollOpen, nil
	tests := []struct {
		name, lang string
		p          storage.Poll
		ballots    [][]int
		want       [][]string // from the line after the closing time
	}{
		{"ranked", "fr", poll(storage.PollRanked, 0, "Alpha", "Beta", "Gamma"), issue, [][]string{
			{"résultat", "Gamma"},
			{},
			{"numéro", "choix", "premiers choix", "pourcentage", "tour 1", "tour 2", "issue"},
			{"1", "Alpha", "4", "40,0", "4", "4", ""},
			{"2", "Beta", "3", "30,0", "3", "", "éliminé au tour 1"},
			{"3", "Gamma", "3", "30,0", "3", "6", "retenu"},
			{"", "bulletins épuisés", "", "", "0", "0"},
		}},
		{"ranked with exhausted ballots and a quorum met", "en", poll(storage.PollRanked, 9, "A", "B", "C"),
			append(repeat(4, []int{0}), append(repeat(3, []int{1}), repeat(2, []int{2})...)...), [][]string{
				{"result", "A"},
				{"quorum", "9", "reached"},
				{},
				{"number", "choice", "first choices", "percent", "round 1", "round 2", "outcome"},
				{"1", "A", "4", "44.4", "4", "4", "chosen"},
				{"2", "B", "3", "33.3", "3", "3", ""},
				{"3", "C", "2", "22.2", "2", "", "eliminated in round 1"},
				{"", "exhausted ballots", "", "", "0", "2"},
			}},
		{"ranked tie", "fr", poll(storage.PollRanked, 0, "A", "B"), [][]int{{0}, {1}}, [][]string{
			{"résultat", "égalité\u00a0: A, B"},
			{},
			{"numéro", "choix", "premiers choix", "pourcentage", "tour 1", "issue"},
			{"1", "A", "1", "50,0", "1", "à égalité"},
			{"2", "B", "1", "50,0", "1", "à égalité"},
			{"", "bulletins épuisés", "", "", "0"},
		}},
		{"open, below its quorum", "fr", open, issue, [][]string{
			{"résultat provisoire", "Gamma"},
			{"quorum", "20", "pas encore atteint"},
			{},
			{"numéro", "choix", "premiers choix", "pourcentage", "tour 1", "tour 2", "issue"},
			{"1", "Alpha", "4", "40,0", "4", "4", ""},
			{"2", "Beta", "3", "30,0", "3", "", "éliminé au tour 1"},
			{"3", "Gamma", "3", "30,0", "3", "6", "en tête"},
			{"", "bulletins épuisés", "", "", "0", "0"},
		}},
		{"single below its quorum", "fr", poll(storage.PollSingle, 5, "Oui", "Non"), [][]int{{0}, {0}, {1}}, [][]string{
			{"résultat", "Oui"},
			{"quorum", "5", "non atteint\u00a0: résultat non valable"},
			{},
			{"numéro", "choix", "votes", "pourcentage"},
			{"1", "Oui", "2", "66,7"},
			{"2", "Non", "1", "33,3"},
		}},
		{"single tie", "en", poll(storage.PollSingle, 0, "Yes", "No", "Maybe"), [][]int{{0}, {1}}, [][]string{
			{"result", "tie: Yes, No"},
			{},
			{"number", "choice", "votes", "percent"},
			{"1", "Yes", "1", "50.0"},
			{"2", "No", "1", "50.0"},
			{"3", "Maybe", "0", "0.0"},
		}},
		{"no votes", "fr", poll(storage.PollMultiple, 0, "Oui", "Non"), nil, [][]string{
			{"résultat", "aucun vote"},
			{},
			{"numéro", "choix", "votes", "pourcentage"},
			{"1", "Oui", "0", "0"},
			{"2", "Non", "0", "0"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := catalog.Localizer(time.UTC, tt.lang)
			tally := Count(tt.p.Kind, len(tt.p.Choices), ballots(tt.ballots...), tt.p.ID)
			rows := totalsRows(l, csvFormatFor(l), tt.p, tally)
			if len(rows) < 4 || rows[2][1] != fmt.Sprint(len(tt.ballots)) {
				t.Fatalf("header rows %q", rows)
			}
			if got := rows[4:]; fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("rows\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
