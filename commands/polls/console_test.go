package polls_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

// Two chats of one community, so every test sees the poll mirrored.
const twoChats = `
:chat annonces
/aide
:chat general
`

func TestSingleChoicePollFromCreationToDeadline(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, twoChats+`
/sondage creer question:"Quel jour pour l'AG ?" choix:"Samedi | Dimanche | *Lundi*" fin:"samedi 18h30" quorum:3
:bouton 1
:user alex
:bouton 2
:bouton Samedi
:chat annonces
:user sam
:bouton Dimanche
:avance 3s
:avance 6j
:bouton 1
/sondage voter sondage:1 choix:2
`)
	consoletest.Contains(t, out,
		// Posted in both chats, with the deadline in the community's words.
		"[#2 · annonces] 📊 Sondage n°\u00a01\u00a0: Quel jour pour l'AG ?",
		"choix unique · anonyme · quorum 3 · clôture samedi 12 décembre à 18h30",
		"3. *Lundi*\u00a0: 0 vote (0\u00a0%)", // markup typed by a member stays literal
		"[1 Samedi] [2 Dimanche] [3 *Lundi*]",
		"[#3] 📊 Sondage n°\u00a01",
		"Sondage n°\u00a01 créé et publié dans 2 salons.",
		"Vote enregistré pour le sondage n°\u00a01\u00a0: Samedi.",
		"> alex: :bouton 2", "Vote enregistré pour le sondage n°\u00a01\u00a0: Dimanche.",
		"> alex: :bouton Samedi", "Vote enregistré\u00a0: au sondage n°\u00a01, votre vote est désormais Samedi.",
		"> sam: :bouton Dimanche", "Vote enregistré pour le sondage n°\u00a01\u00a0: Dimanche.",
		// Live results: both posts edited once the interval allows.
		"> sam: :avance 3s", "[#2 · modifié]", "1. Samedi\u00a0: 2 votes (67\u00a0%)", "2. Dimanche\u00a0: 1 vote (33\u00a0%)",
		"3 votants · quorum de 3 atteint",
		"[#3 · modifié · general]",
		// Agora closes it at the deadline and posts the result where it was posted.
		"> sam: :avance 6j", "Sondage clos.",
		"🏁 Résultat du sondage n°\u00a01\u00a0: Quel jour pour l'AG ?", "1. Samedi\u00a0: 2 votes (67\u00a0%)", "3 votants · quorum de 3 atteint",
		"Choix retenu\u00a0: Samedi.", "fichier joint\u00a0: sondage-1.png",
		"> sam: :bouton 1", "Aucun bouton ne correspond à «\u00a01\u00a0».", // the closed poll lost its buttons
		"> sam: /sondage voter sondage:1 choix:2", "Le sondage n°\u00a01 est clos",
	)
	if n := strings.Count(out, "🏁 Résultat du sondage n°\u00a01"); n != 2 {
		t.Fatalf("result posted %d times, want once per chat (2)", n)
	}
	// The close job is done: moving on posts nothing more.
	again := env.Run(t, ":avance 7j")
	if strings.Contains(again, "Résultat") {
		t.Fatalf("result posted again:\n%s", again)
	}
}

func TestMultipleChoiceTogglesWithAMaximum(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage creer question:"Quels ateliers ?" choix:"Cuisine | Vélo | Couture" type:multiple max:2 fin:1j
:bouton 1
:bouton 2
:bouton 3
:bouton 1
/sondage voter sondage:1 choix:"1, 2, 3"
/sondage voter sondage:1 choix:"Couture, Cuisine"
:user alex
:bouton Vélo
:avance 1j
`)
	consoletest.Contains(t, out,
		"choix multiple (2 au plus) · anonyme", "Touchez un choix pour l'ajouter ou le retirer.",
		"> camille: :bouton 1", "Vos choix\u00a0: Cuisine.",
		"> camille: :bouton 2", "Vos choix\u00a0: Cuisine, Vélo.",
		"> camille: :bouton 3", "2 choix au plus\u00a0: retirez-en un avant d'en ajouter un autre.",
		"> camille: :bouton 1", "Vos choix\u00a0: Vélo.",
		`choix:"1, 2, 3"`, "2 choix au plus",
		`choix:"Couture, Cuisine"`, "au sondage n°\u00a01, votre vote est désormais Couture, Cuisine.",
		"> alex: :bouton Vélo", "Vos choix\u00a0: Vélo.",
		"Résultat du sondage n°\u00a01", "1. Cuisine\u00a0: 1 vote (50\u00a0%)", "2. Vélo\u00a0: 1 vote (50\u00a0%)", "3. Couture\u00a0: 1 vote (50\u00a0%)",
		"2 votants", "Égalité\u00a0: aucun choix ne l'emporte.",
	)
}

func TestRankedPollIsDecidedByInstantRunoff(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage creer question:"Nom du local ?" choix:"Agora | Bercail | Cabane" type:classement fin:2j
/sondage voter sondage:1 classement:"Agora > Bercail"
:user b1
/sondage voter sondage:1 classement:"Bercail > Agora"
:user b2
:bouton Bercail
:bouton Cabane
:user c1
/sondage voter sondage:1 classement:"3 > 2 > 1"
:user a2
:bouton 1
:user camille
/sondage fermer sondage:1
`)
	consoletest.Contains(t, out,
		"classement (vote alternatif)", "Touchez les choix dans votre ordre de préférence",
		"Vote enregistré pour le sondage n°\u00a01\u00a0: Agora > Bercail.",
		"> b2: :bouton Cabane", "Votre classement\u00a0: Bercail > Cabane.",
		"Vote enregistré pour le sondage n°\u00a01\u00a0: Cabane > Bercail > Agora.",
		"> camille: /sondage fermer sondage:1",
		"🏁 Résultat du sondage n°\u00a01\u00a0: Nom du local ?",
		"1. Agora\u00a0: 2 votes (40\u00a0%)", "2. Bercail\u00a0: 2 votes (40\u00a0%)", "3. Cabane\u00a0: 1 vote (20\u00a0%)",
		"Tour 1\u00a0: Agora 2, Bercail 2, Cabane 1\u202f; éliminé\u00a0: Cabane",
		"Tour 2\u00a0: Agora 2, Bercail 3",
		"5 votants", "Choix retenu\u00a0: Bercail.",
		"Sondage n°\u00a01 clos\u202f; le résultat est publié.",
	)
}

