package faq_test

import (
	"strings"
	"testing"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

// fourEntries is a small FAQ, added by a moderator, the last through the
// form (a Discord modal; `:formulaire` in the console).
const fourEntries = `
:role moderateur
/faqgestion ajouter question:"Comment devenir membre de la coopérative ?" reponse:"Remplissez le *formulaire* sur https://coop.example/mon_espace et achetez une part." formulations:"Comment adhérer ? | Comment s'inscrire ?" tags:"adhésion, inscription"
/faqgestion ajouter question:"Combien coûte une part sociale ?" reponse:"Une part vaut 20 €." tags:"prix, part"
/faqgestion ajouter question:"Comment quitter la coopérative ?" reponse:"Écrivez au secrétariat ; votre part est remboursée."
/faqgestion ajouter
:formulaire question="Où se trouve le local ?" reponse="12 rue Haute, à _Lyon_." tags="adresse"
:role membre
`

func TestMembersAskAndSayWhetherItHelped(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, fourEntries+`
/faq comment adhérer ?
:bouton 1
:bouton 👎 Pas utile
/faq la coopérative
:bouton Comment devenir membre de la coopérative ?
/faq où est le local
/faq ?
/faq question:"`+strings.Repeat("a", 501)+`"
/faqgestion liste
:role moderateur
/faqgestion stats
`)
	consoletest.Contains(t, out,
		"Entrée n° 1 ajoutée (français) : « Comment devenir membre de la coopérative ? ».",
		"Formulaire « Nouvelle entrée de la FAQ (français) »", "question: Question", "reponse: Réponse",
		"Entrée n° 4 ajoutée (français) : « Où se trouve le local ? ».",
		// The answer, public, its formatting kept and its link intact.
		"> camille: /faq comment adhérer ?",
		"[#7] ❓ Comment devenir membre de la coopérative ?\n    Remplissez le formulaire sur https://coop.example/mon_espace et achetez une part.",
		"[1 👍 Utile] [2 👎 Pas utile]",
		"> camille: :bouton 1", "Merci ! Votre avis aide les modérateur·rices à améliorer la FAQ.",
		"> camille: :bouton 👎 Pas utile", "Merci, c'est noté",
		// A vaguer question: the closest entry, said to be so, and a close one as a button.
		"> camille: /faq la coopérative",
		"Je ne suis pas sûr·e d'avoir bien compris ; voici la réponse la plus proche :\n    ❓ Comment quitter la coopérative ?",
		"[1 👍 Utile] [2 👎 Pas utile] [3 Comment devenir membre de la coopérative ?]",
		"> camille: :bouton Comment devenir membre de la coopérative ?",
		"❓ Comment devenir membre de la coopérative ?\n    Remplissez le formulaire",
		"> camille: /faq où est le local", "❓ Où se trouve le local ?\n    12 rue Haute, à Lyon.",
		"> camille: /faq ?", "Je n'ai pas trouvé de quoi chercher dans votre question",
		"L'option question est trop longue : 501 caractères pour 500 au plus.",
		"> camille: /faqgestion liste", "Il faut être modérateur·rice pour utiliser cette commande.",
		"> camille: /faqgestion stats", "4 entrées", "4 réponses données", "0 question sans réponse en attente",
		"Avis : 0 utile, 1 pas utile (0 % d'avis positifs)",
		"Les plus demandées :",
		"1. n° 1 · Comment devenir membre de la coopérative ? — 2 fois · 👍 0 · 👎 1 (0 % d'avis positifs)",
		"2. n° 3 · Comment quitter la coopérative ? — 1 fois · 👍 0 · 👎 0 (pas encore d'avis)",
		"Les moins utiles :", "1. n° 1 · Comment devenir membre",
	)
}

