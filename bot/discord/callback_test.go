package discord

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/agora-community/agora/bot/retry"
)

// interactionCall's errors keep what the retry policy reads (the status,
// retry_after, the network failure) and never the token in the URL; the
// rate limiter sees none of its calls.
func TestInteractionCallErrorsCarryNoToken(t *testing.T) {
	const token = "itoken-secret-0123456789abcdef"
	status := http.StatusTooManyRequests
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		if status == http.StatusTooManyRequests {
			w.Write([]byte(`{"message":"You are being rate limited.","retry_after":0.25,"global":false}`))
			return
		}
		w.Write([]byte(`{"code":10015,"message":"Unknown Webhook"}`))
	}))
	tr, err := newRewriteTransport(srv.URL, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := discordgo.New("Bot x")
	s.Client = &http.Client{Transport: tr}
	ctx := context.Background()
	endpoint := discordgo.EndpointFollowupMessage("42", token) + "?wait=true"
	call := func() error {
		t.Helper()
		return interactionCall(ctx, s, http.MethodPost, endpoint, &discordgo.WebhookParams{Content: "x"}, nil)
	}

	err = call()
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) || strings.Contains(err.Error(), token) {
		t.Fatalf("429: %v", err)
	}
	if f := classify(err); f != retry.Status(http.StatusTooManyRequests, rl.RetryAfter) || rl.RetryAfter.Milliseconds() != 250 {
		t.Fatalf("429 classified as %+v, retry after %v", f, rl.RetryAfter)
	}

	status = http.StatusNotFound
	err = call()
	if st, code, ok := restError(err); !ok || st != 404 || code != 10015 || strings.Contains(err.Error(), token) {
		t.Fatalf("404: %v (%d %d)", err, st, code)
	}

	// Nothing listens any more, and a fresh client has no connection
	// open: the request never leaves.
	srv.Close()
	if tr, err = newRewriteTransport(srv.URL, "", nil); err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: tr}
	err = call()
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "/webhooks/42/[token]") {
		t.Fatalf("refused connection: %v", err)
	}
	if f := classify(err); f.Outcome != retry.NotSent {
		t.Fatalf("refused connection (%v) classified as %+v", err, f)
	}
	if keys := bucketKeys(s); len(keys) != 0 {
		t.Fatalf("rate limiter buckets: %q", keys)
	}
}
