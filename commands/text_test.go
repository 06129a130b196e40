package commands_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
)

func noop(context.Context, *commands.Request) (*commands.Response, error) { return nil, nil }

// testRegistry declares /aide with one option; its names are localized in
// the real catalog ("help", "command" in English).
func testRegistry(t testing.TB) *commands.Registry {
	t.Helper()
	cat, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	reg := commands.NewRegistry(cat)
	if err := reg.Add(&commands.Spec{Name: "aide", Handle: noop, Options: []commands.Option{
		{Name: "commande", Type: commands.OptionString},
	}}); err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestParseText(t *testing.T) {
	reg := testRegistry(t)
	tests := []struct {
		line  string
		path  string
		opts  map[string]string
		bot   string
		errID string
	}{
		{line: "/aide", path: "aide", opts: map[string]string{}},
		{line: "/AIDE", path: "aide", opts: map[string]string{}},
		{line: "/help", path: "aide", opts: map[string]string{}},
		{line: "/aide@agora_bot", path: "aide", opts: map[string]string{}, bot: "agora_bot"},
		{line: "/aide commande:sondage", path: "aide", opts: map[string]string{"commande": "sondage"}},
		{line: "/help command:poll", path: "aide", opts: map[string]string{"commande": "poll"}},
		{line: `/aide commande:"deux mots"`, path: "aide", opts: map[string]string{"commande": "deux mots"}},
		{line: `/aide « deux mots »`, path: "aide", opts: map[string]string{"commande": "deux mots"}},
		{line: `/aide comment devenir ambassadeur ?`, path: "aide", opts: map[string]string{"commande": "comment devenir ambassadeur ?"}},
		{line: `/aide http://exemple.fr`, path: "aide", opts: map[string]string{"commande": "http://exemple.fr"}},
		{line: `/aide "l'été \"chaud\""`, path: "aide", opts: map[string]string{"commande": `l'été "chaud"`}},
		{line: "aide", errID: "error.not_a_command"},
		{line: "/", errID: "error.not_a_command"},
		{line: "/inconnue", errID: "error.unknown_command"},
		{line: `/aide "pas fermé`, errID: "error.unclosed_quote"},
		{line: `/aide commande:a commande:b`, errID: "error.duplicate_option"},
	}
	for _, tt := range tests {
		got, err := commands.ParseText(reg, tt.line)
		if tt.errID != "" {
			ue, ok := commands.AsUserError(err)
			if !ok || ue.ID != tt.errID {
				t.Errorf("ParseText(%q) error = %v, want %s", tt.line, err, tt.errID)
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

func FuzzParseText(f *testing.F) {
	reg := testRegistry(f)
	for _, s := range []string{"/aide", `/aide commande:"x y"`, "/help « a »", "/aide@bot a b c", `/aide "\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		tc, err := commands.ParseText(reg, line)
		if err != nil {
			if _, ok := commands.AsUserError(err); !ok {
				t.Fatalf("ParseText(%q) returned a non-user error %v", line, err)
			}
			return
		}
		if _, ok := reg.Resolve(tc.Path); !ok {
			t.Fatalf("ParseText(%q) resolved to unknown path %q", line, tc.Path)
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
