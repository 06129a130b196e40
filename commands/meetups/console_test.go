package meetups_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/agora-community/agora/bot/console"
	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

// An announcement chat beside the general one, set by a moderator; then
// amel, an ambassador, acts in the general chat.
const setup = `
:chat annonces
:role moderateur
/communaute salon objectif:annonces
:chat general
:user amel
:role ambassadeur
`

// refusing is the console, except that some members accept no direct
// message, as on Telegram before they open a chat with the bot.
type refusing struct {
	*console.Console
	users []string
}

func (r refusing) DirectMessage(ctx context.Context, userID string, resp *commands.Response) (string, error) {
	if slices.Contains(r.users, userID) {
		return "", fmt.Errorf("console user %s: %w", userID, commands.ErrDirectMessageRefused)
	}
	return r.Console.DirectMessage(ctx, userID, resp)
}

func refuseDirectMessages(env *consoletest.Env, users ...string) {
	env.Runtime.AddPlatform(refusing{Console: env.Console, users: users})
}

func TestCreationReadsFrenchDatesAndRefusesBadInput(t *testing.T) {
	env := consoletest.New(t)
	long := strings.Repeat("é", 121)
	out := env.Run(t, `
:role ambassadeur
/rencontre creer titre:"Pique-nique" date:"12/12/2026 18h30" lieu:"Parc de la Tête d'Or" ville:"Lyon 6e"
/rencontre creer titre:"Visite de la ferme" date:"12 décembre 18h30" lieu:"Ferme du Bois" ville:"Saint-Étienne" type:"visite de producteur" durée:3h
/rencontre creer titre:"Apéro" date:"demain 19h" lieu:"Le Bar, 3 place du Peuple, 42000 st etienne" places:12
/rencontre creer titre:"Atelier en ligne" date:"2026-12-20T20:00" lieu:"https://meet.example.org/agora" type:"en ligne" durée:1h30
/rencontre creer titre:"Jeux" date:"samedi 15h" lieu:"Salle des fêtes" ville:"Trifouillis-les-Oies"
/rencontre creer titre:"X" date:"à la Saint-Glinglin" lieu:"Bar"
/rencontre creer titre:"X" date:"hier soir" lieu:"Bar"
/rencontre creer titre:"X" date:"1/12 18h" lieu:"Bar"
/rencontre creer titre:"X" date:"samedi 13 décembre 18h" lieu:"Bar"
/rencontre creer titre:"X" date:"31/02 18h" lieu:"Bar"
/rencontre creer titre:"X" date:"samedi" lieu:"Bar"
/rencontre creer titre:"X" date:"12/12/2027 18h" lieu:"Bar"
/rencontre creer titre:"`+long+`" date:"samedi 18h" lieu:"Bar"
/rencontre creer titre:"X" date:"samedi 18h" lieu:"Bar" places:0
/rencontre creer titre:"X" date:"samedi 18h" lieu:"Bar" places:beaucoup
/rencontre creer titre:"X" date:"samedi 18h" lieu:"Bar" durée:10min
/rencontre creer titre:"X" date:"samedi 18h" lieu:"Bar" durée:"deux heures"
/rencontre creer titre:"X" date:"samedi 18h" lieu:"Bar" type:concert
:user zoe
/rencontre creer titre:"X" date:"samedi 18h" lieu:"Bar"
/rencontres lyon
/rencontres "SAINT ETIENNE"
/rencontres près:Lyon
/rencontres près:Lyon rayon:80
/rencontres près:Atlantis
/rencontres rayon:10
/rencontres Paris
/rencontre liste ville:"Trifouillis-les-Oies"
:avance 1j
:avance 8h
`)
	consoletest.Contains(t, out,
		// No announcement chat: the general one gets it, and the author is told why.
		"[#1] 📅 Rencontre n°\u00a01\u00a0: Pique-nique", "rencontre locale · samedi 12 décembre à 18h30 (2 h)",
		"📍 Parc de la Tête d'Or — Lyon 6e", "👥 0 inscrit·e",
		"Rencontre n°\u00a01 «\u00a0Pique-nique\u00a0» (samedi 12 décembre à 18h30) créée et annoncée dans 1 salon.",
		"Cette communauté n'a pas de salon d'annonces", "Rappels aux inscrit·es\u00a0: 24 heures, 1 heure avant le début.",
		"📅 Rencontre n°\u00a02\u00a0: Visite de la ferme", "visite de producteur · samedi 12 décembre à 18h30 (3 h)", "Ferme du Bois — Saint-Étienne",
		"📅 Rencontre n°\u00a03\u00a0: Apéro", "mardi 8 décembre à 19h00", "📍 Le Bar, 3 place du Peuple, 42000 st etienne\n", "12 places libres sur 12",
		"📅 Rencontre n°\u00a04\u00a0: Atelier en ligne", "en ligne · dimanche 20 décembre à 20h00 (1 h 30 min)", "📍 https://meet.example.org/agora\n",
		"📅 Rencontre n°\u00a05\u00a0: Jeux", "Je ne trouve pas «\u00a0Trifouillis-les-Oies\u00a0» parmi les communes",
		`date:"à la Saint-Glinglin"`, "Je ne comprends pas la date «\u00a0à la Saint-Glinglin\u00a0». Formes acceptées, à l'heure de la communauté\u00a0: 12/12/2026 18h30, 12 décembre 18h30, samedi 18h30, demain 19h",
		`date:"hier soir"`, "J'ai compris «\u00a0hier soir\u00a0» comme dimanche 6 décembre, qui est déjà passé\u00a0: donnez une date à venir.",
		"J'ai compris «\u00a01/12 18h\u00a0» comme mardi 1er décembre à 18h00, qui est déjà passé",
		"J'ai compris «\u00a0samedi 13 décembre 18h\u00a0» comme le 13 décembre, qui est un dimanche, pas un samedi\u00a0: corrigez le jour ou la date.",
		"Il n'y a pas de 31 février\u00a0: «\u00a031/02 18h\u00a0» n'est pas une date.",
		"J'ai compris «\u00a0samedi\u00a0» comme samedi 12 décembre, mais sans heure\u00a0: ajoutez-la, par exemple «\u00a0samedi 18h30\u00a0».",
		"J'ai compris «\u00a012/12/2027 18h\u00a0» comme dimanche 12 décembre 2027 à 18h00\u00a0: c'est plus de 366 jours à l'avance.",
		"L'option titre est trop longue\u00a0: 121 caractères pour 120 au plus.",
		"L'option places doit être comprise entre 1 et 10\u202f000.",
		"L'option places attend un nombre entier, pas «\u00a0beaucoup\u00a0».",
		"La durée «\u00a010min\u00a0» doit aller de 15 minutes à 7 jours.",
		"Je ne comprends pas la durée «\u00a0deux heures\u00a0»",
		"L'option type accepte\u00a0: rencontre locale, visite de producteur, animation en magasin, temps convivial, en ligne.",
		"> zoe: /rencontre creer", "Il faut être ambassadeur·rice pour utiliser cette commande.",
		"> zoe: /rencontres lyon", "1 rencontre à venir à lyon\u00a0:", "• n°\u00a01 · samedi 12 décembre à 18h30 · Pique-nique (rencontre locale) — Lyon 6e\n",
		`> zoe: /rencontres "SAINT ETIENNE"`, "2 rencontres à venir à SAINT ETIENNE\u00a0:",
		"• n°\u00a03 · mardi 8 décembre à 19h00 · Apéro (rencontre locale) — Saint-Étienne",
		"• n°\u00a02 · samedi 12 décembre à 18h30 · Visite de la ferme (visite de producteur) — Saint-Étienne",
		"> zoe: /rencontres près:Lyon\n", "1 rencontre à venir à moins de 30 km de Lyon\u00a0:", "Pique-nique (rencontre locale) — Lyon 6e · 2 km",
		"> zoe: /rencontres près:Lyon rayon:80", "3 rencontres à venir à moins de 80 km de Lyon\u00a0:", "n°\u00a03", "Saint-Étienne · 50 km", "n°\u00a01", "n°\u00a02",
		"Je ne trouve pas la commune «\u00a0Atlantis\u00a0».",
		"L'option rayon va avec près",
		"Aucune rencontre à venir à Paris.",
		"1 rencontre à venir à Trifouillis-les-Oies", "Jeux",
		// Agora was down when the 24-hour reminder of n°3 was due; 9 hours
		// before, it is dropped. The 1-hour one comes.
		"> zoe: :avance 1j", "Horloge\u00a0: mardi 8 décembre à 10h00.",
		"> zoe: :avance 8h", "Horloge\u00a0: mardi 8 décembre à 18h00.", "⏰ Rappel\u00a0: la rencontre n°\u00a03 «\u00a0Apéro\u00a0» commence dans 1 heure",
	)
	late := out[strings.Index(out, "> zoe: :avance 1j"):strings.Index(out, "> zoe: :avance 8h")]
	if strings.Contains(late, "⏰") {
		t.Errorf("a reminder 15 hours late was sent:\n%s", late)
	}
	// The online meetup and the unknown commune are never found by distance.
	if near := out[strings.Index(out, "rayon:80"):]; strings.Contains(near[:strings.Index(near, "Atlantis")], "Jeux") {
		t.Errorf("a meetup without coordinates was found by distance:\n%s", near)
	}
}

