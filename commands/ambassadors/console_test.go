package ambassadors_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/console"
	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

// setup gives the console community a moderators' chat and an
// ambassadors' chat, set by camille, a moderator; the script goes on as
// lea, a member, in the general chat.
const setup = `
:role moderateur
:chat moderation
/communaute salon objectif:moderation
:chat ambassadeurs
/communaute salon objectif:ambassadeurs
:chat general
/communaute nom nom:"Coop Lyon"
:user lea
`

// leaApplies is lea's application, filled at once.
const leaApplies = `
/ambassadeur postuler
:formulaire ville="Saint-Étienne" motivation="J'aime ma ville et ses habitants" disponibilites="Le samedi"
`

func TestApplyApproveAndFirstSteps(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+leaApplies+`
/ambassadeur postuler
:chat moderation
:bouton Approuver
:user camille
:chat general
/ambassadeur postuler
:formulaire ville=Lyon motivation="Animer" disponibilites="Le soir"
:chat moderation
:bouton Approuver
/ambassadeur candidatures
:bouton Voir n° 1
:bouton Approuver
:user lea
:chat general
/ambassadeur postuler
/ambassadeur charte
:bouton J'accepte la charte
/ambassadeur charte
:chat ambassadeurs
Bonjour à toutes et à tous, je suis Léa de Saint-Étienne !
Et j'ai une question.
/ambassadeur valider etape:annonce
/ambassadeur valider etape:presentation
:user camille
/ambassadeur valider etape:annonce ambassadeur:"n°1"
/ambassadeur progression ambassadeur:Lea
/ambassadeur liste
/ambassadeur progression
`)
	consoletest.Contains(t, out,
		// The form, asked field by field or filled at once.
		"> lea: /ambassadeur postuler", "Ville ou région\u202f?", "Formulaire «\u00a0Devenir ambassadeur·rice\u00a0»",
		"ville: Ville ou région", "motivation: Motivation", "disponibilites: Disponibilités",
		// Posted in the moderators' chat with its buttons; the applicant is told.
		"[#", "· moderation] 📝 Candidature d'ambassadeur·rice n°\u00a01", "lea · Saint-Étienne",
		"Motivation\u00a0: J'aime ma ville et ses habitants", "Disponibilités\u00a0: Le samedi",
		"Envoyée le lundi 7 décembre à 10h00", "[1 Approuver] [2 Refuser]",
		"Merci\u202f! Votre candidature n°\u00a01 (Saint-Étienne) est enregistrée. Les modérateur·rices de Coop Lyon vont l'examiner",
		// One open application: applying again shows it.
		"> lea: /ambassadeur postuler", "Vous avez déjà une candidature en cours\u00a0: n°\u00a01 (Saint-Étienne), envoyée le lundi 7 décembre.",
		// Members do not review.
		"> lea: :bouton Approuver", "Il faut être modérateur·rice pour utiliser cette commande.",
		// A moderator cannot approve their own application.
		"> camille: :bouton Approuver", "Vous ne pouvez pas décider de votre propre candidature",
		// camille approves lea's: the role in Agora, the invite, the private message.
		"> camille: /ambassadeur candidatures", "2 candidatures en attente", "n°\u00a01 · lea", "n°\u00a02 · camille", "[1 Voir n°\u00a01] [2 Voir n°\u00a02]",
		"> camille: :bouton Voir n° 1", "Candidature d'ambassadeur·rice n°\u00a01", "[1 Approuver] [2 Refuser]",
	)
	approval := out[strings.Index(out, "> camille: :bouton Voir n° 1"):]
	consoletest.Contains(t, approval,
		"[#", "· message privé à lea] 🎉 Bonne nouvelle\u00a0: votre candidature est acceptée, vous êtes ambassadeur·rice de Coop Lyon (Saint-Étienne)\u202f!",
		"Premiers pas\u00a0: 0 étape sur 4", "⬜ Accepter la charte", "⬜ Vous présenter dans le salon des ambassadeur·rices",
		"⬜ Annoncer une première rencontre", "⬜ Participer à une première rencontre",
		"La charte de la communauté", "1. Respect\u00a0: on discute des idées", "[1 J'accepte la charte]",
		"[lien d'invitation dans ambassadeurs pour Ambassadeur·rice lea\u00a0: https://console.invalid/invite/1]",
		"message privé à lea] 🎉 Voici votre lien pour rejoindre le salon des ambassadeur·rices de Coop Lyon.",
		"[1 Rejoindre le salon → https://console.invalid/invite/1]",
		"Candidature n°\u00a01 acceptée\u00a0: lea est ambassadeur·rice (Saint-Étienne).",
		"• console\u00a0: lien d'invitation au salon des ambassadeur·rices envoyé en privé.",
		// An ambassador applying again is told they are one.
		"> lea: /ambassadeur postuler", "Vous êtes déjà ambassadeur·rice (Saint-Étienne, candidature n°\u00a01 acceptée le lundi 7 décembre).",
		// The checklist: the charter, the introduction seen in the ambassadors' chat.
		"> lea: /ambassadeur charte", "La charte de la communauté", "[1 J'accepte la charte]",
		"> lea: :bouton J'accepte la charte", "✅ Étape «\u00a0Accepter la charte\u00a0» validée pour lea (1/4).",
		"Prochaine étape\u00a0: présentez-vous en quelques mots dans le salon des ambassadeur·rices.",
		"> lea: /ambassadeur charte", "Vous avez accepté la charte le lundi 7 décembre.",
		"> lea: Bonjour à toutes et à tous", "👋 Bienvenue parmi les ambassadeur·rices, lea\u202f! Votre présentation valide l'étape «\u00a0Vous présenter dans le salon des ambassadeur·rices\u00a0».",
		"> lea: Et j'ai une question.",
		"> lea: /ambassadeur valider etape:annonce", "L'étape «\u00a0Annoncer une première rencontre\u00a0» est validée par un·e modérateur·rice.",
		"> lea: /ambassadeur valider etape:presentation", "L'étape «\u00a0Vous présenter dans le salon des ambassadeur·rices\u00a0» de lea était déjà validée.",
		"> camille: /ambassadeur valider etape:annonce ambassadeur:\"n°1\"", "✅ Étape «\u00a0Annoncer une première rencontre\u00a0» validée pour lea (3/4).",
		"Prochaine étape\u00a0: participez à une rencontre",
		"> camille: /ambassadeur progression ambassadeur:Lea", "lea, ambassadeur·rice · Saint-Étienne", "Premiers pas\u00a0: 3 étapes sur 4",
		"✅ Accepter la charte (le lundi 7 décembre)", "✅ Vous présenter dans le salon des ambassadeur·rices (le lundi 7 décembre)",
		"✅ Annoncer une première rencontre (le lundi 7 décembre)", "⬜ Participer à une première rencontre",
		"> camille: /ambassadeur liste", "1 ambassadeur·rice",
		"n°\u00a01 · lea · Saint-Étienne · 3/4 · prochaine étape\u00a0: Participer à une première rencontre (depuis le lundi 7 décembre)",
		// A moderator who is no ambassador sees everyone's progress.
		"> camille: /ambassadeur progression", "n°\u00a01 · lea · Saint-Étienne · 3/4",
	)
	if n := strings.Count(out, "Bienvenue parmi les ambassadeur·rices"); n != 1 {
		t.Fatalf("the introduction was noticed %d times, want once:\n%s", n, out)
	}
	if strings.Contains(approval, "Candidature n°\u00a02 acceptée") {
		t.Fatalf("a moderator approved their own application:\n%s", out)
	}
}

