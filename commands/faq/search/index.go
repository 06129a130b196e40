package search

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Entry is one question of the FAQ with its answer. Lang is the language of
// its text ("fr", "en"; empty means "fr"). Phrasings are other ways members
// ask the same question; Tags are short keywords. The answer is searched too,
// with a low weight, as it often names what the question only hints at.
type Entry struct {
	ID        int64
	Lang      string
	Question  string
	Phrasings []string
	Tags      []string
	Answer    string
}

// Result is an entry that matches a query. Score is the BM25F relevance,
// only comparable within one query. Confidence, from 0 to 1, estimates
// whether the entry answers the query and is comparable across queries:
// compare the first result's with AnswerThreshold and MatchThreshold.
//
// Confidence multiplies three shares: how much of the query (words weighted
// by rarity) the entry matches, how far its score is ahead of the next
// entry's, and how much of the entry's question or of one of its phrasings
// the query matches. It is calibrated on the labelled questions of
// testdata: it rises with the rate of right answers, and no top result
// at or above AnswerThreshold was wrong there. Results after the first never
// have a higher confidence than the one before them.
type Result struct {
	ID         int64
	Score      float64
	Confidence float64
}

// Thresholds on Result.Confidence, chosen on the tune part of the labelled
// questions in testdata (accuracy_test.go prints the measured figures).
const (
	// AnswerThreshold: a top result at least this confident may be sent as
	// the answer without asking the member.
	AnswerThreshold = 0.6
	// MatchThreshold: results below it are not worth showing; if the top
	// result is below it, tell the member that the FAQ has no answer.
	MatchThreshold = 0.2
)

// BM25F parameters. Field weights say how much a word found there tells
// that the entry is the one asked for: the question and the phrasings are
// what members ask, tags are chosen keywords, the answer mentions many
// things it is not about. b is the length normalization of each field.
const k1 = 1.2

type field int

const (
	questionField field = iota
	phrasingsField
	tagsField
	answerField
	fieldCount
)

var fieldWeights = [fieldCount]float64{3, 2.5, 2, 0.4}
var fieldB = [fieldCount]float64{0.5, 0.5, 0.3, 0.75}

// Coverage weights: how much a query word counts as understood when the
// top entry has it only in its answer, when it reached the entry through a
// typo correction, and how much a word the FAQ never uses weighs against
// the match, relative to the rarest known word.
const (
	answerOnlyCoverage = 0.4
	typoFactor         = 0.8
	unknownWordWeight  = 0.7
	// separationFloor is the confidence kept by a top result that ties with
	// the second: a tie means the query fits two entries equally, a coin
	// toss. A top score fullSeparation above the second keeps it all.
	separationFloor = 0.5
	fullSeparation  = 0.5
	// questionFloor is the confidence kept by an entry none of whose
	// question and phrasings is covered by the query (the match comes from
	// tags or the answer): a member asking the same question as an entry
	// uses most of its words.
	questionFloor = 0.5
)

// Index is a search index over FAQ entries, built once by NewIndex and then
// read-only: safe for concurrent use.
type Index struct {
	langs map[string]*langIndex
}

// langIndex holds the entries of one language: statistics and stems of
// different languages do not mix.
type langIndex struct {
	lang     string
	ids      []int64 // document number -> entry ID
	postings map[string][]posting
	vocab    vocabulary
	// questions[doc] holds the distinct stems of the question and of each
	// phrasing of the entry, to measure how much of them a query covers.
	questions [][][]string
}

// posting is one entry containing a stem.
type posting struct {
	doc int32
	// weight is the query-independent part of the BM25F score: field
	// weighted, length normalized term frequency, saturated by k1.
	weight float32
	// strong is true when the stem is in the question, a phrasing or a tag,
	// not only in the answer.
	strong bool
}

