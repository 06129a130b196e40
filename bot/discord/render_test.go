package discord

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
)

func TestRender(t *testing.T) {
	tests := []struct {
		in   markup.Text
		want string
	}{
		{"bonjour", "bonjour"},
		{"*gras*", "**gras**"},
		{"_italique_", "*italique*"},
		{"*_les deux_*", "***les deux***"},
		{"`code`", "`code`"},
		{"*  espacé *", "  **espacé** "},
		{"*deux\nlignes*", "**deux**\n**lignes**"},
		{"a\n\nb", "a\n\nb"},
		{markup.Escape("@everyone **x**"), "@\u200beveryone \\*\\*x\\*\\*"},
		{markup.Escape("<@123> <#4> <t:1:R>"), "\\<@\u200b123\\> \\<\\#4\\> \\<t:1:R\\>"},
		{markup.Escape("# titre\n> citation\n- liste\n1. un\n-# petit"), "\\# titre\n\\> citation\n\\- liste\n1\\. un\n\\-\\# petit"},
		{markup.Escape("||spoiler|| ~~barré~~ [lien](https://x.y)"), "\\|\\|spoiler\\|\\| \\~\\~barré\\~\\~ \\[lien\\]\\(https://x.y\\)"},
		{markup.Escape(`a\b`), `a\\b`},
		{"`a\\`b @here`", "`aˋb @\u200bhere`"},
		{"*" + markup.Escape("*x*") + "*", "**\\*x\\***"},
		{"3.5 €", "3\\.5 €"},
	}
	for _, tt := range tests {
		if got := Render(tt.in); got != tt.want {
			t.Errorf("Render(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// unescape reverses escapeMarkdown: what Discord shows of escaped text.
func unescape(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\\' && i+1 < len(rs):
			i++
			b.WriteRune(rs[i])
		case rs[i] == '@' && i+1 < len(rs) && rs[i+1] == '\u200b':
			b.WriteRune('@')
			i++
		default:
			b.WriteRune(rs[i])
		}
	}
	return b.String()
}

// inert reports whether rendered text has no markdown character and no @
// that Discord would act on.
func inert(s string) bool {
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\\':
			i++
		case strings.ContainsRune(markdownSpecial, rs[i]):
			return false
		case rs[i] == '@' && (i+1 >= len(rs) || rs[i+1] != '\u200b'):
			return false
		case rs[i] == '.' && i > 0 && rs[i-1] >= '0' && rs[i-1] <= '9':
			return false
		}
	}
	return true
}

func FuzzRenderEscapedText(f *testing.F) {
	for _, s := range []string{"@everyone", "**gras**", "<@123>", "a\\*b", "1. liste", "`x`", "@\u200b", "||s||", "\\\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		out := Render(markup.Escape(s))
		if !inert(out) {
			t.Fatalf("Render(Escape(%q)) = %q has live formatting or a mention", s, out)
		}
		if got := unescape(out); got != s {
			t.Fatalf("Render(Escape(%q)) = %q shows %q", s, out, got)
		}
		chunks := renderChunks(markup.Escape(s), 40)
		joined := strings.Join(chunks, "")
		if strings.ReplaceAll(joined, "\n", "") != strings.ReplaceAll(out, "\n", "") {
			t.Fatalf("chunks %q lose text of %q", chunks, out)
		}
		for _, c := range chunks {
			if n := utf8.RuneCountInString(c); n > 40 || !inert(c) {
				t.Fatalf("chunk %q (%d runes) of %q is too long or not inert", c, n, s)
			}
		}
	})
}

func TestRenderChunksCutBetweenLines(t *testing.T) {
	line := strings.Repeat("a", 1500)
	chunks := renderChunks(markup.Text(line+"\n*"+line+"*\n"+strings.Repeat("b", 4500)), maxContent)
	if len(chunks) != 5 {
		t.Fatalf("got %d chunks", len(chunks))
	}
	if chunks[0] != line || chunks[1] != "**"+line+"**" {
		t.Fatalf("lines were not kept whole: %q…", chunks[1][:10])
	}
	for _, c := range chunks {
		if utf8.RuneCountInString(c) > maxContent {
			t.Fatalf("chunk of %d runes", utf8.RuneCountInString(c))
		}
	}
	if strings.Join(chunks[2:], "") != strings.Repeat("b", 4500) {
		t.Fatal("the long line lost text")
	}
}

func buttons(n int) []commands.Button {
	var out []commands.Button
	for i := range n {
		out = append(out, commands.Button{Label: strings.Repeat("x", i), Action: "t/b/" + string(rune('a'+i%26)) + strings.Repeat("z", i/26)})
	}
	return out
}

