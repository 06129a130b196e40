package search

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Each case below exercises one requirement of the FAQ issue on the sample
// FAQ; the labelled questions in accuracy_test.go measure them together.
func TestSearch(t *testing.T) {
	ix := NewIndex(loadFAQ(t))
	tests := []struct {
		name, query, lang string
		want              int64 // top entry; 0 for no result
	}{
		{"exact question", "Comment supprimer mon compte ?", "fr", 21},
		{"case and accents", "PROCHAINS EVENEMENTS", "fr", 27},
		{"accents added", "procédure de démission", "fr", 4},
		{"plural and verb form", "les votes de l'assemblée générale", "fr", 5},
		{"word order", "passe mot oublié", "fr", 19},
		{"stop words only around", "bonjour, je voudrais savoir s'il vous plaît les frais de port, merci", "fr", 11},
		{"typo, one edit in 5+ runes", "parainage", "fr", 31},
		{"typo, transposition", "ambassaduer", "fr", 29},
		{"typos, two edits in 9+ runes", "remboursemnet commnade", "fr", 15},
		{"alternative phrasing", "il manque un produit dans mon colis", "fr", 14},
		{"tags", "rgpd", "fr", 22},
		{"answer words count a little", "Villeurbanne", "fr", 12},
		{"English entry for an English member", "how do I reset my password", "en", 105},
		{"regional tag", "reset password", "en-GB", 105},
		{"unknown language falls back to French", "mot de passe oublié", "de", 19},
		{"no language falls back to French", "mot de passe oublié", "", 19},
		{"nothing in English: French fallback", "mot de passe oublié", "en", 19},
		{"English first when English matches", "password", "en", 105},
		{"no meaningful word", "bonjour, comment ?", "fr", 0},
		{"empty", "", "fr", 0},
		{"words the FAQ never uses", "vélo électrique", "fr", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := ix.Search(tt.query, tt.lang, 3)
			if tt.want == 0 {
				if len(rs) > 0 {
					t.Errorf("Search(%q, %q) = %v, want nothing", tt.query, tt.lang, rs)
				}
				return
			}
			if len(rs) == 0 || rs[0].ID != tt.want {
				t.Errorf("Search(%q, %q) = %v, want %d first", tt.query, tt.lang, rs, tt.want)
			}
		})
	}
}

func TestConfidence(t *testing.T) {
	ix := NewIndex(loadFAQ(t))
	tests := []struct {
		query    string
		min, max float64 // bounds of the top result's confidence
	}{
		// A clear question gets answered automatically.
		{"Comment supprimer mon compte ?", AnswerThreshold, 1},
		{"comment devenir ambassadeur", AnswerThreshold, 1},
		// One word shared by several entries is a coin toss: offer a choice.
		{"commande", MatchThreshold, AnswerThreshold},
		{"séjour", MatchThreshold, AnswerThreshold},
		// Mostly about something else: no good match.
		{"installer discord sur mon téléphone", 0, MatchThreshold},
	}
	for _, tt := range tests {
		rs := ix.Search(tt.query, "fr", 3)
		if len(rs) == 0 {
			t.Errorf("Search(%q) found nothing", tt.query)
			continue
		}
		if c := rs[0].Confidence; c < tt.min || c >= tt.max && tt.max < 1 || c > 1 {
			t.Errorf("Search(%q): top confidence %.2f, want in [%.2f, %.2f)", tt.query, c, tt.min, tt.max)
		}
		for _, r := range rs[1:] {
			if r.Confidence > rs[0].Confidence {
				t.Errorf("Search(%q): %v is more confident than the top result %v", tt.query, r, rs[0])
			}
		}
	}
}

func TestSearchLimit(t *testing.T) {
	ix := NewIndex(loadFAQ(t))
	for _, limit := range []int{-1, 0, 1, 2, 5, 100, 1 << 30} {
		rs := ix.Search("commande", "fr", limit)
		if len(rs) > max(limit, 0) {
			t.Errorf("limit %d: %d results", limit, len(rs))
		}
		if limit > 0 && len(rs) == 0 {
			t.Errorf("limit %d: no result for a common word", limit)
		}
		checkOrdered(t, "commande", rs)
	}
	// A long limit gives the same first results as a short one.
	short, long := ix.Search("commande livraison", "fr", 3), ix.Search("commande livraison", "fr", 1000)
	if !slices.Equal(short, long[:3]) {
		t.Errorf("limit 3 gives %v, limit 1000 starts with %v", short, long[:3])
	}
}

