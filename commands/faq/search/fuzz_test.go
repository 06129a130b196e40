package search

import (
	"slices"
	"testing"
)

// FuzzSearch feeds member text to every function that reads it: no panic,
// at most limit results, ordered, known IDs, confidences within 0..1, and
// the same answer twice.
func FuzzSearch(f *testing.F) {
	entries := loadFAQ(f)
	ix := NewIndex(entries)
	known := make(map[int64]bool)
	for _, e := range entries {
		known[e.ID] = true
	}
	for _, q := range loadQuestions(f) {
		f.Add(q.question, q.lang, 3)
	}
	f.Add("", "", 0)
	f.Add("é\u0301œ'-?¿", "fr-FR", -1)
	f.Add("comment amb", "en_GB", 1000)

	f.Fuzz(func(t *testing.T, text, lang string, limit int) {
		limit %= 100 // a huge limit only makes the sort longer
		for name, search := range map[string]func(string, string, int) []Result{"Search": ix.Search, "Suggest": ix.Suggest} {
			rs := search(text, lang, limit)
			if len(rs) > max(limit, 0) {
				t.Fatalf("%s(%q, %q, %d): %d results", name, text, lang, limit, len(rs))
			}
			for i, r := range rs {
				if !known[r.ID] || r.Score <= 0 || r.Confidence < 0 || r.Confidence > 1 {
					t.Fatalf("%s(%q): result %d out of bounds: %+v", name, text, i, r)
				}
				if i > 0 && (r.Score > rs[i-1].Score || r.Confidence > rs[i-1].Confidence) {
					t.Fatalf("%s(%q): results not ordered: %v", name, text, rs)
				}
			}
			if again := search(text, lang, limit); !slices.Equal(rs, again) {
				t.Fatalf("%s(%q): %v, then %v", name, text, rs, again)
			}
		}
		if LooksLikeQuestion(text) != LooksLikeQuestion(text) {
			t.Fatalf("LooksLikeQuestion(%q) is not deterministic", text)
		}
		if Normalize(text, lang) != Normalize(text, lang) {
			t.Fatalf("Normalize(%q) is not deterministic", text)
		}
	})
}