func TestComponentsRespectLimits(t *testing.T) {
	rows := renderComponents(buttons(12), nil)
	if len(rows) != 3 || len(rows[0].(discordgo.ActionsRow).Components) != 5 || len(rows[2].(discordgo.ActionsRow).Components) != 2 {
		t.Fatalf("12 buttons: %+v", rows)
	}
	long := renderComponents([]commands.Button{{Label: strings.Repeat("é", 100), Action: "t/x"}}, nil)
	label := long[0].(discordgo.ActionsRow).Components[0].(discordgo.Button).Label
	if utf8.RuneCountInString(label) != maxButtonLabel || !strings.HasSuffix(label, "…") {
		t.Fatalf("label %q", label)
	}

	bs := buttons(30)
	rows = renderComponents(bs, nil)
	if len(rows) != 2 {
		t.Fatalf("30 buttons gave %d rows", len(rows))
	}
	var seen []string
	for i, r := range rows {
		menu := r.(discordgo.ActionsRow).Components[0].(discordgo.SelectMenu)
		if len(menu.Options) > maxSelectOptions {
			t.Fatalf("menu %d has %d options", i, len(menu.Options))
		}
		for _, o := range menu.Options {
			route, _ := actionFromComponent(menu.CustomID, []string{o.Value})
			seen = append(seen, route)
		}
	}
	if len(seen) != 30 || seen[29] != bs[29].Action {
		t.Fatalf("routes %v", seen)
	}

	var opts []commands.Button
	for i := range 60 {
		opts = append(opts, commands.Button{Label: "o", Action: "t/o/" + strings.Repeat("1", i+1)})
	}
	rows = renderComponents(buttons(2), &commands.Select{Action: "t/sel", Options: opts, MaxValues: 30})
	if len(rows) != 4 {
		t.Fatalf("select of 60 and 2 buttons gave %d rows", len(rows))
	}
	for i, r := range rows[1:] {
		menu := r.(discordgo.ActionsRow).Components[0].(discordgo.SelectMenu)
		route, vals := actionFromComponent(menu.CustomID, []string{"v"})
		if route != "t/sel" || len(vals) != 1 || len(menu.CustomID) > maxCustomID || menu.MaxValues > len(menu.Options) {
			t.Fatalf("menu %d: id %q route %q max %d", i, menu.CustomID, route, menu.MaxValues)
		}
	}
	dup := renderComponents([]commands.Button{{Label: "a", Action: "t/x"}, {Label: "b", Action: "t/x"}, {Label: "c", Action: "t/sel"}},
		&commands.Select{Action: "t/sel", Options: []commands.Button{{Label: "o", Action: "v"}}})
	if n := len(dup[0].(discordgo.ActionsRow).Components); len(dup) != 2 || n != 1 {
		t.Fatalf("duplicate custom_ids kept: %+v", dup)
	}
	if rows := renderComponents(buttons(200), nil); len(rows) != maxRows {
		t.Fatalf("200 buttons gave %d rows", len(rows))
	}
}

func TestLongResponseIsSplit(t *testing.T) {
	msgs := renderMessages(&commands.Response{
		Text:    markup.Text(strings.Repeat("mot ", 1200)),
		Buttons: []commands.Button{{Label: "ok", Action: "t/ok"}},
		Files:   []commands.File{{Name: "a.txt", Data: []byte("A")}},
	})
	if len(msgs) != 3 || len(msgs[0].Components) != 0 || len(msgs[2].Components) != 1 || len(msgs[2].Files) != 1 {
		t.Fatalf("messages: %d, components and files not on the last", len(msgs))
	}
}

func TestDiscordName(t *testing.T) {
	tests := map[string]string{
		"aide":                   "aide",
		"Créer un sondage":       "créer-un-sondage",
		"Help!":                  "help",
		"l'agenda":               "l-agenda",
		"cmd.essai.name":         "cmdessainame",
		strings.Repeat("ab", 20): strings.Repeat("ab", 16),
		"?!":                     "",
	}
	for in, want := range tests {
		if got := discordName(in); got != want {
			t.Errorf("discordName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRewriteTransport(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.Host+r.URL.Path+"?"+r.URL.RawQuery)
	}))
	defer srv.Close()
	tr, err := newRewriteTransport(srv.URL+"/proxy/", "ws://gw.test/socket", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: tr}
	resp, err := c.Get("https://discord.com/api/v9/channels/1/messages?limit=2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	if len(got) != 1 || got[0] != "GET "+host+"/proxy/api/v9/channels/1/messages?limit=2" {
		t.Fatalf("server saw %v", got)
	}
	resp, err = c.Get(discordgo.EndpointGateway)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	buf := make([]byte, 512)
	n, _ := resp.Body.Read(buf)
	body.Write(buf[:n])
	if !strings.Contains(body.String(), `"url":"ws://gw.test/socket"`) || len(got) != 1 {
		t.Fatalf("gateway answer %s, server saw %v", body.String(), got)
	}
}

func TestRedact(t *testing.T) {
	msg := `Post "https://discord.com/api/v9/webhooks/123/aW50ZXJhY3Rpb24tdG9rZW4/messages/@original": dial tcp: refused; Bot SECRET.TOKEN`
	got := redact(msg, "SECRET.TOKEN")
	if strings.Contains(got, "aW50ZXJhY3Rpb24tdG9rZW4") || strings.Contains(got, "SECRET.TOKEN") || !strings.Contains(got, "/webhooks/123/[token]/messages") {
		t.Fatalf("redact = %q", got)
	}
}

func FuzzActionFromComponent(f *testing.F) {
	f.Add("p/v/12/3", "a")
	f.Add("~b0", "t/b/1")
	f.Add("~1~t/sel", "x")
	f.Add("~", "")
	f.Add("~~~", "~")
	f.Fuzz(func(t *testing.T, customID, value string) {
		route, values := actionFromComponent(customID, []string{value})
		if !strings.HasPrefix(customID, selectPartPrefix) {
			if route != customID || len(values) != 1 || values[0] != value {
				t.Fatalf("plain custom_id %q changed to %q %v", customID, route, values)
			}
			return
		}
		// Agora's own IDs map back to a route found in the ID or the value,
		// never to something invented.
		if route != "" && route != value && !strings.HasSuffix(customID, route) {
			t.Fatalf("custom_id %q value %q gave route %q", customID, value, route)
		}
	})
}
