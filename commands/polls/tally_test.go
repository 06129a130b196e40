package polls

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agora-community/agora/storage"
)

func ballots(choices ...[]int) []storage.Ballot {
	out := make([]storage.Ballot, len(choices))
	for i, c := range choices {
		out[i] = storage.Ballot{MemberID: int64(i + 1), Choices: c}
	}
	return out
}

func repeat(n int, c []int) [][]int {
	out := make([][]int, n)
	for i := range out {
		out[i] = c
	}
	return out
}

func TestCountSingleAndMultiple(t *testing.T) {
	tests := []struct {
		name    string
		kind    string
		ballots [][]int
		counts  string
		winner  int
		tie     bool
	}{
		{"no votes", storage.PollSingle, nil, "[0 0 0]", -1, false},
		{"clear winner", storage.PollSingle, [][]int{{1}, {1}, {0}}, "[1 2 0]", 1, false},
		{"tie", storage.PollSingle, [][]int{{1}, {0}}, "[1 1 0]", -1, true},
		{"multiple counts each choice", storage.PollMultiple, [][]int{{0, 2}, {2}, {1, 2}}, "[1 1 3]", 2, false},
		{"out of range and repeated choices ignored", storage.PollMultiple, [][]int{{0, 0, 7, -1}}, "[1 0 0]", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Count(tt.kind, 3, ballots(tt.ballots...), 1)
			if fmt.Sprint(got.Counts) != tt.counts || got.Winner != tt.winner || got.Tie != tt.tie || got.Voters != len(tt.ballots) {
				t.Fatalf("Count = %+v; want counts %s winner %d tie %v", got, tt.counts, tt.winner, tt.tie)
			}
		})
	}
}

// summary writes a ranked tally compactly: each round's counts, the choice
// eliminated (letters A, B, C...) and how a tie for last was broken, then
// the outcome.
func summary(t Tally) string {
	letter := func(cs []int) string {
		var out []string
		for _, c := range cs {
			out = append(out, string(rune('A'+c)))
		}
		return strings.Join(out, ",")
	}
	var parts []string
	for _, r := range t.Rounds {
		s := fmt.Sprint(r.Counts)
		if len(r.Eliminated) > 0 {
			s += " -" + letter(r.Eliminated)
		}
		switch r.Break {
		case ByEarlierRound:
			s += fmt.Sprintf(" (tie %s: round %d)", letter(r.Tied), r.BreakRound)
		case ByDraw:
			s += fmt.Sprintf(" (tie %s: draw)", letter(r.Tied))
		}
		parts = append(parts, s)
	}
	outcome := "none"
	switch {
	case t.Winner >= 0:
		outcome = letter([]int{t.Winner})
	case t.Tie:
		outcome = "tie"
	}
	return strings.Join(parts, " | ") + " => " + outcome
}

func TestInstantRunoff(t *testing.T) {
	join := func(groups ...[][]int) [][]int {
		var out [][]int
		for _, g := range groups {
			out = append(out, g...)
		}
		return out
	}
	tests := []struct {
		name    string
		n       int
		poll    int64
		ballots [][]int
		want    string
		active  []int // ballots counted in each round, when checked
	}{
		{
			// The case: B and C must not be eliminated together.
			// Round 1 cannot separate them, so the draw of poll 1 does.
			name: "united minority beats plurality", n: 3, poll: 1,
			ballots: join(repeat(4, []int{0}), repeat(3, []int{1, 2}), repeat(3, []int{2, 1})),
			want:    "[4 3 3] -B (tie B,C: draw) | [4 0 6] => C",
		},
		{
			name: "first-round majority", n: 3, poll: 1,
			ballots: join(repeat(3, []int{0, 1}), [][]int{{1}, {2, 0}}),
			want:    "[3 1 1] => A",
		},
		{
			name: "transfer changes the winner", n: 3, poll: 1,
			ballots: join(repeat(4, []int{0, 1, 2}), repeat(3, []int{1, 0, 2}), repeat(2, []int{2, 1, 0})),
			want:    "[4 3 2] -C | [4 5 0] => B",
		},
		{
			// C's ballots name nothing else: A wins 4 of the 7 continuing
			// ballots, though only 4 of 9 voters ranked A first.
			name: "exhausted ballots leave the majority", n: 3, poll: 1,
			ballots: join(repeat(4, []int{0}), repeat(3, []int{1}), repeat(2, []int{2})),
			want:    "[4 3 2] -C | [4 3 0] => A", active: []int{9, 7},
		},
		{
			// B and C tie for last in round 2; C had fewer in round 1, so C
			// goes and its ballots make B win. Eliminating B would make A win.
			name: "tie broken by an earlier round", n: 4, poll: 1,
			ballots: join(repeat(6, []int{0}), repeat(4, []int{1, 0}), repeat(3, []int{2, 1}), [][]int{{3, 2, 1}}),
			want:    "[6 4 3 1] -D | [6 4 4 0] -C (tie B,C: round 1) | [6 8 0 0] => B",
		},
		{
			// Backwards: B and C tie in round 3 and in round 2; round 1 decides.
			name: "tie broken by the round before the previous", n: 5, poll: 1,
			ballots: join(repeat(9, []int{0}), repeat(4, []int{1, 0}), repeat(3, []int{2, 1}),
				[][]int{{3, 2, 1}, {4, 1}, {4, 2, 1}}),
			want: "[9 4 3 1 2] -D | [9 4 4 0 2] -E | [9 5 5 0 0] -C (tie B,C: round 1) | [9 10 0 0 0] => B",
		},
		{
			name: "two choices left and tied", n: 3, poll: 1,
			ballots: [][]int{{0}, {0}, {1}, {1}, {2}},
			want:    "[2 2 1] -C | [2 2 0] => tie", active: []int{5, 4},
		},
		{
			// Choices without a vote go together: no count can change.
			name: "choices without votes eliminated together", n: 5, poll: 1,
			ballots: [][]int{{0}, {0}, {1}, {1}, {2, 1}},
			want:    "[2 2 1 0 0] -D,E | [2 2 1 0 0] -C | [2 3 0 0 0] => B",
		},
		{
			name: "single choice", n: 1, poll: 1,
			ballots: [][]int{{0}, {0}},
			want:    "[2] => A",
		},
		{
			name: "zero ballots", n: 2, poll: 1,
			want: "[0 0] => none",
		},
		{
			name: "ballots naming no valid choice", n: 2, poll: 1,
			ballots: [][]int{{5}, {}},
			want:    "[0 0] => none",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Count(storage.PollRanked, tt.n, ballots(tt.ballots...), tt.poll)
			if s := summary(got); s != tt.want {
				t.Fatalf("rounds:\n got %s\nwant %s", s, tt.want)
			}
			if len(got.Rounds) > 0 && fmt.Sprint(got.Counts) != fmt.Sprint(got.Rounds[0].Counts) {
				t.Fatalf("first preferences %v differ from round 1 %v", got.Counts, got.Rounds[0].Counts)
			}
			for i, want := range tt.active {
				if got.Rounds[i].Active != want {
					t.Fatalf("round %d counts %d ballots, want %d", i+1, got.Rounds[i].Active, want)
				}
			}
		})
	}
}

