package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/segmentio/encoding/json"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/retry"
)

// The gateway connection is Agora's own; REST, the event types and the
// State cache stay discordgo's. discordgo reads every event whole before
// any handler sees it, and a button press carries the poll's whole
// message, which its nested UnmarshalJSON methods scan about nine times:
// 65 µs and 12 KB a press, against 6 µs and 2.4 KB read here with only
// the message's id (BenchmarkReadGatewayPress), about a fifth of a
// press's CPU at 2,000 presses/s. Owning the loop also means that
// cancelling its context ends it: discordgo's reconnect loop outlived
// Close, and dialling had to be refused to keep it from coming back.

// gatewayVersion is the gateway API version Agora speaks.
const gatewayVersion = "10"

// Close codes after which Discord will not accept the same identify again:
// reconnecting would only be refused again.
var gatewayRefusals = map[int]bool{
	4004: true, // authentication failed
	4010: true, // invalid shard
	4011: true, // sharding required
	4012: true, // invalid API version
	4013: true, // invalid intents
	4014: true, // disallowed intents
}

// Close codes after which the session cannot be resumed.
var gatewaySessionEnded = map[int]bool{
	4007: true, // invalid sequence
	4009: true, // session timed out
}

// gatewayRefusal is Discord refusing the bot for good.
type gatewayRefusal struct {
	code   int
	reason string
}

func (r *gatewayRefusal) Error() string {
	return fmt.Sprintf("close code %d (%s)", r.code, r.reason)
}

// gatewayFrame is a gateway payload; d is read by whoever handles it.
type gatewayFrame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  int64           `json:"s"`
	T  string          `json:"t"`
}

// readFrame reads a payload. data is the frame's own buffer (gorilla
// allocates one per message), so d points into it rather than being
// copied.
func readFrame(data []byte) (gatewayFrame, error) {
	var f gatewayFrame
	_, err := json.Parse(data, &f, json.DontCopyRawMessage)
	return f, err
}

// gateway holds one shard's connection and its session. run is its only
// user: the session and the URL are not shared.
type gateway struct {
	identify discordgo.Identify
	// locate returns the gateway URL for a new session (GET /gateway).
	locate func(ctx context.Context) (string, error)
	dialer *websocket.Dialer
	log    *slog.Logger
	// dispatch receives each event (op 0) in the reading goroutine, in
	// order; it must not keep d beyond its return.
	dispatch func(event string, d json.RawMessage)
	// reconnecting is told why a connection is being replaced: requested,
	// silent, closed or unreachable.
	reconnecting func(reason string)

	url       string // from locate; asked again after a failed dial
	sessionID string
	resumeURL string
	seq       atomic.Int64
}

// firstBackoff is the wait before reconnecting after a failure, doubled
// up to a minute while failures follow each other; each wait is drawn
// between its half and itself, so that processes cut off together do not
// come back together.
const firstBackoff = time.Second

// invalidSessionWait is the wait before greeting again after an invalid
// session: Discord asks for 1 to 5 seconds.
func invalidSessionWait() time.Duration { return time.Second + rand.N(4*time.Second) }

// errReconnect ends a connection that Discord asked to replace at once
// (op 7), resuming its session.
var errReconnect = errors.New("reconnect requested")

// errSilent ends a connection found dead by the heartbeat.
var errSilent = errors.New("heartbeats unanswered while nothing arrived")

// errUnreachable wraps a failure to reach the gateway at all.
var errUnreachable = errors.New("the Discord gateway could not be reached")

