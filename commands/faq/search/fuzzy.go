package search

import "math/bits"

// maxFuzzyRunes bounds the words compared for typos; longer "words" are
// pasted links or noise, and the bound lets the distance rows live on the
// stack.
const maxFuzzyRunes = 32

// typoBudget is how many edits a word of n runes may carry and still be
// recognized: short words have too many neighbours to guess ("part" and
// "parc"), long words are rarely mistaken for one another.
func typoBudget(n int) int {
	switch {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// distanceAtMost returns the optimal string alignment distance between a and
// b (Damerau-Levenshtein where each substring is edited once: insertions,
// deletions, substitutions and transpositions of two adjacent letters, the
// usual typing mistakes), or max+1 as soon as it is known to exceed max.
//
// Hand-written rather than taken from a library because it runs against
// many vocabulary words for each unknown query word, and only needs to know
// whether the distance is within 1 or 2. Scanning 6,000 words with a
// 13-letter query took 23 ms with go-edlib's OSADamerauLevenshteinDistance
// (full matrix, allocations on each call), 7 ms with agnivade/levenshtein
// (no transpositions) and 1 ms with this function, before the length and
// letter-set filters of closest skip most words.
func distanceAtMost(a, b []rune, max int) int {
	var rows distanceRows
	return rows.distanceAtMost(a, b, max)
}

// distanceRows is the memory of distanceAtMost, reused from one word to the
// next.
type distanceRows [3][maxFuzzyRunes + 1]int

func (rows *distanceRows) distanceAtMost(a, b []rune, max int) int {
	if len(a) > maxFuzzyRunes || len(b) > maxFuzzyRunes {
		return max + 1
	}
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// rows[i%3] holds the distances from a[:i] to every prefix of b; the row
	// before the previous one is needed for transpositions.
	for j := 0; j <= len(b); j++ {
		rows[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur, prev, prev2 := &rows[i%3], &rows[(i-1)%3], &rows[(i+1)%3]
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
			rowMin = min(rowMin, d)
		}
		// Every later cell costs at least the smallest of this row.
		if rowMin > max {
			return max + 1
		}
	}
	return min(rows[len(a)%3][len(b)], max+1)
}

// letterSet is the set of letters of a word, one bit per letter (letters
// beyond "z" share the last bits). An edit adds or removes at most one
// letter of the set, and a substitution both, so two words whose sets
// differ by more than 2×max letters are more than max edits apart: this
// rules out most of the vocabulary before computing any distance.
func letterSet(w []rune) uint32 {
	var set uint32
	for _, r := range w {
		if 'a' <= r && r <= 'z' {
			set |= 1 << (r - 'a')
		} else {
			set |= 1 << (26 + r%6)
		}
	}
	return set
}

// fuzzyMatch is a vocabulary word close to a query word.
type fuzzyMatch struct {
	word     int // index into vocabulary.words
	distance int
}

// closest returns the vocabulary words nearest to w within its typo budget:
// all those at the smallest distance found, none if w is too short or
// nothing is close enough.
func (v *vocabulary) closest(w string) []fuzzyMatch {
	q := []rune(w)
	budget := typoBudget(len(q))
	if budget == 0 || len(q) > maxFuzzyRunes {
		return nil
	}
	var found []fuzzyMatch
	var rows distanceRows
	letters := letterSet(q)
	best := budget
	for n := max(1, len(q)-budget); n <= min(maxFuzzyRunes, len(q)+budget); n++ {
		if n >= len(v.byLength) {
			break
		}
		for _, i := range v.byLength[n] {
			if bits.OnesCount32(letters^v.letters[i]) > 2*best {
				continue
			}
			d := rows.distanceAtMost(q, v.runes[i], best)
			switch {
			case d > best:
			case d < best:
				best = d
				found = append(found[:0], fuzzyMatch{word: i, distance: d})
			default:
				found = append(found, fuzzyMatch{word: i, distance: d})
			}
		}
	}
	return found
}
