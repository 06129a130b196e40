package search

import (
	"math/bits"
	"slices"
	"strings"
	"testing"
)

// referenceDistance is the textbook optimal string alignment distance, full
// matrix and no bound, to check distanceAtMost against.
func referenceDistance(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func TestDistanceAtMost(t *testing.T) {
	tests := []struct {
		a, b      string
		max, want int
	}{
		{"commande", "commande", 1, 0},
		{"commande", "comande", 1, 1},      // deletion
		{"adhesion", "adhesoin", 1, 1},     // transposition
		{"livraison", "livraisonn", 1, 1},  // insertion
		{"parrainage", "parainnage", 2, 2}, // two edits
		{"parrainage", "parainnage", 1, 2}, // over the bound: max+1
		{"vote", "parrainage", 2, 3},
		{"", "ab", 2, 2},
		{"évènement", "evenement", 2, 2}, // runes, not bytes
		{"ca", "abc", 3, 3},              // OSA, not unrestricted Damerau-Levenshtein (2)
	}
	for _, tt := range tests {
		if got := distanceAtMost([]rune(tt.a), []rune(tt.b), tt.max); got != tt.want {
			t.Errorf("distanceAtMost(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}

func FuzzDistanceAtMost(f *testing.F) {
	f.Add("adhesion", "adhesoin", 1)
	f.Add("parrainage", "parainnage", 2)
	f.Add("ca", "abc", 3)
	f.Fuzz(func(t *testing.T, a, b string, max int) {
		ra, rb := []rune(a), []rune(b)
		if len(ra) > maxFuzzyRunes || len(rb) > maxFuzzyRunes || max < 0 || max > 4 {
			return
		}
		want := min(referenceDistance(ra, rb), max+1)
		if got := distanceAtMost(ra, rb, max); got != want {
			t.Errorf("distanceAtMost(%q, %q, %d) = %d, want %d", a, b, max, got, want)
		}
		// The letter-set filter must never rule out a word within reach.
		if want <= max && bits.OnesCount32(letterSet(ra)^letterSet(rb)) > 2*max {
			t.Errorf("letter sets of %q and %q differ too much for distance %d", a, b, want)
		}
	})
}

func TestClosest(t *testing.T) {
	ix := NewIndex(loadFAQ(t))
	v := &ix.langs["fr"].vocab
	tests := []struct {
		word string
		want []string // words at the smallest distance
	}{
		{"comande", []string{"commande"}},
		{"ambasadeur", []string{"ambassadeur"}},
		{"parainnage", []string{"parrainage"}}, // 10 runes: two edits allowed
		{"parc", nil},                          // 4 runes: too short to guess
		{"prixx", []string{"prix"}},            // the budget follows the typed word (5 runes)
		{"zzzzzzzzz", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range v.closest(tt.word) {
			got = append(got, v.words[m.word])
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("closest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
	if got := typoBudget(len([]rune(strings.Repeat("é", 9)))); got != 2 {
		t.Errorf("typoBudget(9 runes) = %d, want 2", got)
	}
}
