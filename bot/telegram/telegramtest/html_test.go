package telegramtest_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/agora-community/agora/bot/telegram/telegramtest"
)

func TestParseHTMLValid(t *testing.T) {
	type E = telegramtest.MessageEntity
	cases := []struct {
		name, in, text string
		ents           []E
	}{
		{"plain", "hello", "hello", nil},
		{"bold", "<b>hi</b> there", "hi there", []E{{Type: "bold", Offset: 0, Length: 2}}},
		{"strong em", "<strong>a</strong><em>b</em>", "ab", []E{{Type: "bold", Length: 1}, {Type: "italic", Offset: 1, Length: 1}}},
		{"nested", "<b>a<i>b</i></b>", "ab", []E{{Type: "bold", Length: 2}, {Type: "italic", Offset: 1, Length: 1}}},
		{"underline strike", "<u>a</u><ins>b</ins><s>c</s><strike>d</strike><del>e</del>", "abcde", []E{
			{Type: "underline", Length: 1}, {Type: "underline", Offset: 1, Length: 1}, {Type: "strikethrough", Offset: 2, Length: 1},
			{Type: "strikethrough", Offset: 3, Length: 1}, {Type: "strikethrough", Offset: 4, Length: 1}}},
		{"spoilers", `<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>`, "xy", []E{{Type: "spoiler", Length: 1}, {Type: "spoiler", Offset: 1, Length: 1}}},
		{"link", `<a href="https://go.dev/doc">Go</a>`, "Go", []E{{Type: "text_link", Length: 2, URL: "https://go.dev/doc"}}},
		{"entities", "a &lt; b &amp;&amp; c &gt; d &quot;q&quot; &#65;&#x42;", `a < b && c > d "q" AB`, nil},
		{"pre language", `<pre><code class="language-go">x := 1</code></pre>`, "x := 1", []E{{Type: "pre", Length: 6, Language: "go"}}},
		{"code", "<code>x</code>", "x", []E{{Type: "code", Length: 1}}},
		{"blockquote", "<blockquote>q</blockquote><blockquote expandable>r</blockquote>", "qr", []E{{Type: "blockquote", Length: 1}, {Type: "expandable_blockquote", Offset: 1, Length: 1}}},
		{"custom emoji", `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, "👍", []E{{Type: "custom_emoji", Length: 2, CustomEmojiID: "5368324170671202286"}}},
		{"utf16 offsets", "🏟<b>é</b>", "🏟é", []E{{Type: "bold", Offset: 2, Length: 1}}},
		{"uppercase tag", "<B>x</B>", "x", []E{{Type: "bold", Length: 1}}},
		{"short end tag", "<i>x</>", "x", []E{{Type: "italic", Length: 1}}},
		{"empty tag no entity", "<b></b>x", "x", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, ents, err := telegramtest.ParseHTML(c.in, true)
			if err != nil {
				t.Fatalf("ParseHTML(%q): %v", c.in, err)
			}
			if text != c.text {
				t.Errorf("text = %q, want %q", text, c.text)
			}
			if len(ents) != 0 || len(c.ents) != 0 {
				if !reflect.DeepEqual(ents, c.ents) {
					t.Errorf("entities = %+v, want %+v", ents, c.ents)
				}
			}
		})
	}
}

func TestParseHTMLInvalid(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<b>unclosed", `Can't find end tag corresponding to start tag "b"`},
		{"a < b", `Unsupported start tag "" at byte offset 2`},
		{"<script>alert(1)</script>", `Unsupported start tag "script" at byte offset 0`},
		{"x <b", "Unclosed start tag at byte offset 2"},
		{"<b>x</i>", `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"x</b>", "Unexpected end tag at byte offset 1"},
		{"<i>a</i   ", "Unclosed end tag at byte offset 4"},
		{"<i   =aba>x</i>", `Empty attribute name in the tag "i" at byte offset 0`},
		{"<i aba>x</i>", `Expected equal sign in declaration of an attribute of the tag "i" at byte offset 0`},
		{"<i aba=190azAz-.,>", "Unexpected end of name token at byte offset 7"},
		{`<a href="x>y</a>`, "Unclosed start tag at byte offset 0"},
		{`<span class="x">y</span>`, `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{"Tom & Jerry", `Unescaped "&" at byte offset 4, use "&amp;"`},
		{"&laquo;", `Unescaped "&" at byte offset 0, use "&amp;"`},
		{"&#xDFDF;", "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units"},
		{"<b><i>x</b></i>", `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			_, _, err := telegramtest.ParseHTML(c.in, true)
			if err == nil {
				t.Fatalf("ParseHTML(%q) succeeded, want error %q", c.in, c.want)
			}
			if got := strings.TrimPrefix(err.Error(), "can't parse entities: "); got != c.want {
				t.Errorf("error = %q, want %q", got, c.want)
			}
		})
	}
}

func TestParseHTMLLenientAmpersand(t *testing.T) {
	text, _, err := telegramtest.ParseHTML("Tom & Jerry &laquo;", false)
	if err != nil || text != "Tom & Jerry &laquo;" {
		t.Fatalf("got %q, %v", text, err)
	}
}
