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

// ParseText reads "/sondage creer question:"Quel prix ?" choix:"A | B" 2j".
//
// After the command (and its subcommand, when it has some) come options as
// name:value, in French or English, with values quoted by "…", «…» or “…”
// when they hold spaces. Words without a name fill the options in their
// declared order; the last of them takes the rest of the line, so
// "/faq comment devenir ambassadeur ?" works without quotes.
func ParseText(reg *Registry, line string) (*TypedCommand, error) {
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
	spec, ok := reg.Lookup(name)
	if !ok {
		return nil, Fail("error.unknown_command", locales.Data{"Name": name})
	}
	tokens = tokens[1:]
	for len(spec.Subcommands) > 0 {
		if len(tokens) == 0 {
			return nil, Fail("error.missing_subcommand", locales.Data{"Command": spec.Name})
		}
		sub := reg.MatchSubcommand(spec, tokens[0].text)
		if sub == nil {
			return nil, Fail("error.unknown_subcommand", locales.Data{"Command": spec.Name, "Name": tokens[0].text})
		}
		spec = sub
		tokens = tokens[1:]
	}
	tc.Path = spec.Path()

	var positional []token
	for _, tok := range tokens {
		key, value, found := strings.Cut(tok.text, ":")
		if found && !tok.quoted && key != "" {
			if opt := reg.MatchOption(spec, key); opt != nil {
				if _, dup := tc.Options[opt.Name]; dup {
					return nil, Fail("error.duplicate_option", locales.Data{"Name": key})
				}
				tc.Options[opt.Name] = value
				continue
			}
		}
		positional = append(positional, tok)
	}
	var free []*Option
	for i := range spec.Options {
		if _, set := tc.Options[spec.Options[i].Name]; !set {
			free = append(free, &spec.Options[i])
		}
	}
	for i, tok := range positional {
		if len(free) == 0 {
			return nil, Fail("error.extra_argument", locales.Data{"Value": tok.text})
		}
		opt := free[0]
		if len(free) == 1 && opt.Type == OptionString {
			rest := make([]string, 0, len(positional)-i)
			for _, t := range positional[i:] {
				rest = append(rest, t.text)
			}
			tc.Options[opt.Name] = strings.Join(rest, " ")
			break
		}
		tc.Options[opt.Name] = tok.text
		free = free[1:]
	}
	return tc, nil
}

type token struct {
	text   string
	quoted bool
}

var closingQuote = map[rune]rune{'"': '"', '«': '»', '“': '”'}

// tokenize splits on spaces, keeping quoted runs (also after "name:") whole.
func tokenize(s string) ([]token, error) {
	var out []token
	var cur strings.Builder
	inToken, quotedWhole := false, false
	var closing rune
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
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
				out = append(out, token{text: strings.TrimSpace(cur.String()), quoted: quotedWhole})
				cur.Reset()
				inToken, quotedWhole = false, false
			}
		default:
			if c, ok := closingQuote[r]; ok {
				if !inToken {
					quotedWhole = true
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
		out = append(out, token{text: strings.TrimSpace(cur.String()), quoted: quotedWhole})
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
