package commands_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
)

func noop(context.Context, *commands.Request) (*commands.Response, error) { return nil, nil }

// testRegistry declares /aide with one option, and /sondage with the
// text forms of polls; their names are localized in the real catalog
// ("help", "command", "poll create" in English).
func testRegistry(t testing.TB) *commands.Registry {
	t.Helper()
	cat, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	reg := commands.NewRegistry(cat)
	roles := []commands.Choice{{Value: "member", NameID: "poll.voters.member"}, {Value: "moderator", NameID: "poll.voters.moderator"}}
	if err := reg.Add(&commands.Spec{Name: "aide", Handle: noop, Options: []commands.Option{
		{Name: "commande", Type: commands.OptionString},
	}}, &commands.Spec{Name: "sondage", DefaultSubcommand: "creer", Subcommands: []*commands.Spec{
		{Name: "creer", Handle: noop, Options: []commands.Option{
			{Name: "question", Type: commands.OptionString, Required: true, Until: "|"},
			{Name: "choix", Type: commands.OptionString, Required: true, Rest: true},
			{Name: "type", Type: commands.OptionString},
			{Name: "max", Type: commands.OptionInteger},
			{Name: "resultats", Type: commands.OptionString},
			{Name: "votants", Type: commands.OptionString, Choices: roles},
		}},
		{Name: "resultats", Handle: noop, Options: []commands.Option{{Name: "sondage", Type: commands.OptionInteger, Required: true}}},
		{Name: "voter", Handle: noop, Options: []commands.Option{
			{Name: "sondage", Type: commands.OptionString, Required: true},
			{Name: "choix", Type: commands.OptionString, Rest: true},
			{Name: "classement", Type: commands.OptionString},
		}},
		{Name: "liste", Handle: noop},
	}}); err != nil {
		t.Fatal(err)
	}
	return reg
}

// underscores spells names as a platform with Telegram's rules would.
var underscores = commands.Spelling{Join: "_", Name: func(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, commands.FoldName(s))
}}

type opts = map[string]string