func TestRejectWithAReason(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+leaApplies+`
:user camille
:chat moderation
:bouton Refuser
:formulaire raison=""
:bouton Refuser
:formulaire raison="Nous avons déjà deux ambassadeurs à Saint-Étienne."
:user sam
:role moderateur
:bouton Approuver
:user lea
:chat general
/ambassadeur postuler
:user camille
/ambassadeur historique
/ambassadeur candidatures
`)
	consoletest.Contains(t, out,
		"> camille: :bouton Refuser", "Raison du refus\u202f?", "raison: Raison du refus",
		`> camille: :formulaire raison=""`, "Il manque la réponse à «\u00a0Raison du refus\u00a0».",
		`> camille: :formulaire raison="Nous avons déjà deux ambassadeurs à Saint-Étienne."`,
		"message privé à lea] Votre candidature pour devenir ambassadeur·rice de Coop Lyon (n°\u00a01) n'a pas été retenue. Raison\u00a0: Nous avons déjà deux ambassadeurs à Saint-Étienne.",
		"Candidature n°\u00a01 refusée. lea reçoit la raison en privé.",
		// Another moderator pressing the old button is told it was decided.
		"> sam: :bouton Approuver", "La candidature n°\u00a01 est déjà décidée. ❌ Refusée par camille le lundi 7 décembre à 10h00\u00a0: Nous avons déjà deux ambassadeurs à Saint-Étienne.",
		// Rejected, lea may apply again.
		"> lea: /ambassadeur postuler", "Ville ou région\u202f?",
		"> camille: /ambassadeur historique", "Dernières décisions",
		"lundi 7 décembre à 10h00 · n°\u00a01 lea (Saint-Étienne) refusée par camille\u00a0: Nous avons déjà deux ambassadeurs à Saint-Étienne.",
		"> camille: /ambassadeur candidatures", "Aucune candidature en attente.",
	)
	if strings.Contains(out, "Candidature n°\u00a01 acceptée") {
		t.Fatalf("a rejected application was approved:\n%s", out)
	}
}

