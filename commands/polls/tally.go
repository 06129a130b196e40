package polls

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"

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
	Counts []int // per choice; eliminated choices count 0
	Active int   // ballots still naming a choice in the race
	// Eliminated are the choices eliminated at the end of this round: one
	// choice, or every choice still without a single vote (eliminating
	// those together changes no count, so no tie needs breaking).
	Eliminated []int
	// Tied are the choices that were tied for last place, when a tie had
	// to be broken to eliminate one of them; Break and BreakRound say how.
	Tied       []int
	Break      TieBreak
	BreakRound int // with ByEarlierRound, the round (from 1) that decided
}

// TieBreak is the rule that broke a tie.
type TieBreak int

const (
	NoTieBreak TieBreak = iota
	// ByEarlierRound: the tied choices had different counts in an earlier
	// round; the latest such round decides.
	ByEarlierRound
	// ByDraw: the tied choices had the same counts in every round; the
	// poll's reproducible draw decides (see drawKey).
	ByDraw
)

// Count tallies ballots for a poll of kind over n choices. Choice positions
// out of range (never stored by Agora) are ignored rather than trusted.
// pollID seeds the draw that breaks ties no count can break, so a poll is
// always counted the same way.
func Count(kind string, n int, ballots []model.Ballot, pollID int64) Tally {
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
		t.runoff(n, ballots, pollID)
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

// runoff is instant-runoff voting. Each round counts every ballot for its
// highest ranked choice still in the race. A choice wins with more than
// half of the continuing ballots: exhausted ballots (naming no choice
// still in the race) have no say in later rounds, as in every IRV rule,
// so a majority can be won without half of all voters.
//
// Otherwise exactly one choice, the last, is eliminated and its ballots go
// to their next choice. A tie for last place is broken by the earlier
// rounds (fewer votes in the previous round, then the one before...), and
// failing that by the poll's reproducible draw; the round records which.
// Eliminating tied choices together instead would let a united minority
// win: with 4 "A", 3 "B > C" and 3 "C > B", A must not win by elimination
// of both B and C.
//
// When only two choices remain and they are tied, the poll is a tie, as a
// single-choice poll would be: a draw may decide which choice's ballots
// are transferred, never directly which choice wins.
func (t *Tally) runoff(n int, ballots []model.Ballot, pollID int64) {
	in := make([]bool, n)
	for i := range in {
		in[i] = true
	}
	for {
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
		var remaining, zero, last []int
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
			remaining = append(remaining, c)
			if r.Counts[c] == 0 {
				zero = append(zero, c)
			}
			switch {
			case least < 0 || r.Counts[c] < least:
				least, last = r.Counts[c], []int{c}
			case r.Counts[c] == least:
				last = append(last, c)
			}
		}
		switch {
		case len(zero) > 0:
			r.Eliminated = zero
		case len(last) == 1:
			r.Eliminated = last
		case len(remaining) == 2:
			// Two choices left, tied: no majority can come from a transfer.
			t.Rounds = append(t.Rounds, r)
			t.Tie = true
			return
		default:
			out, how, round := lastOf(last, t.Rounds, pollID)
			r.Eliminated, r.Tied, r.Break, r.BreakRound = []int{out}, last, how, round
		}
		t.Rounds = append(t.Rounds, r)
		for _, c := range r.Eliminated {
			in[c] = false
		}
	}
}

// lastOf picks, among tied choices, the one ranked last: the one with the
// fewest votes in the latest earlier round where their counts differ
// (choices ahead in a round leave the comparison, the others go on to the
// round before); if the earlier rounds never tell them apart, the one the
// poll's draw ranks lowest. It returns the rule used and, for
// ByEarlierRound, the deciding round counted from 1.
func lastOf(tied []int, earlier []Round, pollID int64) (int, TieBreak, int) {
	for k := len(earlier) - 1; k >= 0; k-- {
		counts := earlier[k].Counts
		fewest := counts[tied[0]]
		for _, c := range tied[1:] {
			fewest = min(fewest, counts[c])
		}
		var still []int
		for _, c := range tied {
			if counts[c] == fewest {
				still = append(still, c)
			}
		}
		if len(still) == 1 {
			return still[0], ByEarlierRound, k + 1
		}
		tied = still
	}
	out := tied[0]
	for _, c := range tied[1:] {
		if drawKey(pollID, c) < drawKey(pollID, out) {
			out = c
		}
	}
	return out, ByDraw, 0
}

// drawKey is a choice's ticket in its poll's draw: the first 8 bytes of
// SHA-256("agora-draw/<poll number>/<choice number>"), choices numbered
// from 1 as members see them. It depends on nothing but the poll, so the
// draw is the same at every count and anyone can check it; the lowest
// ticket is drawn last.
func drawKey(pollID int64, choice int) uint64 {
	sum := sha256.Sum256([]byte("agora-draw/" + strconv.FormatInt(pollID, 10) + "/" + strconv.Itoa(choice+1)))
	return binary.BigEndian.Uint64(sum[:8])
}

// Decision is a tie for the win broken by the tie rule.
type Decision struct {
	Winner     int   // -1 when nothing can be decided (no votes)
	Tied       []int // the choices tied for the win; empty without a tie
	Break      TieBreak
	BreakRound int
}

// Decide names a winner even on a tie, for uses that need one choice (a
// questionnaire's price): the tied leaders are ranked with the rule that
// breaks ties for last place in a runoff, and the one left wins. Without
// a tie, it is the tally's winner.
func (t Tally) Decide(pollID int64) Decision {
	if !t.Tie {
		return Decision{Winner: t.Winner}
	}
	counts, earlier := t.Counts, []Round(nil)
	if len(t.Rounds) > 0 {
		last := len(t.Rounds) - 1
		counts, earlier = t.Rounds[last].Counts, t.Rounds[:last]
	}
	best := 0
	for _, v := range counts {
		best = max(best, v)
	}
	d := Decision{Winner: -1}
	if best == 0 {
		return d
	}
	for c, v := range counts {
		if v == best {
			d.Tied = append(d.Tied, c)
		}
	}
	left := append([]int(nil), d.Tied...)
	for len(left) > 1 {
		out, how, round := lastOf(left, earlier, pollID)
		d.Break, d.BreakRound = how, round
		left = remove(left, out)
	}
	d.Winner = left[0]
	return d
}

func remove(s []int, v int) []int {
	out := make([]int, 0, len(s))
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
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
