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
		"/aide\u00a0: Affiche les commandes", "commande\u00a0: Une commande, ou une commande et une de ses actions",
		"Je ne connais pas la commande inexistante.",
		// A member asking about a moderators' command is told it is theirs.
		"> camille: /aide communaute", "La commande /communaute est réservée à la modération.",
		"> camille: /aide communaute", "/communaute salon\u00a0: Indique à quoi sert ce salon",
		"Le détail d'une action et les valeurs de ses options\u00a0: /aide communaute info.",
		"> camille: /aide communaute salon", "Réservée à la modération.",
		"objectif (obligatoire)\u00a0: général, annonces, modération ou ambassadeurs — valeurs\u00a0: général, annonces, modération, ambassadeurs",
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
			"/sondage creer\u00a0: Crée un sondage et le publie",
			"question (obligatoire)\u00a0: La question posée",
			"type\u00a0: Choix unique (par défaut), multiple, ou classement — valeurs\u00a0: unique, multiple, classement",
			"max\u00a0: Nombre maximal de choix par votant (choix multiple) — nombre entier de 1 à 20",
			"anonyme\u00a0: Oui (par défaut)", "— oui ou non",
			"quorum\u00a0: Nombre minimal de votants pour que le résultat soit valable — nombre entier de 0 à 100\u202f000",
			"salons\u00a0: Où publier", "— valeurs\u00a0: général, annonces, tous, modération",
		}, []string{"Réservée", "/sondage voter"}},
		// Typed with a slash, an accent, or as Telegram lists it.
		{"/aide /sondage créer", []string{"/sondage creer\u00a0: Crée un sondage", "max\u00a0: Nombre maximal"}, nil},
		{"/aide sondage_voter", []string{"/sondage voter\u00a0: Vote au clavier", "sondage (obligatoire)\u00a0: Le numéro du sondage"}, nil},
		{"/aide sondage liste", []string{"/sondage liste", "etat\u00a0: Les sondages ouverts (par défaut), clos, ou tous — valeurs\u00a0: ouverts, clos, tous"}, nil},
		{"/aide sondage", []string{"/sondage\u00a0: Sondages de la communauté", "/sondage creer\u00a0: Crée", "/sondage liste\u00a0: Liste",
			"Le détail d'une action et les valeurs de ses options\u00a0: /aide sondage creer."}, []string{"max\u00a0:", "/sondage reglage"}},
		// Moderators' actions are named as theirs, not detailed.
		{"/aide sondage reglage", []string{"La commande /sondage reglage est réservée à la modération."}, []string{"creation"}},
		{"/aide questionnaire creer", []string{"La commande /questionnaire creer est réservée à la modération."}, nil},
		{"/aide sondage inconnue", []string{"/sondage n'a pas d'action inconnue. Tapez /aide sondage pour la liste."}, nil},
		{"/aide sondage creer encore plus", []string{"Je ne connais pas la commande sondage creer encore plus."}, nil},
		{":role moderateur\n/aide sondage reglage\n:role membre", []string{
			"/sondage reglage\u00a0: Choisit qui peut créer des sondages", "Réservée à la modération.",
			"creation (obligatoire)\u00a0: Rôle minimal pour créer un sondage — valeurs\u00a0: membres, ambassadeurs,",
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
