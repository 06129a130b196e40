package console_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/console"
	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

func TestHelpInFrenchThenEnglish(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `/aide
:langue en
/help`)
	consoletest.Contains(t, out,
		"> camille: /aide", "Ce que vous pouvez faire avec Agora", "/aide\u00a0: Affiche les commandes",
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
		"Aucun bouton ne correspond à «\u00a01\u00a0»",
		"Rôle inconnu «\u00a0pape\u00a0»",
		"Commande de console inconnue\u00a0: :nimporte")
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
	consoletest.Contains(t, out, "Horloge\u00a0: lundi 7 décembre à 12h00", "Durée illisible «\u00a0demain\u00a0»")
}

// A console on real time, as at a terminal, explains why it cannot move it.
func TestAdvanceIsRefusedOnRealTime(t *testing.T) {
	env := consoletest.New(t)
	var out strings.Builder
	c := console.New(env.Runtime, strings.NewReader(":avance 2h\n:langue en\n:advance 2h\n"), &out, console.Options{Echo: true})
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	consoletest.Contains(t, out.String(),
		"> camille: :avance 2h", "Dans un terminal, Agora suit l'heure réelle",
		"> camille: :advance 2h", "At a terminal, Agora runs on real time")
	if strings.Contains(out.String(), "Horloge") || !env.Clock.Now().Equal(consoletest.Start) {
		t.Errorf("the clock moved:\n%s", out.String())
	}
}

// Dates are written relative to the runtime's clock, not the machine's: on
// a clock a year ahead of the machine, a date in the clock's year goes
// without its year and a date in the following year shows it.
func TestDatesFollowTheClockNotTheMachine(t *testing.T) {
	env := consoletest.New(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().In(paris).Year() + 1
	env.Clock.Advance(time.Date(year, 12, 28, 10, 0, 0, 0, paris).Sub(env.Clock.Now()))
	out := env.Run(t, `:avance 1h
/sondage creer question:"Réveillon ?" choix:"Oui | Non" fin:2j
/sondage creer question:"Galette ?" choix:"Oui | Non" fin:"3/01 18h30"`)
	weekday := func(month time.Month, day int, y int) string {
		return [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}[time.Date(y, month, day, 12, 0, 0, 0, paris).Weekday()]
	}
	consoletest.Contains(t, out,
		fmt.Sprintf("Horloge\u00a0: %s 28 décembre à 11h00.", weekday(time.December, 28, year)),
		fmt.Sprintf("clôture %s 30 décembre à 11h00", weekday(time.December, 30, year)),
		fmt.Sprintf("clôture %s 3 janvier %d à 18h30", weekday(time.January, 3, year+1), year+1),
	)
	if strings.Contains(out, fmt.Sprintf("décembre %d", year)) {
		t.Errorf("a date in the clock's year shows its year:\n%s", out)
	}
}

func TestScriptFromReaderEndsAtEOF(t *testing.T) {
	env := consoletest.New(t)
	var out strings.Builder
	c := consoleFor(env, "/aide\n:quitter\n/aide\n", &out)
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	consoletest.Contains(t, got, "Agora, console de test", "Ce que vous pouvez faire", "À bientôt\u202f!")
	if strings.Count(got, "Ce que vous pouvez faire") != 1 {
		t.Errorf("lines after :quitter ran:\n%s", got)
	}
}

func TestTypedPollsAskForWhatIsMissing(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `/sondage Quelle pizza ?
Margherita | Regina
/sondage Quelle pizza ? | Margherita | Regina
/sondage creer choix:"A | B" titre:"Ma question"
/sondage créer question:"Quand ?" choix:"Lundi | Mardi" résultats:clôture votants:modérateurs type:inconnu
/sondage créer question:"Quand ?" choix:"Lundi | Mardi" résultats:clôture votants:modérateurs
/sondage Quelle heure ?
/annuler
Dimanche | Lundi
/annuler`)
	consoletest.Contains(t, out,
		"> camille: /sondage Quelle pizza ?", "choix ? De 2 à 20 choix", "/annuler pour abandonner",
		"> camille: Margherita | Regina", "Sondage n° 1 : Quelle pizza ?", "Sondage n° 1 créé",
		"> camille: /sondage Quelle pizza ? | Margherita | Regina", "Sondage n° 2 créé",
		`titre:"Ma question"`, "/sondage creer n'a pas d'option titre. Ses options : question, choix, type, max, fin, anonyme, resultats, quorum, votants, salons.",
		// A wrong value given with missing options is said before any question.
		"type:inconnu", "L'option type accepte",
		"votants:modérateurs\n", "Sondage n° 3 créé",
		"> camille: /sondage Quelle heure ?", "choix ?",
		"> camille: /annuler", "C'est annulé.",
		// Chatter after the cancel answers nothing.
		"> camille: Dimanche | Lundi",
		"> camille: /annuler", "Il n'y a rien à annuler.",
	)
	if strings.Contains(out, "Sondage n°4") {
		t.Errorf("a cancelled question still created a poll:\n%s", out)
	}
}

