package polls

import (
	"sort"

	"github.com/agora-community/agora/model"
)

// Tally is a poll's count.
type Tally struct {
	Voters int
	// Counts are votes per choice: the choices named on each ballot, or for
	// ranked polls the first preferences (the first round).
	Counts []int
	// Rounds of instant-runoff, for ranked polls only.
	Rounds []Round
	// Winner is the winning choice, or -1 without votes or on a tie.
	Winner int
	Tie    bool
}

// Round is one round of instant-runoff: each ballot counts for its highest
// ranked choice still in the race.
type Round struct {
	Counts     []int // per choice; eliminated choices count 0
	Active     int   // ballots still naming a choice in the race
	Eliminated []int // choices eliminated at the end of this round
}

// Count tallies ballots for a poll of kind over n choices. Choice positions
// out of range (never stored by Agora) are ignored rather than trusted.
func Count(kind string, n int, ballots []model.Ballot) Tally {
	t := Tally{Voters: len(ballots), Counts: make([]int, n), Winner: -1}
	for _, b := range ballots {
		seen := make(map[int]bool, len(b.Choices))
		for i, c := range b.Choices {
			if c < 0 || c >= n || seen[c] {
				continue
			}
			seen[c] = true
			if kind == model.PollRanked && i > 0 {
				continue
			}
			t.Counts[c]++
		}
	}
	if kind == model.PollRanked {
		t.runoff(n, ballots)
		return t
	}
	best := 0
	for c, v := range t.Counts {
		switch {
		case v > best:
			best, t.Winner, t.Tie = v, c, false
		case v == best && best > 0:
			t.Tie = true
		}
	}
	if t.Tie {
		t.Winner = -1
	}
	return t
}

// runoff is instant-runoff voting. A choice with more than half of the
// ballots still active wins. Otherwise the choices with the fewest votes
// are all eliminated together (so ties never need a random draw); when
// every remaining choice is tied, the poll is a tie.
func (t *Tally) runoff(n int, ballots []model.Ballot) {
	in := make([]bool, n)
	remaining := n
	for i := range in {
		in[i] = true
	}
	for remaining > 0 {
		r := Round{Counts: make([]int, n)}
		for _, b := range ballots {
			for _, c := range b.Choices {
				if c >= 0 && c < n && in[c] {
					r.Counts[c]++
					r.Active++
					break
				}
			}
		}
		if r.Active == 0 {
			t.Rounds = append(t.Rounds, r)
			return
		}
		least := -1
		for c := range in {
			if !in[c] {
				continue
			}
			if r.Counts[c]*2 > r.Active {
				t.Rounds = append(t.Rounds, r)
				t.Winner = c
				return
			}
			if least < 0 || r.Counts[c] < least {
				least = r.Counts[c]
			}
		}
		for c := range in {
			if in[c] && r.Counts[c] == least {
				r.Eliminated = append(r.Eliminated, c)
			}
		}
		t.Rounds = append(t.Rounds, r)
		if len(r.Eliminated) == remaining {
			t.Tie = true
			return
		}
		for _, c := range r.Eliminated {
			in[c] = false
		}
		remaining -= len(r.Eliminated)
		sort.Ints(r.Eliminated)
	}
}

// QuorumMet reports whether enough members voted for the result to be valid.
func (t Tally) QuorumMet(quorum int) bool { return t.Voters >= quorum }

// percent is a share rounded to the nearest whole percent.
func percent(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return (part*200 + whole) / (2 * whole)
}