func TestRevokeTakesTheRoleBackEverywhere(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+leaApplies+`
:user camille
/ambassadeur candidatures
:bouton Voir n° 1
:bouton Approuver
/ambassadeur revoquer Léa Plus disponible
/ambassadeur revoquer ambassadeur:lea
/ambassadeur historique
:user lea
/ambassadeur progression
/ambassadeurs
`)
	consoletest.Contains(t, out,
		"> camille: /ambassadeur candidatures", "1 candidature en attente", "n°\u00a01 · lea · Saint-Étienne · le lundi 7 décembre", "[1 Voir n°\u00a01]",
		"> camille: :bouton Voir n° 1", "Candidature d'ambassadeur·rice n°\u00a01", "[1 Approuver] [2 Refuser]",
		"> camille: :bouton Approuver", "Candidature n°\u00a01 acceptée",
		"> camille: /ambassadeur revoquer Léa Plus disponible",
		"message privé à lea] Votre rôle d'ambassadeur·rice de Coop Lyon vous a été retiré.", "Raison\u00a0: Plus disponible", "Merci pour tout ce que vous avez fait.",
		"[lea retiré·e de ambassadeurs]",
		"lea n'est plus ambassadeur·rice (candidature n°\u00a01).", "• console\u00a0: retiré·e du salon des ambassadeur·rices.",
		"> camille: /ambassadeur revoquer ambassadeur:lea", "Je ne trouve pas d'ambassadeur·rice «\u00a0lea\u00a0».",
		"> camille: /ambassadeur historique",
		"n°\u00a01 lea (Saint-Étienne) rôle retiré par camille\u00a0: Plus disponible",
		"n°\u00a01 lea (Saint-Étienne) acceptée par camille",
		"> lea: /ambassadeur progression", "Vous n'êtes pas ambassadeur·rice. Pour le devenir\u00a0: /ambassadeur postuler.",
		"> lea: /ambassadeurs", "Aucun·e ambassadeur·rice pour l'instant.",
	)
}

func TestDirectoryIgnoresAccentsAndCase(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+leaApplies+`
:user noe
/ambassadeur postuler
:formulaire ville="Auvergne-Rhône-Alpes" motivation="Relier les villes" disponibilites="Le dimanche"
:user zoe
/ambassadeur postuler
:formulaire ville="ST ETIENNE" motivation="Ma ville" disponibilites="Le mercredi"
:user camille
/ambassadeur candidatures
:bouton Voir n° 1
:bouton Approuver
/ambassadeur candidatures
:bouton Voir n° 2
:bouton Approuver
/ambassadeur candidatures
:bouton Voir n° 3
:bouton Approuver
:user ana
/ambassadeurs saint-étienne
/ambassadeurs Rhône
/ambassadeurs lyonnais
/ambassadeurs ?!
/ambassadeurs
`)
	consoletest.Contains(t, out,
		"> ana: /ambassadeurs saint-étienne", "Ambassadeur·rices à «\u00a0saint-étienne\u00a0»\u00a0:", "• lea · Saint-Étienne", "• zoe · ST ETIENNE",
		"> ana: /ambassadeurs Rhône", "Ambassadeur·rice à «\u00a0Rhône\u00a0»\u00a0:", "• noe · Auvergne-Rhône-Alpes",
		"> ana: /ambassadeurs lyonnais", "Aucun·e ambassadeur·rice à «\u00a0lyonnais\u00a0» pour l'instant. Envie de vous lancer\u202f? /ambassadeur postuler",
		"> ana: /ambassadeurs ?!", "«\u00a0?!\u00a0» n'est pas un nom de ville ou de région.",
		"> ana: /ambassadeurs", "3 ambassadeur·rices, par ville\u00a0:", "Auvergne-Rhône-Alpes\u00a0: noe", "Saint-Étienne\u00a0: lea, zoe",
	)
}

