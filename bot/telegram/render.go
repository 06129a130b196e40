package telegram

import (
	"strings"
	"unicode/utf16"

	"github.com/agora-community/agora/commands/markup"
)

// maxMessage is Telegram's limit on a message's text after entity parsing,
// in UTF-16 code units.
const maxMessage = 4096

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// escapeHTML makes any text literal in Telegram HTML. Telegram knows only
// these four named entities, so nothing else is escaped.
func escapeHTML(s string) string { return htmlEscaper.Replace(s) }

// wordJoiner is invisible; put after an "@" it keeps Telegram from reading
// a mention there.
const wordJoiner = "\u2060"

// defuseMentions breaks "@name" mentions so that text from members (a
// poll question saying "@everyone" or naming someone) notifies nobody;
// addresses like a@b.fr are not mentions and stay as they are. It works
// across spans, since "@*name*" is a mention too.
func defuseMentions(spans []markup.Span) []markup.Span {
	out := make([]markup.Span, len(spans))
	prev, prevPrev := ' ', ' '
	for i, sp := range spans {
		var b strings.Builder
		for _, r := range strings.ToValidUTF8(sp.Text, "\uFFFD") {
			if prev == '@' && !isWordRune(prevPrev) && isWordRune(r) {
				b.WriteString(wordJoiner)
			}
			b.WriteRune(r)
			prevPrev, prev = prev, r
		}
		out[i] = withText(sp, b.String())
	}
	return out
}

func isWordRune(r rune) bool {
	return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r >= 0x80
}

// renderHTML writes spans as Telegram HTML. Code spans carry no other style:
// Telegram refuses entities inside code.
func renderHTML(spans []markup.Span) string {
	var b strings.Builder
	for _, sp := range spans {
		text := escapeHTML(strings.ToValidUTF8(sp.Text, "\uFFFD"))
		switch {
		case sp.Code:
			b.WriteString("<code>" + text + "</code>")
		case sp.Bold && sp.Italic:
			b.WriteString("<b><i>" + text + "</i></b>")
		case sp.Bold:
			b.WriteString("<b>" + text + "</b>")
		case sp.Italic:
			b.WriteString("<i>" + text + "</i>")
		default:
			b.WriteString(text)
		}
	}
	return b.String()
}

// utf16Len counts what Telegram counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// renderMessages renders markup into one or more HTML messages of at most
// limit UTF-16 units of visible text each. It cuts between lines when it
// can and inside a line only when the line alone is too long; each piece is
// rendered on its own, so no tag is ever cut. Pieces that would be blank are
// dropped, since Telegram refuses empty messages.
func renderMessages(t markup.Text, limit int) []string {
	var out []string
	for _, chunk := range splitSpans(defuseMentions(markup.Parse(t)), limit) {
		if strings.TrimSpace(plain(chunk)) == "" {
			continue
		}
		out = append(out, renderHTML(chunk))
	}
	return out
}

func plain(spans []markup.Span) string {
	var b strings.Builder
	for _, sp := range spans {
		b.WriteString(sp.Text)
	}
	return b.String()
}

// splitSpans groups spans into chunks of at most limit UTF-16 units.
func splitSpans(spans []markup.Span, limit int) [][]markup.Span {
	// Lines keep their trailing newline, so joining chunks gives the text back.
	var lines [][]markup.Span
	var line []markup.Span
	for _, sp := range spans {
		text := strings.ToValidUTF8(sp.Text, "\uFFFD")
		for text != "" {
			i := strings.IndexByte(text, '\n')
			if i < 0 {
				line = append(line, withText(sp, text))
				break
			}
			line = append(line, withText(sp, text[:i+1]))
			lines = append(lines, line)
			line = nil
			text = text[i+1:]
		}
	}
	if len(line) > 0 {
		lines = append(lines, line)
	}

	var chunks [][]markup.Span
	var cur []markup.Span
	size := 0
	flush := func() {
		if len(cur) > 0 {
			chunks = append(chunks, cur)
		}
		cur, size = nil, 0
	}
	for _, ln := range lines {
		n := utf16Len(plain(ln))
		if size+n <= limit {
			cur, size = append(cur, ln...), size+n
			continue
		}
		flush()
		if n <= limit {
			cur, size = append(cur, ln...), n
			continue
		}
		// One line longer than a message: cut it between characters.
		for _, sp := range ln {
			var b strings.Builder
			for _, r := range sp.Text {
				w := utf16.RuneLen(r)
				if size+w > limit {
					if b.Len() > 0 {
						cur = append(cur, withText(sp, b.String()))
						b.Reset()
					}
					flush()
				}
				b.WriteRune(r)
				size += w
			}
			if b.Len() > 0 {
				cur = append(cur, withText(sp, b.String()))
			}
		}
	}
	flush()
	return chunks
}

func withText(sp markup.Span, text string) markup.Span {
	sp.Text = text
	return sp
}

// truncatePlain cuts plain text to at most limit UTF-16 units, ending with
// an ellipsis when it cut; it reports whether it did.
func truncatePlain(s string, limit int) (string, bool) {
	if utf16Len(s) <= limit {
		return s, false
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		w := utf16.RuneLen(r)
		if n+w > limit-1 {
			break
		}
		b.WriteRune(r)
		n += w
	}
	return b.String() + "…", true
}
