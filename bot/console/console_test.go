package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

func TestHelpInFrenchThenEnglish(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `/aide
:langue en
/help`)
	consoletest.Contains(t, out,
		"> camille: /aide", "Ce que vous pouvez faire avec Agora", "/aide : Affiche les commandes",
		"What you can do with Agora", "/help: Shows the commands")
}

func TestUnknownCommandAndBadInputGetLocalizedReplies(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `/inconnue
/aide "pas fermé
:bouton 1
:role pape
:nimporte`)
	consoletest.Contains(t, out,
		"Je ne connais pas la commande inconnue",
		"Un guillemet n'est pas refermé",
		"Aucun bouton ne correspond à « 1 »",
		"Rôle inconnu « pape »",
		"Commande de console inconnue : :nimporte")
}

func TestSwitchUserRoleAndChat(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `:user léa
:role moderateur
:chat annonces`)
	consoletest.Contains(t, out,
		"Vous êtes léa (membre) dans general",
		"Vous êtes léa (modérateur·rice) dans general",
		"Vous êtes léa (modérateur·rice) dans annonces")
}

func TestAdvanceNeedsAManualClock(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, ":avance 2h\n:avance demain")
	consoletest.Contains(t, out, "Horloge : lundi 7 décembre à 12h00", "Durée illisible « demain »")
}

func TestScriptFromReaderEndsAtEOF(t *testing.T) {
	env := consoletest.New(t)
	var out strings.Builder
	c := consoleFor(env, "/aide\n:quitter\n/aide\n", &out)
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	consoletest.Contains(t, got, "Agora, console de test", "Ce que vous pouvez faire", "À bientôt !")
	if strings.Count(got, "Ce que vous pouvez faire") != 1 {
		t.Errorf("lines after :quitter ran:\n%s", got)
	}
}
