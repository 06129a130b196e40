package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/bwmarrin/discordgo"
)

// maxDrain bounds how much of a success answer is read, unused, so the
// connection can serve the next request.
const maxDrain = 1 << 20

// interactionCall sends a request to an endpoint whose URL carries an
// interaction's token: the callback (POST /interactions/{id}/{token}/callback)
// and the interaction webhook (/webhooks/{application_id}/{token}: the edit or
// deletion of @original, the followups). It goes with the session's HTTP
// client, outside discordgo's rate limiter: that limiter keeps a bucket for
// every endpoint it has seen and never forgets one, and each of these URLs
// is new, so every press would leave buckets behind for as long as the
// process lives. These endpoints are not under the bot's global rate limit
// and authenticate by the token in the path, so the bot token is not sent.
//
// endpoint is built with discordgo's endpoint functions, so the transport's
// API URL rewriting applies. body is sent as JSON, or, with files, as
// discordgo's multipart body (payload_json and files[n]); a nil body sends
// none. Files that can seek are rewound first, so a retried attempt sends
// them whole. A 429 comes back as discordgo's RateLimitError and any other
// refusal as its RESTError, for the retry policy; no error made here
// carries the token.
func interactionCall(ctx context.Context, s *discordgo.Session, method, endpoint string, body any, files []*discordgo.File) error {
	var (
		payload     io.Reader
		contentType string
	)
	switch {
	case len(files) > 0:
		for _, f := range files {
			if sk, ok := f.Reader.(io.Seeker); ok {
				if _, err := sk.Seek(0, io.SeekStart); err != nil {
					return fmt.Errorf("rewind file %q for an interaction %s: %w", f.Name, method, err)
				}
			}
		}
		ct, b, err := discordgo.MultipartBodyWithJSON(body, files)
		if err != nil {
			return fmt.Errorf("encode an interaction %s with its files: %w", method, err)
		}
		payload, contentType = bytes.NewReader(b), ct
	case body != nil:
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode an interaction %s: %w", method, err)
		}
		payload, contentType = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, payload)
	if err != nil {
		return fmt.Errorf("build an interaction %s: %s", method, redact(err.Error(), ""))
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("User-Agent", s.UserAgent)
	resp, err := s.Client.Do(req)
	if err != nil {
		// The client's error names the URL: keep its chain (the retry
		// policy reads it), not the token.
		var ue *url.Error
		if errors.As(err, &ue) {
			return &url.Error{Op: ue.Op, URL: redact(ue.URL, ""), Err: ue.Err}
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 300 {
		// Done: no caller needs the answer (a followup's message, the
		// edited message), which is only drained.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
		return nil
	}
	// An error answer is small.
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("read the answer to an interaction %s (HTTP %d): %w", method, resp.StatusCode, err)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		tmr := &discordgo.TooManyRequests{}
		if err := json.Unmarshal(respBody, tmr); err == nil {
			// RateLimitError prints its URL.
			return &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: tmr, URL: redact(endpoint, "")}}
		}
	}
	// RESTError prints the status and Discord's answer, not the URL.
	re := &discordgo.RESTError{Request: req, Response: resp, ResponseBody: respBody}
	var msg discordgo.APIErrorMessage
	if json.Unmarshal(respBody, &msg) == nil {
		re.Message = &msg
	}
	return re
}