// A stuck ambassador is reminded once per step, after the community's
// number of days without progress.
func TestRemindersOncePerStep(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+leaApplies+`
:user camille
/ambassadeur reglage relance_jours:3
:chat moderation
:bouton Approuver
:user lea
:avance 2j
:avance 2j
:avance 4j
/ambassadeur charte
:bouton J'accepte la charte
:avance 2j
:avance 2j
:avance 10j
:user camille
/ambassadeur reglage
`)
	consoletest.Contains(t, out,
		"> camille: /ambassadeur reglage relance_jours:3", "Rappel après 3 jours sans avancer.",
		"> lea: :avance 2j", "> lea: :avance 2j",
		"message privé à lea] Bonjour lea\u202f! Depuis 4 jours, vos premiers pas d'ambassadeur·rice de Coop Lyon attendent l'étape «\u00a0Accepter la charte\u00a0».",
		"Prochaine étape\u00a0: lisez la charte et acceptez-la avec /ambassadeur charte.", "[1 J'accepte la charte]",
		"> lea: :avance 4j",
		"> lea: :bouton J'accepte la charte", "validée pour lea (1/4)",
		"> lea: :avance 2j", "> lea: :avance 2j",
		"attendent l'étape «\u00a0Vous présenter dans le salon des ambassadeur·rices\u00a0».",
		"> lea: :avance 10j",
		"> camille: /ambassadeur reglage", "Rôle Discord des ambassadeur·rices\u00a0: aucun. Rappel après 3 jours sans avancer.",
	)
	first := out[:strings.Index(out, "> lea: :avance 2j")]
	if strings.Contains(first, "Bonjour lea") {
		t.Fatalf("reminded before the delay:\n%s", out)
	}
	if n := strings.Count(out, "attendent l'étape «\u00a0Accepter la charte\u00a0»"); n != 1 {
		t.Fatalf("reminded %d times about the charter, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "attendent l'étape «\u00a0Vous présenter"); n != 1 {
		t.Fatalf("reminded %d times about the introduction, want once:\n%s", n, out)
	}
}

// The applicant hears the decision in their own language, whatever the
// moderators speak.
func TestApplicantToldInTheirLanguage(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+`
:langue en
/ambassador apply
:formulaire ville=Lyon motivation="I love my city" disponibilites="Saturdays"
/ambassador apply
:user camille
:chat moderation
:bouton Approuver
`)
	consoletest.Contains(t, out,
		"> lea: /ambassador apply", "City or region?", "Form “Become an ambassador”",
		"· moderation] 📝 Candidature d'ambassadeur·rice n°\u00a01", "lea · Lyon", "Motivation\u00a0: I love my city",
		"Thank you! Your application #1 (Lyon) is recorded.",
		"You already have an application under review: #1 (Lyon), sent on Monday 7 December.",
		"message privé à lea] 🎉 Good news: your application is accepted, you are an ambassador of Coop Lyon (Lyon)!",
		"First steps: 0 of 4 done", "⬜ Accept the charter", "The community's charter", "1. Respect: we discuss ideas", "[1 I accept the charter]",
		"Here is your link to join the ambassadors' chat of Coop Lyon.",
		"Candidature n°\u00a01 acceptée\u00a0: lea est ambassadeur·rice (Lyon).",
	)
}

// Two moderators pressing approve and reject at the same moment make one
// decision, recorded once; the other is told it was already decided.
func TestTwoModeratorsDecideAtOnce(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, setup+leaApplies)
	ctx := context.Background()
	request := func(user string, action *commands.Action) *commands.Request {
		return &commands.Request{
			Platform: commands.PlatformConsole,
			Chat:     commands.Chat{ID: "moderation", GroupID: console.GroupID, Title: "moderation"},
			User:     commands.User{ID: user, Name: user, Locale: "fr", PlatformRole: commands.RoleModerator},
			Action:   action,
		}
	}
	for round := range 5 {
		// Each round decides a fresh application of its own.
		applicant := "membre" + string(rune('a'+round))
		env.Run(t, ":user "+applicant+"\n"+leaApplies)
		id := round + 2
		approve := request("sam", &commands.Action{Route: "amb/approve/" + strconv.Itoa(id)})
		reject := request("alex", &commands.Action{Route: "amb/reason/" + strconv.Itoa(id), Fields: map[string]string{"raison": "Pas maintenant"}})
		var wg sync.WaitGroup
		answers := make([]string, 2)
		for i, req := range []*commands.Request{approve, reject} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = env.Runtime.Handle(ctx, req).Text.Plain()
			}()
		}
		wg.Wait()
		decided := 0
		for _, a := range answers {
			switch {
			case strings.Contains(a, "acceptée\u00a0:"), strings.Contains(a, "refusée."):
				decided++
			case !strings.Contains(a, "est déjà décidée. "):
				t.Fatalf("round %d: unexpected answer %q", round, a)
			}
		}
		decisions, err := env.Store.AmbassadorDecisions(ctx, 1, 100)
		if err != nil {
			t.Fatal(err)
		}
		if decided != 1 || len(decisions) != round+1 {
			t.Fatalf("round %d: %d decisions answered, %d recorded; want one each: %q", round, decided, len(decisions)-round, answers)
		}
	}
}