func checkOrdered(t *testing.T, query string, rs []Result) {
	t.Helper()
	for i, r := range rs {
		if r.Score <= 0 || r.Confidence < 0 || r.Confidence > 1 {
			t.Errorf("%q: result %d out of bounds: %+v", query, i, r)
		}
		if i > 0 && (r.Score > rs[i-1].Score || r.Score == rs[i-1].Score && r.ID < rs[i-1].ID) {
			t.Errorf("%q: results not ordered at %d: %v", query, i, rs)
		}
	}
}

func TestSuggest(t *testing.T) {
	ix := NewIndex(loadFAQ(t))
	tests := []struct {
		prefix string
		want   int64 // first suggestion; 0 for none
	}{
		{"parrai", 31},
		{"comment devenir amb", 30},
		{"mot de pa", 19},
		{"frais de livr", 11},
		{"Procur", 6},
		{"mot de passe oublié ", 19}, // complete words only
		{"a", 0},                     // one letter: too early
		{"", 0},
		{"xyzw", 0},
	}
	for _, tt := range tests {
		rs := ix.Suggest(tt.prefix, "fr", 5)
		checkOrdered(t, tt.prefix, rs)
		switch {
		case tt.want == 0 && len(rs) > 0:
			t.Errorf("Suggest(%q) = %v, want nothing", tt.prefix, rs)
		case tt.want != 0 && (len(rs) == 0 || rs[0].ID != tt.want):
			t.Errorf("Suggest(%q) = %v, want %d first", tt.prefix, rs, tt.want)
		}
	}
}

func TestNewIndexEdgeCases(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
	}{
		{"no entries", nil},
		{"empty entry", []Entry{{ID: 1}}},
		{"only stop words", []Entry{{ID: 1, Question: "Comment ?", Answer: "Oui."}}},
		{"duplicate IDs", []Entry{{ID: 1, Question: "Comment voter ?"}, {ID: 1, Question: "Comment voter ?"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := NewIndex(tt.entries)
			for _, q := range []string{"", "voter", "comment voter ?", "vot"} {
				checkOrdered(t, q, ix.Search(q, "fr", 5))
				checkOrdered(t, q, ix.Suggest(q, "fr", 5))
			}
		})
	}
}

func TestQueryIsTruncated(t *testing.T) {
	ix := NewIndex(loadFAQ(t))
	long := "parrainage " + string(make([]byte, 5000)) + " livraison"
	rs := ix.Search(long, "fr", 1)
	if len(rs) != 1 || rs[0].ID != 31 {
		t.Errorf("long query: %v, want the entry of its first words (31)", rs)
	}
	// "é" is two bytes: the cut at maxQueryBytes falls inside the last one.
	text := strings.Repeat("a", maxQueryBytes-1) + "éé"
	if got := truncate(text); len(got) > maxQueryBytes || !utf8.ValidString(got) {
		t.Errorf("truncate(%d bytes) = %d bytes, valid UTF-8 %v", len(text), len(got), utf8.ValidString(got))
	}
}

// The index is shared by every chat handler: run with -race.
func TestConcurrentSearch(t *testing.T) {
	ix := NewIndex(loadFAQ(t))
	queries := []string{"comande", "parts sociales", "mot de pa", "livraison gratuite ?"}
	want := make([][]Result, len(queries))
	for i, q := range queries {
		want[i] = ix.Search(q, "fr", 5)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(queries))
	for range 8 {
		wg.Go(func() {
			for i, q := range queries {
				if got := ix.Search(q, "fr", 5); !slices.Equal(got, want[i]) {
					errs <- fmt.Sprintf("Search(%q) = %v concurrently, %v alone", q, got, want[i])
				}
				ix.Suggest(q, "fr", 5)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