func TestQuorumNotReachedMarksTheResultInvalid(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage creer question:"On change de local ?" choix:"Oui | Non" quorum:5 fin:"demain 19h" resultats:cloture
:bouton Oui
:user alex
:bouton Non
:avance 2j
`)
	consoletest.Contains(t, out,
		"quorum 5 · clôture mardi 8 décembre à 19h00",
		"1. Oui\n", "2. Non\n", "0 votant", "Les résultats seront montrés à la clôture.",
		"Résultat du sondage n°\u00a01", "1. Oui\u00a0: 1 vote (50\u00a0%)", "2 votants · quorum de 5 non atteint\u00a0: résultat non valable",
		"Égalité",
	)
}

// Results at the close mean no tally before it, for anyone: not the
// author, not a moderator, not in an export, not on the poll's message.
func TestResultsAtTheCloseAreHiddenFromEveryoneUntilThen(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, twoChats+`
/sondage creer question:"Budget ?" choix:"Fête | Livres" resultats:cloture anonyme:non fin:1j
:bouton Fête
/sondage resultats sondage:1
/sondage exporter sondage:1
:user alex
:bouton Livres
:role moderateur
/sondage resultats sondage:1
/sondage exporter sondage:1
:avance 3s
:user camille
/sondage fermer sondage:1
/sondage resultats sondage:1
/sondage exporter sondage:1
`)
	before, after, ok := strings.Cut(out, "> camille: /sondage fermer sondage:1")
	if !ok {
		t.Fatalf("no close in:\n%s", out)
	}
	consoletest.Contains(t, before,
		"> camille: :bouton Fête", "Vote enregistré pour le sondage n°\u00a01\u00a0: Fête.",
		// The author waits like everyone.
		"> camille: /sondage resultats sondage:1", "Le sondage n°\u00a01 montre ses résultats à la clôture\u00a0: personne ne les voit avant",
		"> camille: /sondage exporter sondage:1", "son export sera possible une fois qu'il sera clos.",
		// So does a moderator.
		"> alex: /sondage resultats sondage:1", "personne ne les voit avant, ni son auteur ni la modération.",
		"> alex: /sondage exporter sondage:1", "son export sera possible",
		// The live edit of the poll's messages shows the voters, not the counts.
		"> alex: :avance 3s", "· modifié", "1. Fête\n", "2. Livres\n", "2 votants", "Les résultats seront montrés à la clôture.",
	)
	for _, leak := range []string{" vote (", " votes (", "%)", "fichier joint"} {
		if strings.Contains(before, leak) {
			t.Errorf("%q shown before the close in:\n%s", leak, before)
		}
	}
	consoletest.Contains(t, after,
		"Résultat du sondage n°\u00a01", "1. Fête\u00a0: 1 vote (50\u00a0%)", "Sondage n°\u00a01 clos",
		"> camille: /sondage resultats sondage:1", "1. Fête\u00a0: 1 vote (50\u00a0%)", "2. Livres\u00a0: 1 vote (50\u00a0%)",
		"> camille: /sondage exporter sondage:1", "fichier joint\u00a0: sondage-1.csv", "fichier joint\u00a0: sondage-1-bulletins.csv",
	)
}

func TestQuestionnaireGivesWinningChoicesAndPrice(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/questionnaire creer titre:"Pain du mardi" prix_base:2,10
:role moderateur
/questionnaire creer titre:"Pain du mardi" prix_base:2,10
/questionnaire ajouter questionnaire:1 question:"Farine ?" choix:"Bio +0,40 € | Standard" fin:1j
/questionnaire ajouter questionnaire:1 question:"Taille ?" choix:"Grand +1 | Petit -0,50 €" fin:1j
/questionnaire ajouter questionnaire:1 question:"Graines ?" choix:"Oui +0,30 | Non" fin:1j
/questionnaire ajouter questionnaire:1 question:"Prix ?" choix:"Bio +0,4x | B"
:bouton Oui
:user alex
/sondage voter sondage:1 choix:Bio
/sondage voter sondage:2 choix:Petit
/questionnaire resultat questionnaire:1
:avance 1j
/questionnaire resultat questionnaire:1
/questionnaire resultat questionnaire:9
`)
	consoletest.Contains(t, out,
		"> camille: /questionnaire creer", "Il faut être modérateur·rice pour utiliser cette commande.",
		"Questionnaire n°\u00a01 «\u00a0Pain du mardi\u00a0» créé, prix de base 2,10\u00a0€.",
		"📊 Sondage n°\u00a01\u00a0: Farine ?", "1. Bio (+0,40\u00a0€)\u00a0: 0 vote (0\u00a0%)", "2. Standard\u00a0: 0 vote (0\u00a0%)",
		"2. Petit (-0,50\u00a0€)",
		"Je ne comprends pas le prix du choix «\u00a0Bio +0,4x\u00a0»",
		"> alex: /questionnaire resultat questionnaire:1",
		"Questionnaire n°\u00a01\u00a0: Pain du mardi",
		"1. Farine ? (sondage n°\u00a01)\u00a0: Bio (+0,40\u00a0€) (en cours)",
		"2. Taille ? (sondage n°\u00a02)\u00a0: Petit (-0,50\u00a0€) (en cours)",
		"3. Graines ? (sondage n°\u00a03)\u00a0: Oui (+0,30\u00a0€) (en cours)",
		"Prix résultant\u00a0: 2,30\u00a0€ (base 2,10\u00a0€), provisoire.",
		"Résultat du sondage n°\u00a01", "Choix retenu\u00a0: Bio.",
		"> alex: /questionnaire resultat questionnaire:1",
		"1. Farine ? (sondage n°\u00a01)\u00a0: Bio (+0,40\u00a0€)\n",
		"3. Graines ? (sondage n°\u00a03)\u00a0: Oui (+0,30\u00a0€)\n",
		"Prix résultant\u00a0: 2,30\u00a0€ (base 2,10\u00a0€).",
		"Je ne trouve pas de questionnaire n°\u00a09 dans cette communauté.",
	)
}

// Typed as text, a questionnaire's title needs no quotes and may end with
// its base price, and a question ends at the first "|", as a poll's does;
// prices copied as Agora shows them, or written in euros, are read.
func TestQuestionnaireTypedAsText(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
:role moderateur
/questionnaire creer Jus de pomme
/questionnaire creer Jus de pomme 2,10 €
/questionnaire creer Jus d'orange 2,50 euros
/questionnaire creer Jus de poire 2,10
/questionnaire creer 2,10 €
/questionnaire creer Cidre 1 000 €
/questionnaire creer titre:"Jus 2,10 €" prix_base:0
/questionnaire creer Jus de raisin prix_base:"3 EUR"
/questionnaire ajouter 2 Q10 ? | Bio +0,40 € | Standard
/questionnaire ajouter 2 Sucre ? | Oui 0,40 euros | Non
/questionnaire ajouter 2 Bouteille ? | Verre (+0,30 €) | Plastique fin:1j
`)
	consoletest.Contains(t, out,
		"Questionnaire n°\u00a01 «\u00a0Jus de pomme\u00a0» créé, prix de base 0,00\u00a0€.",
		"Questionnaire n°\u00a02 «\u00a0Jus de pomme\u00a0» créé, prix de base 2,10\u00a0€.",
		"Questionnaire n°\u00a03 «\u00a0Jus d'orange\u00a0» créé, prix de base 2,50\u00a0€.",
		"Le titre «\u00a0Jus de poire 2,10\u00a0» finit par un nombre",
		"Il manque le titre avant le prix «\u00a02,10\u00a0€\u00a0»",
		"Je ne comprends pas le prix à la fin du titre «\u00a0Cidre 1 000\u00a0€\u00a0»",
		"Questionnaire n°\u00a04 «\u00a0Jus 2,10\u00a0€\u00a0» créé, prix de base 0,00\u00a0€.",
		"Questionnaire n°\u00a05 «\u00a0Jus de raisin\u00a0» créé, prix de base 3,00\u00a0€.",
		"📊 Sondage n°\u00a01\u00a0: Q10 ?", "1. Bio (+0,40\u00a0€)\u00a0: 0 vote", "2. Standard\u00a0: 0 vote",
		"📊 Sondage n°\u00a02\u00a0: Sucre ?", "1. Oui (+0,40\u00a0€)\u00a0: 0 vote", "2. Non\u00a0: 0 vote",
		"📊 Sondage n°\u00a03\u00a0: Bouteille ?", "1. Verre (+0,30\u00a0€)\u00a0: 0 vote", "2. Plastique\u00a0: 0 vote",
	)
}

// Once closed, a question without votes has no choice for good: the
// result says so, and the price no longer waits for it.
func TestClosedQuestionnaireHasAFinalPrice(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
:role moderateur
/questionnaire creer Jus 2,10 €
/questionnaire ajouter 1 Q1 ? | Bio 0,40 euros | Standard
/questionnaire ajouter 1 Q2 ? | Verre +0,30 € | Plastique
:bouton Verre
/questionnaire resultat 1
/questionnaire fermer 1
/questionnaire resultat 1
:langue en
/questionnaire result 1
`)
	consoletest.Contains(t, out,
		"> camille: /questionnaire resultat 1",
		"1. Q1 ? (sondage n°\u00a01)\u00a0: pas encore décidé (en cours)\n",
		"2. Q2 ? (sondage n°\u00a02)\u00a0: Verre (+0,30\u00a0€) (en cours)\n",
		"Prix résultant\u00a0: 2,40\u00a0€ (base 2,10\u00a0€), provisoire.",
		"> camille: /questionnaire resultat 1",
		"1. Q1 ? (sondage n°\u00a01)\u00a0: clos sans vote, aucun choix retenu (rien n'est ajouté au prix)\n",
		"2. Q2 ? (sondage n°\u00a02)\u00a0: Verre (+0,30\u00a0€)\n",
		"Prix résultant\u00a0: 2,40\u00a0€ (base 2,10\u00a0€).",
		"> camille: /questionnaire result 1",
		"1. Q1 ? (poll #1): closed without votes, no choice made (nothing added to the price)\n",
		"Resulting price: €2.40 (base €2.10).",
	)
}