func TestParseText(t *testing.T) {
	reg := testRegistry(t)
	tests := []struct {
		line  string
		path  string
		opts  map[string]string
		bot   string
		errID string
	}{
		{line: "/aide", path: "aide", opts: opts{}},
		{line: "/AIDE", path: "aide", opts: opts{}},
		{line: "/help", path: "aide", opts: opts{}},
		{line: "/aide@agora_bot", path: "aide", opts: opts{}, bot: "agora_bot"},
		{line: "/aide commande:sondage", path: "aide", opts: opts{"commande": "sondage"}},
		{line: "/aide Commande:sondage", path: "aide", opts: opts{"commande": "sondage"}},
		{line: "/help command:poll", path: "aide", opts: opts{"commande": "poll"}},
		{line: `/aide commande:"deux mots"`, path: "aide", opts: opts{"commande": "deux mots"}},
		{line: `/aide « deux mots »`, path: "aide", opts: opts{"commande": "deux mots"}},
		{line: `/aide comment devenir ambassadeur ?`, path: "aide", opts: opts{"commande": "comment devenir ambassadeur ?"}},
		{line: `/aide http://exemple.fr`, path: "aide", opts: opts{"commande": "http://exemple.fr"}},
		{line: `/aide commande:/sondage`, path: "aide", opts: opts{"commande": "/sondage"}},
		{line: `/aide "l'été \"chaud\""`, path: "aide", opts: opts{"commande": `l'été "chaud"`}},
		{line: "/aide\ncommande:x", path: "aide", opts: opts{"commande": "x"}},
		{line: "aide", errID: "error.not_a_command"},
		{line: "/", errID: "error.not_a_command"},
		{line: "/inconnue", errID: "error.unknown_command"},
		{line: `/aide "pas fermé`, errID: "error.unclosed_quote"},
		{line: `/aide commande:a commande:b`, errID: "error.duplicate_option"},
		{line: `/aide "a b" c`, errID: "error.extra_argument"},

		// Subcommands, accents and case aside, in either language.
		{line: "/sondage résultats sondage:3", path: "sondage.resultats", opts: opts{"sondage": "3"}},
		{line: "/Sondage Créer question:Q choix:A|B", path: "sondage.creer", opts: opts{"question": "Q", "choix": "A|B"}},
		{line: "/poll results poll:3", path: "sondage.resultats", opts: opts{"sondage": "3"}},
		{line: "/sondage\tliste", path: "sondage.liste", opts: opts{}},
		{line: "/sondage", errID: "error.missing_subcommand"},

		// The pipe form: the question up to the first "|", the choices after.
		{line: "/sondage creer Quelle pizza ? | Margherita | Regina", path: "sondage.creer",
			opts: opts{"question": "Quelle pizza ?", "choix": "Margherita | Regina"}},
		{line: "/sondage Quelle pizza ? | Margherita | Regina", path: "sondage.creer",
			opts: opts{"question": "Quelle pizza ?", "choix": "Margherita | Regina"}},
		{line: "/sondage Quelle pizza ?|Margherita|Regina", path: "sondage.creer",
			opts: opts{"question": "Quelle pizza ?", "choix": "Margherita|Regina"}},
		{line: "/poll create Which pizza? | A | B type:multiple", path: "sondage.creer",
			opts: opts{"question": "Which pizza?", "choix": "A | B", "type": "multiple"}},
		{line: `/sondage creer "Quelle pizza ?" "A | B"`, path: "sondage.creer", opts: opts{"question": "Quelle pizza ?", "choix": "A | B"}},
		{line: `/sondage creer Quelle pizza "A | B"`, path: "sondage.creer", opts: opts{"question": "Quelle pizza", "choix": "A | B"}},
		{line: "/sondage creer question:Q A | B", path: "sondage.creer", opts: opts{"question": "Q", "choix": "A | B"}},
		{line: "/sondage Quelle pizza ?", path: "sondage.creer", opts: opts{"question": "Quelle pizza ?"}},
		{line: "/sondage | A | B", path: "sondage.creer", opts: opts{"question": "", "choix": "A | B"}},
		{line: "/sondage creer résultats:clôture votants:modérateurs Q ? | A | B", path: "sondage.creer",
			opts: opts{"question": "Q ?", "choix": "A | B", "resultats": "clôture", "votants": "modérateurs"}},

		// Quotes inside the question or a choice are text, kept as typed,
		// when a "|" still follows.
		{line: "/sondage Le film « Dune » ? | Oui | Non", path: "sondage.creer", opts: opts{"question": "Le film « Dune » ?", "choix": "Oui | Non"}},
		{line: `/sondage Tu préfères "chat" ou "chien" ? | Chat | Chien`, path: "sondage.creer",
			opts: opts{"question": `Tu préfères "chat" ou "chien" ?`, "choix": "Chat | Chien"}},
		{line: "/sondage Quelle « pizza » ?|A|B", path: "sondage.creer", opts: opts{"question": "Quelle « pizza » ?", "choix": "A|B"}},
		{line: "/sondage Quelle pizza ? | L'« italienne » | B", path: "sondage.creer", opts: opts{"question": "Quelle pizza ?", "choix": "L'« italienne » | B"}},
		{line: `/sondage "Quelle | pizza ?" | A | B`, path: "sondage.creer", opts: opts{"question": "Quelle | pizza ?", "choix": "A | B"}},

		// A number written "n° 1" is one value; a choice takes the rest of the line.
		{line: "/sondage voter n° 1 2", path: "sondage.voter", opts: opts{"sondage": "n° 1", "choix": "2"}},
		{line: "/sondage voter # 3 Quatre fromages", path: "sondage.voter", opts: opts{"sondage": "# 3", "choix": "Quatre fromages"}},
		{line: "/sondage voter N° 12", path: "sondage.voter", opts: opts{"sondage": "N° 12"}},
		{line: "/sondage voter 1 A, B", path: "sondage.voter", opts: opts{"sondage": "1", "choix": "A, B"}},
		{line: "/sondage voter n° Margherita", path: "sondage.voter", opts: opts{"sondage": "n°", "choix": "Margherita"}},
		{line: `/sondage voter 2 classement:"B > A"`, path: "sondage.voter", opts: opts{"sondage": "2", "classement": "B > A"}},

		// What looks like an option but is text.
		{line: "/sondage Quelle heure : 18h ? | A | B", path: "sondage.creer", opts: opts{"question": "Quelle heure : 18h ?", "choix": "A | B"}},
		{line: "/sondage Quelle heure: 18h ? | A | B", path: "sondage.creer", opts: opts{"question": "Quelle heure: 18h ?", "choix": "A | B"}},
		{line: "/sondage RDV à 18:30 ? | Oui | Non", path: "sondage.creer", opts: opts{"question": "RDV à 18:30 ?", "choix": "Oui | Non"}},
		{line: `/sondage "Note:5 ?" | Oui | Non`, path: "sondage.creer", opts: opts{"question": "Note:5 ?", "choix": "Oui | Non"}},
		{line: "/sondage Voir https://exemple.fr ? | Oui | Non", path: "sondage.creer", opts: opts{"question": "Voir https://exemple.fr ?", "choix": "Oui | Non"}},

		// An unknown option name is refused, not swallowed by a value.
		{line: `/sondage creer choix:"A | B" titre:"Ma question"`, errID: "error.unknown_option"},
		{line: `/sondage creer question:Q choix:A|B couleur:rouge`, errID: "error.unknown_option"},
		{line: `/sondage couleur:rouge`, errID: "error.unknown_option"},
		{line: `/sondage creer question:Q choix:A|B titre:""`, errID: "error.unknown_option"},
		{line: `/sondage Quelle heure:18h ? | A | B`, errID: "error.unknown_option"},
		{line: `/sondage liste x`, errID: "error.extra_argument"},
	}
	for _, tt := range tests {
		got, err := commands.ParseText(reg, tt.line)
		if tt.errID != "" {
			ue, ok := commands.AsUserError(err)
			if !ok || ue.ID != tt.errID {
				t.Errorf("ParseText(%q) = %+v, %v; want error %s", tt.line, got, err, tt.errID)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseText(%q): %v", tt.line, err)
			continue
		}
		if got.Path != tt.path || !reflect.DeepEqual(got.Options, tt.opts) || got.BotName != tt.bot {
			t.Errorf("ParseText(%q) = %+v, want path %q options %v bot %q", tt.line, got, tt.path, tt.opts, tt.bot)
		}
	}
}

func TestParseTextAsSpelled(t *testing.T) {
	reg := testRegistry(t)
	tests := []struct {
		line, path, bot string
		opts            map[string]string
	}{
		{"/sondage_creer Quel prix ? | A | B", "sondage.creer", "", opts{"question": "Quel prix ?", "choix": "A | B"}},
		{"/sondage_créer@agora_bot x", "sondage.creer", "agora_bot", opts{"question": "x"}},
		{"/SONDAGE_RESULTATS sondage:2", "sondage.resultats", "", opts{"sondage": "2"}},
		{"/poll_results poll:2", "sondage.resultats", "", opts{"sondage": "2"}},
		{"/sondage résultats sondage:2", "sondage.resultats", "", opts{"sondage": "2"}},
		{"/help", "aide", "", opts{}},
	}
	for _, tt := range tests {
		got, err := commands.ParseTextAs(reg, tt.line, underscores)
		if err != nil {
			t.Errorf("ParseTextAs(%q): %v", tt.line, err)
			continue
		}
		if got.Path != tt.path || got.BotName != tt.bot || !reflect.DeepEqual(got.Options, tt.opts) {
			t.Errorf("ParseTextAs(%q) = %+v, want %s %v @%s", tt.line, got, tt.path, tt.opts, tt.bot)
		}
	}
	// Without the spelling, the joined word names nothing.
	if _, err := commands.ParseText(reg, "/sondage_creer x"); err == nil {
		t.Error("the registry's own names accepted a platform's joined word")
	}
}

func TestUnknownOptionListsOptionsInTheMembersLanguage(t *testing.T) {
	reg := testRegistry(t)
	_, err := commands.ParseText(reg, `/sondage creer question:Q couleur:rouge`)
	ue, ok := commands.AsUserError(err)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	fr := ue.Localize(reg.Catalog().Localizer(nil, "fr")).Plain()
	en := ue.Localize(reg.Catalog().Localizer(nil, "en")).Plain()
	for _, want := range []string{"/sondage creer", "couleur", "question, choix, type, max, resultats, votants"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French refusal %q lacks %q", fr, want)
		}
	}
	for _, want := range []string{"/poll create", "couleur", "question, choices, kind, max, results, voters"} {
		if !strings.Contains(en, want) {
			t.Errorf("English refusal %q lacks %q", en, want)
		}
	}
}

