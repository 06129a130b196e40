package discord

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/agora-community/agora/bot/retry"
)

func TestClassify(t *testing.T) {
	rest := func(status int) error {
		return &discordgo.RESTError{Response: &http.Response{StatusCode: status}, Message: &discordgo.APIErrorMessage{Code: 50035}}
	}
	rateLimited := &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{
		TooManyRequests: &discordgo.TooManyRequests{RetryAfter: 1500 * time.Millisecond}, URL: "https://discord.com/api/v9/channels/1/messages",
	}}
	refused := &url.Error{Op: "Post", URL: "https://discord.com/api/v9/channels/1/messages",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	reset := &url.Error{Op: "Patch", URL: "https://discord.com/api/v9/channels/1/messages/2",
		Err: &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}}
	tests := []struct {
		name      string
		err       error
		wait      time.Duration
		safe, new bool // retried when safe to repeat; retried when creating
	}{
		{"429 with retry_after", rateLimited, 1500 * time.Millisecond, true, true},
		{"429 as a REST error", rest(http.StatusTooManyRequests), 0, true, true},
		{"500", rest(http.StatusInternalServerError), 0, true, false},
		{"502 discordgo gave up on", errors.New("Exceeded Max retries HTTP 502 Bad Gateway, <html>"), 0, true, false},
		{"400", rest(http.StatusBadRequest), 0, false, false},
		{"403", rest(http.StatusForbidden), 0, false, false},
		{"404", fmt.Errorf("edit: %w", rest(http.StatusNotFound)), 0, false, false},
		{"connection refused", refused, 0, true, true},
		{"connection reset", reset, 0, true, false},
		{"canceled", context.Canceled, 0, false, false},
		{"undecodable answer", errors.New("json: cannot unmarshal"), 0, false, false},
	}
	for _, tt := range tests {
		f := classify(tt.err)
		if f.RetryAfter != tt.wait || f.Retryable(retry.SafeToRepeat) != tt.safe || f.Retryable(retry.OnlyIfNotSent) != tt.new {
			t.Errorf("%s: %+v; want wait %s, retried when safe %v, when creating %v", tt.name, f, tt.wait, tt.safe, tt.new)
		}
	}
}