func TestPermissionsAndBadInput(t *testing.T) {
	env := consoletest.New(t)
	long := strings.Repeat("x", 301)
	out := env.Run(t, `
/sondage reglage creation:moderateurs
:role moderateur
/sondage reglage creation:moderateurs
:role membre
/sondage creer question:"Q ?" choix:"A | B"
:role moderateur
/sondage reglage creation:membres
:role membre
/sondage creer question:"`+long+`" choix:"A | B"
/sondage creer question:"Q ?" choix:"A"
/sondage creer question:"Q ?" choix:"A | a"
/sondage creer question:"Q ?" choix:"A |  | B"
/sondage creer question:"Q ?" choix:"A | `+strings.Repeat("é", 81)+`"
/sondage creer question:"Q ?" choix:"A | B" fin:"la semaine des quatre jeudis"
/sondage creer question:"Q ?" choix:"A | B" max:2
/sondage creer question:"Q ?" choix:"A | B" type:multiple max:3
/sondage creer question:"Réservé" choix:"A | B" votants:moderateurs anonyme:non
:user alex
:bouton A
/sondage fermer sondage:1
/sondage exporter sondage:1
/sondage supprimer sondage:1
/sondage resultats sondage:42
:role moderateur
:bouton A
/sondage exporter sondage:1
:user camille
/sondage liste
/sondage supprimer sondage:1
:bouton 1
/sondage liste
/sondage voter sondage:1 choix:1
`)
	consoletest.Contains(t, out,
		"> camille: /sondage reglage creation:moderateurs", "Il faut être modérateur·rice pour utiliser cette commande.",
		"Création de sondages\u00a0: à partir du rôle modérateur·rice.",
		"Dans cette communauté, la création de sondages est réservée aux modérateurs.",
		"Création de sondages\u00a0: à partir du rôle membre.",
		"L'option question est trop longue\u00a0: 301 caractères pour 300 au plus.",
		"Il faut entre 2 et 20 choix séparés par «\u00a0|\u00a0»\u202f; j'en compte 1.",
		"Le choix «\u00a0a\u00a0» est donné deux fois.",
		"Le choix n°\u00a02 est vide.",
		"Le choix n°\u00a02 est trop long\u00a0: 81 caractères pour 80 au plus.",
		"Je ne comprends pas la clôture «\u00a0la semaine des quatre jeudis\u00a0».",
		"L'option max ne vaut que pour un sondage à choix multiple",
		"Le maximum (3) dépasse le nombre de choix (2).",
		"choix unique · public · réservé aux modérateurs",
		"> alex: :bouton A", "Ce sondage est réservé aux modérateurs\u00a0: votre vote n'a pas été pris en compte.",
		"> alex: /sondage fermer sondage:1", "Seuls l'auteur du sondage n°\u00a01 et la modération peuvent faire cela.",
		"> alex: /sondage exporter sondage:1", "Seuls l'auteur",
		"> alex: /sondage supprimer sondage:1", "Seuls l'auteur",
		"Je ne trouve pas de sondage n°\u00a042 dans cette communauté.",
		"> alex: :bouton A", "Vote enregistré pour le sondage n°\u00a01\u00a0: A.",
		"> alex: /sondage exporter sondage:1", "Export du sondage n°\u00a01\u00a0: totaux et bulletins.",
		"fichier joint\u00a0: sondage-1.csv", "fichier joint\u00a0: sondage-1-bulletins.csv",
		"> camille: /sondage liste", "1 sondage ouvert", "n°\u00a01\u00a0: Réservé",
		"> camille: /sondage supprimer sondage:1", "Le sondage n°\u00a01 a 1 votant", "[1 Supprimer le sondage n°\u00a01]",
		"> camille: :bouton 1", "supprimé]", "Sondage n°\u00a01 supprimé.",
		"> camille: /sondage liste", "Aucun sondage ouvert.",
		"> camille: /sondage voter sondage:1 choix:1", "Je ne trouve pas de sondage n°\u00a01 dans cette communauté.",
	)
}

// Deadlines as members type them, read end to end (Monday 7 December
// 2026, 10:00 in Paris).
func TestDeadlinesAsMembersTypeThem(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage creer question:"Heure ?" choix:"A | B" fin:"18h 30"
/sondage creer question:"Jour ?" choix:"A | B" fin:samedi
/sondage creer question:"Jour ?" choix:"A | B" fin:"samedi 18h30"
`)
	consoletest.Contains(t, out,
		// A time of day, not 18 h 30 min from now.
		"> camille: /sondage creer question:\"Heure ?\" choix:\"A | B\" fin:\"18h 30\"", "clôture lundi 7 décembre à 18h30",
		// A day without a time: the day understood, and the hour asked for.
		"> camille: /sondage creer question:\"Jour ?\" choix:\"A | B\" fin:samedi",
		"«\u00a0samedi\u00a0» se lit samedi 12 décembre, mais sans heure\u00a0: à quelle heure clore le sondage\u202f?",
		"> camille: /sondage creer question:\"Jour ?\" choix:\"A | B\" fin:\"samedi 18h30\"", "clôture samedi 12 décembre à 18h30",
	)
}

func TestManyChoicesUseAMenuForSingleChoice(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage creer question:"Couleur ?" choix:"Rouge | Vert | Bleu | Jaune | Noir | Blanc"
:choix 6
:choix 2
:avance 3s
/sondage creer question:"Couleurs ?" choix:"Rouge | Vert | Bleu | Jaune | Noir | Blanc" type:multiple max:2
:bouton 6
:bouton 1
:bouton 2
`)
	consoletest.Contains(t, out,
		"Menu\u202f; choisissez avec :choix N…: Votre choix", "6. Blanc",
		"Vote enregistré pour le sondage n°\u00a01\u00a0: Blanc.",
		"au sondage n°\u00a01, votre vote est désormais Vert.",
		"2. Vert\u00a0: 1 vote (100\u00a0%)",
		// Multiple choice keeps a toggle button per choice, even beyond five.
		"📊 Sondage n°\u00a02\u00a0: Couleurs ?", "[1 Rouge] [2 Vert] [3 Bleu] [4 Jaune] [5 Noir] [6 Blanc]",
		"> camille: :bouton 6", "Vos choix\u00a0: Blanc.",
		"> camille: :bouton 1", "Vos choix\u00a0: Blanc, Rouge.",
		"> camille: :bouton 2", "2 choix au plus",
	)
}

