package faq_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/agora-community/agora/bot/console"
	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/model"
)

// flakyConsole is the console adapter with sends to one chat failing, as
// when the platform is down or rate limits Agora. It stands in for the
// console in the runtime; what the console shows a member in answer to
// their own line does not go through Send, so only what Agora posts on
// its own (through the outbox) meets the failures.
type flakyConsole struct {
	*console.Console
	chat string

	mu    sync.Mutex
	fails int // sends to chat still to fail; negative: every one
	tries int // sends to chat attempted
}

func flaky(env *consoletest.Env, chat string, fails int) *flakyConsole {
	c := &flakyConsole{Console: env.Console, chat: chat, fails: fails}
	env.Runtime.AddPlatform(c)
	return c
}

func (c *flakyConsole) Send(ctx context.Context, chatID string, r *commands.Response) (string, error) {
	if chatID == c.chat {
		c.mu.Lock()
		c.tries++
		fail := c.fails != 0
		if c.fails > 0 {
			c.fails--
		}
		c.mu.Unlock()
		if fail {
			return "", errors.New("HTTP 429: too many requests")
		}
	}
	return c.Console.Send(ctx, chatID, r)
}

func (c *flakyConsole) attempts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tries
}

// moderationChat makes "moderation" the community's moderation chat.
const moderationChat = `
:role moderateur
:chat moderation
/communaute salon objectif:moderation
:chat general
:role membre
`

func countNotices(out string) int {
	return strings.Count(out, "Question sans réponse n°\u00a01 de camille")
}

// The moderators' notice of a new question goes through the outbox: when
// its first sending fails, the member is answered all the same, and the
// outbox posts the notice after its backoff, once, with its buttons; the
// member asking again meanwhile adds no second notice.
func TestQuestionNoticeIsRetriedAfterAFailedSend(t *testing.T) {
	env := consoletest.New(t)
	mod := flaky(env, "moderation", 1)
	out := env.Run(t, fourEntries+moderationChat+`
/faq Peut-on venir avec son chien aux réunions ?
:avance 1s
/faq peut-on venir avec son chien aux réunions
`)
	consoletest.Contains(t, out,
		"> camille: /faq Peut-on venir avec son chien aux réunions ?",
		"visible par vous seul·e] Je n'ai pas encore de réponse à cette question. Les modérateur·rices sont prévenu·es",
		"> camille: /faq peut-on venir avec son chien aux réunions",
		"visible par vous seul·e] Je n'ai pas encore de réponse",
	)
	if n := countNotices(out); n != 0 || mod.attempts() != 1 {
		t.Fatalf("before the backoff: %d notices after %d attempts, want none after 1:\n%s", n, mod.attempts(), out)
	}
	out = env.Run(t, `
:avance 2s
:avance 10m
:user sam
:role moderateur
:chat moderation
:bouton Écarter
`)
	consoletest.Contains(t, out,
		"> camille: :avance 2s",
		"· moderation] ❓ Question sans réponse n° 1 de camille : « Peut-on venir avec son chien aux réunions ? »",
		"Répondez avec le bouton ou /faqgestion repondre demande:1 reponse:… ; comme:N si l'entrée n° N y répond déjà.",
		"[1 Répondre] [2 Écarter]",
		"> sam: :bouton Écarter", "Question n° 1 écartée (1 question retirée de la file).",
	)
	if n := countNotices(env.Transcript()); n != 1 || mod.attempts() != 2 {
		t.Fatalf("the moderators heard of question 1 %d times after %d attempts, want once after 2:\n%s", n, mod.attempts(), env.Transcript())
	}
}

// The notice is stored before the member is answered: a process whose
// platform is down answers the member and stops without ever posting the
// notice; another process on the same database posts it, once.
func TestQuestionNoticeSurvivesARestart(t *testing.T) {
	first := consoletest.New(t)
	down := flaky(first, "moderation", -1)
	out := first.Run(t, fourEntries+moderationChat+`
/faq Peut-on venir avec son chien aux réunions ?
`)
	consoletest.Contains(t, out, "visible par vous seul·e] Je n'ai pas encore de réponse à cette question. Les modérateur·rices sont prévenu·es")
	if n := countNotices(out); n != 0 || down.attempts() != 1 {
		t.Fatalf("the first process posted %d notices after %d attempts, want none after 1", n, down.attempts())
	}
	// The first process stops here; the next one starts on its database.
	next := consoletest.NewWithStore(t, first.Store)
	out = next.Run(t, `
:avance 5s
:avance 10m
`)
	consoletest.Contains(t, out,
		"> camille: :avance 5s",
		"[#1 · moderation] ❓ Question sans réponse n° 1 de camille : « Peut-on venir avec son chien aux réunions ? »",
		"[1 Répondre] [2 Écarter]",
	)
	if n := countNotices(out); n != 1 {
		t.Fatalf("the next process posted the notice %d times, want once:\n%s", n, out)
	}
	if down.attempts() != 1 {
		t.Fatalf("the stopped process tried %d sends, want 1", down.attempts())
	}
}

// A question dismissed while its notice waits for a retry is not posted
// any more: the moderators have nothing left to do with it.
func TestQuestionHandledBeforeItsNoticeIsNotPosted(t *testing.T) {
	env := consoletest.New(t)
	mod := flaky(env, "moderation", 1)
	out := env.Run(t, fourEntries+moderationChat+`
/faq Peut-on venir avec son chien aux réunions ?
:user sam
:role moderateur
:chat general
/faqgestion ecarter demande:1
:avance 2s
:avance 10m
`)
	consoletest.Contains(t, out, "Question n° 1 écartée")
	if n := countNotices(out); n != 0 || mod.attempts() != 1 {
		t.Fatalf("%d notices after %d attempts, want none after the first:\n%s", n, mod.attempts(), out)
	}
	posts, err := env.Runtime.Deps().Outbox.Posts(context.Background(), "faq-question/1")
	if err != nil || len(posts) != 1 || posts[0].State != model.PostDeleted {
		t.Fatalf("the notice's posts: %+v, %v; want one, given up", posts, err)
	}
}