func TestWaitingListPromotionAndWhoSeesNames(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+`
/rencontre creer titre:"Apéro *des* coopérateurs @everyone" date:"samedi 18h30" lieu:"Café du Nord, 12 rue Sala, 69002 Lyon" places:2 description:"On parle du pain."
:chat annonces
:bouton 1
:bouton 1
:user bob
:bouton 1
:user chloe
:bouton 1
:bouton 1
:user dan
:bouton 1
:avance 3s
/rencontre voir rencontre:1
:user bob
:bouton 3
:avance 3s
:user chloe
/rencontre voir rencontre:n°1
:user dan
:bouton 2
:user amel
/rencontre voir 1
:avance 6j
:bouton 1
`)
	consoletest.Contains(t, out,
		// Markup and mentions typed by a member stay literal text.
		"[#2 · annonces] 📅 Rencontre n°\u00a01\u00a0: Apéro *des* coopérateurs @everyone",
		"On parle du pain.", "👥 0 inscrit·e · 2 places libres sur 2", "[1 ✅ Je viens] [2 🤔 Peut-être] [3 ❌ Je ne viens pas]",
		"C'est noté\u00a0: vous venez à la rencontre n°\u00a01", "Vous êtes déjà inscrit·e à la rencontre n°\u00a01",
		"> bob: :bouton 1", "C'est noté\u00a0: vous venez",
		"> chloe: :bouton 1", "est complète\u00a0: vous êtes n°\u00a01 sur la liste d'attente",
		"> chloe: :bouton 1", "Vous êtes déjà sur la liste d'attente de la rencontre n°\u00a01, en position 1.",
		"> dan: :bouton 1", "vous êtes n°\u00a02 sur la liste d'attente",
		// Counts are edited in place once the interval allows.
		"> dan: :avance 3s", "[#2 · modifié]", "👥 2 inscrit·es · 0 place libre sur 2 · 2 en liste d'attente",
		// Members see counts, not names.
		"> dan: /rencontre voir rencontre:1", "Votre réponse\u00a0: sur la liste d'attente.",
		// Bob withdraws: chloe, first in line, gets the seat and is told.
		"> bob: :bouton 3", "C'est noté\u00a0: vous ne venez pas",
		"> bob: :avance 3s", "[#", "message privé à chloe] 🎉 Une place s'est libérée\u00a0: vous êtes inscrit·e à la rencontre n°\u00a01",
		"👥 2 inscrit·es · 0 place libre sur 2 · 1 en liste d'attente",
		"> chloe: /rencontre voir rencontre:n°1", "Votre réponse\u00a0: je viens.",
		"> dan: :bouton 2", "C'est noté\u00a0: peut-être pour la rencontre n°\u00a01",
		// The author sees who answered what, the waiting list in order.
		"> amel: /rencontre voir 1", "Viennent (2)\u00a0: amel, chloe", "Peut-être (1)\u00a0: dan", "Ne vient pas (1)\u00a0: bob",
		// At the start, answers close: the announcement loses its buttons.
		"> amel: :avance 6j", "[#2 · modifié]", "Les inscriptions sont closes.",
		"> amel: :bouton 1", "La rencontre n°\u00a01 a commencé\u00a0: inscriptions et modifications sont closes.",
	)
	if strings.Contains(out[:strings.Index(out, "> bob: :bouton 3")], "Viennent (") {
		t.Errorf("a member saw the names of attendees:\n%s", out)
	}
	if n := strings.Count(out, "message privé à chloe"); n != 1 {
		t.Errorf("chloe was told %d times of her seat, want once", n)
	}
	if strings.Contains(out, "message privé à dan") {
		t.Errorf("dan, still waiting, was told of a seat:\n%s", out)
	}
}

