package locales

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// French typography, as Agora writes it (see the header of fr.toml): a
// narrow no-break space (U+202F) before ; ! ?, a no-break space (U+00A0)
// before : » % € and after «, and after n° before a number. Text between
// backquotes is what members type (`/aide`, `question:"Quel prix ?"`) and
// is left as typed; template actions are checked as if they printed a
// number.
var typographyRules = []struct {
	name string
	bad  *regexp.Regexp
}{
	{"a space that is not a narrow no-break space before ; ! ?", regexp.MustCompile(`[ \x{00A0}][;!?]`)},
	{"; ! ? without the narrow no-break space", regexp.MustCompile(`[^ \x{00A0}\x{202F}][;!?]`)},
	{"a space that is not a no-break space before : » % €", regexp.MustCompile(`[ \x{202F}][:»%€]`)},
	{": ending a word without the no-break space", regexp.MustCompile(`[\p{L}\p{N}*_)»]:(\s|$)`)},
	{"» % € without the no-break space", regexp.MustCompile(`[^ \x{00A0}\x{202F}][»%€]`)},
	{"« without the no-break space after it", regexp.MustCompile(`«[^\x{00A0}]`)},
	{"n° without the no-break space before its number", regexp.MustCompile(`[nN]°[^\x{00A0}]`)},
	{unitSpaceRule, regexp.MustCompile(`\d (?:h|min|s|j|km|m|jours?|heures?|minutes?|secondes?|semaines?|mois|ans?|octets|[kMG]o)(?:[^\p{L}]|$)`)},
	{"an English word in French", regexp.MustCompile(`(?i)(?:^|[^\p{L}])(the|and|is|are|has|have|your|you|this|with|for|not|no longer|only)(?:[^\p{L}]|$)`)},
}

const unitSpaceRule = "a plain space between a number and its unit (a line may break there)"

var (
	codeSpan       = regexp.MustCompile("`[^`]*`")
	templateAction = regexp.MustCompile(`\{\{.*?\}\}`)
)

// typographyFaults lists the rules a French text breaks.
func typographyFaults(text string) []string {
	var faults []string
	if m := regexp.MustCompile(`\{\{\.Role\}\}s`).FindString(text); m != "" {
		faults = append(faults, "a plural made by adding s to a role: "+m)
	}
	text = codeSpan.ReplaceAllString(text, "x")
	text = templateAction.ReplaceAllString(text, "0")
	for _, r := range typographyRules {
		if m := r.bad.FindString(text); m != "" {
			faults = append(faults, fmt.Sprintf("%s: %q", r.name, m))
		}
	}
	return faults
}

// The rules catch what they are meant to catch, and nothing else.
func TestTypographyRules(t *testing.T) {
	const nb, nnb = "\u00a0", "\u202f"
	tests := []struct {
		text string
		ok   bool
	}{
		{"Sondage n°" + nb + "{{.ID}}" + nb + ": {{.Question}}", true},
		{"Sondage n°{{.ID}}" + nb + ": x", false},
		{"Sondage n° 1" + nb + ": x", false},
		{"Sondage" + nb + ": x" + nnb + "; y" + nnb + "! z" + nnb + "?", true},
		{"Sondage : x", false},
		{"Sondage: x", false},
		{"*Sondage*: x", false},
		{"x ; y", false},
		{"x" + nb + "; y", false},
		{"Quel jour ?", false},
		{"Quel jour?", false},
		{"«" + nb + "{{.Value}}" + nb + "»", true},
		{"« {{.Value}} »", false},
		{"«{{.Value}}»", false},
		{"({{.Percent}}" + nb + "%)", true},
		{"({{.Percent}} %)", false},
		{"({{.Percent}}%)", false},
		{"2,10" + nb + "€", true},
		{"2,10 €", false},
		{"Tapez `/sondage creer question:\"Quel prix ?\"`.", true},
		{"18:30, 12/12", true},
		{"réservé aux {{.Role}}s", false},
		{"`/sondage` has no action", false},
		{"Seuls l'auteur et la modération", true},
		{"({{.Count}} h)", false},
		{"({{.Count}}" + nb + "h)", true},
		{"à {{.Km}} km de Lyon", false},
		{"dans 24 heures", false},
		{"0 de jours", true},
	}
	for _, tt := range tests {
		if got := typographyFaults(tt.text); (len(got) == 0) != tt.ok {
			t.Errorf("typographyFaults(%q) = %q, want ok=%v", tt.text, got, tt.ok)
		}
	}
}

