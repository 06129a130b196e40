package telegram

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
)

// commandName turns a localized command name into what Telegram accepts as
// a command: 1 to 32 of a-z, 0-9 and underscore. Accents are dropped
// ("résultats" → "resultats"), anything else becomes an underscore, and
// runs of underscores collapse. It returns "" when nothing usable is left.
func commandName(s string) string {
	var b strings.Builder
	underscore := false
	for _, r := range norm.NFD.String(strings.ToLower(strings.TrimSpace(s))) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a combining accent
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			underscore = false
		default:
			if r == 'œ' {
				b.WriteString("oe")
				underscore = false
				continue
			}
			if r == 'æ' {
				b.WriteString("ae")
				underscore = false
				continue
			}
			if b.Len() > 0 && !underscore {
				b.WriteByte('_')
				underscore = true
			}
		}
	}
	out := strings.TrimRight(b.String(), "_")
	if len(out) > 32 {
		out = strings.TrimRight(out[:32], "_")
	}
	return out
}

// commandTable maps every name a member may type after the slash (French,
// English and canonical, with and without accents; "sondage_creer" for a
// subcommand) to a command's canonical path.
type commandTable struct {
	paths map[string]string   // typed name → canonical path
	subs  map[string][]string // parent path → its subcommand paths
}

// newCommandTable builds the names once; specs do not change after start.
func newCommandTable(reg *commands.Registry) *commandTable {
	t := &commandTable{paths: map[string]string{}, subs: map[string][]string{}}
	cat := reg.Catalog()
	add := func(name, path string) {
		if n := commandName(name); n != "" {
			if _, taken := t.paths[n]; !taken {
				t.paths[n] = path
			}
		}
	}
	for _, s := range reg.Specs() {
		add(s.Name, s.Path())
		for _, lang := range locales.Supported {
			add(commands.LocalName(cat.Localizer(nil, lang), s.NameID), s.Path())
		}
		for _, sub := range s.Subcommands {
			t.subs[s.Path()] = append(t.subs[s.Path()], sub.Path())
			add(s.Name+"_"+sub.Name, sub.Path())
			for _, lang := range locales.Supported {
				l := cat.Localizer(nil, lang)
				add(commands.LocalName(l, s.NameID)+"_"+commands.LocalName(l, sub.NameID), sub.Path())
			}
		}
	}
	return t
}

// lookup resolves a typed command name.
func (t *commandTable) lookup(typed string) (string, bool) {
	p, ok := t.paths[commandName(typed)]
	return p, ok
}

// typedCommand is a command line as typed, before canonical rewriting.
type typedCommand struct {
	canonical string // "/sondage creer x", for commands.ParseText
	name      string // the typed name as Telegram would spell it: "sondage_creer"
	botName   string // the "@agora_bot" suffix, without "@"
	known     bool
}

// rewrite turns a typed command line into the canonical form
// commands.ParseText reads: "/sondage_créer@agora_bot x" and
// "/poll create x" both become "/sondage creer x".
func (t *commandTable) rewrite(reg *commands.Registry, line string) typedCommand {
	line = strings.TrimSpace(line)
	head, rest := cutSpace(strings.TrimPrefix(line, "/"))
	head, botName, _ := strings.Cut(head, "@")
	tc := typedCommand{canonical: line, name: commandName(head), botName: botName}
	path, ok := t.lookup(head)
	if !ok {
		return tc
	}
	if _, hasSubs := t.subs[path]; hasSubs && rest != "" {
		word, after := cutSpace(rest)
		if sub := matchSub(reg, path, word); sub != "" {
			path, rest = sub, after
		}
	}
	tc.canonical = strings.TrimSpace("/" + strings.ReplaceAll(path, ".", " ") + " " + rest)
	tc.known = true
	return tc
}

// cutSpace splits off the first word; a newline separates words too.
func cutSpace(s string) (word, rest string) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// matchSub finds a subcommand of path by a typed word in any language,
// accents optional.
func matchSub(reg *commands.Registry, path, word string) string {
	spec, ok := reg.Resolve(path)
	if !ok {
		return ""
	}
	typed := commandName(word)
	for _, s := range spec.Subcommands {
		if commandName(s.Name) == typed {
			return s.Path()
		}
		for _, lang := range locales.Supported {
			if commandName(commands.LocalName(reg.Catalog().Localizer(nil, lang), s.NameID)) == typed {
				return s.Path()
			}
		}
	}
	return ""
}
