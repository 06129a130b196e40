package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// postCallback answers an interaction (POST .../callback) with the
// session's HTTP client, outside discordgo's rate limiter. That limiter
// keeps a bucket for every endpoint it has seen and never forgets one; an
// interaction's callback URL carries its own ID and token, so every press
// would leave a bucket behind for as long as the process lives. Interaction
// callbacks are not under the bot's global rate limit, and a 429 still comes
// back as discordgo's RateLimitError for the retry policy.
func postCallback(ctx context.Context, s *discordgo.Session, endpoint string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode interaction callback: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("build interaction callback: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.UserAgent)
	resp, err := s.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// An error answer is small; a success body is not read by anyone.
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("read interaction callback answer: %w", err)
	}
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests:
		tmr := &discordgo.TooManyRequests{}
		if err := json.Unmarshal(respBody, tmr); err != nil {
			return &discordgo.RESTError{Request: req, Response: resp, ResponseBody: respBody}
		}
		return &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: tmr, URL: endpoint}}
	}
	re := &discordgo.RESTError{Request: req, Response: resp, ResponseBody: respBody}
	var msg discordgo.APIErrorMessage
	if json.Unmarshal(respBody, &msg) == nil {
		re.Message = &msg
	}
	return re
}
