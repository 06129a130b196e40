// Package search finds the FAQ entries that answer a member's question,
// typed in their own words: accents and case are ignored, plurals and verb
// forms are folded by a Snowball stemmer, stop words are dropped, small typos
// are forgiven, and entries are ranked by BM25F over their question,
// alternative phrasings, tags and (with a low weight) answer. A calibrated
// confidence tells the caller whether to answer automatically, offer
// candidates or say that nothing matches.
//
// The package is pure: no database, no platform, no I/O. An Index is built
// once from all entries and is then read-only, so it is safe for concurrent
// use; when an entry changes, build a new Index and swap it.
package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"golang.org/x/text/unicode/norm"
)

// maxQueryBytes bounds the work a single member message can cause: an FAQ
// question is a sentence, not a document.
const maxQueryBytes = 1000

// term is one analyzed word: surface is the folded word as typed (lowercase,
// without accents), stem is what is indexed and compared.
type term struct {
	surface string
	stem    string
}

// analyzer turns text into terms for one language. Entries and queries go
// through the same analyzer, so any normalization (folding, abbreviations,
// stemming) only has to be consistent, not linguistically perfect.
type analyzer struct {
	stop map[string]bool
	abbr map[string]string
	stem func(string) string
	// cache maps a folded word to its stem, or to "" for a word that is
	// dropped; only while building an index, where words repeat a lot.
	cache map[string]string
}

func newAnalyzer(lang string) *analyzer {
	switch lang {
	case "fr":
		return &analyzer{stop: frenchStopWords, abbr: frenchAbbreviations, stem: stemFrench}
	case "en":
		return &analyzer{stop: englishStopWords, abbr: englishAbbreviations, stem: stemEnglish}
	}
	// No stemmer for other languages: folding and exact words still work.
	return &analyzer{stem: func(s string) string { return s }}
}

func stemFrench(s string) string  { return french.Stem(s, true) }
func stemEnglish(s string) string { return english.Stem(s, true) }

// terms analyzes text. Words are folded before stemming, not after, so that
// "evenement" typed without accents and "événement" get the same stem.
func (a *analyzer) terms(text string) []term {
	var out []term
	for _, w := range words(fold(text)) {
		if exp, ok := a.abbr[w]; ok {
			for _, e := range strings.Fields(exp) {
				out = a.appendWord(out, e)
			}
			continue
		}
		out = a.appendWord(out, w)
	}
	return out
}

func (a *analyzer) appendWord(out []term, w string) []term {
	stem, ok := a.cache[w]
	if !ok {
		stem = a.stemWord(w)
		if a.cache != nil {
			a.cache[w] = stem
		}
	}
	if stem == "" {
		return out
	}
	return append(out, term{surface: w, stem: stem})
}

// stemWord returns the stem of a folded word, or "" if the word is dropped.
func (a *analyzer) stemWord(w string) string {
	// One-letter words are elided articles and pronouns (l', d', j') or
	// stray letters: they never tell entries apart.
	if utf8.RuneCountInString(w) < 2 || a.stop[w] {
		return ""
	}
	if s := a.stem(w); s != "" {
		return s
	}
	return w
}

