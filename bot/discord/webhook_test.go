package discord_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/discord"
	"github.com/agora-community/agora/bot/discord/discordtest"
	"github.com/agora-community/agora/commands"
)

// slowFileAnswer dispatches the slow private command whose answer is two
// messages and a file, lets it finish, and checks the deferred answer: the
// ephemeral placeholder edited into the first message, then a followup
// with the rest and the file.
func (e *env) slowFileAnswer() discordtest.Interaction {
	e.t.Helper()
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("lentfichier")})
	if r := e.response(in); r.Type != 5 || !r.Ephemeral() {
		e.t.Fatalf("first answer = %+v", r)
	}
	e.slow <- struct{}{}
	e.srv.MustWaitFor(wait, "the followup", func() bool { return len(e.srv.Followups(in.ID)) == 1 })
	orig, ok := e.srv.OriginalResponse(in.ID)
	if !ok || !orig.Ephemeral() || orig.Flags&128 != 0 || orig.Content == "" || len(orig.Attachments) != 0 {
		e.t.Fatalf("original = %+v", orig)
	}
	f := e.srv.Followups(in.ID)[0]
	if !f.Ephemeral() || len(f.Attachments) != 1 || f.Attachments[0].Filename != "sortie.ics" || string(f.Attachments[0].Data) != calendar {
		e.t.Fatalf("followup = %+v", f)
	}
	if got := orig.Content + "\n" + f.Content; got != longText {
		e.t.Fatalf("the text was not kept whole: %d characters for %d", len(got), len(longText))
	}
	return in
}

// quickFileAnswer dispatches the quick command whose answer carries a
// file, calling arm before each dispatch, and returns its first answer,
// given at once: a multipart callback. A handler that takes longer than
// DeferAfter is deferred, as it must be; on a loaded machine under the race
// detector even a quick one may, so a deferred one is let finish and the
// command dispatched again, until its answer comes at once.
func (e *env) quickFileAnswer(arm func()) (discordtest.Interaction, discordtest.InteractionResponse) {
	e.t.Helper()
	for deadline := time.Now().Add(wait); ; {
		if arm != nil {
			arm()
		}
		in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("fichier")})
		r := e.response(in)
		if r.Type != 5 || time.Now().After(deadline) {
			return in, r
		}
		e.t.Logf("the quick command was slower than DeferAfter here, and deferred: dispatching it again")
		e.srv.MustWaitFor(wait, "the deferred answer completed", func() bool {
			// A public answer after the ephemeral deferral is a followup.
			return len(e.srv.Followups(in.ID)) == 1
		})
	}
}

// Every call whose URL carries an interaction's token goes outside
// discordgo's rate limiter, which never forgets a bucket: the edit of
// @original (with and without files), its deletion, followups (with a
// file), and callbacks with files. Many interactions leave no bucket.
func TestInteractionTokensLeaveNoRateLimitBucket(t *testing.T) {
	e := newEnv(t, nil, nil, func(c *discord.Config) { c.DeferAfter = 50 * time.Millisecond })
	e.start()
	var tokens []string
	for range 5 {
		tokens = append(tokens, e.slowFileAnswer().Token)

		// A public answer replaces the placeholder: deleted, then followed up.
		in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("lentpublic")})
		tokens = append(tokens, in.Token)
		e.response(in)
		e.slow <- struct{}{}
		e.srv.MustWaitFor(wait, "the public followup", func() bool { return len(e.srv.Followups(in.ID)) == 1 })
		if m, ok := e.srv.OriginalResponse(in.ID); !ok || !m.Deleted {
			t.Fatal("the ephemeral placeholder was left behind")
		}

		// A file in the immediate answer: a multipart callback.
		in, r := e.quickFileAnswer(nil)
		tokens = append(tokens, in.Token)
		if len(r.Attachments) != 1 || string(r.Attachments[0].Data) != "BEGIN:VCALENDAR\r\n" {
			t.Fatalf("attachments = %+v", r.Attachments)
		}
	}
	// A slow button edits the clicked message through @original.
	posted, err := e.adapter.Send(context.Background(), channelID, &commands.Response{Text: "avant", Buttons: []commands.Button{{Label: "Go", Action: "t/lent"}}})
	if err != nil {
		t.Fatal(err)
	}
	click := e.srv.DispatchComponentClick(discordtest.ComponentClick{Invoker: invoker(memberID, "0"), CustomID: "t/lent", MessageID: posted})
	tokens = append(tokens, click.Token)
	e.response(click)
	e.slow <- struct{}{}
	e.srv.MustWaitFor(wait, "the clicked message edited", func() bool {
		for _, m := range e.srv.Messages(channelID) {
			if m.ID == posted {
				return m.Content == "mis à jour"
			}
		}
		return false
	})

	for _, pattern := range []string{"* /webhooks/*/*", "* /webhooks/*/*/messages/*", "POST /interactions/*/*/callback"} {
		reqs := e.srv.RequestsMatching(pattern)
		if len(reqs) == 0 {
			t.Fatalf("no request matches %q", pattern)
		}
		for _, r := range reqs {
			if r.Header.Get("Authorization") != "" {
				t.Errorf("%s %s carried the bot token", r.Method, r.Path)
				break
			}
		}
	}
	buckets := discord.RateLimitBuckets(e.adapter)
	// The limiter is read: the channel message sent above has its bucket.
	if !contains(buckets, "https://discord.com/api/v9/channels/"+channelID+"/messages") {
		t.Fatalf("the channel's bucket is missing: %q", buckets)
	}
	for _, k := range buckets {
		if strings.Contains(k, "/interactions/") || strings.Contains(k, "/webhooks/") {
			t.Errorf("a rate limiter bucket for an interaction endpoint: %q", k)
		}
		for _, tok := range tokens {
			if strings.Contains(k, tok) {
				t.Errorf("a rate limiter bucket carries an interaction token: %q", k)
			}
		}
	}
}

