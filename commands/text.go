package commands

import (
	"strings"
	"unicode"

	"github.com/agora-community/agora/locales"
)

// TypedCommand is a command line typed as text, as on Telegram and in the console.
type TypedCommand struct {
	Path    string            // canonical path: "sondage.creer"
	Options map[string]string // canonical option name → value
	BotName string            // the "@name" suffix of the command, if any
}

// IsCommandText reports whether a message is meant as a command.
func IsCommandText(line string) bool {
	return strings.HasPrefix(strings.TrimSpace(line), "/")
}

// CommandHead returns the command word of a command line as typed, and the
// bot it is addressed to ("/aide@agora_bot x" → "aide", "agora_bot"), so a
// platform can tell before parsing whether the line is for Agora at all.
func CommandHead(line string) (name, bot string) {
	line = strings.TrimPrefix(strings.TrimSpace(line), "/")
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		line = line[:i]
	}
	name, bot, _ = strings.Cut(line, "@")
	return name, bot
}

// ParseText reads "/sondage creer question:"Quel prix ?" choix:"A | B" fin:2j"
// with the registry's own names; see ParseTextAs.
func ParseText(reg *Registry, line string) (*TypedCommand, error) {
	return ParseTextAs(reg, line, Spelling{})
}

// ParseTextAs reads a command line as typed on a platform that spells
// command names its own way (see Spelling). It is the one grammar of typed
// commands:
//
//   - Names (of commands, subcommands and options) are French, English or
//     canonical, compared without case or accents: "/Sondage créer" and
//     "résultats:clôture" work.
//   - After the command (and its subcommand, when it has some; text that
//     names no subcommand goes to the DefaultSubcommand, if any) come
//     options as name:value, with values quoted by "…", «…» or “…” when
//     they hold spaces.
//   - A word is an option name only when it starts, unquoted, with a letter
//     followed by letters, digits, "_" or "-", then directly a colon and a
//     value (quoted, or not starting with "//"). Such a word that names no
//     option of the command is refused with the list of its options, so a
//     typo never ends up inside a value. Everything else is text: "heure :
//     18h", "heure: 18h", "18:30", "http://…", ":)" and any quoted word.
//   - Words without a name fill the options in declared order, one word
//     each, except that a quoted word is always one whole value, an option
//     with Until takes words up to its separator, and an option with Rest,
//     or the last free string option, takes the rest of the line — so
//     "/faq comment devenir ambassadeur ?" needs no quotes.
func ParseTextAs(reg *Registry, line string, sp Spelling) (*TypedCommand, error) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "/") {
		return nil, Fail("error.not_a_command")
	}
	tokens, err := tokenize(line[1:])
	if err != nil {
		return nil, err
	}
	if len(tokens) == 0 || tokens[0].text == "" {
		return nil, Fail("error.not_a_command")
	}
	name, bot, _ := strings.Cut(tokens[0].text, "@")
	tc := &TypedCommand{Options: map[string]string{}, BotName: bot}
	spec, ok := reg.Word(name, sp)
	if !ok {
		return nil, Fail("error.unknown_command", locales.Data{"Name": name})
	}
	tokens = tokens[1:]
	for len(spec.Subcommands) > 0 {
		if len(tokens) == 0 {
			return nil, Fail("error.missing_subcommand", locales.Data{"Command": spec.Name})
		}
		var sub *Spec
		if !tokens[0].quoted {
			sub = matchSubcommand(spec, tokens[0].text, sp)
		}
		if sub != nil {
			spec, tokens = sub, tokens[1:]
			continue
		}
		if spec.DefaultSubcommand == "" {
			return nil, Fail("error.unknown_subcommand", locales.Data{"Command": spec.Name, "Name": tokens[0].text})
		}
		spec = spec.Subcommand(spec.DefaultSubcommand) // checked by the registry
	}
	tc.Path = spec.Path()

	var positional []token
	for _, tok := range tokens {
		key, value, named := optionWord(tok)
		if !named {
			positional = append(positional, tok)
			continue
		}
		opt := reg.MatchOption(spec, key)
		if opt == nil {
			return nil, unknownOption(spec, key)
		}
		if _, dup := tc.Options[opt.Name]; dup {
			return nil, Fail("error.duplicate_option", locales.Data{"Name": key})
		}
		tc.Options[opt.Name] = value
	}
	var free []*Option
	for i := range spec.Options {
		// An attachment is a file sent with the command, never a typed word.
		if _, set := tc.Options[spec.Options[i].Name]; !set && spec.Options[i].Type != OptionAttachment {
			free = append(free, &spec.Options[i])
		}
	}
	for len(positional) > 0 {
		if len(free) == 0 {
			return nil, Fail("error.extra_argument", locales.Data{"Value": positional[0].text})
		}
		opt := free[0]
		free = free[1:]
		var value string
		value, positional = takeValue(opt, positional, len(free) == 0)
		tc.Options[opt.Name] = value
	}
	return tc, nil
}

