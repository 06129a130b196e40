package locales

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEveryLocaleHasEveryMessage(t *testing.T) {
	c := load(t)
	ref := map[string]bool{}
	for _, id := range c.IDs("fr") {
		ref[id] = true
	}
	for _, lang := range Supported[1:] {
		have := map[string]bool{}
		for _, id := range c.IDs(lang) {
			have[id] = true
			if !ref[id] {
				t.Errorf("%s.toml has %q, which fr.toml (the reference) lacks", lang, id)
			}
		}
		for id := range ref {
			if !have[id] {
				t.Errorf("%s.toml lacks %q", lang, id)
			}
		}
	}
}

// Plural messages must define the forms each language needs: French "one"
// covers 0 and 1, so a message with a one form needs an other form too.
func TestPluralFormsArePresent(t *testing.T) {
	for _, lang := range Supported {
		data, err := os.ReadFile(lang + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		tables := regexp.MustCompile(`(?m)^"([^"]+)"\s*=\s*\{(.*)\}\s*$`).FindAllStringSubmatch(string(data), -1)
		if len(tables) == 0 && lang == "fr" {
			t.Fatal("found no plural message to check")
		}
		for _, m := range tables {
			forms := []string{"one", "other"}
			if lang == "fr" {
				// French CLDR rules pick "many" for a million and more.
				forms = append(forms, "many")
			}
			for _, f := range forms {
				if !regexp.MustCompile(`(^|[\s,])` + f + `\s*=`).MatchString(m[2]) {
					t.Errorf("%s: %s lacks the %s form", lang, m[1], f)
				}
			}
		}
	}
}

func TestLocalizerPicksLanguage(t *testing.T) {
	c := load(t)
	tests := []struct {
		prefs []string
		want  string
	}{
		{[]string{"en-US", "fr"}, "en"},
		{[]string{"en_GB"}, "en"},
		{[]string{"pt-BR", "fr"}, "fr"},
		{[]string{"", "en"}, "en"},
		{[]string{"de"}, "fr"},
		{nil, "fr"},
	}
	for _, tt := range tests {
		if got := c.Localizer(nil, tt.prefs...).Lang(); got != tt.want {
			t.Errorf("Localizer(%q).Lang() = %q, want %q", tt.prefs, got, tt.want)
		}
	}
}

func TestFrenchDates(t *testing.T) {
	c := load(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().In(paris).Year()
	// 17:30 UTC in December is 18:30 in Paris.
	at := time.Date(year, 12, 12, 17, 30, 0, 0, time.UTC)
	fr := c.Localizer(paris, "fr")
	got := fr.DateTime(at)
	if !regexp.MustCompile(`^(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) 12 décembre à 18h30$`).MatchString(got) {
		t.Errorf("French date = %q, want like \"samedi 12 décembre à 18h30\"", got)
	}
	if got := fr.DateTime(time.Date(2020, 12, 12, 8, 5, 0, 0, paris)); got != "samedi 12 décembre 2020 à 8h05" {
		t.Errorf("French date of another year = %q", got)
	}
	if got := c.Localizer(paris, "en").DateTime(time.Date(2020, 12, 12, 18, 30, 0, 0, paris)); got != "Saturday 12 December 2020 at 6:30 pm" {
		t.Errorf("English date = %q", got)
	}
	en := c.Localizer(paris, "en")
	if fr.Weekday(time.Sunday) != "dimanche" || fr.Month(time.December) != "décembre" || en.Weekday(time.Saturday) != "Saturday" || en.Month(time.January) != "January" {
		t.Errorf("names: %s %s %s %s", fr.Weekday(time.Sunday), fr.Month(time.December), en.Weekday(time.Saturday), en.Month(time.January))
	}
}

// The year shows when it differs from the localizer's present, not the
// machine's: the present is whatever clock the runtime runs on.
func TestDatesAreRelativeToTheLocalizersPresent(t *testing.T) {
	c := load(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	machineYear := time.Now().In(paris).Year()
	now := time.Date(machineYear+1, 6, 1, 12, 0, 0, 0, paris)
	fr := c.Localizer(paris, "fr").At(now)
	sameYear := time.Date(machineYear+1, 12, 12, 18, 30, 0, 0, paris)
	if got, want := fr.DateTime(sameYear), fr.S("date.weekday."+strings.ToLower(sameYear.Weekday().String()))+" 12 décembre à 18h30"; got != want {
		t.Errorf("date in the present's year = %q, want %q", got, want)
	}
	machineYearDate := time.Date(machineYear, 12, 12, 0, 0, 0, 0, paris)
	if got := fr.Date(machineYearDate); !strings.HasSuffix(got, fmt.Sprintf(" 12 décembre %d", machineYear)) {
		t.Errorf("date in the machine's year, a year before the present = %q, want its year shown", got)
	}
	// In keeps the present; a localizer without one uses the machine's time.
	if got := fr.In(time.UTC).Date(sameYear); strings.Contains(got, fmt.Sprint(machineYear+1)) {
		t.Errorf("In lost the present: %q", got)
	}
	if got := c.Localizer(paris, "fr").Date(sameYear); !strings.HasSuffix(got, fmt.Sprint(machineYear+1)) {
		t.Errorf("without At, a date next year = %q, want its year shown", got)
	}
}

func TestTemplateDataIsEscaped(t *testing.T) {
	c := load(t)
	got := c.Localizer(nil, "fr").T("error.unknown_command", Data{"Name": "*gras*"})
	if !strings.Contains(string(got), `\*gras\*`) {
		t.Errorf("member text reached markup unescaped: %q", got)
	}
	if !strings.Contains(got.Plain(), "*gras*") {
		t.Errorf("escaped text lost its characters: %q", got.Plain())
	}
}

// A Quantity in template data is written as the reader's language groups
// digits, whichever localizer renders it (errors are built before the
// reader's language is known).
func TestQuantitiesAreGroupedByTheReadersLanguage(t *testing.T) {
	c := load(t)
	data := Data{"Name": "reponse", "Length": Quantity(3100), "Max": Quantity(3000)}
	if got := c.Localizer(nil, "fr").S("error.option_too_long", data); !strings.Contains(got, "3\u202f100 caractères pour 3\u202f000 au plus") {
		t.Errorf("fr = %q, want 3\u202f100 … 3\u202f000", got)
	}
	if got := c.Localizer(nil, "en").S("error.option_too_long", data); !strings.Contains(got, "3,100 characters, 3,000 at most") {
		t.Errorf("en = %q, want 3,100 … 3,000", got)
	}
}

func TestFrenchPluralsCountZeroAsOne(t *testing.T) {
	c := load(t)
	fr, en := c.Localizer(nil, "fr"), c.Localizer(nil, "en")
	for n, want := range map[int]string{0: "0 vote", 1: "1 vote", 2: "2 votes", 1000000: "1\u202f000\u202f000 de votes"} {
		if got := fr.N("count.votes", n).Plain(); got != want {
			t.Errorf("fr %d = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{0: "0 votes", 1: "1 vote", 2: "2 votes"} {
		if got := en.N("count.votes", n).Plain(); got != want {
			t.Errorf("en %d = %q, want %q", n, got, want)
		}
	}
}

func TestMissingMessageShowsItsID(t *testing.T) {
	c := load(t)
	if got := c.Localizer(nil, "fr").S("no.such.message"); got != "no.such.message" {
		t.Errorf("missing message = %q", got)
	}
}

// Names are read as written, not as markup: an underscore stays, where S
// would take it for italics.
func TestNamesAreReadAsWritten(t *testing.T) {
	c := load(t)
	const id = "cmd.questionnaire.creer.opt.prix_base.name"
	for lang, want := range map[string]string{"fr": "prix_base", "en": "base_price"} {
		if got := c.Localizer(nil, lang).Name(id); got != want {
			t.Errorf("%s: Name(%q) = %q, want %q", lang, id, got, want)
		}
	}
	if got := c.Localizer(nil, "fr").Name("no.such.name"); got != "no.such.name" {
		t.Errorf("missing name = %q", got)
	}
}
