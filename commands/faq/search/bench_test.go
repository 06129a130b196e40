package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// largeFAQ makes n French entries from the sample FAQ, deterministically:
// each is a French sample entry whose question, phrasings, tags and answer
// gain made-up words (a place, a product...), so that the vocabulary grows
// with the FAQ as a real one would, which is what typo correction and
// autocompletion scan. All are French so that a French query searches all
// n of them.
func largeFAQ(t testing.TB, n int) []Entry {
	var sample []Entry
	for _, e := range loadFAQ(t) {
		if e.Lang == "fr" {
			sample = append(sample, e)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	syllables := strings.Fields("ba be bi bo bu bra bre bri cha che cho da de di do dra fa fe fi fo ga ge gi go la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pra pre ra re ri ro ru sa se si so su ta te ti to tra tu va ve vi vo")
	endings := []string{"", "n", "r", "s", "t", "l", "x"}
	pool := make([]string, 4000)
	for i := range pool {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		b.WriteString(endings[rng.IntN(len(endings))])
		pool[i] = b.String()
	}
	word := func() string { return pool[rng.IntN(len(pool))] }
	sentence := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = word()
		}
		return strings.Join(ws, " ")
	}

	entries := make([]Entry, n)
	for i := range entries {
		base := sample[i%len(sample)]
		e := Entry{
			ID:       int64(1000 + i),
			Lang:     "fr",
			Question: fmt.Sprintf("%s (%s)", base.Question, sentence(2)),
			Tags:     append(append([]string(nil), base.Tags...), word(), word()),
			Answer:   base.Answer + " " + sentence(8) + ".",
		}
		for _, p := range base.Phrasings {
			e.Phrasings = append(e.Phrasings, p+" "+word())
		}
		entries[i] = e
	}
	return entries
}

// benchQueries are the French tune questions, a realistic mix of lengths, typos
// and no-answer questions.
func benchQueries(b *testing.B) []labelled {
	var qs []labelled
	for _, q := range loadQuestions(b) {
		if q.part == "tune" && q.lang == "fr" {
			qs = append(qs, q)
		}
	}
	return qs
}

func BenchmarkNewIndex2000(b *testing.B) {
	entries := largeFAQ(b, 2000)
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(entries)
	}
}

// BenchmarkSearch2000 is one query (the French tune questions in turn) on
// 2,000 entries.
func BenchmarkSearch2000(b *testing.B) {
	ix := NewIndex(largeFAQ(b, 2000))
	qs := benchQueries(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := qs[i%len(qs)]
		ix.Search(q.question, q.lang, 5)
		i++
	}
}

// BenchmarkSearchTypos2000 is the worst common case: every word misspelled,
// so each is compared with the vocabulary for typo correction.
func BenchmarkSearchTypos2000(b *testing.B) {
	ix := NewIndex(largeFAQ(b, 2000))
	b.ReportAllocs()
	for b.Loop() {
		ix.Search("comment ambasadeur rembourcement parrainnage livraisonn cooperativ", "fr", 5)
	}
}

// BenchmarkSuggest2000 completes a typical beginning, and a two-letter one
// that many words of the FAQ start with (the costliest case).
func BenchmarkSuggest2000(b *testing.B) {
	ix := NewIndex(largeFAQ(b, 2000))
	for _, prefix := range []string{"comment devenir amb", "co"} {
		b.Run(prefix, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ix.Suggest(prefix, "fr", 5)
			}
		})
	}
}