func TestEditAndCancelTellAttendeesAndUpdateEverything(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, setup+`
/rencontre creer titre:"Visite" date:"samedi 18h30" lieu:"Ferme du Bois" ville:Lyon places:1
:avance 1s
:chat annonces
:bouton 1
:user bob
:bouton 1
:user chloe
:bouton 2
:user dan
:bouton 3
:user bob
/rencontre modifier rencontre:1 titre:"Pirate"
:user amel
/rencontre modifier rencontre:1
/rencontre modifier rencontre:1 titre:"Visite de la ferme"
:avance 3s
/rencontre modifier rencontre:1 date:"dimanche 11h" lieu:"Ferme des Prés, Villeurbanne" places:2
:avance 3s
/rencontre annuler rencontre:1 motif:"Tempête annoncée"
:avance 3s
:user bob
:bouton 1
/rencontre voir 1
:user amel
/rencontre modifier rencontre:1 titre:"Encore"
/rencontre annuler rencontre:1
`)
	consoletest.Contains(t, out,
		"[événement 1 créé\u00a0: Visite, samedi 12 décembre à 18h30, Ferme du Bois, Lyon]",
		"> bob: /rencontre modifier rencontre:1 titre:\"Pirate\"", "Seuls l'auteur de la rencontre n°\u00a01 et la modération peuvent faire cela.",
		"> amel: /rencontre modifier rencontre:1\n", "Rien à modifier",
		// A new title: announcements and the event follow, nobody is disturbed.
		"Rencontre n°\u00a01 «\u00a0Visite de la ferme\u00a0» modifiée\u202f; ses annonces sont mises à jour.",
		"[événement 1 modifié\u00a0: Visite de la ferme, samedi 12 décembre à 18h30",
		"[#2 · modifié] 📅 Rencontre n°\u00a01\u00a0: Visite de la ferme",
		// A new date and place: yes, maybe and waiting are told; dan said no.
		`date:"dimanche 11h"`, "3 personnes prévenues du changement.", "1 personne passée de la liste d'attente à une place.",
		"[événement 1 modifié\u00a0: Visite de la ferme, dimanche 13 décembre à 11h00, Ferme des Prés, Villeurbanne]",
		"✏️ La rencontre n°\u00a01 «\u00a0Visite de la ferme\u00a0» change\u00a0: désormais dimanche 13 décembre à 11h00.\n    📍 Ferme des Prés, Villeurbanne",
		"message privé à amel] ✏️ La rencontre n°\u00a01",
		"message privé à bob] ✏️ La rencontre n°\u00a01",
		"message privé à chloe] ✏️ La rencontre n°\u00a01",
		"[#2 · modifié] 📅 Rencontre n°\u00a01\u00a0: Visite de la ferme", "dimanche 13 décembre à 11h00 (2 h)", "📍 Ferme des Prés, Villeurbanne",
		// Cancelled: the announcement loses its buttons at once, the event is cancelled, everyone is told.
		"> amel: /rencontre annuler", "Rencontre n°\u00a01 «\u00a0Visite de la ferme\u00a0» annulée. 3 personnes prévenues.",
		"[événement 1 annulé]",
		"❌ La rencontre n°\u00a01 «\u00a0Visite de la ferme\u00a0» du dimanche 13 décembre à 11h00 est annulée. Motif\u00a0: Tempête annoncée",
		"[#2 · modifié] 📅 Rencontre n°\u00a01\u00a0: Visite de la ferme", "❌ Annulée\u00a0: Tempête annoncée",
		"> bob: :bouton 1", "Aucun bouton ne correspond à «\u00a01\u00a0».",
		"> bob: /rencontre voir 1", "❌ Annulée\u00a0: Tempête annoncée",
		"> amel: /rencontre modifier rencontre:1 titre:\"Encore\"", "La rencontre n°\u00a01 est annulée.",
		"> amel: /rencontre annuler rencontre:1\n", "La rencontre n°\u00a01 est annulée.",
	)
	if strings.Contains(out, "message privé à dan") {
		t.Errorf("dan, who is not coming, was told:\n%s", out)
	}
	for _, who := range []string{"amel", "bob", "chloe"} {
		if n := strings.Count(out, "message privé à "+who+"] ❌"); n != 1 {
			t.Errorf("%s was told of the cancellation %d times", who, n)
		}
	}
	if strings.Contains(out[strings.Index(out, "> amel: /rencontre annuler"):], "[1 ✅ Je viens]") {
		t.Errorf("a cancelled meetup still has buttons:\n%s", out)
	}
}