func TestModeratorsCurateInTwoLanguages(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, fourEntries+`
:role moderateur
/faqgestion ajouter question:"comment S'INSCRIRE" reponse:"Doublon."
/faqgestion ajouter question:"Sans réponse ?"
/faqgestion modifier entree:n°2 reponse:"Une part vaut *25 €* depuis 2026."
/faqgestion modifier entree:1 langue:en question:"How do I become a member?" reponse:"Fill in the *form*."
/faqgestion modifier entree:3
:formulaire question="" reponse="-" formulations="Comment partir ? | Comment démissionner ?"
/faqgestion modifier entree:3 langue:en
:formulaire question="How do I leave?"
/faqgestion voir entree:3
/faqgestion voir entree:1
/faqgestion liste
:role membre
:langue en
/faq how do I become a member?
/faq combien coûte une part ?
:langue fr
/faq comment démissionner ?
:role moderateur
/faqgestion supprimer entree:2 langue:en
/faqgestion supprimer entree:2 langue:fr
/faqgestion supprimer entree:1 langue:en
/faqgestion supprimer entree:4
/faqgestion voir entree:4
/faqgestion modifier entree:abc reponse:"x"
/faqgestion liste
`)
	consoletest.Contains(t, out,
		"Entrée n° 4 ajoutée",
		"> camille: /faqgestion ajouter question:\"comment S'INSCRIRE\"",
		"L'entrée n° 1 pose déjà la question « comment S'INSCRIRE » (comme question ou formulation) : modifiez-la plutôt avec /faqgestion modifier entree:1.",
		"> camille: /faqgestion ajouter question:\"Sans réponse ?\"", "Il manque la réponse.",
		"Entrée n° 2 modifiée (français) : « Combien coûte une part sociale ? ».",
		"Version en anglais ajoutée à l'entrée n° 1 : « How do I become a member? ».",
		// An edit form says what it keeps; empty fields and "-" keep the text.
		"> camille: /faqgestion modifier entree:3", "Un champ laissé vide", "Formulaire « Entrée n° 3 (français) »",
		"Entrée n° 3 modifiée (français) : « Comment quitter la coopérative ? ».",
		// A new version needs its question and answer.
		"> camille: :formulaire question=\"How do I leave?\"", "Il manque la réponse.",
		"> camille: /faqgestion voir entree:3", "Entrée n° 3 · donnée 0 fois", "français · Comment quitter la coopérative ?",
		"Formulations : Comment partir ? | Comment démissionner ?", "Écrivez au secrétariat",
		"> camille: /faqgestion voir entree:1", "français · Comment devenir membre", "Mots-clés : adhésion, inscription",
		"anglais · How do I become a member?", "Fill in the form.",
		"• n° 1 · Comment devenir membre de la coopérative ? (français, anglais)", "• n° 2 · Combien coûte une part sociale ? (français)",
		// English speakers get the English version, or the French one.
		"> camille: /faq how do I become a member?", "❓ How do I become a member?\n    Fill in the form.", "[1 👍 Helpful] [2 👎 Not helpful]",
		"> camille: /faq combien coûte une part ?", "❓ Combien coûte une part sociale ?\n    Une part vaut 25 € depuis 2026.",
		"> camille: /faq comment démissionner ?", "❓ Comment quitter la coopérative ?",
		"> camille: /faqgestion supprimer entree:2 langue:en", "L'entrée n° 2 n'a pas de version en anglais.",
		"> camille: /faqgestion supprimer entree:2 langue:fr", "C'est la seule version de l'entrée n° 2 : pour la retirer, supprimez l'entrée.",
		"Version en anglais de l'entrée n° 1 supprimée.",
		"Entrée n° 4 supprimée : « Où se trouve le local ? ».",
		"> camille: /faqgestion voir entree:4", "Je ne trouve pas d'entrée n° 4 dans la FAQ de cette communauté.",
		"« abc » n'est pas un numéro",
		"> camille: /faqgestion liste", "FAQ : 3 entrées (page 1/1)", "• n° 1 · Comment devenir membre de la coopérative ? (français)\n",
	)
}