// takeValue takes the words of one unnamed value off the front of words.
func takeValue(opt *Option, words []token, last bool) (string, []token) {
	if words[0].quoted {
		value, rest := words[0].text, words[1:]
		if opt.Until != "" && len(rest) > 0 && !rest[0].quoted && strings.HasPrefix(rest[0].text, opt.Until) {
			// `"Quelle heure ?" | A | B`: the separator after a quoted value is still one.
			if after := strings.TrimSpace(strings.TrimPrefix(rest[0].text, opt.Until)); after != "" {
				rest = append([]token{{text: after, open: -1}}, rest[1:]...)
			} else {
				rest = rest[1:]
			}
		}
		return value, rest
	}
	if opt.Until != "" {
		var parts []string
		for len(words) > 0 {
			if words[0].quoted {
				if !separatorAhead(words[1:], opt.Until) {
					break // `Quelle pizza "A | B"`: the quoted word is the next value
				}
				// `Le film « Dune » ? | Oui | Non`: quotes inside the text.
				parts = append(parts, words[0].typed())
				words = words[1:]
				continue
			}
			before, after, found := strings.Cut(words[0].typed(), opt.Until)
			if !found {
				parts = append(parts, words[0].typed())
				words = words[1:]
				continue
			}
			if before = strings.TrimSpace(before); before != "" {
				parts = append(parts, before)
			}
			if after = strings.TrimSpace(after); after != "" {
				// "?|A": what follows the separator starts the next value.
				rest := append([]token{{text: after, open: -1}}, words[1:]...)
				return strings.Join(parts, " "), rest
			}
			return strings.Join(parts, " "), words[1:]
		}
		return strings.Join(parts, " "), words
	}
	if opt.Rest || last && opt.Type == OptionString {
		// Free text keeps the quotes typed inside it: L'« italienne ».
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = w.typed()
		}
		return strings.Join(parts, " "), nil
	}
	if len(words) > 1 && !words[1].quoted && isNumberMark(words[0]) && startsWithDigit(words[1].text) {
		// "n° 12" as Agora writes it: the mark and its number are one value.
		return words[0].text + " " + words[1].text, words[2:]
	}
	return words[0].text, words[1:]
}

