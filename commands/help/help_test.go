package help_test

import (
	"testing"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

func TestHelpDetailsOneCommand(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `/aide commande:/aide
/aide inexistante
/aide communaute
:role moderateur
/aide communaute
:langue en
/help command:community`)
	consoletest.Contains(t, out,
		"/aide : Affiche les commandes", "commande : Une commande dont vous voulez le détail",
		"Je ne connais pas la commande inexistante.",
		// A member does not learn about moderator commands, even by name.
		"Je ne connais pas la commande communaute.",
		"/communaute salon : Indique à quoi sert ce salon", "objectif (obligatoire) : général, annonces",
		"/community channel: Sets what this chat is for", "purpose (required): general")
}
