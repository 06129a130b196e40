package telegram

import (
	"strings"
	"testing"

	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/commands/markup"
)

func TestRenderHTML(t *testing.T) {
	tests := []struct {
		in   markup.Text
		want string
	}{
		{"plain", "plain"},
		{"*gras* et _italique_", "<b>gras</b> et <i>italique</i>"},
		{"`a<b>&c`", "<code>a&lt;b&gt;&amp;c</code>"},
		{"*_les deux_*", "<b><i>les deux</i></b>"},
		{"*`code dans gras`*", "<code>code dans gras</code>"},
		{markup.Escape(`<script>alert("x")</script> & *@tous* _`), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; *@\u2060tous* _"},
		{markup.Escape("écrivez à camille@coop.fr ou @camille_l, pas @ seul"), "écrivez à camille@coop.fr ou @\u2060camille_l, pas @ seul"},
		{"*non fermé", "<b>non fermé</b>"},
		{"@*nom*", "@<b>\u2060nom</b>"},
		{"l'apostrophe reste", "l'apostrophe reste"},
	}
	for _, tt := range tests {
		got := renderHTML(defuseMentions(markup.Parse(tt.in)))
		if got != tt.want {
			t.Errorf("renderHTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if _, _, err := telegramtest.ParseHTML(got, true); err != nil {
			t.Errorf("renderHTML(%q) = %q is refused: %v", tt.in, got, err)
		}
	}
}

func TestRenderMessagesSplitsAtLines(t *testing.T) {
	line := strings.Repeat("é", 99) + "\n" // 100 units per line
	text := markup.Text("*" + strings.Repeat(line, 100) + "*")
	msgs := renderMessages(text, 1000)
	if len(msgs) != 10 {
		t.Fatalf("got %d messages, want 10", len(msgs))
	}
	for i, m := range msgs {
		p, _, err := telegramtest.ParseHTML(m, true)
		if err != nil {
			t.Fatalf("message %d refused: %v", i, err)
		}
		if !strings.HasPrefix(m, "<b>") || telegramtest.UTF16Len(p) > 1000 {
			t.Errorf("message %d: %d units, starts %q", i, telegramtest.UTF16Len(p), m[:10])
		}
		if !strings.HasSuffix(p, "é\n") {
			t.Errorf("message %d does not end at a line boundary: %q", i, p[len(p)-5:])
		}
	}
}

func TestRenderMessagesCutsOverlongLines(t *testing.T) {
	text := markup.Text(strings.Repeat("😀", 3000)) // 6000 units, one line
	msgs := renderMessages(text, maxMessage)
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	total := 0
	for _, m := range msgs {
		p, _, err := telegramtest.ParseHTML(m, true)
		if err != nil {
			t.Fatal(err)
		}
		if n := telegramtest.UTF16Len(p); n > maxMessage {
			t.Errorf("message of %d units", n)
		}
		total += strings.Count(p, "😀")
	}
	if total != 3000 {
		t.Errorf("%d emoji kept, want 3000", total)
	}
	if got := renderMessages("  \n\n ", maxMessage); len(got) != 0 {
		t.Errorf("blank text gave %q", got)
	}
}

func FuzzRenderMessages(f *testing.F) {
	for _, s := range []string{"*a* _b_ `c`", "<b>&amp;", `\*x\_`, "a\nb\n\n*c\nd*", "\xff\xfe<", "&#65; &lt"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, escape bool) {
		text := markup.Text(s)
		if escape {
			text = markup.Escape(s)
		}
		msgs := renderMessages(text, 50)
		var all strings.Builder
		for _, m := range msgs {
			p, _, err := telegramtest.ParseHTML(m, true)
			if err != nil {
				t.Fatalf("renderMessages(%q) gave %q: %v", s, m, err)
			}
			if n := telegramtest.UTF16Len(p); n > 50 {
				t.Fatalf("message of %d units > 50", n)
			}
			all.WriteString(p)
		}
		var want string
		for _, sp := range markup.Parse(text) {
			want += strings.ToValidUTF8(sp.Text, "\uFFFD")
		}
		// Telegram trims each message, so compare without whitespace.
		if squeeze(want) != squeeze(all.String()) {
			t.Fatalf("visible text %q is not the markup's %q", all.String(), want)
		}
		if escape && squeeze(all.String()) != squeeze(strings.ToValidUTF8(s, "\uFFFD")) {
			t.Fatalf("escaped text %q came out as %q", s, all.String())
		}
	})
}

func squeeze(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, wordJoiner, "")), "")
}

func TestCommandName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"résultats", "resultats"},
		{"Sondage", "sondage"},
		{"créer un sondage", "creer_un_sondage"},
		{"cœur", "coeur"},
		{"aide!", "aide"},
		{"--x--", "x"},
		{"été-2026", "ete_2026"},
		{"日本", ""},
		{strings.Repeat("a", 40), strings.Repeat("a", 32)},
		{"ça_va", "ca_va"},
	}
	for _, tt := range tests {
		if got := commandName(tt.in); got != tt.want {
			t.Errorf("commandName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzCommandName(f *testing.F) {
	for _, s := range []string{"résultats", "Ça", "a b", "___", "ÆØÅ", "x\x00y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := commandName(s)
		if len(got) > 32 {
			t.Fatalf("commandName(%q) = %q: longer than 32", s, got)
		}
		for i := 0; i < len(got); i++ {
			c := got[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				t.Fatalf("commandName(%q) = %q: bad byte %q", s, got, c)
			}
		}
		if strings.HasPrefix(got, "_") || strings.HasSuffix(got, "_") {
			t.Fatalf("commandName(%q) = %q: edge underscore", s, got)
		}
		if commandName(got) != got {
			t.Fatalf("commandName is not idempotent on %q", got)
		}
	})
}