func TestRemindersFireOnceEvenAfterARestart(t *testing.T) {
	env := consoletest.New(t)
	refuseDirectMessages(env, "bob")
	out := env.Run(t, setup+`
/rencontre creer titre:"Apéro" date:"samedi 18h30" lieu:"Café du Nord" ville:Lyon
:chat annonces
:bouton 1
:user bob
:bouton 1
:user chloe
:bouton 2
:user dan
:bouton 3
:avance 4j
:avance 8h29
:avance 1min
:avance 2h
`)
	// 24 hours before: in the announcement chat, and to those coming or
	// maybe coming who accept direct messages; bob's refusal stops nobody.
	consoletest.Contains(t, out,
		"> dan: :avance 8h29", "Horloge\u00a0: vendredi 11 décembre à 18h29.\n> dan: :avance 1min",
		"Horloge\u00a0: vendredi 11 décembre à 18h30.",
		"[#8] ⏰ Rappel\u00a0: la rencontre n°\u00a01 «\u00a0Apéro\u00a0» commence dans 24 heures, samedi 12 décembre à 18h30.\n    📍 Café du Nord — Lyon",
		"message privé à amel] ⏰ Rappel", "message privé à chloe] ⏰ Rappel",
		"> dan: :avance 2h", "Horloge\u00a0: vendredi 11 décembre à 20h30.\n",
	)
	for _, who := range []string{"bob", "dan"} {
		if strings.Contains(out, "message privé à "+who) {
			t.Errorf("%s was written to:\n%s", who, out)
		}
	}
	ctx := context.Background()
	start := time.Date(2026, 12, 12, 17, 30, 0, 0, time.UTC)
	notice := fmt.Sprintf("remind/24h/%d", start.Unix())
	if d, err := env.Store.Deliveries(ctx, 1, notice); err != nil || d[storage.DeliverySent] != 2 || d[storage.DeliveryRefused] != 1 {
		t.Fatalf("deliveries of %s: %v, %v", notice, d, err)
	}

	// A restart: another runtime on the same database. The 24-hour job
	// runs again, as after a crash before it was marked done; the 1-hour
	// one runs for the first time.
	if err := env.Store.ScheduleJob(ctx, nil, "meetup.remind", "1/24h", "meetup.remind/1/24h", start.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	again := consoletest.NewWithStore(t, env.Store)
	refuseDirectMessages(again, "bob")
	out = again.Run(t, `
:avance 4j
:avance 8h30
:avance 23h
:avance 1h
:avance 1j
`)
	consoletest.Contains(t, out,
		"Horloge\u00a0: vendredi 11 décembre à 18h30.",
		"Horloge\u00a0: samedi 12 décembre à 17h30.",
		"⏰ Rappel\u00a0: la rencontre n°\u00a01 «\u00a0Apéro\u00a0» commence dans 1 heure, samedi 12 décembre à 18h30.",
		"message privé à amel] ⏰ Rappel\u00a0: la rencontre n°\u00a01 «\u00a0Apéro\u00a0» commence dans 1 heure",
		"message privé à chloe] ⏰ Rappel\u00a0: la rencontre n°\u00a01 «\u00a0Apéro\u00a0» commence dans 1 heure",
		"Horloge\u00a0: samedi 12 décembre à 18h30.",
	)
	if strings.Contains(out, "24 heures") {
		t.Errorf("the 24-hour reminder was sent again after the restart:\n%s", out)
	}
	if n := strings.Count(out, "⏰ Rappel"); n != 3 {
		t.Errorf("%d reminders after the restart, want 3 (the chat, amel, chloe):\n%s", n, out)
	}
	jobs, err := env.Store.PendingJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if strings.HasPrefix(j.Kind, "meetup.") {
			t.Errorf("job still pending: %+v", j)
		}
	}
}