// fold lowercases text and removes accents and other diacritics ("Événement"
// becomes "evenement"); œ and æ are spelled out as members type them.
func fold(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		// The canonical decomposition of a precomposed Latin letter starts
		// with its base letter ("é" is "e" + U+0301); reading it here avoids
		// allocating a transformer per call. Other scripts are left whole
		// (a Hangul syllable decomposes into letters, not accents).
		r, size := utf8.DecodeRuneInString(text[i:])
		if d := norm.NFD.PropertiesString(text[i:]).Decomposition(); len(d) > 0 {
			if base, _ := utf8.DecodeRune(d); base < 0x250 {
				r = base
			}
		}
		i += size
		switch r = unicode.ToLower(r); {
		case unicode.Is(unicode.Mn, r):
			// A combining accent typed on its own.
		case r == 'œ':
			b.WriteString("oe")
		case r == 'æ':
			b.WriteString("ae")
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// words splits folded text into runs of letters and digits. Apostrophes and
// hyphens split too: "l'adhesion" gives "l" and "adhesion", "peut-on" gives
// "peut" and "on".
func words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Normalize returns the analyzed form of text: the stems of its meaningful
// words, deduplicated and sorted, joined by spaces. Two questions with the
// same normalized form differ only by case, accents, word order, plurals,
// verb forms or stop words, which makes it a cheap duplicate check when
// importing entries. lang chooses the stemmer and stop words: "fr" (also
// when empty) or "en"; words of other languages are only folded.
func Normalize(text, lang string) string {
	a := newAnalyzer(languageOf(lang))
	var stems []string
	for _, t := range a.terms(text) {
		stems = append(stems, t.stem)
	}
	slices.Sort(stems)
	return strings.Join(slices.Compact(stems), " ")
}

// languageOf reduces a language tag ("fr-FR", "en_GB", "EN") to the base
// language code used by entries, French when empty.
func languageOf(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if tag == "" {
		return "fr"
	}
	return tag
}

func set(list string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}

// frenchStopWords are folded (no accents), as the analyzer compares them
// after folding. Beside grammatical words, they hold the interrogative words
// and the polite or conversational words members wrap their questions in
// ("bonjour, je voudrais savoir comment..."): they say that the text is a
// question, not what it is about.
var frenchStopWords = set(`
au aux avec ce ces cet cette ceci cela ca dans de des du elle elles en et eux
il ils je la le les leur leurs lui ma mais me meme mes moi mon ne nos notre
nous on ou par pas pour qu que qui quoi sa se ses son sur ta te tes toi ton
tu un une vos votre vous ici la y si sans sous tout tous toute toutes tres
plus aussi bien comme donc alors car puis ni non oui dont lorsque
ete etee etees etes etant suis es est sommes sont serai seras sera serons
serez seront serais serait serions seriez seraient etais etait etions etiez
etaient fus fut soit sois soient eu eue eus ai as avons avez ont aurai auras
aura aurons aurez auront aurais aurait avais avait avions aviez avaient aie
ait
comment pourquoi quand combien quel quelle quels quelles lequel laquelle
lesquels lesquelles
bonjour bonsoir salut coucou hello merci avance svp stp question questions
savoir sais sait voudrais voudrait aimerais aimerait souhaite souhaiterais
veux veut voulez peux peut pouvez pouvons peuvent puis dois doit devez
faut faudrait fallait faire fais fait faites font ferai fera ferons ferez
feront ferais ferait avoir aller vais vas va allons allez vont pouvoir
pourrais pourrait pourriez vouloir devoir
vraiment juste deja encore exactement quelqu quelque quelques chose truc
trucs machin possible
`)

// frenchAbbreviations spells out the abbreviations common in French chat,
// so that "rdv" finds "rendez-vous" and "appart" finds "appartement".
var frenchAbbreviations = map[string]string{
	"pr": "pour", "ds": "dans", "vs": "vous", "ns": "nous", "tt": "tout",
	"qqn": "quelqu un", "qq": "quelques", "qqch": "quelque chose",
	"pk": "pourquoi", "pq": "pourquoi", "pcq": "parce que", "psk": "parce que",
	"qd": "quand", "kan": "quand", "koi": "quoi", "ke": "que", "ki": "qui",
	"bcp": "beaucoup", "tjs": "toujours", "mtn": "maintenant", "auj": "aujourd hui",
	"bjr": "bonjour", "slt": "salut", "jsuis": "je suis", "chui": "je suis",
	"jai": "j ai", "cest": "c est", "quest": "qu est", "jveux": "je veux",
	"jpeux": "je peux", "jsais": "je sais", "jsp": "je sais pas", "ya": "il y a",
	"ptet": "peut etre",
	"rdv":  "rendez vous", "appart": "appartement", "coop": "cooperative",
	"dispo": "disponible", "perso": "personnelles", "info": "information",
	"infos": "informations", "tel": "telephone", "mdp": "mot de passe",
	"ag":   "assemblee generale",
	"asso": "association", "resa": "reservation", "email": "mail",
	"courriel": "mail", "mails": "mail",
	"cb": "carte bancaire", "dac": "accord",
}

var englishStopWords = set(`
a about above after again against all am an and any are as at be because been
before being below between both but by can could did do does doing down during
each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours out over own same she should
so some such than that the their theirs them then there these they this those
through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves
hi hello hey thanks thank please question know want wanted need like
don doesn didn isn aren wasn can't cannot won wouldn shouldn couldn ve ll re
`)

var englishAbbreviations = map[string]string{
	"pls": "please", "plz": "please", "thx": "thanks", "u": "you", "ur": "your",
	"email": "mail", "emails": "mail", "info": "information", "pwd": "password",
	"agm": "general meeting",
}
