package help_test

import (
	"strings"
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
/aide communaute salon
:langue en
/help command:community`)
	consoletest.Contains(t, out,
		"/aide : Affiche les commandes", "commande : Une commande, ou une commande et une de ses actions",
		"Je ne connais pas la commande inexistante.",
		// A member asking about a moderators' command is told it is theirs.
		"> camille: /aide communaute", "La commande /communaute est réservée à la modération.",
		"> camille: /aide communaute", "/communaute salon : Indique à quoi sert ce salon",
		"Le détail d'une action et les valeurs de ses options : /aide communaute info.",
		"> camille: /aide communaute salon", "Réservée à la modération.",
		"objectif (obligatoire) : général, annonces, modération ou ambassadeurs — valeurs : général, annonces, modération, ambassadeurs",
		"/community channel: Sets what this chat is for")
}

// "/aide <commande> <action>" explains the action: its options and the
// values each accepts (choices, integer ranges, yes or no), in the
// member's language, whatever the form of the names typed.
func TestHelpDetailsOneAction(t *testing.T) {
	env := consoletest.New(t)
	tests := []struct {
		script string
		want   []string
		not    []string
	}{
		{"/aide sondage creer", []string{
			"/sondage creer : Crée un sondage et le publie",
			"question (obligatoire) : La question posée",
			"type : Choix unique (par défaut), multiple, ou classement — valeurs : unique, multiple, classement",
			"max : Nombre maximal de choix par votant (choix multiple) — nombre entier de 1 à 20",
			"anonyme : Oui (par défaut)", "— oui ou non",
			"quorum : Nombre minimal de votants pour que le résultat soit valable — nombre entier de 0 à 100000",
			"salons : Où publier", "— valeurs : général, annonces, tous, modération",
		}, []string{"Réservée", "/sondage voter"}},
		// Typed with a slash, an accent, or as Telegram lists it.
		{"/aide /sondage créer", []string{"/sondage creer : Crée un sondage", "max : Nombre maximal"}, nil},
		{"/aide sondage_voter", []string{"/sondage voter : Vote au clavier", "sondage (obligatoire) : Le numéro du sondage"}, nil},
		{"/aide sondage liste", []string{"/sondage liste", "etat : Les sondages ouverts (par défaut), clos, ou tous — valeurs : ouverts, clos, tous"}, nil},
		{"/aide sondage", []string{"/sondage : Sondages de la communauté", "/sondage creer : Crée", "/sondage liste : Liste",
			"Le détail d'une action et les valeurs de ses options : /aide sondage creer."}, []string{"max :", "/sondage reglage"}},
		// Moderators' actions are named as theirs, not detailed.
		{"/aide sondage reglage", []string{"La commande /sondage reglage est réservée à la modération."}, []string{"creation"}},
		{"/aide questionnaire creer", []string{"La commande /questionnaire creer est réservée à la modération."}, nil},
		{"/aide sondage inconnue", []string{"/sondage n'a pas d'action inconnue. Tapez /aide sondage pour la liste."}, nil},
		{"/aide sondage creer encore plus", []string{"Je ne connais pas la commande sondage creer encore plus."}, nil},
		{":role moderateur\n/aide sondage reglage\n:role membre", []string{
			"/sondage reglage : Choisit qui peut créer des sondages", "Réservée à la modération.",
			"creation (obligatoire) : Rôle minimal pour créer un sondage — valeurs : membres, ambassadeurs,",
		}, nil},
		{":langue en\n/help poll create\n:langue fr", []string{
			"/poll create: Creates a poll",
			"kind: Single choice (default), multiple, or ranked — values: single, multiple, ranked",
			"max: Most choices per voter (multiple choice) — whole number from 1 to 20",
			"chats: Where to post", "values: general, announcements, all, moderation",
		}, []string{"valeurs"}},
		{":langue en\n/help poll settings\n:langue fr", []string{"The command /poll settings is for moderators only."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			out := env.Run(t, tt.script)
			consoletest.Contains(t, out, tt.want...)
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("%q in:\n%s", n, out)
				}
			}
		})
	}
}