// Every French message, in every form, follows French typography.
func TestFrenchTypography(t *testing.T) {
	names, err := fs.Glob(files, "*/fr.toml")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range append([]string{"fr.toml"}, names...) {
		data, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var messages map[string]any
		if err := toml.Unmarshal(data, &messages); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for id, texts := range forms(messages) {
			for _, text := range texts {
				checked++
				for _, f := range typographyFaults(text) {
					t.Errorf("%s %s: %s in %q", name, id, f, text)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d French texts", checked)
	}
}

// forms lists each message's texts: one, or one per plural form.
func forms(messages map[string]any) map[string][]string {
	out := map[string][]string{}
	for id, v := range messages {
		switch v := v.(type) {
		case string:
			out[id] = []string{v}
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if s, ok := v[k].(string); ok {
					out[id] = append(out[id], s)
				}
			}
		}
	}
	return out
}

// Counts are written with French digit grouping, dates with "1er".
func TestFrenchNumbersAndFirstOfTheMonth(t *testing.T) {
	c := load(t)
	fr, en := c.Localizer(nil, "fr"), c.Localizer(nil, "en")
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1\u202f000", 1234: "1\u202f234", 13000: "13\u202f000", 1234567: "1\u202f234\u202f567", -1234: "-1\u202f234"} {
		if got := fr.Number(n).String(); got != want {
			t.Errorf("fr Number(%d) = %q, want %q", n, got, want)
		}
	}
	if got := en.Number(1234567).String(); got != "1,234,567" {
		t.Errorf("en Number = %q", got)
	}
	if got := fr.N("count.votes", 1234).Plain(); got != "1\u202f234 votes" {
		t.Errorf("fr 1234 votes = %q", got)
	}
	// Templates still compare a count as a number.
	if got := fr.N("count.votes", 0).Plain(); got != "0 vote" {
		t.Errorf("fr 0 votes = %q", got)
	}
	first := c.Localizer(nil, "fr").At(mustDate(2026, 6, 1))
	if got := first.Date(mustDate(2026, 12, 1)); got != "mardi 1er décembre" {
		t.Errorf("first of the month = %q, want mardi 1er décembre", got)
	}
	if got := first.DateTime(mustDate(2026, 12, 11)); !strings.HasPrefix(got, "vendredi 11 décembre à") {
		t.Errorf("the 11th = %q", got)
	}
	if got := en.At(mustDate(2026, 6, 1)).Date(mustDate(2026, 12, 1)); got != "Tuesday 1 December" {
		t.Errorf("English first of the month = %q", got)
	}
}

func mustDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// messages reads every file of a language: file name → message ID → texts
// (one, or one per plural form).
func messages(t *testing.T, lang string) map[string]map[string][]string {
	t.Helper()
	out := map[string]map[string][]string{}
	for name, m := range decodedFiles(t, lang) {
		out[name] = forms(m)
	}
	return out
}

// decodedFiles decodes every file of a language: file name → its TOML.
func decodedFiles(t *testing.T, lang string) map[string]map[string]any {
	t.Helper()
	names, err := fs.Glob(files, "*/"+lang+".toml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, name := range append([]string{lang + ".toml"}, names...) {
		data, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := toml.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = m
	}
	return out
}

// English texts carry no French that a member of an English community
// would have to read or type: "n°" (English writes "#1", not "no. 1"
// either), or a command or option name that exists only in French
// ("/communaute", "reponse:"). Names that are the same in both languages
// ("faq", "question") are fine.
func TestEnglishHasNoFrench(t *testing.T) {
	fr, en := messages(t, "fr"), messages(t, "en")
	french := map[string]string{}
	for _, file := range fr {
		for id, texts := range file {
			if strings.HasPrefix(id, "cmd.") && strings.HasSuffix(id, ".name") {
				french[id] = texts[0]
			}
		}
	}
	type rule struct {
		why string
		bad *regexp.Regexp
	}
	rules := []rule{
		{"n° (English writes #1)", regexp.MustCompile(`[nN]°`)},
		{"no. before a number (English writes #1)", regexp.MustCompile(`(?:^|[^\p{L}])[nN]o\. \{\{`)},
	}
	for _, file := range en {
		for id, texts := range file {
			frName, ok := french[id]
			if !ok || frName == texts[0] {
				continue
			}
			var bad string
			switch parts := strings.Split(id, "."); {
			case len(parts) == 3: // cmd.sondage.name: a command
				bad = `/` + regexp.QuoteMeta(frName) + `(?:[^\p{L}_]|$)`
			case parts[len(parts)-3] == "opt": // cmd.….opt.reponse.name: an option, typed name:value
				bad = `(?:^|[^\p{L}_])` + regexp.QuoteMeta(frName) + `:`
			default:
				continue // subcommands are checked through their command's usage in tests
			}
			rules = append(rules, rule{"the French name " + frName + " (" + id + ")", regexp.MustCompile(bad)})
		}
	}
	checked := 0
	for name, file := range en {
		for id, texts := range file {
			if strings.HasPrefix(id, "cmd.") && strings.HasSuffix(id, ".name") {
				continue
			}
			for _, text := range texts {
				checked++
				for _, r := range rules {
					if m := r.bad.FindString(text); m != "" {
						t.Errorf("%s %s: %s: %q in %q", name, id, r.why, m, text)
					}
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d English texts", checked)
	}
}

// rawPlurals reads the plural messages of a language: file name → message
// ID → form name ("one", "many", "other") → text.
func rawPlurals(t *testing.T, lang string) map[string]map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]map[string]string{}
	for name, m := range decodedFiles(t, lang) {
		out[name] = map[string]map[string]string{}
		for id, v := range m {
			table, ok := v.(map[string]any)
			if !ok {
				continue
			}
			out[name][id] = map[string]string{}
			for form, text := range table {
				if s, ok := text.(string); ok {
					out[name][id][form] = s
				}
			}
		}
	}
	return out
}

// samePluralForms are French plural messages whose forms are rightly the
// same: unit symbols, and a label with its count in parentheses.
var samePluralForms = map[string]bool{
	"meetup.duration.days": true, "meetup.duration.hours": true, "meetup.duration.minutes": true,
	"meetup.show.maybe": true, "meetup.show.waiting": true,
}

// manyWithoutDe are French "many" forms rightly without "de" after the
// count: unit symbols, and an adjective qualifying what was named before
// ("3 questions · 1 000 000 ouvertes").
var manyWithoutDe = map[string]bool{
	"meetup.duration.days": true, "meetup.duration.hours": true, "meetup.duration.minutes": true,
	"poll.q.open_count": true,
}

var (
	parentheticalPlural = regexp.MustCompile(`\p{L}\((?:s|e|es|x)\)`)
	countThenWord       = regexp.MustCompile(`\{\{\.Count\}\} (\p{L}[\p{L}'’]*)`)
)

// Plurals are real forms: no "tâche(s)" in either language; in French, a
// plural message whose forms are all the same agrees with nothing (the
// "Inscrits : 1 ; ils gardent leur place" fault), and the "many" form (a
// million and up) puts "de" between the count and its noun, as "1 000 000
// de votes".
func TestPluralForms(t *testing.T) {
	for _, lang := range Supported {
		for name, file := range messages(t, lang) {
			for id, texts := range file {
				for _, text := range texts {
					if m := parentheticalPlural.FindString(text); m != "" {
						t.Errorf("%s %s: %q instead of plural forms in %q", name, id, m, text)
					}
				}
			}
		}
	}
	checked := 0
	for name, file := range rawPlurals(t, "fr") {
		for id, forms := range file {
			checked++
			one, many, other := forms["one"], forms["many"], forms["other"]
			if one == other && (many == "" || many == other) && !samePluralForms[id] {
				t.Errorf("%s %s: every plural form is %q", name, id, other)
			}
			if many == "" || manyWithoutDe[id] {
				continue
			}
			for _, m := range countThenWord.FindAllStringSubmatch(many, -1) {
				if w := m[1]; w != "de" && !strings.HasPrefix(w, "d'") && !strings.HasPrefix(w, "d’") {
					t.Errorf("%s %s: the many form says %q, without de: %q", name, id, m[0], many)
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("checked only %d French plural messages", checked)
	}
}

// inclusiveExceptions are French texts that name a value members type
// (a chat purpose, who may vote), written as it is typed.
var inclusiveExceptions = map[string]bool{
	"community.purpose.ambassadors": true, "poll.voters.ambassador": true, "poll.voters.moderator": true,
	"cmd.communaute.salon.opt.objectif.description": true, "cmd.sondage.creer.opt.votants.description": true,
}

var exclusiveNoun = regexp.MustCompile(`(?i)(?:^|[^\p{L}/])((?:modérateur|ambassadeur|inscrit|prévenu)s?)(?:[^\p{L}·]|$)`)

// French texts write people with the inclusive forms used everywhere else
// ("modérateur·rice", "ambassadeur·rices", "inscrit·es"), not a masculine
// that reads as excluding the others.
func TestFrenchInclusiveWriting(t *testing.T) {
	for name, file := range messages(t, "fr") {
		for id, texts := range file {
			if inclusiveExceptions[id] || strings.HasPrefix(id, "cmd.") && strings.HasSuffix(id, ".name") {
				continue
			}
			for _, text := range texts {
				if m := exclusiveNoun.FindStringSubmatch(codeSpan.ReplaceAllString(text, "x")); m != nil {
					t.Errorf("%s %s: %q without its inclusive form in %q", name, id, m[1], text)
				}
			}
		}
	}
}

// doublePunctuation finds a full stop or colon right after text that ends
// with its own ? or !: a code span ("`/faq comment adhérer ?`."), or a
// question members wrote ("{{.Question}} :", the question ends with "?").
var doublePunctuation = regexp.MustCompile("[?!]`[.;:]|\\{\\{\\.Question\\}\\}[\u00a0\u202f ]?[.;:]")

func TestNoDoublePunctuation(t *testing.T) {
	for _, lang := range Supported {
		for name, file := range messages(t, lang) {
			for id, texts := range file {
				for _, text := range texts {
					if m := doublePunctuation.FindString(text); m != "" {
						t.Errorf("%s %s: %q ends a question and a sentence twice in %q", name, id, m, text)
					}
				}
			}
		}
	}
}