// isNumberMark reports whether a word is one of the marks members put
// before a number (numberPrefixes), alone: "n°", "No.", "#".
func isNumberMark(w token) bool {
	return !w.quoted && w.text != "" && TrimNumberPrefix(w.text) == ""
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// optionWord reads a "name:value" word; see ParseTextAs for what counts.
func optionWord(tok token) (name, value string, ok bool) {
	if tok.quoted {
		return "", "", false
	}
	name, value, found := strings.Cut(tok.text, ":")
	if !found || !isOptionName(name) {
		return "", "", false
	}
	quotedValue := tok.open == len(name)+1
	if value == "" && !quotedValue || strings.HasPrefix(value, "//") && !quotedValue {
		return "", "", false
	}
	return name, value, true
}

func isOptionName(s string) bool {
	for i, r := range s {
		switch {
		case unicode.IsLetter(r):
		case i > 0 && (unicode.IsDigit(r) || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return s != ""
}

// unknownOption refuses a name:value word whose name the command does not
// have, listing its options in the member's language.
func unknownOption(spec *Spec, name string) error {
	return &UserError{
		ID:   "error.unknown_option",
		Data: locales.Data{"Name": name},
		LocalData: func(l *locales.Localizer) locales.Data {
			names := make([]string, len(spec.Options))
			for i, o := range spec.Options {
				names[i] = LocalName(l, o.NameID)
			}
			return locales.Data{"Command": localPath(l, spec), "Options": strings.Join(names, ", ")}
		},
	}
}

// localPath is a spec's command line in a language: "sondage creer", "poll create".
func localPath(l *locales.Localizer, s *Spec) string {
	return strings.Join(s.localNames(l), " ")
}

type token struct {
	text   string
	quoted bool   // the whole word was quoted: a value, never a name
	open   int    // byte offset in text where the first quoted run began, or -1
	raw    string // the word as typed, quotes included
}

// typed is the word as typed when it holds quotes, for free text, where
// quotes are part of what the member wrote.
func (t token) typed() string {
	if t.open >= 0 && t.raw != "" {
		return t.raw
	}
	return t.text
}

// separatorAhead reports whether an unquoted word holds sep.
func separatorAhead(words []token, sep string) bool {
	for _, w := range words {
		if !w.quoted && strings.Contains(w.text, sep) {
			return true
		}
	}
	return false
}

var closingQuote = map[rune]rune{'"': '"', '«': '»', '“': '”'}

// tokenize splits on spaces, keeping quoted runs (also after "name:") whole.
func tokenize(s string) ([]token, error) {
	var out []token
	var cur strings.Builder
	inToken, quotedWhole := false, false
	open, start := -1, 0
	var closing rune
	runes := []rune(s)
	flush := func(end int) {
		text := cur.String()
		trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
		if open >= 0 {
			open = max(0, open-(len(text)-len(trimmed)))
		}
		out = append(out, token{text: strings.TrimRightFunc(trimmed, unicode.IsSpace), quoted: quotedWhole, open: open, raw: string(runes[start:end])})
		cur.Reset()
		inToken, quotedWhole, open = false, false, -1
	}
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if !inToken && closing == 0 && !unicode.IsSpace(r) {
			start = i
		}
		switch {
		case closing != 0:
			if r == '\\' && i+1 < len(runes) {
				i++
				cur.WriteRune(runes[i])
			} else if r == closing {
				closing = 0
			} else {
				cur.WriteRune(r)
			}
		case unicode.IsSpace(r):
			if inToken {
				flush(i)
			}
		default:
			if c, ok := closingQuote[r]; ok {
				if !inToken {
					quotedWhole = true
				}
				if open < 0 {
					open = cur.Len()
				}
				inToken = true
				closing = c
				continue
			}
			inToken = true
			cur.WriteRune(r)
		}
	}
	if closing != 0 {
		return nil, Fail("error.unclosed_quote", locales.Data{"Quote": string(closing)})
	}
	if inToken {
		flush(len(runes))
	}
	return out, nil
}

// Fields splits text into words like a command line, keeping quoted runs
// whole ("titre=\"Mon titre\"" is one word).
func Fields(s string) ([]string, error) {
	tokens, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = t.text
	}
	return out, nil
}

// TidyText is a label or a question as members should see it: runs of
// spaces made one, and invisible format characters dropped (zero-width
// spaces, soft hyphens, bidirectional overrides), which would otherwise
// make two choices that read alike count as different, or turn a line
// around. The joiners U+200C and U+200D stay: emoji sequences and some
// scripts need them.
func TidyText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d' {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