func TestCommandHead(t *testing.T) {
	tests := []struct{ line, name, bot string }{
		{"/aide", "aide", ""},
		{" /aide@agora_bot commande:x", "aide", "agora_bot"},
		{"/sondage_creer\nQ", "sondage_creer", ""},
		{"/", "", ""},
	}
	for _, tt := range tests {
		if name, bot := commands.CommandHead(tt.line); name != tt.name || bot != tt.bot {
			t.Errorf("CommandHead(%q) = %q, %q; want %q, %q", tt.line, name, bot, tt.name, tt.bot)
		}
	}
}

func TestFoldName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Résultats", "resultats"},
		{"CLÔTURE", "cloture"},
		{" modérateurs ", "moderateurs"},
		{"Cœur", "coeur"},
		{"ça", "ca"},
		{"poll", "poll"},
	}
	for _, tt := range tests {
		if got := commands.FoldName(tt.in); got != tt.want {
			t.Errorf("FoldName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseText(f *testing.F) {
	reg := testRegistry(f)
	for _, s := range []string{
		"/aide", `/aide commande:"x y"`, "/help « a »", "/aide@bot a b c", `/aide "\`,
		"/sondage Quelle pizza ? | A | B", "/sondage_créer x|y", `/sondage creer titre:"x"`,
		"/poll create résultats:clôture Q|A|B", `/sondage "a" "b" c`, "/sondage heure: 18:30 | http://x",
		"/sondage Le « film » ? | L'« a » | b", "/sondage voter n° 1 A, B", `/sondage voter # "2" x`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, sp := range []commands.Spelling{{}, underscores} {
			tc, err := commands.ParseTextAs(reg, line, sp)
			if err != nil {
				if _, ok := commands.AsUserError(err); !ok {
					t.Fatalf("ParseTextAs(%q) returned a non-user error %v", line, err)
				}
				continue
			}
			spec, ok := reg.Resolve(tc.Path)
			if !ok {
				t.Fatalf("ParseTextAs(%q) resolved to unknown path %q", line, tc.Path)
			}
			for name := range tc.Options {
				if spec.Option(name) == nil {
					t.Fatalf("ParseTextAs(%q) gave option %q, which %s lacks", line, name, tc.Path)
				}
			}
		}
	})
}