func TestFormsAreAskedFieldByFieldOrFilledAtOnce(t *testing.T) {
	c, out := formConsole(t)
	ctx := context.Background()
	for _, line := range strings.Split(`/inscription
:bouton 1
Camille
Lyon
:bouton 1
:formulaire nom=Sam ville=Paris
bonjour`, "\n") {
		c.Exec(ctx, line)
	}
	got := out.String()
	consoletest.Contains(t, got,
		"> camille: :bouton 1", "Votre nom ?", "Formulaire « Inscription »", "nom: Votre nom", "ville: Votre ville",
		"> camille: Camille", "Votre ville ?",
		"> camille: Lyon", "Reçu : Camille de Lyon",
		"> camille: :formulaire nom=Sam ville=Paris", "Reçu : Sam de Paris",
		"> camille: bonjour",
	)
	if n := strings.Count(got, "Reçu :"); n != 2 {
		t.Errorf("the form was submitted %d times, want 2:\n%s", n, got)
	}
}

// formConsole is a console on a runtime whose one command opens a form.
func formConsole(t *testing.T) (*console.Console, *strings.Builder) {
	t.Helper()
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	rt := bot.New(storagetest.Open(t), commands.NewRegistry(catalog), slog.New(slog.DiscardHandler), nil, bot.Config{})
	err = rt.Install(commands.Module{Specs: []*commands.Spec{{
		Name: "inscription",
		Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			return &commands.Response{Text: "Inscriptions", Buttons: []commands.Button{{Label: "S'inscrire", Action: "i/form"}}}, nil
		},
		ActionPrefix: "i",
		HandleAction: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			if req.Action.Route == "i/form" {
				return &commands.Response{Modal: &commands.Modal{Action: "i/envoi", Title: "Inscription", Fields: []commands.ModalField{
					{ID: "nom", Label: "Votre nom", Required: true}, {ID: "ville", Label: "Votre ville", Required: true},
				}}}, nil
			}
			f := req.Action.Fields
			return commands.Reply(markup.Escape("Reçu : " + f["nom"] + " de " + f["ville"])), nil
		},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	out := &strings.Builder{}
	c := console.New(rt, strings.NewReader(""), out, console.Options{Echo: true})
	rt.AddPlatform(c)
	return c, out
}

func TestChatMessagesAndArrivalsAreEvents(t *testing.T) {
	c, out := eventConsole(t)
	ctx := context.Background()
	for _, line := range strings.Split(`:arrivee
Quelqu'un est là, Agora ?
bonjour
:user léa
:join`, "\n") {
		c.Exec(ctx, line)
	}
	consoletest.Contains(t, out.String(),
		"> camille: :arrivee", "Bienvenue camille !",
		"> camille: Quelqu'un est là, Agora ?", "Présente, camille.",
		"> camille: bonjour",
		"> léa: :join", "Bienvenue léa !",
	)
	if n := strings.Count(out.String(), "Présente"); n != 1 {
		t.Errorf("%d answers to chat messages, want 1:\n%s", n, out)
	}
}

// eventConsole is a console on a runtime whose one module welcomes
// newcomers and answers messages asking "Agora ?".
func eventConsole(t *testing.T) (*console.Console, *strings.Builder) {
	t.Helper()
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	rt := bot.New(storagetest.Open(t), commands.NewRegistry(catalog), slog.New(slog.DiscardHandler), nil, bot.Config{})
	err = rt.Install(commands.Module{Name: "accueil", Events: map[string]commands.Handler{
		commands.EventMemberJoined: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			return commands.Reply(markup.Escape("Bienvenue " + req.Member.Name + " !")), nil
		},
		commands.EventMessage: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			if !strings.HasSuffix(req.Event.Text, "Agora ?") {
				return nil, nil
			}
			return commands.Reply(markup.Escape("Présente, " + req.Member.Name + ".")), nil
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	out := &strings.Builder{}
	c := console.New(rt, strings.NewReader(""), out, console.Options{Echo: true})
	rt.AddPlatform(c)
	return c, out
}