// run keeps the shard connected until ctx ends, resuming the session
// across connections when Discord allows it. It returns nil once ctx
// ended and the connection is closed, or the refusal that makes
// reconnecting pointless.
func (g *gateway) run(ctx context.Context) error {
	backoff := firstBackoff
	for {
		began := time.Now()
		err := g.connect(ctx)
		if ctx.Err() != nil {
			return nil
		}
		var refusal *gatewayRefusal
		if errors.As(err, &refusal) {
			return err
		}
		if errors.Is(err, errReconnect) {
			g.reconnecting("requested")
			continue
		}
		switch {
		case errors.Is(err, errSilent):
			g.reconnecting("silent")
		case errors.Is(err, errUnreachable):
			g.reconnecting("unreachable")
		default:
			g.reconnecting("closed")
		}
		g.log.Warn("the Discord gateway connection ended; reconnecting", "error", err, "resume", g.sessionID != "")
		if time.Since(began) > time.Minute {
			backoff = firstBackoff
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		backoff = min(2*backoff, time.Minute)
		if retry.Sleep(ctx, wait) != nil {
			return nil
		}
	}
}

// gatewayConn is one websocket connection; writes come from the reading
// goroutine and the heartbeat, so they are serialized.
type gatewayConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
	// waitingSince is when the reader began waiting for the next frame
	// (Unix nanoseconds), 0 while it handles one: see heartbeat.
	waitingSince atomic.Int64
	// dead is set by the heartbeat before it closes a silent connection.
	dead atomic.Bool
}

// read waits for the next frame, noting how long it waits.
func (c *gatewayConn) read() ([]byte, error) {
	c.waitingSince.Store(time.Now().UnixNano())
	defer c.waitingSince.Store(0)
	_, data, err := c.ws.ReadMessage()
	return data, err
}

// silentSince reports whether the reader has been waiting since t with
// nothing arriving.
func (c *gatewayConn) silentSince(t time.Time) bool {
	w := c.waitingSince.Load()
	return w != 0 && w <= t.UnixNano()
}

func (c *gatewayConn) send(op int, d any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err
	}
	return c.ws.WriteJSON(struct {
		Op int `json:"op"`
		D  any `json:"d"`
	}{op, d})
}

// closeNormally ends the session too: Discord forgets a session closed
// with 1000, so the next process identifies afresh.
func (c *gatewayConn) closeNormally() {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	_ = c.ws.Close()
}

// connect serves one connection until it ends, and says why.
func (g *gateway) connect(ctx context.Context) error {
	target := g.resumeURL
	if g.sessionID == "" || target == "" {
		if g.url == "" {
			u, err := g.locate(ctx)
			if err != nil {
				return fmt.Errorf("%w: ask for its URL: %w", errUnreachable, err)
			}
			g.url = u
		}
		target = g.url
	}
	ws, _, err := g.dialer.DialContext(ctx, withGatewayQuery(target), nil)
	if err != nil {
		// The next attempt asks for the URL again, or resumes there.
		if target == g.resumeURL {
			g.resumeURL = ""
		} else {
			g.url = ""
		}
		return fmt.Errorf("%w: %w", errUnreachable, err)
	}
	c := &gatewayConn{ws: ws}
	stop := make(chan struct{})
	var helpers sync.WaitGroup
	defer func() {
		close(stop)
		_ = ws.Close()
		helpers.Wait()
	}()
	helpers.Go(func() {
		select {
		case <-ctx.Done():
			c.closeNormally()
		case <-stop:
		}
	})

	interval, err := g.readHello(ws)
	if err != nil {
		return err
	}
	acked := make(chan struct{}, 1)
	helpers.Go(func() { g.heartbeat(c, interval, acked, stop) })
	if err := g.greet(c); err != nil {
		return err
	}
	if p := pacedOf(ws); p != nil {
		p.pace(bot.WaveWindow)
	}
	for {
		data, err := c.read()
		if err != nil {
			if c.dead.Load() {
				return errSilent
			}
			return g.closeReason(err)
		}
		f, err := readFrame(data)
		if err != nil {
			return fmt.Errorf("read a gateway payload: %w", err)
		}
		switch f.Op {
		case 0:
			g.seq.Store(f.S)
			if f.T == "READY" {
				var r struct {
					SessionID string `json:"session_id"`
					ResumeURL string `json:"resume_gateway_url"`
				}
				if err := json.Unmarshal(f.D, &r); err != nil {
					return fmt.Errorf("read READY: %w", err)
				}
				g.sessionID, g.resumeURL = r.SessionID, r.ResumeURL
			}
			g.dispatch(f.T, f.D)
		case 1:
			if err := c.send(1, g.lastSeq()); err != nil {
				return fmt.Errorf("answer a heartbeat request: %w", err)
			}
		case 7:
			return errReconnect
		case 9:
			// d says whether the session may be resumed; anything but
			// true is taken as no, which costs only a fresh IDENTIFY.
			resumable := string(f.D) == "true"
			if !resumable {
				g.forgetSession()
			}
			if err := retry.Sleep(ctx, invalidSessionWait()); err != nil {
				return err
			}
			if err := g.greet(c); err != nil {
				return err
			}
		case 11:
			select {
			case acked <- struct{}{}:
			default:
			}
		}
	}
}

