package all_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

// toyStore is the toy capability's narrow store: it only schedules jobs.
type toyStore interface {
	Schedule(ctx context.Context, j model.JobRef, runAt time.Time) error
}

// toy is a capability written the way a new one is: one package (here,
// this test file), one command, one button route, one job and one event
// handler, using only what the kit offers. Its texts are literals because
// a test cannot add locale files; a real capability puts them in
// locales/<name>/.
func toy(deps commands.Deps, store toyStore) commands.Module {
	reminder := model.JobRef{Kind: "toy.remind"}
	var chat commands.ChatAddress
	return commands.Module{
		Name: "toy",
		Specs: []*commands.Spec{{
			Name: "jouet", NameID: "help.title", DescriptionID: "help.title",
			ActionPrefix: "toy",
			Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				chat = commands.ChatAddress{Platform: req.Platform, ChatID: req.Chat.ID}
				return &commands.Response{
					Text:    markup.Escape("jouet prêt"),
					Buttons: []commands.Button{{Label: "rappelle-moi", Action: "toy/r/" + req.User.ID}},
				}, nil
			},
			HandleAction: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				args := req.Action.Args()
				if len(args) != 2 || args[0] != "r" || args[1] != req.User.ID {
					return nil, commands.Fail("error.unknown_action")
				}
				reminder.Payload = req.User.ID
				if err := store.Schedule(ctx, reminder, req.Now.Add(time.Hour)); err != nil {
					return nil, fmt.Errorf("schedule the toy reminder: %w", err)
				}
				return commands.Private(markup.Escape("rappel dans une heure")), nil
			},
		}},
		Jobs: map[string]commands.JobHandler{
			reminder.Kind: func(ctx context.Context, payload string) error {
				_, err := deps.Messenger.Send(ctx, chat, commands.Reply(markup.Escape("rappel pour "+payload)))
				return err
			},
		},
		Events: map[string]commands.Handler{
			commands.EventMemberJoined: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return commands.Reply(markup.Escape("bienvenue " + req.User.Name)), nil
			},
		},
	}
}

// A new capability is added by building its Module and installing it with
// the others: no shared file changes. Its command, button, job and event
// handler all work end to end in the console.
func TestAToyCapabilityNeedsOnlyItsModule(t *testing.T) {
	env := consoletest.New(t)
	if err := env.Runtime.Install(toy(env.Runtime.Deps(), env.Store)); err != nil {
		t.Fatal(err)
	}
	out := env.Run(t, `/jouet
:bouton 1
:avance 30m
:avance 31m
:user dominique
:arrivee`)
	consoletest.Contains(t, out,
		"jouet prêt", "[1 rappelle-moi]",
		"rappel dans une heure",
		"> camille: :avance 30m",
		"> camille: :avance 31m", "rappel pour camille",
		"> dominique: :arrivee", "bienvenue dominique",
	)
	if strings.Count(out, "rappel pour camille") != 1 {
		t.Fatalf("the job ran %d times, want once:\n%s", strings.Count(out, "rappel pour camille"), out)
	}
	if i, j := strings.Index(out, ":avance 30m"), strings.Index(out, "rappel pour camille"); j < strings.Index(out, ":avance 31m") || j < i {
		t.Fatalf("the job ran before its time:\n%s", out)
	}
}
