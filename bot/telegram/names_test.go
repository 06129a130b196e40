package telegram

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
)

func testRegistry(t testing.TB) *commands.Registry {
	t.Helper()
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	reg := commands.NewRegistry(catalog)
	noop := func(context.Context, *commands.Request) (*commands.Response, error) { return nil, nil }
	err = reg.Add(
		// /aide has real French and English names: "aide" and "help".
		&commands.Spec{Name: "aide", Options: []commands.Option{{Name: "commande"}}, Handle: noop},
		&commands.Spec{Name: "sondage", Subcommands: []*commands.Spec{
			{Name: "creer", Options: []commands.Option{{Name: "question"}}, Handle: noop},
			{Name: "resultats", Handle: noop},
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestTelegramSpelling checks the names members type on Telegram resolve
// in the one registry through Telegram's spelling.
func TestTelegramSpelling(t *testing.T) {
	reg := testRegistry(t)
	tests := []struct {
		in, path, bot string
		opts          map[string]string
		errID         string
	}{
		{in: "/aide", path: "aide", opts: map[string]string{}},
		{in: "/help", path: "aide", opts: map[string]string{}},
		{in: "/HELP@Agora_Bot commande:x", path: "aide", bot: "Agora_Bot", opts: map[string]string{"commande": "x"}},
		{in: "/aide@other_bot", path: "aide", bot: "other_bot", opts: map[string]string{}},
		{in: "/sondage_creer Quel prix ?", path: "sondage.creer", opts: map[string]string{"question": "Quel prix ?"}},
		{in: "/sondage_créer@agora_bot x", path: "sondage.creer", bot: "agora_bot", opts: map[string]string{"question": "x"}},
		{in: "/sondage creer x", path: "sondage.creer", opts: map[string]string{"question": "x"}},
		{in: "/sondage résultats", path: "sondage.resultats", opts: map[string]string{}},
		{in: "/sondage_resultats", path: "sondage.resultats", opts: map[string]string{}},
		{in: "/aide\ncommande:x", path: "aide", opts: map[string]string{"commande": "x"}},
		{in: "/sondage\tcreer\nQuel prix ?", path: "sondage.creer", opts: map[string]string{"question": "Quel prix ?"}},
		{in: `/sondage_creer "Quel prix ?"`, path: "sondage.creer", opts: map[string]string{"question": "Quel prix ?"}},
		{in: "/sondage inconnu", errID: "error.unknown_subcommand"},
		{in: "/sondage", errID: "error.missing_subcommand"},
		{in: "/inconnue x", errID: "error.unknown_command"},
		{in: "/", errID: "error.not_a_command"},
	}
	for _, tt := range tests {
		got, err := commands.ParseTextAs(reg, tt.in, spelling)
		if tt.errID != "" {
			if ue, ok := commands.AsUserError(err); !ok || ue.ID != tt.errID {
				t.Errorf("ParseTextAs(%q) = %+v, %v; want %s", tt.in, got, err, tt.errID)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTextAs(%q): %v", tt.in, err)
			continue
		}
		if got.Path != tt.path || got.BotName != tt.bot || !reflect.DeepEqual(got.Options, tt.opts) {
			t.Errorf("ParseTextAs(%q) = %+v; want %s %v @%s", tt.in, got, tt.path, tt.opts, tt.bot)
		}
	}
}

func FuzzTelegramSpelling(f *testing.F) {
	reg := testRegistry(f)
	for _, s := range []string{"/aide", "/sondage_créer@x a b", "/sondage résultats", "/@", "/ ", "/help\x00", "/sondage_creer q:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		// Whatever the member typed, parsing never panics and fails only
		// with something to tell them.
		if _, err := commands.ParseTextAs(reg, "/"+line, spelling); err != nil {
			if _, ok := commands.AsUserError(err); !ok {
				t.Fatalf("ParseTextAs(%q): %v is not a user error", line, err)
			}
		}
	})
}

func BenchmarkRenderMessages(b *testing.B) {
	var sb strings.Builder
	for range 200 {
		sb.WriteString("*Choix* : " + string(markup.Escape("<Vide-grenier> & brocante `été`")) + " _12 votes_\n")
	}
	text := markup.Text(sb.String())
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		renderMessages(text, maxMessage)
	}
}