// vocabulary lists the folded words of the entries (before stemming), for
// typo correction and autocompletion.
type vocabulary struct {
	words    []string // sorted
	stems    []string // stems[i] is the stem of words[i]
	runes    [][]rune // runes[i] is words[i] as runes
	letters  []uint32 // letters[i] is letterSet(runes[i])
	byLength [][]int  // rune count -> indexes into words
}

// NewIndex builds the index of entries. Entries are grouped by language;
// an entry with an empty Lang is French.
func NewIndex(entries []Entry) *Index {
	byLang := make(map[string][]Entry)
	for _, e := range entries {
		l := languageOf(e.Lang)
		byLang[l] = append(byLang[l], e)
	}
	ix := &Index{langs: make(map[string]*langIndex, len(byLang))}
	for l, es := range byLang {
		ix.langs[l] = buildLangIndex(l, es)
	}
	return ix
}

func buildLangIndex(lang string, entries []Entry) *langIndex {
	a := newAnalyzer(lang)
	a.cache = make(map[string]string)
	li := &langIndex{
		lang:      lang,
		ids:       make([]int64, len(entries)),
		questions: make([][][]string, len(entries)),
	}

	// First pass: analyze every entry, numbering stems, and record which
	// stem occurs in which field; field lengths are needed for all entries
	// before any term weight can be computed.
	type occurrence struct {
		stem  int32
		field field
	}
	stemIDs := make(map[string]int32)
	var stems []string
	occurrences := make([][]occurrence, len(entries))
	lengths := make([][fieldCount]int, len(entries))
	var total [fieldCount]int
	for i, e := range entries {
		li.ids[i] = e.ID
		texts := [fieldCount][]string{
			questionField:  {e.Question},
			phrasingsField: e.Phrasings,
			tagsField:      e.Tags,
			answerField:    {e.Answer},
		}
		for f, ts := range texts {
			for _, text := range ts {
				terms := a.terms(text)
				if field(f) == questionField || field(f) == phrasingsField {
					li.questions[i] = append(li.questions[i], distinctStems(terms))
				}
				for _, t := range terms {
					id, ok := stemIDs[t.stem]
					if !ok {
						id = int32(len(stems))
						stemIDs[t.stem] = id
						stems = append(stems, t.stem)
					}
					occurrences[i] = append(occurrences[i], occurrence{stem: id, field: field(f)})
				}
				lengths[i][f] += len(terms)
			}
			total[f] += lengths[i][f]
		}
	}

	// Second pass: the BM25F weight of each stem in each entry.
	var avg [fieldCount]float64
	for f := range avg {
		avg[f] = math.Max(1, float64(total[f])/float64(max(1, len(entries))))
	}
	postings := make([][]posting, len(stems))
	for i, occ := range occurrences {
		slices.SortFunc(occ, func(x, y occurrence) int { return cmp.Compare(x.stem, y.stem) })
		for start := 0; start < len(occ); {
			end := start
			var counts [fieldCount]int
			for ; end < len(occ) && occ[end].stem == occ[start].stem; end++ {
				counts[occ[end].field]++
			}
			var tf float64
			for f, c := range counts {
				if c > 0 {
					norm := 1 - fieldB[f] + fieldB[f]*float64(lengths[i][f])/avg[f]
					tf += fieldWeights[f] * float64(c) / norm
				}
			}
			strong := counts[questionField]+counts[phrasingsField]+counts[tagsField] > 0
			id := occ[start].stem
			postings[id] = append(postings[id], posting{doc: int32(i), weight: float32(tf / (k1 + tf)), strong: strong})
			start = end
		}
	}
	li.postings = make(map[string][]posting, len(stems))
	for id, s := range stems {
		li.postings[s] = postings[id]
	}

	// The analyzer's cache holds every word of the entries.
	v := &li.vocab
	for w, stem := range a.cache {
		if stem != "" {
			v.words = append(v.words, w)
		}
	}
	slices.Sort(v.words)
	v.stems = make([]string, len(v.words))
	v.runes = make([][]rune, len(v.words))
	v.letters = make([]uint32, len(v.words))
	for i, w := range v.words {
		v.stems[i] = a.cache[w]
		v.runes[i] = []rune(w)
		v.letters[i] = letterSet(v.runes[i])
		n := len(v.runes[i])
		if n > maxFuzzyRunes {
			continue
		}
		for len(v.byLength) <= n {
			v.byLength = append(v.byLength, nil)
		}
		v.byLength[n] = append(v.byLength[n], i)
	}
	return li
}