// The draw depends on the poll and nothing else: counting again gives the
// same result, and across polls either tied choice can be drawn.
func TestRunoffDrawIsSeededByThePoll(t *testing.T) {
	var bs [][]int
	bs = append(bs, repeat(4, []int{0})...)
	bs = append(bs, repeat(3, []int{1, 2})...)
	bs = append(bs, repeat(3, []int{2, 1})...)
	winners := map[int]int{}
	for poll := int64(1); poll <= 40; poll++ {
		first := Count(storage.PollRanked, 3, ballots(bs...), poll)
		again := Count(storage.PollRanked, 3, ballots(bs...), poll)
		if summary(first) != summary(again) {
			t.Fatalf("poll %d counted twice: %s then %s", poll, summary(first), summary(again))
		}
		out := 1
		if drawKey(poll, 2) < drawKey(poll, 1) {
			out = 2
		}
		r := first.Rounds[0]
		if r.Break != ByDraw || fmt.Sprint(r.Eliminated) != fmt.Sprint([]int{out}) || first.Winner != 3-out {
			t.Fatalf("poll %d: %s; want %c drawn out", poll, summary(first), 'A'+out)
		}
		winners[first.Winner]++
	}
	if winners[1] == 0 || winners[2] == 0 {
		t.Fatalf("winners over 40 polls %v: the draw does not depend on the poll", winners)
	}
}

func TestDecideBreaksATieForTheWin(t *testing.T) {
	single := Count(storage.PollSingle, 3, ballots([]int{0}, []int{1}, []int{0}, []int{1}, []int{2}), 7)
	want := 0
	if drawKey(7, 1) > drawKey(7, 0) {
		want = 1
	}
	tests := []struct {
		name  string
		tally Tally
		poll  int64
		want  Decision
	}{
		{"no tie", Count(storage.PollSingle, 2, ballots([]int{1}), 7), 7, Decision{Winner: 1}},
		{"no votes", Count(storage.PollSingle, 2, nil, 7), 7, Decision{Winner: -1}},
		{"single choice tie: the draw", single, 7, Decision{Winner: want, Tied: []int{0, 1}, Break: ByDraw}},
		{
			// A and B tie in the last round; B had fewer votes in round 1.
			"ranked tie: an earlier round",
			Count(storage.PollRanked, 3, ballots([]int{0}, []int{0}, []int{0}, []int{1}, []int{1}, []int{2, 1}), 7), 7,
			Decision{Winner: 0, Tied: []int{0, 1}, Break: ByEarlierRound, BreakRound: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tally.Decide(tt.poll); fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Fatalf("Decide = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct{ part, whole, want int }{{0, 0, 0}, {1, 3, 33}, {2, 3, 67}, {1, 2, 50}, {3, 3, 100}, {1, 200, 1}, {1, 201, 0}} {
		if got := percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("percent(%d, %d) = %d, want %d", tt.part, tt.whole, got, tt.want)
		}
	}
}