func TestReopenBeforeTheDeadline(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage creer question:"Pique-nique ?" choix:"Oui | Non" fin:2j
/sondage rouvrir sondage:1
/sondage fermer sondage:1
/sondage fermer sondage:1
:user alex
/sondage voter sondage:1 choix:Oui
:user camille
/sondage rouvrir sondage:1
:avance 3s
:user alex
:bouton Oui
:avance 2j
:user camille
/sondage rouvrir sondage:1
/sondage creer question:"Secret ?" choix:"A | B" résultats:clôture
/sondage fermer sondage:2
/sondage rouvrir sondage:2
/sondage creer question:"Sans fin ?" choix:"A | B"
/sondage fermer sondage:3
/sondage rouvrir sondage:3
`)
	consoletest.Contains(t, out,
		"Le sondage n°\u00a01 est déjà ouvert.",
		"[#4] 🏁 Résultat du sondage n°\u00a01", "Aucun vote\u00a0: pas de résultat.",
		"Le sondage n°\u00a01 est déjà clos.",
		"> alex: /sondage voter sondage:1 choix:Oui", "Le sondage n°\u00a01 est clos",
		// The earlier result no longer holds: its message goes.
		"> camille: /sondage rouvrir sondage:1", "[#4 · supprimé]",
		"Sondage n°\u00a01 rouvert jusqu'au mercredi 9 décembre à 10h00.",
		"[#1 · modifié]", "[1 Oui] [2 Non]", // the buttons are back
		"> alex: :bouton Oui", "Vote enregistré pour le sondage n°\u00a01\u00a0: Oui.",
		"Résultat du sondage n°\u00a01", "1. Oui\u00a0: 1 vote (100\u00a0%)", "Choix retenu\u00a0: Oui.",
		"L'échéance du sondage n°\u00a01 est passée\u00a0: il ne peut plus être rouvert.",
		// Results shown at the close are out once closed: no vote after them.
		"> camille: /sondage rouvrir sondage:2", "ne montrait ses résultats qu'à la clôture, et ils sont maintenant publiés",
		"> camille: /sondage rouvrir sondage:3", "Sondage n°\u00a03 rouvert, jusqu'à ce qu'il soit clos.",
	)
}

// A route is never trusted: forged, garbled or foreign routes are refused
// with a clear private message and change nothing.
func TestForgedRoutesAreRefused(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, `/sondage creer question:"Q" choix:"A | B"`)
	ctx := context.Background()
	press := func(route string, values ...string) *commands.Response {
		return env.Runtime.Handle(ctx, &commands.Request{
			Platform: commands.PlatformConsole,
			Chat:     commands.Chat{ID: "general", GroupID: "console"},
			User:     commands.User{ID: "mallory", Name: "mallory"},
			Action:   &commands.Action{Route: route, Values: values},
		})
	}
	for _, route := range []string{"p/v/1/2", "p/v/1/01", "p/v/01/0", "p/v/+1/0", "p/v/1/+0", "p/v/1", "p/v/1/0/0", "p/x/1/0", "p/t/1/0", "p/v/2/0", "p/s/1", "p/v/1/-1", "p/v/1/0 ", "p/v/1/é"} {
		r := press(route)
		if !r.Ephemeral || len(r.Text) == 0 {
			t.Errorf("route %q: %+v, want a private refusal", route, r)
		}
	}
	if r := press("p/s/1", "0", "0"); !r.Ephemeral || strings.Contains(string(r.Text), "enregistré") {
		t.Errorf("menu with a repeated value: %q", r.Text)
	}
	// A poll of another community is not found from here.
	foreign := env.Runtime.Handle(ctx, &commands.Request{
		Platform: commands.PlatformTelegram, Chat: commands.Chat{ID: "-100"}, User: commands.User{ID: "7", Name: "x"},
		Action: &commands.Action{Route: "p/v/1/0"},
	})
	if !strings.Contains(foreign.Text.Plain(), "Je ne trouve pas de sondage n°\u00a01") {
		t.Errorf("foreign community: %q", foreign.Text.Plain())
	}
	out := env.Run(t, "/sondage resultats sondage:1")
	consoletest.Contains(t, out, "0 votant")
	if r := press("p/v/1/1"); !strings.Contains(r.Text.Plain(), "Vote enregistré pour le sondage n°\u00a01\u00a0: B.") {
		t.Fatalf("a genuine route was refused: %q", r.Text.Plain())
	}
}

// A member linked on two platforms has one ballot: voting from the second
// account replaces the first vote.
func TestLinkedAccountsShareOneBallot(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, `/sondage creer question:"Q" choix:"A | B"`)
	ctx := context.Background()
	camille := commands.User{ID: "camille", Name: "camille"}
	console, _, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformConsole, GroupID: "console", ChatID: "general"},
		storage.CommunityDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := env.Store.ResolveMember(ctx, console.CommunityID, commands.PlatformConsole, camille.ID, camille.Name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Runtime.LinkAccount(ctx, m.ID, commands.PlatformDiscord, "d-42"); err != nil {
		t.Fatal(err)
	}
	// A Discord channel joins the console's community.
	discordChat, _, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformDiscord, GroupID: "g", ChatID: "c"},
		storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.MoveChat(ctx, discordChat.ID, console.CommunityID); err != nil {
		t.Fatal(err)
	}
	vote := func(platform, user, route string) string {
		chat := commands.Chat{ID: "general", GroupID: "console"}
		if platform == commands.PlatformDiscord {
			chat = commands.Chat{ID: "c", GroupID: "g"}
		}
		return env.Runtime.Handle(ctx, &commands.Request{
			Platform: platform, Chat: chat,
			User: commands.User{ID: user, Name: "camille"}, Action: &commands.Action{Route: route},
		}).Text.Plain()
	}
	if got := vote(commands.PlatformConsole, "camille", "p/v/1/0"); !strings.Contains(got, "Vote enregistré") {
		t.Fatalf("first vote: %q", got)
	}
	if got := vote(commands.PlatformDiscord, "d-42", "p/v/1/1"); !strings.Contains(got, "votre vote est désormais") {
		t.Fatalf("vote from the linked account: %q", got)
	}
	out := env.Run(t, "/sondage resultats sondage:1")
	consoletest.Contains(t, out, "1. A\u00a0: 0 vote (0\u00a0%)", "2. B\u00a0: 1 vote (100\u00a0%)", "1 votant")
}

func TestEnglishSpeakersUseEnglishNames(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
:langue en
/poll create question:"Which day?" choices:"Saturday | Sunday" kind:ranked deadline:2d
/poll vote poll:1 ranking:"Sunday > Saturday"
/poll results poll:1
/poll create question:"Lunch?" choices:"Yes | No" deadline:"tomorrow noon"
/poll create question:"Dinner?" choices:"Yes | No" deadline:"friday evening"
`)
	consoletest.Contains(t, out,
		// The post speaks the community's language; replies speak the member's.
		"📊 Sondage n°\u00a01\u00a0: Which day?", "classement (vote alternatif)",
		"Poll #1 created and posted in 1 chat.",
		"Vote recorded for poll #1: Sunday > Saturday.",
		"📊 Poll #1: Which day?", "ranked (instant runoff) · anonymous · closes Wednesday 9 December at 10:00 am",
		"2. Sunday: 1 vote (100%)", "Round 1: Saturday 0, Sunday 1", "1 voter",
		// English dates, as French ones.
		"📊 Sondage n°\u00a02\u00a0: Lunch?", "clôture mardi 8 décembre à 12h00",
		"“friday evening” reads as Friday 11 December, but without a time: when should the poll close?",
	)
}

