package telegram

import (
	"strings"

	"github.com/agora-community/agora/commands"
)

// commandName turns a localized command name into what Telegram accepts as
// a command: 1 to 32 of a-z, 0-9 and underscore. Accents are dropped
// ("résultats" → "resultats"), anything else becomes an underscore, and
// runs of underscores collapse. It returns "" when nothing usable is left.
func commandName(s string) string {
	var b strings.Builder
	underscore := false
	for _, r := range commands.FoldName(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			underscore = false
		case b.Len() > 0 && !underscore:
			b.WriteByte('_')
			underscore = true
		}
	}
	out := strings.TrimRight(b.String(), "_")
	if len(out) > 32 {
		out = strings.TrimRight(out[:32], "_")
	}
	return out
}

// spelling is how Telegram writes commands: its menus list "/resultats"
// for "résultats" and "/sondage_creer" for the subcommand, and members
// type them so. The runtime resolves these words in the one registry;
// "/sondage créer" works as well.
var spelling = commands.Spelling{Name: commandName, Join: "_"}