// ask runs one command as a console member would and returns the reply,
// files included.
func ask(t *testing.T, env *consoletest.Env, user string, role commands.Role, command string, options map[string]string) *commands.Response {
	t.Helper()
	return env.Runtime.Handle(context.Background(), &commands.Request{
		Platform: commands.PlatformConsole,
		Chat:     commands.Chat{ID: "general", GroupID: console.GroupID},
		User:     commands.User{ID: user, Name: user, PlatformRole: role},
		Command:  command, Options: options,
	})
}

func parseICS(t *testing.T, r *commands.Response) *ics.Calendar {
	t.Helper()
	if len(r.Files) != 1 || r.Files[0].ContentType != "text/calendar" {
		t.Fatalf("reply %q has files %+v, want one calendar", r.Text.Plain(), r.Files)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(r.Files[0].Data))
	if err != nil {
		t.Fatalf("parse %s: %v\n%s", r.Files[0].Name, err, r.Files[0].Data)
	}
	return cal
}

func property(e *ics.VEvent, p ics.ComponentProperty) (string, map[string][]string) {
	if prop := e.GetProperty(p); prop != nil {
		return prop.Value, prop.ICalParameters
	}
	return "", nil
}

func TestICSExportParsesBack(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, setup+`
/rencontre creer titre:"Apéro; \"go\", café" date:"samedi 18h30" lieu:"Café du Nord, 12 rue Sala" ville:"Lyon 2e" places:20 description:"Ligne 1"
/rencontre creer titre:"En ligne" date:"2026-12-20T20:00" lieu:"https://meet.example.org/agora" type:"en ligne"
/rencontre modifier rencontre:1 date:"dimanche 19h"
/rencontre annuler rencontre:2 motif:"Personne"
`)
	one := ask(t, env, "zoe", commands.RoleMember, "rencontre.exporter", map[string]string{"rencontre": "n°\u00a01"})
	if one.Files[0].Name != "rencontre-1.ics" || !strings.Contains(one.Text.Plain(), "pour votre agenda") {
		t.Fatalf("export: %q, %+v", one.Text.Plain(), one.Files)
	}
	cal := parseICS(t, one)
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	e := events[0]
	checks := []struct {
		p    ics.ComponentProperty
		want string
	}{
		{ics.ComponentPropertySummary, `Apéro; "go", café`},
		{ics.ComponentPropertyLocation, "Café du Nord, 12 rue Sala, Lyon 2e"},
		{ics.ComponentPropertyDtStart, "20261213T190000"},
		{ics.ComponentPropertyDtEnd, "20261213T210000"},
		{ics.ComponentPropertyStatus, "CONFIRMED"},
		{ics.ComponentPropertySequence, "1"},
		{ics.ComponentPropertyUniqueId, "meetup-1-1@agora"},
	}
	for _, c := range checks {
		if got, _ := property(e, c.p); got != c.want {
			t.Errorf("%s = %q, want %q", c.p, got, c.want)
		}
	}
	if _, params := property(e, ics.ComponentPropertyDtStart); len(params["TZID"]) != 1 || params["TZID"][0] != "Europe/Paris" {
		t.Errorf("DTSTART parameters %v, want TZID=Europe/Paris", params)
	}
	if geo, _ := property(e, ics.ComponentPropertyGeo); !strings.HasPrefix(geo, "45.7") {
		t.Errorf("GEO = %q, want Lyon 2e's coordinates", geo)
	}
	if start, err := e.GetStartAt(); err != nil || !start.Equal(time.Date(2026, 12, 13, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("start = %v, %v", start, err)
	}
	if len(cal.Timezones()) != 1 {
		t.Errorf("%d VTIMEZONE, want Europe/Paris described once", len(cal.Timezones()))
	}

	// Every upcoming meetup; the cancelled one is not upcoming.
	all := parseICS(t, ask(t, env, "zoe", commands.RoleMember, "rencontre.exporter", nil))
	if n := len(all.Events()); n != 1 {
		t.Errorf("export of all upcoming: %d events, want 1", n)
	}
	cancelled := parseICS(t, ask(t, env, "zoe", commands.RoleMember, "rencontre.exporter", map[string]string{"rencontre": "2"}))
	e = cancelled.Events()[0]
	for p, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertyStatus: "CANCELLED", ics.ComponentPropertyUrl: "https://meet.example.org/agora", ics.ComponentPropertySequence: "1",
	} {
		if got, _ := property(e, p); got != want {
			t.Errorf("cancelled %s = %q, want %q", p, got, want)
		}
	}
	if d, _ := property(e, ics.ComponentPropertyDescription); !strings.HasPrefix(d, "ANNULÉE\u00a0: Personne") {
		t.Errorf("cancelled description = %q", d)
	}
	if r := ask(t, env, "zoe", commands.RoleMember, "rencontre.exporter", map[string]string{"rencontre": "9"}); len(r.Files) != 0 ||
		!strings.Contains(r.Text.Plain(), "Je ne trouve pas de rencontre n°\u00a09") {
		t.Errorf("export of a missing meetup: %q", r.Text.Plain())
	}
}

