package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/bot/retry"
)

func TestClassify(t *testing.T) {
	tooMany := &tgbotapi.Error{Code: 429, Message: "Too Many Requests: retry after 3", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 3}}
	uploadTooMany := &tgbotapi.Error{Message: "Too Many Requests: retry after 2", ResponseParameters: tgbotapi.ResponseParameters{RetryAfter: 2}}
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	const token = "123:secret"
	tests := []struct {
		name  string
		err   error
		s     retry.Safety
		wait  time.Duration
		retry bool
	}{
		{"429 on a send", tooMany, onceOnly, 3 * time.Second, true},
		{"429 on an upload (code 0)", fmt.Errorf("sendDocument: %w", uploadTooMany), onceOnly, 2 * time.Second, true},
		{"429 without retry_after", &tgbotapi.Error{Code: 429}, onceOnly, time.Second, true},
		{"500 on a send", &tgbotapi.Error{Code: 500, Message: "Internal Server Error"}, onceOnly, 0, false},
		{"500 on an edit", &tgbotapi.Error{Code: 500}, idempotent, 0, true},
		{"502 HTML page on a send", &statusError{code: 502}, onceOnly, 0, false},
		{"502 HTML page on an edit", &statusError{code: 502}, idempotent, 0, true},
		{"400", &tgbotapi.Error{Code: 400, Message: "Bad Request: chat not found"}, idempotent, 0, false},
		{"403", &tgbotapi.Error{Code: 403, Message: "Forbidden: bot was blocked by the user"}, idempotent, 0, false},
		{"connection refused", fmt.Errorf("post: %w", dial), onceOnly, 0, true},
		{"connection reset on a send", read, onceOnly, 0, false},
		{"connection reset on an edit", read, idempotent, 0, true},
		{"canceled", context.Canceled, idempotent, 0, false},
		{"redacted connection refused", redactToken(fmt.Errorf("post https://api/bot%s/sendMessage: %w", token, dial), token), onceOnly, 0, true},
		{"undecodable answer on a send", errors.New("invalid character '<'"), onceOnly, 0, false},
		{"undecodable answer on an edit", errors.New("invalid character '<'"), idempotent, 0, true},
	}
	for _, tt := range tests {
		f := classify(tt.err)
		if f.RetryAfter != tt.wait || f.Retryable(tt.s) != tt.retry {
			t.Errorf("%s: classify = %+v, retryable %v; want wait %s, retryable %v", tt.name, f, f.Retryable(tt.s), tt.wait, tt.retry)
		}
	}
	if red := redactToken(fmt.Errorf("post /bot%s/x: %w", token, dial), token); strings.Contains(red.Error(), token) {
		t.Errorf("redacted error shows the token: %v", red)
	}
	for _, tt := range []struct {
		err  error
		code int
	}{
		{&tgbotapi.Error{Message: "Forbidden: bot was blocked by the user"}, 403},
		{&tgbotapi.Error{Message: "Bad Request: chat not found"}, 400},
		{&tgbotapi.Error{Code: 403}, 403},
		{errors.New("other"), 0},
	} {
		if got := errorCode(tt.err); got != tt.code {
			t.Errorf("errorCode(%v) = %d, want %d", tt.err, got, tt.code)
		}
	}
}

// Go's client keeps a connection only when the body was read to its end
// before Close, and tgbotapi stops reading at the end of the JSON value:
// a batch of updates, sent chunked, then cost a new connection each time
// (against api.telegram.org, a TLS handshake). ctxClient reads the rest.
func TestBodiesAreReadToTheEndBeforeClose(t *testing.T) {
	body := &trackedBody{Reader: strings.NewReader(`{"ok":true,"result":[]}` + "\n")}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body, Request: r}, nil
	})
	api := &tgbotapi.BotAPI{Token: "123:abc", Client: ctxClient{ctx: context.Background(), hc: &http.Client{Transport: rt}}}
	api.SetAPIEndpoint("http://telegram.invalid/bot%s/%s")
	resp, err := api.MakeRequest("getUpdates", tgbotapi.Params{"timeout": "0"})
	if err != nil || !resp.Ok {
		t.Fatalf("getUpdates: %v %+v", err, resp)
	}
	if !body.closed || !body.eof {
		t.Fatalf("body closed %v, read to the end before: %v; want both", body.closed, body.eof)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// trackedBody records whether its end was read before it was closed.
type trackedBody struct {
	*strings.Reader
	eof, closed bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF && !b.closed {
		b.eof = true
	}
	return n, err
}

func (b *trackedBody) Close() error {
	b.closed = true
	return nil
}