func TestPollNumbersAreSuggested(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, `
/sondage creer question:"Premier ?" choix:"A | B"
/sondage creer question:"Deuxième ?" choix:"A | B"
/sondage fermer sondage:1
`)
	got := env.Runtime.Autocomplete(context.Background(), &commands.Request{
		Platform: commands.PlatformConsole, Chat: commands.Chat{ID: "general", GroupID: "console"},
		User: commands.User{ID: "camille", Name: "camille"}, Command: "sondage.voter",
	}, "sondage", "")
	if len(got) != 1 || got[0].Value != "2" || got[0].Label != "n°\u00a02\u00a0: Deuxième ?" {
		t.Fatalf("suggestions = %+v, want the open poll 2 only", got)
	}
	// A partial number with its mark is matched without it.
	for _, partial := range []string{"n°\u00a02", "#2", "n° "} {
		got = env.Runtime.Autocomplete(context.Background(), &commands.Request{
			Platform: commands.PlatformConsole, Chat: commands.Chat{ID: "general", GroupID: "console"},
			User: commands.User{ID: "camille", Name: "camille"}, Command: "sondage.voter",
		}, "sondage", partial)
		if len(got) != 1 || got[0].Value != "2" {
			t.Fatalf("suggestions for %q = %+v, want poll 2", partial, got)
		}
	}
}

// A tied question still gives the questionnaire a price: the tie is broken
// by the poll's reproducible draw, as the question's post says beforehand,
// and its result and the questionnaire's say so.
func TestQuestionnaireBreaksATieAndSaysHow(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
:role moderateur
/questionnaire creer titre:"Pain" prix_base:2
/questionnaire ajouter questionnaire:1 question:"Farine ?" choix:"Bio +0,40 € | Standard" fin:1j
:bouton Bio
:user alex
:bouton Standard
:avance 1j
/questionnaire resultat questionnaire:1
:langue en
/questionnaire result questionnaire:1
:user camille
/questionnaire result questionnaire:1
`)
	consoletest.Contains(t, out,
		// The rule is on the question's post before anyone votes, and the
		// result posted at the close keeps the choice it gives.
		"📊 Sondage n°\u00a01\u00a0: Farine ?", "Question du questionnaire n°\u00a01\u00a0: une égalité y est départagée par tirage au sort reproductible.",
		"🏁 Résultat du sondage n°\u00a01", "Égalité (Bio, Standard)\u00a0: pour le questionnaire n°\u00a01, le choix Bio est retenu par tirage au sort reproductible.",
		"1. Farine ? (sondage n°\u00a01)\u00a0: Bio (+0,40\u00a0€), retenu sur une égalité (Bio, Standard) départagée par tirage au sort reproductible\n",
		"Prix résultant\u00a0: 2,40\u00a0€ (base 2,00\u00a0€).",
		// A private reply, as /sondage resultats is, in the asker's language.
		"> alex: /questionnaire result questionnaire:1", "only you can see this] 📋 Questionnaire #1: Pain",
		"1. Farine ? (poll #1): Bio (+€0.40), chosen from a tie (Bio, Standard) broken by reproducible draw\n",
		"> camille: /questionnaire result questionnaire:1", "visible par vous seul·e] 📋 Questionnaire n°\u00a01\u00a0: Pain",
		"1. Farine ? (sondage n°\u00a01)\u00a0: Bio (+0,40\u00a0€), retenu sur une égalité",
	)
}

// Option names keep their underscores wherever Agora shows or reads them:
// help, the list of a command's options, English names typed.
func TestOptionNamesKeepTheirUnderscores(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
:role moderateur
/aide questionnaire creer
/questionnaire creer couleur:rouge
:langue en
/help questionnaire create
/questionnaire create couleur:rouge
/questionnaire create title:Pain base_price:2
`)
	consoletest.Contains(t, out,
		"> camille: /aide questionnaire creer", "prix_base\u00a0: Le prix de base",
		"Ses options\u00a0: titre, prix_base.",
		"> camille: /help questionnaire create", "base_price: The base price",
		"Its options: title, base_price.",
		"Questionnaire #1 “Pain” created, base price €2.00.",
	)
}