// A process that recorded an approval and died before acting on the
// platforms leaves a job that does it.
func TestGrantsFinishAfterACrash(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, setup+leaApplies)
	ctx := context.Background()
	sam, err := env.Store.ResolveMember(ctx, 1, commands.PlatformConsole, "sam", "sam")
	if err != nil {
		t.Fatal(err)
	}
	followUp := model.JobRef{Kind: "ambassador.grant", Payload: "1"}
	if _, err := env.Store.DecideApplication(ctx, 1, model.ApplicationApproved, sam.ID, "", consoletest.Start, followUp, consoletest.Start.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	out := env.Run(t, `
:avance 1min
:avance 1min
:avance 1h
`)
	consoletest.Contains(t, out,
		"> lea: :avance 1min", "> lea: :avance 1min",
		"[lien d'invitation dans ambassadeurs pour Ambassadeur·rice lea\u00a0: https://console.invalid/invite/1]",
		"message privé à lea] 🎉 Voici votre lien pour rejoindre le salon des ambassadeur·rices de Coop Lyon.",
		"> lea: :avance 1h",
	)
	if strings.Contains(out[:strings.LastIndex(out, "> lea: :avance 1min")], "lien d'invitation") || strings.Count(out, "lien d'invitation") != 1 {
		t.Fatalf("the grant ran early or twice:\n%s", out)
	}
}

// The two meetup steps mark themselves: an ambassador who announces a
// meetup has announced a first one; once a meetup they said they come to
// starts, they have attended a first one.
func TestMeetupStepsMarkThemselves(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+leaApplies+`
:user camille
:chat moderation
:bouton Approuver
:chat annonces
/communaute salon objectif:annonces
:user lea
/rencontre creer titre:"Apéro" date:"demain 19h" lieu:"Café du Nord" ville:Lyon
:bouton 1
/ambassadeur progression
:avance 2j
/ambassadeur progression
`)
	consoletest.Contains(t, out,
		"> lea: /ambassadeur progression", "1 étape sur 4", "✅ Annoncer une première rencontre", "⬜ Participer à une première rencontre",
		"> lea: :avance 2j",
		"> lea: /ambassadeur progression", "2 étapes sur 4", "✅ Annoncer une première rencontre", "✅ Participer à une première rencontre",
	)
}

// The welcome in the ambassadors' chat is public: it speaks the
// community's language even to an ambassador who speaks another.
func TestIntroductionWelcomeSpeaksTheCommunitysLanguage(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+leaApplies+`
:user camille
:chat moderation
:bouton Approuver
:user lea
:langue en
:chat ambassadeurs
Hello everyone, I am Léa!
`)
	consoletest.Contains(t, out,
		"> lea: Hello everyone", "👋 Bienvenue parmi les ambassadeur·rices, lea\u202f!",
	)
}

// Step names are written with their accents, and typed with or without.
func TestStepChoicesKeepTheirAccents(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `:role moderateur
/ambassadeur valider etape:truc ambassadeur:1
/ambassadeur valider etape:presentation ambassadeur:1
`)
	consoletest.Contains(t, out,
		"L'option etape accepte\u00a0: charte, présentation, annonce, rencontre.",
		// The value typed without its accent is still the step.
		"> camille: /ambassadeur valider etape:presentation", "Je ne trouve pas d'ambassadeur·rice",
	)
}

// A pending applicant asking for their progress is told where their
// application stands, not that they "already" have one.
func TestProgressOfAPendingApplication(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+leaApplies+`
/ambassadeur progression
`)
	consoletest.Contains(t, out,
		"> lea: /ambassadeur progression",
		"Votre candidature n°\u00a01 (Saint-Étienne), envoyée le lundi 7 décembre, est en cours d'examen\u202f; la décision vous arrivera en message privé.",
	)
	if strings.Contains(out[strings.Index(out, "> lea: /ambassadeur progression"):], "déjà") {
		t.Errorf("progress of a pending application says déjà:\n%s", out)
	}
}