func TestRegistryRefusesClashingNames(t *testing.T) {
	reg := testRegistry(t)
	// "help" is /aide's English name: another command may not take it.
	err := reg.Add(&commands.Spec{Name: "help", Handle: noop})
	if err == nil {
		t.Fatal("registered a command whose name is another command's English name")
	}
	if err := reg.Add(&commands.Spec{Name: "Majuscule", Handle: noop}); err == nil {
		t.Fatal("registered a command with an upper-case name")
	}
	if err := reg.Add(&commands.Spec{Name: "vide"}); err == nil {
		t.Fatal("registered a command with neither handler nor subcommands")
	}
}

func TestSpecIDsFollowConvention(t *testing.T) {
	reg := testRegistry(t)
	s, _ := reg.Resolve("aide")
	want := []string{"cmd.aide.name", "cmd.aide.description", "cmd.aide.opt.commande.name", "cmd.aide.opt.commande.description"}
	if got := s.MessageIDs(); !reflect.DeepEqual(got, want) {
		t.Errorf("MessageIDs = %v, want %v", got, want)
	}
}

func TestTidyText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Quelle   pizza ? ", "Quelle pizza ?"},
		{"A\u200b", "A"},
		{"Z\u202egauche", "Zgauche"},
		{"co\u00adop", "coop"},
		{"\ufeffBio", "Bio"},
		{"👩\u200d🌾 Paysanne", "👩\u200d🌾 Paysanne"},
		{"\u200b \u2066 ", ""},
		{"L'« italienne »", "L'« italienne »"},
	}
	for _, tt := range tests {
		if got := commands.TidyText(tt.in); got != tt.want {
			t.Errorf("TidyText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzTidyText(f *testing.F) {
	for _, s := range []string{"A\u200b", "Z\u202egauche", " a  b ", "👩\u200d🌾"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := commands.TidyText(s)
		if commands.TidyText(got) != got {
			t.Fatalf("TidyText(%q) = %q, which tidies further", s, got)
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("TidyText(%q) = %q keeps outer or double spaces", s, got)
		}
		for _, r := range got {
			if unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d' {
				t.Fatalf("TidyText(%q) = %q keeps format character %U", s, got, r)
			}
		}
	})
}