// Poll and questionnaire numbers may be written as Agora writes them.
func TestNumbersAreReadWithTheirMark(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage creer question:"Quel jour ?" choix:"Samedi | Dimanche"
/sondage voter sondage:n°1 choix:1
/sondage voter sondage:"n° 1" choix:2
/sondage resultats sondage:#1
/sondage voter sondage:N°1 choix:1
/sondage voter sondage:n°x choix:1
/sondage fermer n° 1
:role moderateur
/questionnaire creer titre:"Pain"
/questionnaire resultat questionnaire:n°1
`)
	consoletest.Contains(t, out,
		"> camille: /sondage voter sondage:n°1 choix:1", "Vote enregistré pour le sondage n°\u00a01\u00a0: Samedi.",
		`> camille: /sondage voter sondage:"n° 1" choix:2`, "au sondage n°\u00a01, votre vote est désormais Dimanche.",
		"> camille: /sondage resultats sondage:#1", "2. Dimanche\u00a0: 1 vote (100\u00a0%)",
		"> camille: /sondage voter sondage:N°1 choix:1", "au sondage n°\u00a01, votre vote est désormais Samedi.",
		"«\u00a0n°x\u00a0» n'est pas un numéro de sondage\u00a0: écrivez par exemple 12 ou n°\u00a012.",
		"Sondage n°\u00a01 clos\u202f; le résultat est publié.",
		"> camille: /questionnaire resultat questionnaire:n°1", "Questionnaire n°\u00a01\u00a0: Pain",
	)
}

// Two accounts that both voted before being linked keep one ballot: the
// more recent one, moved by the polls capability's merge hook.
func TestLinkingTwoVotersKeepsTheLatestBallot(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, `/sondage creer question:"Q" choix:"A | B"`)
	env.Run(t, ":bouton 1")
	env.Clock.Advance(time.Minute)
	env.Run(t, ":user dominique\n:bouton 2")
	ctx := context.Background()
	chat, _, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformConsole, GroupID: "console", ChatID: "general"}, storage.CommunityDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	camille, err := env.Store.ResolveMember(ctx, chat.CommunityID, commands.PlatformConsole, "camille", "camille")
	if err != nil {
		t.Fatal(err)
	}
	merged, err := env.Runtime.LinkAccount(ctx, camille.ID, commands.PlatformConsole, "dominique")
	if err != nil || merged == 0 {
		t.Fatalf("link: merged %d, %v", merged, err)
	}
	if _, err := env.Runtime.RunDueJobs(ctx); err != nil {
		t.Fatal(err)
	}
	out := env.Run(t, ":user camille\n/sondage resultats sondage:1")
	consoletest.Contains(t, out, "1. A\u00a0: 0 vote (0\u00a0%)", "2. B\u00a0: 1 vote (100\u00a0%)", "1 votant")
	if _, err := env.Store.Identities(ctx, merged); err != nil {
		t.Fatal(err)
	}
	jobs, err := env.Store.PendingJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Kind == commands.MergeJob.Kind {
			t.Errorf("merge job still pending: %+v", j)
		}
	}
}

// A poll goes to the public chats by default, never to the moderators'
// chat; salons: aims it, and only moderators aim at their own chats.
// While a poll is still on its way to some chats (here Discord channels,
// which this console process cannot reach: the outbox retries them), its
// author is told that publication is under way and how far it got, never
// that it was "publié dans 0 salon".
func TestCreationToldWhilePublicationIsUnderWay(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, twoChats)
	ctx := context.Background()
	console, _, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformConsole, GroupID: "console", ChatID: "general"},
		storage.CommunityDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ id, purpose string }{{"c1", "announcements"}, {"c2", "general"}, {"c3", "announcements"}} {
		chat, _, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformDiscord, GroupID: "g", ChatID: c.id},
			storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"})
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Store.MoveChat(ctx, chat.ID, console.CommunityID); err != nil {
			t.Fatal(err)
		}
		if err := env.Store.SetChatPurpose(ctx, chat.ID, c.purpose); err != nil {
			t.Fatal(err)
		}
	}
	out := env.Run(t, `
/sondage creer question:"Affiche ?" choix:"Rouge | Bleue" salons:annonces
/sondage creer question:"Pique-nique ?" choix:"Oui | Non"
/sondage creer question:"Goûter ?" choix:"Oui | Non" salons:general
:langue en
/poll create question:"Poster?" choices:"Red | Blue" chats:announcements
/poll create question:"Picnic?" choices:"Yes | No"
/poll create question:"Snack?" choices:"Yes | No" chats:general
`)
	consoletest.Contains(t, out,
		// Only the two Discord announcement channels: none posted yet.
		"Sondage n°\u00a01 créé\u00a0: publication en cours dans 2 salons.",
		// The two console chats at once, the three Discord channels later.
		"Sondage n°\u00a02 créé\u00a0: publié dans 2 salons sur 5, les autres suivent.",
		"Sondage n°\u00a03 créé\u00a0: publié dans 2 salons sur 3, le dernier suit.",
		"Poll #4 created: being posted in 2 chats.",
		"Poll #5 created: posted in 2 of 5 chats, the others follow.",
		"Poll #6 created: posted in 2 of 3 chats, the last one follows.",
	)
	if strings.Contains(out, "publié dans 0") || strings.Contains(out, "posted in 0") {
		t.Errorf("a confirmation claims a poll was posted in no chat:\n%s", out)
	}
}

func TestPollsGoWhereTheyAreAimed(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage creer question:"Affiche ?" choix:"Rouge | Bleue" salons:annonces
:chat moderation
:role moderateur
/communaute salon objectif:moderation
:chat annonces
/communaute salon objectif:annonces
:chat general
/sondage creer question:"Pique-nique ?" choix:"Oui | Non"
/sondage creer question:"Ordre du jour ?" choix:"Budget | Local" salons:modération
/sondage creer question:"Affiche ?" choix:"Rouge | Bleue" salons:annonces
/sondage creer question:"Goûter ?" choix:"Oui | Non" salons:general
:user alex
/sondage creer question:"Secret ?" choix:"A | B" salons:moderation
/sondage liste
/sondage resultats sondage:3
/sondage voter sondage:3 choix:1
`)
	consoletest.Contains(t, out,
		// No announcement chat yet: the poll waits, and the author is told why.
		"Sondage n°\u00a01 créé, mais aucun salon d'annonces ne le reçoit",
		// By default: the general and announcement chats, not the moderators'.
		"> camille: /sondage creer question:\"Pique-nique ?\"", "] 📊 Sondage n°\u00a02\u00a0: Pique-nique ?", "· annonces] 📊 Sondage n°\u00a02\u00a0: Pique-nique ?",
		"Sondage n°\u00a02 créé et publié dans 2 salons.",
		// Aimed at the moderators: their chat only, and only they vote.
		"· moderation] 📊 Sondage n°\u00a03\u00a0: Ordre du jour ?", "réservé aux modérateurs", "Sondage n°\u00a03 créé et publié dans 1 salon.",
		"· annonces] 📊 Sondage n°\u00a04\u00a0: Affiche ?", "Sondage n°\u00a04 créé et publié dans 1 salon.",
		"] 📊 Sondage n°\u00a05\u00a0: Goûter ?", "Sondage n°\u00a05 créé et publié dans 1 salon.",
		"> alex: /sondage creer", "Seule la modération publie un sondage dans ses salons",
		// Members do not see the moderators' poll at all.
		"> alex: /sondage liste", "4 sondages ouverts", "n°\u00a05\u00a0: Goûter ?", "n°\u00a04\u00a0: Affiche ?", "n°\u00a02\u00a0: Pique-nique ?", "n°\u00a01\u00a0: Affiche ?",
		"> alex: /sondage resultats sondage:3", "Je ne trouve pas de sondage n°\u00a03 dans cette communauté.",
		"> alex: /sondage voter sondage:3 choix:1", "Je ne trouve pas de sondage n°\u00a03 dans cette communauté.",
	)
	for _, n := range []string{"1", "2", "4", "5"} {
		if strings.Contains(out, "· moderation] 📊 Sondage n°"+n+" ") {
			t.Errorf("poll %s was posted in the moderation chat:\n%s", n, out)
		}
	}
	if strings.Contains(out, "· annonces] 📊 Sondage n°\u00a05 ") || strings.Contains(out, "· annonces] 📊 Sondage n°\u00a03 ") {
		t.Errorf("a poll aimed elsewhere was posted in the announcement chat:\n%s", out)
	}
}

