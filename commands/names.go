package commands

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FoldName is the form in which names typed by members are compared with
// the registry's: lower case, accents and other combining marks dropped,
// "œ" and "æ" spelled out. So "/Sondage créer", "résultats:clôture" and
// "votants:modérateurs" match "sondage creer", "resultats:cloture" and
// "votants:moderateurs" on every text platform.
func FoldName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining accent
		case r == 'œ':
			b.WriteString("oe")
		case r == 'æ':
			b.WriteString("ae")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Spelling is how a platform writes the command names members type after
// the slash. Telegram allows only a-z, 0-9 and "_" in a command and lists
// a subcommand as one word ("/sondage_creer"); the zero Spelling is the
// registry's own names. Either way names are compared folded (FoldName):
// a spelling adds ways to write a name, it never takes one away.
type Spelling struct {
	// Name maps a name to the platform's alphabet; nil keeps names as they are.
	Name func(string) string
	// Join, when not empty, joins a command and one of its subcommands
	// into one command word.
	Join string
}

// nameMatcher compares one typed word with a spec's names.
type nameMatcher struct {
	folded  string
	spelled string // "" without a spelling, or when nothing of the word is left
	sp      Spelling
}

func (sp Spelling) matcher(typed string) nameMatcher {
	m := nameMatcher{folded: FoldName(typed), sp: sp}
	if sp.Name != nil {
		m.spelled = sp.Name(typed)
	}
	return m
}

// matches reports whether the typed word is one of names.
func (m nameMatcher) matches(names []string) bool {
	for _, n := range names {
		if FoldName(n) == m.folded || m.spelled != "" && m.sp.Name(n) == m.spelled {
			return true
		}
	}
	return false
}