// A route is never trusted: forged, garbled or foreign routes are refused
// with a private message and change nothing.
func TestForgedRoutesAreRefused(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, setup+`/rencontre creer titre:"Apéro" date:"samedi 18h30" lieu:"Bar" places:1`)
	ctx := context.Background()
	press := func(platform, chat, user, route string) *commands.Response {
		return env.Runtime.Handle(ctx, &commands.Request{
			Platform: platform, Chat: commands.Chat{ID: chat, GroupID: console.GroupID},
			User: commands.User{ID: user, Name: user}, Action: &commands.Action{Route: route},
		})
	}
	for _, route := range []string{"rv/y/01", "rv/y/1/0", "rv/y", "rv/x/1", "rv/y/2", "rv/y/-1", "rv/y/1 ", "rv/y/é", "rv/Y/1", "rv//1", "rv/y/+1"} {
		if r := press(commands.PlatformConsole, "general", "mallory", route); !r.Ephemeral || strings.Contains(r.Text.Plain(), "C'est noté") {
			t.Errorf("route %q: %q, want a private refusal", route, r.Text.Plain())
		}
	}
	// Another community's member cannot answer this meetup.
	foreign := env.Runtime.Handle(ctx, &commands.Request{
		Platform: commands.PlatformTelegram, Chat: commands.Chat{ID: "-100"}, User: commands.User{ID: "7", Name: "x"},
		Action: &commands.Action{Route: "rv/y/1"},
	})
	if !strings.Contains(foreign.Text.Plain(), "Je ne trouve pas de rencontre n°\u00a01") {
		t.Errorf("foreign community: %q", foreign.Text.Plain())
	}
	if c, err := env.Store.RSVPCounts(ctx, 1); err != nil || c.Yes != 0 {
		t.Fatalf("a forged route counted: %+v, %v", c, err)
	}
	if r := press(commands.PlatformConsole, "general", "mallory", "rv/y/1"); !strings.Contains(r.Text.Plain(), "C'est noté\u00a0: vous venez") {
		t.Fatalf("a genuine route was refused: %q", r.Text.Plain())
	}
	if _, err := env.Store.RSVP(ctx, 1, 999); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("rsvp of nobody: %v", err)
	}
}