// Without a number, /sondage resultats shows the latest poll: the newest
// open one, or else the one closed last. The list shows closed polls on
// demand; questionnaires are listed and closed at once.
func TestLatestPollListsAndQuestionnaires(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage resultats
/sondage liste etat:tous
/sondage creer question:"Premier ?" choix:"A | B"
/sondage creer question:"Deuxième ?" choix:"C | D"
/sondage resultats
/sondage fermer sondage:2
/sondage resultats
:avance 1h
/sondage fermer sondage:1
/sondage resultats
/sondage liste
/sondage liste etat:clos
/sondage liste etat:Fermés
/sondage liste etat:tout
:langue en
/poll list state:all
/poll list state:finished
:langue fr
/questionnaire liste
:role moderateur
/questionnaire creer titre:"Pain"
/questionnaire ajouter questionnaire:1 question:"Farine ?" choix:"Bio +0,40 € | Standard"
/questionnaire ajouter questionnaire:1 question:"Taille ?" choix:"Grand | Petit"
/questionnaire creer titre:"Lait"
:role membre
/questionnaire liste
:user alex
/questionnaire fermer questionnaire:1
:user camille
/questionnaire fermer questionnaire:1
/questionnaire fermer questionnaire:1
/questionnaire liste
/sondage liste etat:tous
`)
	consoletest.Contains(t, out,
		"> camille: /sondage resultats", "Aucun sondage dans cette communauté pour l'instant.",
		"> camille: /sondage liste etat:tous", "Aucun sondage dans cette communauté pour l'instant.",
		// The newest open poll.
		"> camille: /sondage resultats", "📊 Sondage n°\u00a02\u00a0: Deuxième ?",
		// Poll 2 closed: poll 1 is the newest open one.
		"> camille: /sondage resultats", "📊 Sondage n°\u00a01\u00a0: Premier ?",
		// Both closed: the one closed last.
		"> camille: /sondage resultats", "📊 Sondage n°\u00a01\u00a0: Premier ?", "Aucun vote\u00a0: pas de résultat.",
		"> camille: /sondage liste", "Aucun sondage ouvert.",
		"> camille: /sondage liste etat:clos", "2 sondages clos", "n°\u00a01\u00a0: Premier ? (clos le lundi 7 décembre à 11h00)",
		"n°\u00a02\u00a0: Deuxième ? (clos le lundi 7 décembre à 10h00)",
		// Members' own words for a state.
		"> camille: /sondage liste etat:Fermés", "2 sondages clos",
		"> camille: /sondage liste etat:tout", "2 sondages clos",
		"> camille: /poll list state:all", "2 closed polls", "#1: Premier ? (closed Monday 7 December at 11:00 am)",
		"> camille: /poll list state:finished", "2 closed polls",
		"> camille: /questionnaire liste", "Aucun questionnaire dans cette communauté.",
		"> camille: /questionnaire liste", "2 questionnaires", "n°\u00a02 «\u00a0Lait\u00a0»\u00a0: aucune question", "n°\u00a01 «\u00a0Pain\u00a0»\u00a0: 2 questions, dont 2 ouvertes",
		// Closing a questionnaire is for its author and moderators.
		"> alex: /questionnaire fermer questionnaire:1", "Seuls l'auteur du questionnaire n°\u00a01 et la modération peuvent faire cela.",
		// Its author closes it, though no longer a moderator.
		"> camille: /questionnaire fermer questionnaire:1", "Résultat du sondage n°\u00a03\u00a0: Farine ?", "Résultat du sondage n°\u00a04\u00a0: Taille ?",
		"Questionnaire n°\u00a01\u00a0: 2 questions closes\u202f; leurs résultats sont publiés.",
		"> camille: /questionnaire fermer questionnaire:1", "Le questionnaire n°\u00a01 n'a aucune question ouverte.",
		"> camille: /questionnaire liste", "n°\u00a01 «\u00a0Pain\u00a0»\u00a0: 2 questions\n",
		"> camille: /sondage liste etat:tous", "4 sondages clos", "n°\u00a04\u00a0: Taille ?", "n°\u00a03\u00a0: Farine ?", "n°\u00a01\u00a0: Premier ?", "n°\u00a02\u00a0: Deuxième ?",
	)
}

// Deleting a poll members voted in takes a confirmation, by the member who
// asked; a poll without ballots goes at once.
func TestDeletingAPollWithBallotsIsConfirmed(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage creer question:"Vide ?" choix:"A | B"
/sondage supprimer sondage:1
/sondage creer question:"Votée ?" choix:"A | B"
:user alex
:bouton A
:user camille
/sondage supprimer sondage:2
`)
	consoletest.Contains(t, out,
		"> camille: /sondage supprimer sondage:1", "Sondage n°\u00a01 supprimé.",
		"> camille: /sondage supprimer sondage:2",
		"Le sondage n°\u00a02 a 1 votant\u00a0: le supprimer efface aussi son vote, sans retour possible. Confirmez avec le bouton.",
		"[1 Supprimer le sondage n°\u00a02]",
	)
	// Where a private answer shows in the group (Telegram without a direct
	// conversation), others see the button: their press, or a forged
	// route, deletes nothing.
	ctx := context.Background()
	chat, _, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformConsole, GroupID: "console", ChatID: "general"}, storage.CommunityDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, name := range []string{"camille", "alex"} {
		m, err := env.Store.ResolveMember(ctx, chat.CommunityID, commands.PlatformConsole, name, name)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = m.ID
	}
	press := func(user string, role commands.Role, route string) string {
		return env.Runtime.Handle(ctx, &commands.Request{
			Platform: commands.PlatformConsole, Chat: commands.Chat{ID: "general", GroupID: "console"},
			User:   commands.User{ID: user, Name: user, PlatformRole: role},
			Action: &commands.Action{Route: route},
		}).Text.Plain()
	}
	camilles := fmt.Sprintf("p/del/2/%d/1", ids["camille"])
	alexs := fmt.Sprintf("p/del/2/%d/1", ids["alex"])
	for _, tt := range []struct {
		user  string
		role  commands.Role
		route string
		want  string
	}{
		{"alex", commands.RoleMember, camilles, "demandée par quelqu'un d'autre"},
		{"alex", commands.RoleModerator, camilles, "demandée par quelqu'un d'autre"},
		{"alex", commands.RoleMember, alexs, "Seuls l'auteur du sondage n°\u00a02 et la modération peuvent faire cela."},
		{"camille", commands.RoleMember, "p/del/2", "Ce bouton n'est plus valide."},
		{"camille", commands.RoleMember, fmt.Sprintf("p/del/2/%d", ids["camille"]), "Ce bouton n'est plus valide."},
		{"camille", commands.RoleMember, fmt.Sprintf("p/del/2/+%d/1", ids["camille"]), "Ce bouton n'est plus valide."},
		{"camille", commands.RoleMember, fmt.Sprintf("p/del/+2/%d/1", ids["camille"]), "Ce bouton n'est plus valide."},
		{"camille", commands.RoleMember, fmt.Sprintf("p/del/3/%d/1", ids["camille"]), "Je ne trouve pas de sondage n°\u00a03"},
	} {
		if got := press(tt.user, tt.role, tt.route); !strings.Contains(got, tt.want) {
			t.Errorf("%s (%v) pressing %s: %q, want %q", tt.user, tt.role, tt.route, got, tt.want)
		}
	}
	// A member who votes after the confirmation was shown makes its button
	// ask again, with the new number, rather than delete a vote it did not
	// count.
	out = env.Run(t, `
/sondage resultats sondage:2
:user lea
/sondage voter 2 B
:user camille
:bouton 1
/sondage resultats sondage:2
:bouton 1
/sondage resultats sondage:2
`)
	consoletest.Contains(t, out,
		"> camille: /sondage resultats sondage:2", "1. A\u00a0: 1 vote (100\u00a0%)", // still there
		"> camille: :bouton 1", "Le sondage n°\u00a02 a 2 votants",
		"> camille: /sondage resultats sondage:2", "2 votants", // still there
		"> camille: :bouton 1", "supprimé]", "Sondage n°\u00a02 supprimé.",
		"> camille: /sondage resultats sondage:2", "Je ne trouve pas de sondage n°\u00a02",
	)
	if got := press("camille", commands.RoleMember, fmt.Sprintf("p/del/2/%d/2", ids["camille"])); !strings.Contains(got, "Je ne trouve pas de sondage n°\u00a02") {
		t.Errorf("pressing again after the deletion: %q", got)
	}
}

// The export opens in French Excel as it is: UTF-8 with a byte order
// mark, ";" between fields, decimal commas, and header lines saying which
// poll, how many voters and when it closed. English speakers get ",".
func TestExportReadsBackAsFrenchExcelWritesIt(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, `
/sondage creer question:"Quel jour ; vraiment ?" choix:"Samedi | Dimanche | =SOMME(A1)" anonyme:non
:bouton Samedi
:user alex
:bouton Samedi
:user sam
:bouton Dimanche
:user camille
:avance 1h
/sondage fermer sondage:1
`)
	export := func(lang string) []commands.File {
		t.Helper()
		r := env.Runtime.Handle(context.Background(), &commands.Request{
			Platform: commands.PlatformConsole, Chat: commands.Chat{ID: "general", GroupID: "console"},
			User:    commands.User{ID: "camille", Name: "camille", Locale: lang},
			Command: "sondage.exporter", Options: map[string]string{"sondage": "1"},
		})
		if len(r.Files) != 2 {
			t.Fatalf("export: %q with %d files", r.Text.Plain(), len(r.Files))
		}
		return r.Files
	}
	read := func(f commands.File, comma rune) [][]string {
		t.Helper()
		if !bytes.HasPrefix(f.Data, []byte("\ufeff")) {
			t.Fatalf("%s does not start with a UTF-8 byte order mark", f.Name)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(f.Data, []byte("\ufeff"))))
		r.Comma, r.FieldsPerRecord = comma, -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		return rows
	}
	files := export("fr")
	totals := read(files[0], ';')
	want := [][]string{
		{"sondage", "1"},
		{"question", "Quel jour ; vraiment ?"},
		{"votants", "3"},
		{"clôture", "2026-12-07 11:00"},
		{"résultat", "Samedi"},
		{"numéro", "choix", "votes", "pourcentage"},
		{"1", "Samedi", "2", "66,7"},
		{"2", "Dimanche", "1", "33,3"},
		{"3", "'=SOMME(A1)", "0", "0,0"}, // a label is never run as a formula
	}
	if fmt.Sprint(totals) != fmt.Sprint(want) {
		t.Errorf("totals =\n%q\nwant\n%q", totals, want)
	}
	if !strings.Contains(string(files[0].Data), "\r\n") {
		t.Error("lines do not end with CRLF")
	}
	ballots := read(files[1], ';')
	if fmt.Sprint(ballots) != fmt.Sprint([][]string{{"votant", "bulletin"}, {"camille", "Samedi"}, {"alex", "Samedi"}, {"sam", "Dimanche"}}) {
		t.Errorf("ballots = %q", ballots)
	}
	en := export("en")
	if files[0].Name != "sondage-1.csv" || files[1].Name != "sondage-1-bulletins.csv" || en[0].Name != "poll-1.csv" || en[1].Name != "poll-1-ballots.csv" {
		t.Errorf("file names %q %q, in English %q %q", files[0].Name, files[1].Name, en[0].Name, en[1].Name)
	}
	totals = read(en[0], ',')
	if len(totals) < 7 || totals[2][0] != "voters" || totals[4][0] != "result" || totals[6][3] != "66.7" {
		t.Errorf("English totals = %q", totals)
	}
}