// A question without an answer is queued and told to the moderation chat;
// the answer reaches every member who asked it, by direct message.
func TestUnansweredQuestionsAreQueuedAnsweredAndTold(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, fourEntries+`
:role moderateur
:chat moderation
/communaute salon objectif:moderation
:chat general
:role membre
/faq Peut-on venir avec son chien aux réunions ?
/faq peut-on venir avec son chien aux réunions
:user alex
/faq Peut-on venir avec son chien aux réunions ?
/faq Acceptez-vous les bitcoins ?
/faq Avez-vous un parking à vélos ?
:user sam
:role moderateur
/faqgestion file
:chat moderation
:bouton Écarter
:bouton Répondre
/faqgestion repondre demande:1 reponse:"Oui, s'il est tenu en laisse." intitule:"Les chiens sont-ils acceptés ?"
/faqgestion repondre demande:3
:formulaire comme=n°2
/faqgestion voir entree:2
/faqgestion repondre demande:3 reponse:"Non."
/faqgestion repondre demande:99 reponse:"Non."
:user alex
:chat general
/faq Y a-t-il une crèche ?
:user sam
:chat moderation
/faqgestion repondre demande:5 reponse:"Non." comme:2
/faqgestion repondre demande:5 reponse:"Oui, le samedi." intitule:"Comment quitter la coopérative ?"
/faqgestion file
/faqgestion stats
:user camille
:chat general
/faq les chiens sont acceptés ?
`)
	consoletest.Contains(t, out,
		"> camille: /faq Peut-on venir avec son chien aux réunions ?",
		"[#8 · moderation] ❓ Question sans réponse n° 1 de camille : « Peut-on venir avec son chien aux réunions ? »",
		"Répondez avec le bouton ou /faqgestion repondre demande:1 reponse:… ; comme:N si l'entrée n° N y répond déjà.",
		"[1 Répondre] [2 Écarter]",
		"[#9 · visible par vous seul·e] Je n'ai pas encore de réponse à cette question. Les modérateur·rices sont prévenu·es",
		// Asked again by the same member: nothing new for the moderators.
		"> camille: /faq peut-on venir avec son chien aux réunions", "[#10 · visible par vous seul·e] Je n'ai pas encore de réponse",
		"> alex: /faq Peut-on venir avec son chien aux réunions ?", "Question sans réponse n° 2 de alex",
		"> alex: /faq Acceptez-vous les bitcoins ?", "Question sans réponse n° 3 de alex",
		"> alex: /faq Avez-vous un parking à vélos ?", "Question sans réponse n° 4 de alex",
		"> sam: /faqgestion file", "4 questions attendent une réponse :",
		"• n° 1 · camille · lundi 7 décembre à 10h00 : « Peut-on venir avec son chien aux réunions ? »",
		"• n° 4 · alex", "Répondez avec /faqgestion repondre demande:N reponse:…",
		// The buttons under the newest notice; a dismissed question cannot be answered.
		"> sam: :bouton Écarter", "Question n° 4 écartée (1 question retirée de la file).",
		"> sam: :bouton Répondre", "La question n° 4 n'attend plus de réponse : elle a déjà été traitée.",
		// A new entry, reworded, answers both members who asked the same question.
		"> sam: /faqgestion repondre demande:1",
		"message privé à camille] 📬 Les modérateur·rices ont répondu à votre question « Peut-on venir avec son chien aux réunions ? » :\n    ❓ Les chiens sont-ils acceptés ?\n    Oui, s'il est tenu en laisse.",
		"message privé à alex] 📬 Les modérateur·rices ont répondu à votre question « Peut-on venir avec son chien aux réunions ? »",
		"Question n° 1 : l'entrée n° 5 est créée ; 2 membres prévenu·es.",
		// The form answers with an existing entry: the question becomes one of its phrasings.
		"> sam: /faqgestion repondre demande:3", "Question n° 3 : « Acceptez-vous les bitcoins ? ». Écrivez la réponse",
		"Formulaire « Répondre à la question n° 3 »", "reponse: Réponse", "comme: Ou : numéro d'une entrée qui y répond", "intitule: Question de la nouvelle entrée (facultatif)",
		"> sam: :formulaire comme=n°2",
		"message privé à alex] 📬 Les modérateur·rices ont répondu à votre question « Acceptez-vous les bitcoins ? » :\n    ❓ Combien coûte une part sociale ?\n    Une part vaut 20 €.",
		"Question n° 3 : ajoutée à l'entrée n° 2 ; 1 membre prévenu·e.",
		"> sam: /faqgestion voir entree:2", "Formulations : Acceptez-vous les bitcoins ?",
		"> sam: /faqgestion repondre demande:3 reponse:\"Non.\"", "La question n° 3 n'attend plus de réponse",
		"> sam: /faqgestion repondre demande:99", "Je ne trouve pas de question n° 99 dans la file de cette communauté.",
		"> alex: /faq Y a-t-il une crèche ?", "Question sans réponse n° 5 de alex",
		"> sam: /faqgestion repondre demande:5 reponse:\"Non.\" comme:2", "Donnez une réponse (reponse:) ou le numéro d'une entrée (comme:), pas les deux.",
		"> sam: /faqgestion repondre demande:5 reponse:\"Oui, le samedi.\" intitule:\"Comment quitter la coopérative ?\"",
		"L'entrée n° 3 pose déjà la question « Comment quitter la coopérative ? »",
		"> sam: /faqgestion file", "1 question attend une réponse :", "• n° 5 · alex",
		"> sam: /faqgestion stats", "1 question sans réponse en attente (3 traitées par la modération)",
		// The next member asking gets the new entry at once.
		"> camille: /faq les chiens sont acceptés ?", "❓ Les chiens sont-ils acceptés ?\n    Oui, s'il est tenu en laisse.",
	)
	if n := strings.Count(out, "Question sans réponse n°\u00a01 "); n != 1 {
		t.Fatalf("the moderators heard of question 1 %d times, want once", n)
	}
}

// In a chat where moderators switched them on, a member's plain message
// that reads as a question gets the FAQ's answer as a reply, through the
// runtime's chat events as on Discord and Telegram; the same entry is not
// repeated in the chat within its cooldown, and chats where they are off
// stay quiet.
func TestAutomaticAnswerInTheChat(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, fourEntries+`
:role moderateur
/faqgestion auto actif:oui
:role membre
:user lea
Bonjour, combien coûte une part sociale ?
:user sam
Combien coûte une part sociale ?
:chat ailleurs
Combien coûte une part sociale ?
`)
	consoletest.Contains(t, out,
		"Réponses automatiques activées dans ce salon",
		"> lea: Bonjour, combien coûte une part sociale ?", "❓ Combien coûte une part sociale ?", "Une part vaut 20 €.", "Réponse automatique de la FAQ.",
		"> sam: Combien coûte une part sociale ?",
		"> sam: :chat ailleurs",
	)
	if n := strings.Count(out, "Réponse automatique de la FAQ."); n != 1 {
		t.Fatalf("answered automatically %d times, want once (cooldown, and off elsewhere):\n%s", n, out)
	}
}
