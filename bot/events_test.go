package bot_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// seen records the event requests handlers received.
type seen struct {
	mu   sync.Mutex
	reqs []commands.Request
}

func (s *seen) add(req *commands.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, *req)
}

func (s *seen) all() []commands.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]commands.Request(nil), s.reqs...)
}

// eventRuntime installs two modules that welcome members and answer
// messages, one that fails and one that panics, and a command with a
// required option.
func eventRuntime(t *testing.T, store *storage.Store) (*bot.Runtime, *seen) {
	t.Helper()
	cat, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	rt := bot.New(store, commands.NewRegistry(cat), slog.New(slog.NewTextHandler(io.Discard, nil)), nil, bot.Config{})
	s := &seen{}
	welcome := func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
		s.add(req)
		return commands.Reply(markup.Escape("Bienvenue " + req.Member.Name + " (" + req.Loc.Lang() + ")")), nil
	}
	echo := func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
		s.add(req)
		if !strings.Contains(req.Event.Text, "?") {
			return nil, nil // not a question: nothing to say
		}
		return commands.Reply(markup.Escape("Vu : " + req.Event.Text)), nil
	}
	err = rt.Install(
		commands.Module{Name: "accueil", Events: map[string]commands.Handler{commands.EventMemberJoined: welcome, commands.EventMessage: echo}},
		commands.Module{Name: "casse", Events: map[string]commands.Handler{commands.EventMemberJoined: func(context.Context, *commands.Request) (*commands.Response, error) {
			return nil, errors.New("secret detail")
		}}},
		commands.Module{Name: "panique", Events: map[string]commands.Handler{commands.EventMemberJoined: func(context.Context, *commands.Request) (*commands.Response, error) {
			panic("boom")
		}}},
		commands.Module{Name: "essai", Specs: []*commands.Spec{{Name: "essai", Options: []commands.Option{{Name: "titre", Required: true}},
			Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
				return commands.Reply(markup.Escape("Titre : " + req.String("titre"))), nil
			}}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return rt, s
}

func eventRequest(kind, text string, isBot bool) *commands.Request {
	return &commands.Request{
		Platform: commands.PlatformConsole,
		Chat:     commands.Chat{ID: "general", GroupID: "g"},
		User:     commands.User{ID: "u1", Name: "Camille", Locale: "en", Bot: isBot},
		Event:    &commands.Event{Kind: kind, Text: text, MessageID: "m1"},
	}
}

func TestEventsReachEveryModuleButNeverFromBots(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, store *storage.Store) {
		rt, s := eventRuntime(t, store)
		ctx := context.Background()
		resps := rt.HandleEvent(ctx, eventRequest(commands.EventMemberJoined, "", false))
		// The failing and the panicking modules are left out; the member
		// is resolved and spoken to in their language.
		if len(resps) != 1 || resps[0].Text.Plain() != "Bienvenue Camille (en)" {
			t.Fatalf("responses = %+v", resps)
		}
		got := s.all()
		if len(got) != 1 || got[0].Member.ID == 0 || got[0].Community.ID == 0 || got[0].Event.Kind != commands.EventMemberJoined {
			t.Fatalf("handler saw %+v", got)
		}
		if r := rt.HandleEvent(ctx, eventRequest(commands.EventMemberJoined, "", true)); r != nil {
			t.Errorf("an event from a bot was answered: %+v", r)
		}
		if r := rt.HandleEvent(ctx, eventRequest(commands.EventMessage, "et toi ?", true)); r != nil {
			t.Errorf("a bot's message was answered: %+v", r)
		}
		if n := len(s.all()); n != 1 {
			t.Errorf("handlers ran %d times, want once (bots are never dispatched)", n)
		}
		if r := rt.HandleEvent(ctx, eventRequest("unknown_kind", "", false)); r != nil {
			t.Errorf("an event nobody handles was answered: %+v", r)
		}
	})
}

// recorder is a Replier that keeps what the runtime answers and asks.
type recorder struct {
	mu      sync.Mutex
	replies []string
	asked   []string
}

func (r *recorder) Reply(ctx context.Context, resp *commands.Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replies = append(r.replies, resp.Text.Plain())
}

func (r *recorder) Ask(ctx context.Context, q bot.Question) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, q.Text.Plain())
	return "q" + string(rune('0'+len(r.asked))), nil
}

func TestPlainTextAnswersAQuestionBeforeItIsAnEvent(t *testing.T) {
	rt, s := eventRuntime(t, storagetest.OpenSQLite(t))
	ctx := context.Background()
	msg := func(text, replyTo string) bot.TextMessage {
		return bot.TextMessage{Platform: commands.PlatformConsole, Chat: commands.Chat{ID: "general", GroupID: "g"},
			User: commands.User{ID: "u1", Name: "Camille", Locale: "fr"}, Text: text, MessageID: "m", ReplyTo: replyTo}
	}
	to := &recorder{}
	rt.HandleText(ctx, msg("Quelqu'un vient ?", ""), to)
	rt.HandleText(ctx, msg("/essai", ""), to)
	// In a group, chatter that is not a reply to the question is a message event…
	rt.HandleText(ctx, msg("Et demain ?", ""), to)
	// …and the reply to the question answers it, without being an event.
	rt.HandleText(ctx, msg("Vide-grenier ?", "q1"), to)
	want := []string{"Vu : Quelqu'un vient ?", "Vu : Et demain ?", "Titre : Vide-grenier ?"}
	if strings.Join(to.replies, "|") != strings.Join(want, "|") || len(to.asked) != 1 {
		t.Errorf("replies %q, questions %q; want replies %q and one question", to.replies, to.asked, want)
	}
	if n := len(s.all()); n != 2 {
		t.Errorf("message handlers ran %d times, want 2", n)
	}
}