// greet resumes the session when there is one, and identifies otherwise.
func (g *gateway) greet(c *gatewayConn) error {
	if g.sessionID != "" {
		err := c.send(6, map[string]any{"token": g.identify.Token, "session_id": g.sessionID, "seq": g.seq.Load()})
		if err != nil {
			return fmt.Errorf("send RESUME: %w", err)
		}
		return nil
	}
	if err := c.send(2, g.identify); err != nil {
		return fmt.Errorf("send IDENTIFY: %w", err)
	}
	return nil
}

func (g *gateway) forgetSession() {
	g.sessionID, g.resumeURL = "", ""
	g.seq.Store(0)
}

// lastSeq is the heartbeat's payload: the last sequence number, or null
// before the first event.
func (g *gateway) lastSeq() any {
	if s := g.seq.Load(); s > 0 {
		return s
	}
	return nil
}

// heartbeat beats every interval, the first after a random part of it as
// Discord asks. The connection is dead, though not closed, when a beat
// goes unacknowledged for a whole interval while the reader waited and
// nothing at all arrived: it is closed, and run reconnects. An ACK
// missing while the reader is held (every slot busy, see handOff) or
// reading a backlog only waits in the socket behind the events.
func (g *gateway) heartbeat(c *gatewayConn, interval time.Duration, acked <-chan struct{}, stop <-chan struct{}) {
	t := time.NewTimer(rand.N(interval) + 1)
	defer t.Stop()
	var unacked time.Time // when the latest beat was sent, while none is acknowledged
	for {
		select {
		case <-stop:
			return
		case <-acked:
			unacked = time.Time{}
			continue
		case <-t.C:
		}
		if !unacked.IsZero() && c.silentSince(unacked) {
			g.log.Warn("the Discord gateway stopped answering heartbeats; reconnecting")
			c.dead.Store(true)
			_ = c.ws.Close()
			return
		}
		if err := c.send(1, g.lastSeq()); err != nil {
			_ = c.ws.Close()
			return
		}
		// Measured from the latest beat: an event that arrived after an
		// earlier unacknowledged beat must not keep a connection that
		// went silent since from ever being found dead.
		unacked = time.Now()
		t.Reset(interval)
	}
}

// readHello reads the first payload, which gives the heartbeat interval.
func (g *gateway) readHello(ws *websocket.Conn) (time.Duration, error) {
	if err := ws.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return 0, err
	}
	_, data, err := ws.ReadMessage()
	if err != nil {
		return 0, g.closeReason(err)
	}
	var hello struct {
		Op int `json:"op"`
		D  struct {
			Interval int64 `json:"heartbeat_interval"`
		} `json:"d"`
	}
	if err := json.Unmarshal(data, &hello); err != nil || hello.Op != 10 || hello.D.Interval <= 0 {
		return 0, fmt.Errorf("the Discord gateway did not start with HELLO: %.200q", data)
	}
	if err := ws.SetReadDeadline(time.Time{}); err != nil {
		return 0, err
	}
	return time.Duration(hello.D.Interval) * time.Millisecond, nil
}

// closeReason reads why the connection ended: a refusal when Discord's
// close code says reconnecting is pointless; a session Discord will not
// resume is forgotten.
func (g *gateway) closeReason(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if gatewayRefusals[ce.Code] {
			return &gatewayRefusal{code: ce.Code, reason: ce.Text}
		}
		if gatewaySessionEnded[ce.Code] {
			g.forgetSession()
		}
	}
	return fmt.Errorf("read from the Discord gateway: %w", err)
}

// withGatewayQuery asks for the version Agora speaks, in JSON, without
// compression.
func withGatewayQuery(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("v", gatewayVersion)
	q.Set("encoding", "json")
	u.RawQuery = q.Encode()
	return u.String()
}
