// Package markup is Agora's small neutral markup. Handlers and locale files
// write it; each adapter parses it into spans and renders them in its own
// syntax (Discord markdown, Telegram HTML, plain console text), escaping every
// character that came from a user.
//
// Syntax: *bold*, _italic_, `code`, and a backslash that makes the next
// character literal. Everything else is literal text.
package markup

import "strings"

// Text is a string in neutral markup. Text coming from users must enter it
// through Escape, never by conversion.
type Text string

// Span is a run of literal text with one combination of styles.
type Span struct {
	Text   string
	Bold   bool
	Italic bool
	Code   bool
}

var escaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, "`", "\\`")

// Escape turns arbitrary user text into markup that renders as exactly that text.
func Escape(s string) Text { return Text(escaper.Replace(s)) }

// Join concatenates markup fragments with a separator that is itself markup.
func Join(parts []Text, sep Text) Text {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(string(sep))
		}
		b.WriteString(string(p))
	}
	return Text(b.String())
}

// Parse splits markup into spans. It never fails: an unmatched marker keeps
// its style to the end of the text, which is harmless because adapters escape
// span text themselves.
func Parse(t Text) []Span {
	var spans []Span
	var cur strings.Builder
	var bold, italic, code bool
	flush := func() {
		if cur.Len() > 0 {
			spans = append(spans, Span{Text: cur.String(), Bold: bold, Italic: italic, Code: code})
			cur.Reset()
		}
	}
	s := string(t)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '`':
			flush()
			code = !code
		case code:
			cur.WriteByte(c)
		case c == '*':
			flush()
			bold = !bold
		case c == '_':
			flush()
			italic = !italic
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return spans
}

// Plain returns the text without any styling, as a console or a toast shows it.
func (t Text) Plain() string {
	var b strings.Builder
	for _, sp := range Parse(t) {
		b.WriteString(sp.Text)
	}
	return b.String()
}