func TestEnglishSpeakersUseEnglishNames(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
:langue en
:role ambassadeur
/meetup create title:"Members' drinks" date:"samedi 18h30" place:"Café du Nord" city:Lyon seats:1 duration:90min
/meetup create title:"X" date:"someday" place:"Bar"
/meetup create title:"X" date:"friday evening" place:"Bar"
:bouton 1
/meetups near:Villeurbanne radius:10
/meetup show meetup:#1
/meetup edit meetup:1 seats:0
/meetup cancel meetup:1 reason:"Snow"
/meetup create title:"Walk" date:"next sunday 10am" place:"Parc"
`)
	consoletest.Contains(t, out,
		// The announcement speaks the community's language; replies speak the member's.
		"📅 Rencontre n°\u00a01\u00a0: Members' drinks", "rencontre locale · samedi 12 décembre à 18h30 (1 h 30 min)",
		"Meetup #1 “Members' drinks” (Saturday 12 December at 6:30 pm) created and announced in 1 chat.",
		"Reminders to those signed up: 24 hours, 1 hour before the start.",
		"I cannot read the date “someday”. Accepted forms, in the community's time: saturday 6:30pm, tomorrow 7pm, dec 12 6:30pm,",
		"I read “friday evening” as Friday 11 December, but without a time: add it, for example “friday evening 6:30pm”.",
		"Noted: you are going to meetup #1 “Members' drinks”",
		"1 upcoming meetup within 10 km of Villeurbanne:", "#1 · Saturday 12 December at 6:30 pm · Members' drinks (local meetup) — Lyon · 3 km",
		"📅 Meetup #1: Members' drinks", "1 going · 0 of 1 seats free", "Your answer: going.", "Going (1): camille",
		"Meetup #1 “Members' drinks” changed; its announcements are updated.",
		"Meetup #1 “Members' drinks” cancelled. 1 person told.",
		// English dates, as French ones.
		"Meetup #2 “Walk” (Sunday 13 December at 10:00 am) created",
	)
}

// Each platform group of the community gets the meetup in its own event
// list once; a platform that keeps none is marked and not asked again.
func TestPlatformEventsOncePerGroup(t *testing.T) {
	env := consoletest.New(t)
	ctx := context.Background()
	general, _, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformConsole, GroupID: console.GroupID, ChatID: "general"}, storage.CommunityDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	// A Discord channel in the community, whose adapter this process lacks,
	// and a second console channel of the same group.
	discordChat, _, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformDiscord, GroupID: "g1", ChatID: "c1"}, storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.MoveChat(ctx, discordChat.ID, general.CommunityID); err != nil {
		t.Fatal(err)
	}
	out := env.Run(t, `
:chat autre
:role ambassadeur
/rencontre creer titre:"Apéro" date:"samedi 18h30" lieu:"Bar" ville:Lyon
:avance 1s
/rencontre modifier rencontre:1 durée:3h
:avance 1s
:avance 1s
`)
	if n := strings.Count(out, "événement 1 créé"); n != 1 {
		t.Errorf("event created %d times, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "événement 1 modifié"); n != 1 {
		t.Errorf("event edited %d times, want once:\n%s", n, out)
	}
	events, err := env.Store.PlatformEvents(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Platform != "console" || events[0].EventID != "1" || events[0].Sequence != 1 ||
		events[1].Platform != "discord" || !events[1].Unsupported || events[1].EventID != "" {
		t.Fatalf("events = %+v", events)
	}
	jobs, err := env.Store.PendingJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Kind == "meetup.events" {
			t.Errorf("events job left pending: %+v", j)
		}
	}
}

// A guided /rencontre creer refuses a date it cannot use as soon as it is
// given, and asks for it again before the next question, keeping the
// title.
func TestGuidedCreationRefusesADateAtOnce(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
:role ambassadeur
/rencontre creer
Apéro
samedi
samedi 19h
Café de la gare
`)
	consoletest.Contains(t, out,
		"> camille: /rencontre creer", "titre ?",
		"> camille: Apéro", "date ?",
		"> camille: samedi", "mais sans heure", "date ?",
		"> camille: samedi 19h", "lieu ?",
		"> camille: Café de la gare", "Rencontre n° 1 : Apéro", "samedi 12 décembre à 19h00",
	)
}

// Direct messages sent later (promotion, changes, reminders, cancellation)
// speak the language the member's platform last reported, not the
// community's.
func TestDirectMessagesSpeakTheMembersLanguage(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
:role moderateur
/rencontre creer titre:"Apéro" date:"samedi 18h30" lieu:"Café, Lyon" places:1
:user eve
:bouton 1
:user fred
:langue en
:bouton 1
:user eve
:bouton 3
:user camille
/rencontre modifier rencontre:1 date:"dimanche 10h"
:avance 5j
/rencontre annuler rencontre:1 motif:"Pluie"
:avance 1m
`)
	consoletest.Contains(t, out,
		"message privé à fred] 🎉 A seat",
		"message privé à fred] ✏️ Meetup #1",
		"message privé à fred] ⏰ Reminder",
		"message privé à fred] ❌ Meetup #1",
	)
	if strings.Contains(out, "message privé à fred] ✏️ La rencontre") {
		t.Errorf("fred, who speaks English, got French:\n%s", out)
	}
}