func distinctStems(terms []term) []string {
	var stems []string
	for _, t := range terms {
		if !slices.Contains(stems, t.stem) {
			stems = append(stems, t.stem)
		}
	}
	return stems
}

// idf is the BM25 inverse document frequency of a stem found in df entries.
func (li *langIndex) idf(df int) float64 {
	n := float64(len(li.ids))
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// languages returns the entries to search in order: those of the member's
// language, then the French ones, as the community is French first.
func (ix *Index) languages(lang string) []*langIndex {
	var out []*langIndex
	if li := ix.langs[languageOf(lang)]; li != nil {
		out = append(out, li)
	}
	if fr := ix.langs["fr"]; fr != nil && (len(out) == 0 || out[0] != fr) {
		out = append(out, fr)
	}
	return out
}

// Search returns at most limit entries matching query, best first, for a
// member speaking lang ("fr", "en", "fr-FR"...). It returns nothing when no
// entry shares a meaningful word with the query.
//
// The entries in the member's language are searched first; if none matches
// (or the FAQ has none in that language), the French ones are, so that a
// member with an English locale who writes French, or asks what only the
// French FAQ covers, still gets an answer. Languages are not mixed in one
// ranking: each has its own stemmer and word statistics, and scores of two
// languages are not comparable.
func (ix *Index) Search(query, lang string, limit int) []Result {
	if limit <= 0 {
		return nil
	}
	for _, li := range ix.languages(lang) {
		a := newAnalyzer(li.lang)
		var qs []queryTerm
		for _, t := range a.terms(truncate(query)) {
			qs = append(qs, li.resolve(t))
		}
		if rs := li.rank(qs, limit); len(rs) > 0 {
			return rs
		}
	}
	return nil
}

// Suggest completes what a member is typing: the last word, when not
// followed by a space or punctuation yet, is taken as the start of any
// word of the FAQ ("parrai" finds "parrainage"). Languages are searched as
// by Search.
func (ix *Index) Suggest(prefix, lang string, limit int) []Result {
	if limit <= 0 {
		return nil
	}
	text := fold(truncate(prefix))
	partial := ""
	if r, _ := utf8.DecodeLastRuneInString(text); unicode.IsLetter(r) || unicode.IsDigit(r) {
		cut := strings.LastIndexFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		// LastIndexFunc gives the start of the separator rune; skip over it.
		if cut >= 0 {
			_, size := utf8.DecodeRuneInString(text[cut:])
			cut += size
		} else {
			cut = 0
		}
		text, partial = text[:cut], text[cut:]
	}
	for _, li := range ix.languages(lang) {
		a := newAnalyzer(li.lang)
		var qs []queryTerm
		for _, t := range a.terms(text) {
			qs = append(qs, li.resolve(t))
		}
		if utf8.RuneCountInString(partial) >= 2 {
			qs = append(qs, li.completions(partial))
		}
		if rs := li.rank(qs, limit); len(rs) > 0 {
			return rs
		}
	}
	return nil
}

// truncate cuts text to maxQueryBytes on a rune boundary.
func truncate(text string) string {
	if len(text) <= maxQueryBytes {
		return text
	}
	cut := maxQueryBytes
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}

// queryTerm is one word of the query with the stems it may stand for: its
// own, or the vocabulary words it is a typo or a beginning of.
type queryTerm struct {
	// key identifies the word for deduplication: its stem, or the typed
	// beginning for a completion.
	key  string
	alts []alternative
	// weight is how much the word counts in the coverage of the query.
	weight float64
}

type alternative struct {
	stem   string
	factor float64 // 1 for the word itself, less for a typo correction
}

func (li *langIndex) resolve(t term) queryTerm {
	if p := li.postings[t.stem]; len(p) > 0 {
		return queryTerm{key: t.stem, alts: []alternative{{stem: t.stem, factor: 1}}, weight: li.idf(len(p))}
	}
	q := queryTerm{key: t.stem}
	for _, m := range li.vocab.closest(t.surface) {
		stem := li.vocab.stems[m.word]
		if !slices.ContainsFunc(q.alts, func(a alternative) bool { return a.stem == stem }) {
			q.alts = append(q.alts, alternative{stem: stem, factor: math.Pow(typoFactor, float64(m.distance))})
		}
	}
	if len(q.alts) == 0 {
		// A word the FAQ never uses: the query is probably about something
		// the FAQ does not cover, so it lowers the confidence.
		q.weight = unknownWordWeight * li.idf(1)
		return q
	}
	q.weight = li.maxIDF(q.alts)
	return q
}

// maxCompletions bounds the words a short beginning expands to; the most
// frequent are kept, as they are the likeliest continuations.
const maxCompletions = 50

func (li *langIndex) completions(partial string) queryTerm {
	v := &li.vocab
	q := queryTerm{key: "completion:" + partial}
	typed := float64(utf8.RuneCountInString(partial))
	at := make(map[string]int) // stem -> index in q.alts
	for i := sort.SearchStrings(v.words, partial); i < len(v.words) && strings.HasPrefix(v.words[i], partial); i++ {
		// The more of the word is typed, the surer it is the word meant.
		factor := 0.5 + 0.5*typed/float64(len(v.runes[i]))
		j, ok := at[v.stems[i]]
		switch {
		case !ok:
			at[v.stems[i]] = len(q.alts)
			q.alts = append(q.alts, alternative{stem: v.stems[i], factor: factor})
		case q.alts[j].factor < factor:
			q.alts[j].factor = factor
		}
	}
	if len(q.alts) > maxCompletions {
		slices.SortStableFunc(q.alts, func(a, b alternative) int {
			return cmp.Compare(len(li.postings[b.stem]), len(li.postings[a.stem]))
		})
		q.alts = q.alts[:maxCompletions]
	}
	q.weight = li.maxIDF(q.alts)
	return q
}

func (li *langIndex) maxIDF(alts []alternative) float64 {
	w := 0.0
	for _, a := range alts {
		w = math.Max(w, li.idf(len(li.postings[a.stem])))
	}
	return w
}

// match is the score of one entry for the query being ranked.
type match struct {
	doc      int32
	score    float64
	coverage float64 // share of the query's weight that the entry matches
}

func (li *langIndex) rank(qs []queryTerm, limit int) []Result {
	qs = dedupe(qs)
	// At least two, for the separation between the first and the second.
	ms := li.best(li.matches(qs), max(limit, 2))
	if len(ms) == 0 {
		return nil
	}
	return li.results(qs, ms, limit)
}

// matches scores every entry that has a word of the query.
func (li *langIndex) matches(qs []queryTerm) []match {
	totalWeight := 0.0
	for _, q := range qs {
		totalWeight += q.weight
	}
	if totalWeight == 0 {
		return nil
	}
	// For each entry: its score and coverage so far, and the best
	// alternative of the current word, as a word standing for several stems
	// counts once per entry.
	type tally struct{ score, coverage, wordScore, wordCoverage float64 }
	tallies := make([]tally, len(li.ids))
	var touched, matchedDocs []int32
	for _, q := range qs {
		for _, a := range q.alts {
			ps := li.postings[a.stem]
			idf := li.idf(len(ps))
			for _, p := range ps {
				t := &tallies[p.doc]
				if t.wordScore == 0 {
					touched = append(touched, p.doc)
				}
				c := q.weight * a.factor
				if !p.strong {
					c *= answerOnlyCoverage
				}
				t.wordScore = math.Max(t.wordScore, idf*a.factor*float64(p.weight))
				t.wordCoverage = math.Max(t.wordCoverage, c)
			}
		}
		for _, doc := range touched {
			t := &tallies[doc]
			if t.score == 0 {
				matchedDocs = append(matchedDocs, doc)
			}
			t.score += t.wordScore
			t.coverage += t.wordCoverage
			t.wordScore, t.wordCoverage = 0, 0
		}
		touched = touched[:0]
	}
	ms := make([]match, len(matchedDocs))
	for i, doc := range matchedDocs {
		t := tallies[doc]
		ms[i] = match{doc: doc, score: t.score, coverage: math.Min(1, t.coverage/totalWeight)}
	}
	return ms
}

// best returns the n best matches, best first; ties go to the smaller ID so
// that results do not depend on the order of the entries.
func (li *langIndex) best(ms []match, n int) []match {
	order := func(a, b match) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(li.ids[a.doc], li.ids[b.doc])
	}
	if n > 64 || n*8 >= len(ms) {
		slices.SortFunc(ms, order)
		return ms[:min(n, len(ms))]
	}
	// A common word matches most entries, and only a few are wanted: keep
	// a short sorted list rather than sorting them all.
	top := make([]match, 0, n+1)
	for _, m := range ms {
		if len(top) == n && order(m, top[n-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, m, order)
		top = slices.Insert(top, i, m)
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

// results turns the best matches (at least the first two, if there are two)
// into at most limit results with their confidence.
func (li *langIndex) results(qs []queryTerm, ms []match, limit int) []Result {
	top := ms[0].score
	separation := 1.0
	if len(ms) > 1 {
		separation = min(1, (1-ms[1].score/top)/fullSeparation)
	}
	matched := make(map[string]float64) // stem -> best factor in the query
	for _, q := range qs {
		for _, a := range q.alts {
			matched[a.stem] = math.Max(matched[a.stem], a.factor)
		}
	}
	results := make([]Result, min(limit, len(ms)))
	for i, m := range ms[:len(results)] {
		// Confidence asks three things: is all of the query understood by
		// this entry (coverage), is it this entry rather than another
		// (separation), and does the query ask the entry's question
		// (questionCoverage).
		conf := m.coverage * (questionFloor + (1-questionFloor)*li.questionCoverage(m.doc, matched))
		if i == 0 {
			conf *= separationFloor + (1-separationFloor)*separation
		} else {
			// Below the top result, an entry is at best an alternative, and
			// no more confident than the one above it: callers compare the
			// first result with the thresholds and list the others.
			conf = min(conf*separationFloor*m.score/top, results[i-1].Confidence)
		}
		results[i] = Result{ID: li.ids[m.doc], Score: m.score, Confidence: clamp01(conf)}
	}
	return results
}

// questionCoverage is the largest share of the question or of a phrasing of
// doc that the query matches, each stem weighted by its idf.
func (li *langIndex) questionCoverage(doc int32, matched map[string]float64) float64 {
	best := 0.0
	for _, stems := range li.questions[doc] {
		var got, total float64
		for _, s := range stems {
			idf := li.idf(len(li.postings[s]))
			total += idf
			got += idf * matched[s]
		}
		if total > 0 {
			best = math.Max(best, got/total)
		}
	}
	return best
}

// dedupe keeps the first of repeated query words, so that "parts ... part"
// counts once.
func dedupe(qs []queryTerm) []queryTerm {
	var out []queryTerm
	seen := make(map[string]bool)
	for _, q := range qs {
		if !seen[q.key] {
			seen[q.key] = true
			out = append(out, q)
		}
	}
	return out
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return math.Max(0, math.Min(1, x))
}
