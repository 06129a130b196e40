package polls

import (
	"fmt"
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
			got := Count(tt.kind, 3, ballots(tt.ballots...))
			if fmt.Sprint(got.Counts) != tt.counts || got.Winner != tt.winner || got.Tie != tt.tie || got.Voters != len(tt.ballots) {
				t.Fatalf("Count = %+v; want counts %s winner %d tie %v", got, tt.counts, tt.winner, tt.tie)
			}
		})
	}
}

func TestInstantRunoff(t *testing.T) {
	// A 4, B 3, C 2 first preferences; C's voters prefer B next: B wins in round 2.
	var bs [][]int
	bs = append(bs, repeat(4, []int{0, 1, 2})...)
	bs = append(bs, repeat(3, []int{1, 0, 2})...)
	bs = append(bs, repeat(2, []int{2, 1, 0})...)
	got := Count(storage.PollRanked, 3, ballots(bs...))
	if got.Winner != 1 || len(got.Rounds) != 2 {
		t.Fatalf("tally = %+v, want B winning in round 2", got)
	}
	if r := got.Rounds[0]; fmt.Sprint(r.Counts) != "[4 3 2]" || fmt.Sprint(r.Eliminated) != "[2]" || r.Active != 9 {
		t.Fatalf("round 1 = %+v", r)
	}
	if r := got.Rounds[1]; fmt.Sprint(r.Counts) != "[4 5 0]" || len(r.Eliminated) != 0 {
		t.Fatalf("round 2 = %+v", r)
	}
	if fmt.Sprint(got.Counts) != "[4 3 2]" {
		t.Fatalf("first preferences = %v", got.Counts)
	}

	// Majority in the first round.
	got = Count(storage.PollRanked, 3, ballots([]int{0}, []int{0}, []int{1, 0}))
	if got.Winner != 0 || len(got.Rounds) != 1 {
		t.Fatalf("tally = %+v, want A in round 1", got)
	}

	// Exhausted ballots leave the count: A 2, B 2, C 1 (C names nothing else).
	// C is eliminated, then A and B tie.
	got = Count(storage.PollRanked, 3, ballots([]int{0}, []int{0}, []int{1}, []int{1}, []int{2}))
	if !got.Tie || got.Winner != -1 || len(got.Rounds) != 2 || got.Rounds[1].Active != 4 {
		t.Fatalf("tally = %+v, want a tie after eliminating C", got)
	}

	// Ties for last place are eliminated together.
	got = Count(storage.PollRanked, 4, ballots([]int{0}, []int{0}, []int{0}, []int{1, 0}, []int{2, 0}, []int{3, 1}))
	if got.Winner != 0 || len(got.Rounds) != 2 || fmt.Sprint(got.Rounds[0].Eliminated) != "[1 2 3]" || got.Rounds[1].Counts[0] != 5 {
		t.Fatalf("rounds = %+v, want B, C and D out together, then A with 5", got.Rounds)
	}

	// No ballots: no winner, one empty round.
	got = Count(storage.PollRanked, 2, nil)
	if got.Winner != -1 || got.Tie {
		t.Fatalf("empty = %+v", got)
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct{ part, whole, want int }{{0, 0, 0}, {1, 3, 33}, {2, 3, 67}, {1, 2, 50}, {3, 3, 100}, {1, 200, 1}, {1, 201, 0}} {
		if got := percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("percent(%d, %d) = %d, want %d", tt.part, tt.whole, got, tt.want)
		}
	}
}