// A 429 on the interaction webhook or on a callback with a file is retried
// by the adapter's policy, after Discord's retry_after, and the retried
// upload carries the whole file.
func TestRateLimitedInteractionCallsRetried(t *testing.T) {
	e := newEnv(t, nil, nil, func(c *discord.Config) { c.DeferAfter = 50 * time.Millisecond })
	e.start()
	e.srv.FailNext("PATCH /webhooks/*/*/messages/@original", 1, http.StatusTooManyRequests)
	e.srv.FailNext("POST /webhooks/*/*", 1, http.StatusTooManyRequests)
	in := e.slowFileAnswer()
	for _, pattern := range []string{
		"PATCH /webhooks/*/" + in.Token + "/messages/@original",
		"POST /webhooks/*/" + in.Token,
	} {
		var reqs []discordtest.Request
		settled := e.srv.WaitFor(10*time.Second, func() bool {
			reqs = e.srv.RequestsMatching(pattern)
			return len(reqs) == 2 && reqs[1].Status != 0
		})
		if !settled || reqs[0].Status != 429 || reqs[1].Status != 200 || reqs[1].Time.Sub(reqs[0].Time) < 40*time.Millisecond {
			t.Fatalf("%s: %+v", pattern, reqs)
		}
		if strings.HasPrefix(pattern, "POST") && reqs[1].Query != "wait=true" {
			t.Fatalf("followup query = %q", reqs[1].Query)
		}
	}

	file, r := e.quickFileAnswer(func() { e.srv.FailNext("POST /interactions/*/*/callback", 1, http.StatusTooManyRequests) })
	if len(r.Attachments) != 1 || string(r.Attachments[0].Data) != "BEGIN:VCALENDAR\r\n" {
		t.Fatalf("attachments after a 429 = %+v", r.Attachments)
	}
	if n := len(e.srv.RequestsMatching("POST /interactions/" + file.ID + "/*/callback")); n != 2 {
		t.Fatalf("callbacks = %d, want 2", n)
	}
}

// A refused followup is logged with its status, never with the
// interaction's token; a 500 on a creation is not repeated.
func TestInteractionWebhookFailureLogsNoToken(t *testing.T) {
	e := newEnv(t, nil, nil, func(c *discord.Config) { c.DeferAfter = 50 * time.Millisecond })
	e.start()
	e.srv.FailNext("POST /webhooks/*/*", 1, http.StatusInternalServerError)
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0"), Name: "essai", Options: sub("lentfichier")})
	e.response(in)
	e.slow <- struct{}{}
	if !e.logs.waitFor(wait, "op=\"complete a deferred interaction\" discord_status=500") {
		t.Fatalf("the failed followup was not logged:\n%s", e.logs.String())
	}
	if n := len(e.srv.RequestsMatching("POST /webhooks/*/" + in.Token)); n != 1 {
		t.Fatalf("followup attempts = %d, want 1", n)
	}
	if logs := e.logs.String(); strings.Contains(logs, in.Token) || strings.Contains(logs, e.srv.BotToken()) {
		t.Fatalf("a token reached the logs:\n%s", logs)
	}
}
