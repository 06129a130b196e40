package telegram

import (
	"context"
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

func TestRewriteTypedCommands(t *testing.T) {
	reg := testRegistry(t)
	table := newCommandTable(reg)
	tests := []struct {
		in, want, bot string
		known         bool
	}{
		{"/aide", "/aide", "", true},
		{"/help", "/aide", "", true},
		{"/HELP@Agora_Bot commande:x", "/aide commande:x", "Agora_Bot", true},
		{"/aide@other_bot", "/aide", "other_bot", true},
		{"/sondage_creer Quel prix ?", "/sondage creer Quel prix ?", "", true},
		{"/sondage_créer@agora_bot x", "/sondage creer x", "agora_bot", true},
		{"/sondage creer x", "/sondage creer x", "", true},
		{"/sondage résultats", "/sondage resultats", "", true},
		{"/sondage inconnu", "/sondage inconnu", "", true},
		{"/sondage", "/sondage", "", true},
		{"/inconnue x", "/inconnue x", "", false},
		{"/", "/", "", false},
		{"/aide\ncommande:x", "/aide commande:x", "", true},
		{"/sondage\tcreer\nQuel prix ?", "/sondage creer Quel prix ?", "", true},
	}
	for _, tt := range tests {
		got := table.rewrite(reg, tt.in)
		if got.canonical != tt.want || got.botName != tt.bot || got.known != tt.known {
			t.Errorf("rewrite(%q) = %+v; want %q, %q, %v", tt.in, got, tt.want, tt.bot, tt.known)
		}
	}
	tc, err := commands.ParseText(reg, mustRewrite(table, reg, `/sondage_creer "Quel prix ?"`))
	if err != nil || tc.Path != "sondage.creer" || tc.Options["question"] != "Quel prix ?" {
		t.Errorf("parsed = %+v, %v", tc, err)
	}
}

func mustRewrite(t *commandTable, reg *commands.Registry, line string) string {
	return t.rewrite(reg, line).canonical
}

func FuzzRewrite(f *testing.F) {
	reg := testRegistry(f)
	table := newCommandTable(reg)
	for _, s := range []string{"/aide", "/sondage_créer@x a b", "/sondage résultats", "/@", "/ ", "/help\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		typed := table.rewrite(reg, "/"+line)
		out := typed.canonical
		if !typed.known {
			return
		}
		if !strings.HasPrefix(out, "/") {
			t.Fatalf("rewrite(%q) = %q", line, out)
		}
		// Whatever the member typed, parsing the rewrite never panics.
		_, _ = commands.ParseText(reg, out)
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
