package discord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// rewriteTransport follows DISCORD_API_URL and DISCORD_GATEWAY_URL.
// discordgo builds its endpoint strings from https://discord.com once, at
// init, so the origin is replaced per request, keeping the path. The gateway
// URL comes from GET /gateway, which is answered here when an override is
// set: discordgo then connects (and reconnects) to it.
type rewriteTransport struct {
	api     *url.URL // nil: talk to discord.com
	gateway string   // "": the URL Discord hands out
	next    http.RoundTripper
}

// pooledTransport keeps an idle connection for each interaction that may
// be answered at once, not Go's default of two per host: a burst of button
// answers would otherwise open a TLS connection per answer.
func pooledTransport(inFlight int) http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = inFlight
	return tr
}

func newRewriteTransport(apiURL, gatewayURL string, next http.RoundTripper) (*rewriteTransport, error) {
	if next == nil {
		next = pooledTransport(defaultInFlight)
	}
	t := &rewriteTransport{gateway: gatewayURL, next: next}
	if apiURL != "" {
		u, err := url.Parse(apiURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("parse Discord API URL: not an absolute URL")
		}
		t.api = u
	}
	return t, nil
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" {
		return t.next.RoundTrip(req)
	}
	if t.gateway != "" && req.Method == http.MethodGet && isGatewayPath(req.URL.Path) {
		body, _ := json.Marshal(map[string]any{
			"url": t.gateway, "shards": 1,
			"session_start_limit": map[string]int{"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
		})
		return &http.Response{
			StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
		}, nil
	}
	if t.api == nil {
		return t.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host = t.api.Scheme, t.api.Host
	if p := strings.TrimRight(t.api.Path, "/"); p != "" {
		out.URL.Path = p + req.URL.Path
		out.URL.RawPath = ""
	}
	out.Host = t.api.Host
	return t.next.RoundTrip(out)
}

func isGatewayPath(p string) bool {
	return strings.HasSuffix(p, "/gateway") || strings.HasSuffix(p, "/gateway/bot")
}

// tokenInPath matches the secret part of interaction and webhook URLs.
var tokenInPath = regexp.MustCompile(`/(interactions|webhooks)/([0-9]+)/[^/\s"?]+`)

// redact removes secrets from an error text before it is logged: the bot
// token, and the interaction tokens that URLs in transport errors carry.
func redact(s, token string) string {
	if token != "" {
		s = strings.ReplaceAll(s, token, "[token]")
	}
	return tokenInPath.ReplaceAllString(s, "/$1/$2/[token]")
}
