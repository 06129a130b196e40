package telegramtest

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// HTMLError is a parse failure of parse_mode=HTML text. Msg uses the wording
// of tdlib (the library behind the Bot API server), so bots that match on
// error text behave as they would against Telegram.
type HTMLError struct {
	Msg string
}

func (e *HTMLError) Error() string { return "can't parse entities: " + e.Msg }

func htmlErr(format string, args ...any) error {
	return &HTMLError{Msg: fmt.Sprintf(format, args...)}
}

// allowedTags are the start tags Telegram accepts; anything else is rejected
// with "Unsupported start tag".
var allowedTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

type openTag struct {
	name      string
	bytePos   int
	utf16Off  int
	url       string
	language  string
	emojiID   string
	expanded  bool
	hasHref   bool
	textStart int // byte offset in the output, to recover link text
}

// ParseHTML converts Bot API HTML into plain text and entities the way
// Telegram does. When strictAmpersand is set, an '&' that does not start a
// recognised entity is an error; Telegram itself keeps it literally, but an
// unescaped '&' almost always means unescaped user input, which the same code
// path will one day send with a '<' in it.
func ParseHTML(s string, strictAmpersand bool) (string, []MessageEntity, error) {
	var out strings.Builder
	var entities []MessageEntity
	var stack []openTag
	off := 0 // current UTF-16 offset in out

	appendRune := func(r rune) {
		out.WriteRune(r)
		off += utf16Len(r)
	}

	n := len(s)
	at := func(i int) byte {
		if i < n {
			return s[i]
		}
		return 0
	}
	for i := 0; i < n; {
		c := s[i]
		if c == '&' {
			if r, next, ok := decodeEntity(s, i); ok {
				if r >= 0xD800 && r <= 0xDFFF {
					return "", nil, htmlErr("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units")
				}
				appendRune(r)
				i = next
				continue
			}
			if strictAmpersand {
				return "", nil, htmlErr("Unescaped \"&\" at byte offset %d, use \"&amp;\"", i)
			}
		}
		if c != '<' {
			r, size := utf8.DecodeRuneInString(s[i:])
			appendRune(r)
			i += size
			continue
		}

		begin := i
		i++
		if at(i) == '/' {
			if len(stack) == 0 {
				return "", nil, htmlErr("Unexpected end tag at byte offset %d", begin)
			}
			i++
			nameStart := i
			for i < n && !isSpace(s[i]) && s[i] != '>' {
				i++
			}
			endName := strings.ToLower(s[nameStart:i])
			for i < n && isSpace(s[i]) {
				i++
			}
			if at(i) != '>' {
				return "", nil, htmlErr("Unclosed end tag at byte offset %d", begin)
			}
			i++
			top := stack[len(stack)-1]
			if endName != "" && endName != top.name {
				return "", nil, htmlErr("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, endName)
			}
			stack = stack[:len(stack)-1]
			entities = closeTag(top, off, out.String(), entities)
			continue
		}

		nameStart := i
		for i < n && !isSpace(s[i]) && s[i] != '>' {
			i++
		}
		if i >= n {
			return "", nil, htmlErr("Unclosed start tag at byte offset %d", begin)
		}
		tag := openTag{name: strings.ToLower(s[nameStart:i]), bytePos: begin}
		if !allowedTags[tag.name] {
			return "", nil, htmlErr("Unsupported start tag \"%s\" at byte offset %d", tag.name, begin)
		}
		var class string
		for at(i) != '>' {
			for i < n && isSpace(s[i]) {
				i++
			}
			if at(i) == '>' {
				break
			}
			if i >= n {
				return "", nil, htmlErr("Unclosed start tag \"%s\" at byte offset %d", tag.name, begin)
			}
			attrStart := i
			for i < n && !isSpace(s[i]) && s[i] != '=' && s[i] != '>' {
				i++
			}
			attr := strings.ToLower(s[attrStart:i])
			if attr == "" {
				return "", nil, htmlErr("Empty attribute name in the tag \"%s\" at byte offset %d", tag.name, begin)
			}
			for i < n && isSpace(s[i]) {
				i++
			}
			if at(i) != '=' {
				if tag.name == "blockquote" && attr == "expandable" {
					tag.expanded = true
					continue
				}
				return "", nil, htmlErr("Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", tag.name, begin)
			}
			i++
			for i < n && isSpace(s[i]) {
				i++
			}
			if i >= n {
				return "", nil, htmlErr("Unclosed start tag \"%s\" at byte offset %d", tag.name, begin)
			}
			var value string
			if q := s[i]; q != '"' && q != '\'' {
				// An unquoted attribute value is an SGML name token.
				tokStart := i
				for i < n && (isAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
					i++
				}
				value = strings.ToLower(s[tokStart:i])
				if at(i) != '>' && !isSpace(at(i)) {
					return "", nil, htmlErr("Unexpected end of name token at byte offset %d", tokStart)
				}
			} else {
				i++
				var v strings.Builder
				for i < n && s[i] != q {
					if s[i] == '&' {
						if r, next, ok := decodeEntity(s, i); ok {
							v.WriteRune(r)
							i = next
							continue
						}
					}
					v.WriteByte(s[i])
					i++
				}
				if i >= n {
					return "", nil, htmlErr("Unclosed start tag at byte offset %d", begin)
				}
				i++
				value = v.String()
			}
			switch {
			case tag.name == "a" && attr == "href":
				tag.url, tag.hasHref = value, true
			case (tag.name == "code" || tag.name == "span") && attr == "class":
				class = value
			case tag.name == "tg-emoji" && attr == "emoji-id":
				tag.emojiID = value
			}
		}
		i++ // past '>'
		switch tag.name {
		case "span":
			if class != "tg-spoiler" {
				return "", nil, htmlErr("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
		case "code":
			if lang, ok := strings.CutPrefix(class, "language-"); ok {
				tag.language = lang
			}
		case "tg-emoji":
			if id, err := strconv.ParseInt(tag.emojiID, 10, 64); err != nil || id == 0 {
				return "", nil, htmlErr("Invalid custom emoji identifier specified")
			}
		}
		tag.utf16Off = off
		tag.textStart = out.Len()
		stack = append(stack, tag)
	}
	if len(stack) > 0 {
		return "", nil, htmlErr("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	for k := range entities {
		// A code entity keeps its language only until an enclosing pre
		// absorbs it; outside pre Telegram drops it.
		if entities[k].Type == "code" {
			entities[k].Language = ""
		}
	}
	sort.SliceStable(entities, func(a, b int) bool {
		if entities[a].Offset != entities[b].Offset {
			return entities[a].Offset < entities[b].Offset
		}
		return entities[a].Length > entities[b].Length
	})
	return out.String(), entities, nil
}

// closeTag turns a closed tag into an entity. Empty spans produce no entity,
// as in Telegram.
func closeTag(t openTag, off int, text string, entities []MessageEntity) []MessageEntity {
	length := off - t.utf16Off
	if length <= 0 {
		return entities
	}
	e := MessageEntity{Offset: t.utf16Off, Length: length}
	switch t.name {
	case "b", "strong":
		e.Type = "bold"
	case "i", "em":
		e.Type = "italic"
	case "u", "ins":
		e.Type = "underline"
	case "s", "strike", "del":
		e.Type = "strikethrough"
	case "span", "tg-spoiler":
		e.Type = "spoiler"
	case "code":
		e.Type = "code"
		e.Language = t.language
	case "pre":
		// <pre><code class="language-x">...</code></pre> is a single pre entity
		// with a language, as Telegram reports it.
		if k := len(entities) - 1; k >= 0 && entities[k].Type == "code" && entities[k].Offset == e.Offset && entities[k].Length == e.Length {
			if entities[k].Language != "" {
				e.Language = entities[k].Language
				entities = entities[:k]
			}
		}
		e.Type = "pre"
	case "blockquote":
		e.Type = "blockquote"
		if t.expanded {
			e.Type = "expandable_blockquote"
		}
	case "tg-emoji":
		e.Type = "custom_emoji"
		e.CustomEmojiID = t.emojiID
	case "a":
		link := t.url
		if !t.hasHref {
			link = text[t.textStart:]
		}
		u, ok := normalizeURL(link)
		if !ok {
			// Telegram silently drops links it cannot understand.
			return entities
		}
		e.Type = "text_link"
		e.URL = u
	}
	return append(entities, e)
}

func normalizeURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \n\t") {
		return "", false
	}
	if !strings.Contains(s, "://") && !strings.HasPrefix(s, "tg:") && !strings.HasPrefix(s, "mailto:") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", false
	}
	switch u.Scheme {
	case "http", "https", "tg", "ton", "tonsite", "mailto":
	default:
		return "", false
	}
	if (u.Scheme == "http" || u.Scheme == "https") && !strings.Contains(u.Host, ".") && u.Host != "localhost" {
		return "", false
	}
	if (u.Scheme == "http" || u.Scheme == "https") && u.Path == "" {
		u.Path = "/"
	}
	return u.String(), true
}

// decodeEntity follows tdlib: named entities lt, gt, amp, quot (the trailing
// ';' is optional) and decimal or hex numeric references.
func decodeEntity(s string, pos int) (rune, int, bool) {
	end := pos + 1
	var r rune
	if end < len(s) && s[end] == '#' {
		end++
		digits := end
		if end < len(s) && (s[end] == 'x' || s[end] == 'X') {
			end++
			digits = end
			for end < len(s) && isHex(s[end]) && end-digits < 8 {
				end++
			}
			v, err := strconv.ParseInt(s[digits:end], 16, 64)
			if err != nil {
				return 0, 0, false
			}
			r = rune(v)
		} else {
			for end < len(s) && s[end] >= '0' && s[end] <= '9' && end-digits < 8 {
				end++
			}
			v, err := strconv.ParseInt(s[digits:end], 10, 64)
			if err != nil {
				return 0, 0, false
			}
			r = rune(v)
		}
		if r == 0 || r >= 0x10ffff {
			return 0, 0, false
		}
	} else {
		for end < len(s) && isAlpha(s[end]) {
			end++
		}
		switch s[pos+1 : end] {
		case "lt":
			r = '<'
		case "gt":
			r = '>'
		case "amp":
			r = '&'
		case "quot":
			r = '"'
		default:
			return 0, 0, false
		}
	}
	if end < len(s) && s[end] == ';' {
		end++
	}
	return r, end, true
}

// UTF16Len counts UTF-16 code units, the unit of every Telegram length limit
// and entity offset.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Len(r)
	}
	return n
}

func utf16Len(r rune) int {
	if utf16.IsSurrogate(r) || r < 0x10000 {
		return 1
	}
	return 2
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isAlnum(c byte) bool { return isAlpha(c) || (c >= '0' && c <= '9') }
func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