// A typed vote does what was typed: the choice takes the rest of the
// line, several numbers may be separated by spaces, a label is found
// before a position and without its accents, and a ranking is refused on
// a poll that is not one.
func TestTypedVotesDoWhatWasTyped(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage creer question:"Multi ?" choix:"A | B | C" type:multiple
/sondage voter 1 A, B
/sondage voter n° 1 1 3
/sondage Pizza ? | Quatre fromages | Régina
/sondage voter 2 Quatre fromages
/sondage voter # 2 regina
/sondage voter 2 1 2
/sondage voter 2 classement:"1 > 2"
/sondage voter 2 Calzone
/sondage Combien ? | 1 | 2 | 4 | 8
/sondage voter 3 4
/sondage resultats #99999999999999999999
/sondage Le film « Dune » ? | L'« original » | Le remake
/sondage Z‮Question ? | A​ | A
/sondage Z‮Question ? | A​ | B
/sondage creer question:"Ordre ?" choix:"A > B | C" type:classement
/sondage creer question:"Deux ?" choix:"A | B | C" type:multiple max:2
/sondage voter 6 1 2 3
/sondage creer question:"Vide ?" choix:"A | B" fin:"  "
`)
	consoletest.Contains(t, out,
		"> camille: /sondage voter 1 A, B", "Vote enregistré pour le sondage n° 1 : A, B.",
		"> camille: /sondage voter n° 1 1 3", "au sondage n° 1, votre vote est désormais A, C.",
		"> camille: /sondage voter 2 Quatre fromages", "Vote enregistré pour le sondage n° 2 : Quatre fromages.",
		"> camille: /sondage voter # 2 regina", "votre vote est désormais Régina.",
		"> camille: /sondage voter 2 1 2", "Un seul choix est possible.",
		`classement:"1 > 2"`, "Le sondage n° 2 n'est pas un classement : donnez votre vote avec choix.",
		"> camille: /sondage voter 2 Calzone", "Je ne trouve pas le choix « Calzone »",
		"> camille: /sondage voter 3 4", "Vote enregistré pour le sondage n° 3 : 4.",
		"#99999999999999999999", "« #99999999999999999999 » n'est pas un numéro de sondage",
		"Sondage n° 4 : Le film « Dune » ?", "1. L'« original »", "2. Le remake",
		// Invisible characters make no second "A" and turn nothing around.
		"Le choix « A » est donné deux fois.",
		"Sondage n° 5 : ZQuestion ?", "1. A : 0 vote",
		"Le choix « A > B » contient « > », qui sépare les choix d'un classement",
		"> camille: /sondage voter 6 1 2 3", "2 choix au plus.\n",
		`fin:"  "`, "L'option fin est vide : donnez-lui une valeur, ou retirez-la.",
	)
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "> ") && strings.ContainsAny(line, "\u200b\u202e") {
			t.Errorf("an invisible format character reached a reply: %q", line)
		}
	}
}

// A guided conversation asks again for a value the command refused, and
// keeps what was given: a member who answers a question wrongly is not
// left without a poll and without a word.
func TestGuidedQuestionsAskAgainAfterARefusal(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage Quelle pizza ?
Margherita
Margherita | Margherita
Margherita | Regina
/sondage fermer
abc
n° 7
1
/sondage voter
`)
	consoletest.Contains(t, out,
		"> camille: /sondage Quelle pizza ?", "choix ?",
		"> camille: Margherita", "Il faut entre 2 et 20 choix séparés par « | » ; j'en compte 1.", "choix ?",
		"> camille: Margherita | Margherita", "Le choix « Margherita » est donné deux fois.", "choix ?",
		"> camille: Margherita | Regina", "Sondage n° 1 : Quelle pizza ?", "Sondage n° 1 créé",
		// The question lists the polls to pick from.
		"> camille: /sondage fermer", "sondage ?", "Au choix :", "• n° 1 : Quelle pizza ?",
		"> camille: abc", "« abc » n'est pas un numéro de sondage", "sondage ?",
		"> camille: n° 7", "Je ne trouve pas de sondage n° 7", "sondage ?",
		"> camille: 1", "Sondage n° 1 clos",
	)
}

// Without a number, /sondage resultats shows a poll of this chat whose
// results can be shown, passing over one whose results wait for the close.
func TestLatestResultsAreThisChatsShowable(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
:role moderateur
:chat annonces
/communaute salon annonces
:chat general
/sondage creer question:"Pour général ?" choix:"A | B" salons:général
:chat annonces
/sondage creer question:"Pour annonces ?" choix:"A | B" salons:annonces
/sondage creer question:"Secret ?" choix:"A | B" salons:annonces résultats:clôture
:chat general
/sondage resultats
:chat annonces
/sondage resultats
`)
	consoletest.Contains(t, out,
		":chat general", "/sondage resultats", "📊 Sondage n° 1 : Pour général ?",
		":chat annonces", "/sondage resultats", "📊 Sondage n° 2 : Pour annonces ?",
	)
}

// A vote can be withdrawn, from a single-choice poll too, where pressing
// the same button again keeps it (a double click must not undo a vote).
func TestAVoteCanBeWithdrawn(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/sondage Pizza ? | Margherita | Regina
:bouton Margherita
:bouton Margherita
/sondage retirer 1
/sondage retirer 1
/sondage resultats 1
:langue en
/poll withdraw 1
/poll close 1
/poll withdraw 1
`)
	consoletest.Contains(t, out,
		"> camille: :bouton Margherita", "Vote enregistré pour le sondage n° 1 : Margherita.",
		"> camille: :bouton Margherita", "votre vote est désormais Margherita.",
		"> camille: /sondage retirer 1", "Votre vote au sondage n° 1 est retiré.",
		"> camille: /sondage retirer 1", "Vous n'avez pas voté au sondage n° 1 : il n'y a rien à retirer.",
		"> camille: /sondage resultats 1", "0 votant",
		"> camille: /poll withdraw 1", "You have not voted in poll #1",
		"> camille: /poll withdraw 1", "Poll #1 is closed",
	)
}
