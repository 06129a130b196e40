package discordtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Identify is an IDENTIFY payload the bot sent.
type Identify struct {
	Token          string         `json:"token"`
	Intents        int            `json:"intents"`
	Shard          *[2]int        `json:"shard"`
	Compress       bool           `json:"compress"`
	LargeThreshold int            `json:"large_threshold"`
	Properties     map[string]any `json:"properties"`
	Raw            json.RawMessage
}

type gateway struct {
	mu          sync.Mutex
	conns       map[*gwConn]struct{}
	sessions    map[string]*gwSession
	pending     []frame // dispatched before any session existed
	identifies  []Identify
	resumes     int
	connects    int
	heartbeats  int
	resumedOn   []string // the URL path of each accepted RESUME's connection
	resumeTries int      // RESUME payloads received, accepted or not
	silent      bool     // heartbeats go unacknowledged, as on a dead connection
	queries     []url.Values
}

type gwConn struct {
	ws      *websocket.Conn
	path    string // the URL path it connected to
	wmu     sync.Mutex
	session *gwSession // guarded by gateway.mu
	ready   bool       // READY or RESUMED sent; guarded by gateway.mu
}

type gwSession struct {
	id       string
	seq      int
	history  []frame
	conn     *gwConn
	identify Identify
}

type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int            `json:"s"`
	T  *string         `json:"t"`
}

func (g *gateway) init() {
	g.conns = map[*gwConn]struct{}{}
	g.sessions = map[string]*gwSession{}
}

func (c *gwConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

func (c *gwConn) closeWith(code int, reason string) {
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.wmu.Unlock()
	_ = c.ws.Close()
}

func (g *gateway) closeAll() {
	g.mu.Lock()
	conns := make([]*gwConn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	g.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.Close()
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws, path: r.URL.Path}
	s.gw.mu.Lock()
	s.gw.conns[c] = struct{}{}
	s.gw.connects++
	s.gw.queries = append(s.gw.queries, r.URL.Query())
	s.gw.mu.Unlock()
	s.notify()
	defer func() {
		s.gw.mu.Lock()
		delete(s.gw.conns, c)
		if c.session != nil && c.session.conn == c {
			// The session stays resumable; dispatches accumulate in its history.
			c.session.conn = nil
		}
		s.gw.mu.Unlock()
		_ = ws.Close()
		s.notify()
	}()
	if q := r.URL.Query(); q.Get("encoding") != "" && q.Get("encoding") != "json" {
		c.closeWith(4002, "Error while decoding payload.")
		return
	}
	hello, _ := json.Marshal(map[string]any{"heartbeat_interval": s.opts.heartbeatInterval.Milliseconds()})
	if c.write(frame{Op: 10, D: hello}) != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var in frame
		if json.Unmarshal(data, &in) != nil {
			c.closeWith(4002, "Error while decoding payload.")
			return
		}
		switch in.Op {
		case 1:
			s.gw.mu.Lock()
			s.gw.heartbeats++
			silent := s.gw.silent
			s.gw.mu.Unlock()
			s.notify()
			if !silent {
				_ = c.write(frame{Op: 11})
			}
		case 2:
			if !s.identify(c, in.D) {
				return
			}
		case 6:
			if !s.resume(c, in.D) {
				return
			}
		case 3, 4, 8:
			// Presence, voice state and member requests are accepted and ignored.
		default:
			c.closeWith(4001, "Unknown opcode.")
			return
		}
	}
}

func (s *Server) tokenOK(tok string) bool {
	return strings.TrimPrefix(tok, "Bot ") == s.opts.token
}

func (s *Server) identify(c *gwConn, raw json.RawMessage) bool {
	var id Identify
	_ = json.Unmarshal(raw, &id)
	id.Raw = append(json.RawMessage(nil), raw...)
	if !s.tokenOK(id.Token) {
		c.closeWith(4004, "Authentication failed.")
		return false
	}
	if id.Intents&s.opts.disallowedIntents != 0 {
		c.closeWith(4014, "Disallowed intent(s).")
		return false
	}
	s.mu.Lock()
	var guilds []map[string]any
	unavailable := []any{}
	for _, gid := range s.guildOrder {
		g := s.guilds[gid]
		unavailable = append(unavailable, map[string]any{"id": g.ID, "unavailable": true})
		guilds = append(guilds, guildJSON(g, true))
	}
	s.mu.Unlock()

	ready := map[string]any{
		"v": 9, "user": s.botUser().json(), "session_id": randomHex(16), "session_type": "normal",
		"resume_gateway_url": s.ResumeGatewayURL(), "guilds": unavailable, "private_channels": []any{},
		"relationships": []any{}, "presences": []any{}, "guild_join_requests": []any{},
		"application":             map[string]any{"id": s.opts.appID, "flags": s.opts.appFlags},
		"geo_ordered_rtc_regions": []any{}, "user_settings": map[string]any{},
	}
	if id.Shard != nil {
		ready["shard"] = id.Shard
	}
	sess := &gwSession{id: ready["session_id"].(string), conn: c, identify: id}

	s.gw.mu.Lock()
	s.gw.identifies = append(s.gw.identifies, id)
	if c.session != nil {
		delete(s.gw.sessions, c.session.id)
	}
	c.session = sess
	s.gw.sessions[sess.id] = sess
	pending := s.gw.pending
	s.gw.pending = nil
	s.sendLocked(sess, "READY", mustJSON(ready))
	for _, g := range guilds {
		s.sendLocked(sess, "GUILD_CREATE", mustJSON(g))
	}
	for _, f := range pending {
		s.sendLocked(sess, *f.T, f.D)
	}
	c.ready = true
	s.gw.mu.Unlock()
	s.notify()
	return true
}

func (s *Server) resume(c *gwConn, raw json.RawMessage) bool {
	var rp struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int    `json:"seq"`
	}
	_ = json.Unmarshal(raw, &rp)
	s.gw.mu.Lock()
	s.gw.resumeTries++
	s.gw.mu.Unlock()
	if !s.tokenOK(rp.Token) {
		c.closeWith(4004, "Authentication failed.")
		return false
	}
	s.gw.mu.Lock()
	sess, ok := s.gw.sessions[rp.SessionID]
	if !ok || rp.Seq > sess.seq {
		s.gw.mu.Unlock()
		_ = c.write(frame{Op: 9, D: json.RawMessage("false")})
		return true
	}
	s.gw.resumes++
	s.gw.resumedOn = append(s.gw.resumedOn, c.path)
	if sess.conn != nil && sess.conn != c {
		_ = sess.conn.ws.Close()
	}
	sess.conn = c
	c.session = sess
	for _, f := range sess.history {
		if *f.S > rp.Seq {
			_ = c.write(f)
		}
	}
	s.sendLocked(sess, "RESUMED", json.RawMessage("{}"))
	c.ready = true
	s.gw.mu.Unlock()
	s.notify()
	return true
}

// sendLocked numbers a dispatch, keeps it for RESUME replay and sends it if
// the session is connected; s.gw.mu must be held.
func (s *Server) sendLocked(sess *gwSession, event string, d json.RawMessage) {
	sess.seq++
	seq, t := sess.seq, event
	f := frame{Op: 0, D: d, S: &seq, T: &t}
	sess.history = append(sess.history, f)
	if sess.conn != nil {
		_ = sess.conn.write(f)
	}
}

func mustJSON(v any) json.RawMessage {
	if raw, ok := v.(json.RawMessage); ok {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Dispatch sends an event (op 0, with the next sequence number) to every
// gateway session; data is marshalled to JSON. Events dispatched before any
// IDENTIFY are delivered right after the first READY, and events sent while a
// session is disconnected are replayed when it resumes.
func (s *Server) Dispatch(event string, data any) {
	d := mustJSON(data)
	s.gw.mu.Lock()
	if len(s.gw.sessions) == 0 {
		t := event
		s.gw.pending = append(s.gw.pending, frame{Op: 0, D: d, T: &t})
	}
	for _, sess := range s.gw.sessions {
		s.sendLocked(sess, event, d)
	}
	s.gw.mu.Unlock()
	s.notify()
}

// DropConnections closes every gateway socket without a close frame, as a
// network failure would; the sessions stay resumable.
func (s *Server) DropConnections() {
	s.gw.mu.Lock()
	for c := range s.gw.conns {
		c.ready = false
		_ = c.ws.Close()
	}
	s.gw.mu.Unlock()
	s.notify()
}

// SendReconnect sends op 7 RECONNECT to every connection.
func (s *Server) SendReconnect() {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	for c := range s.gw.conns {
		_ = c.write(frame{Op: 7, D: json.RawMessage("null")})
	}
}

// SendInvalidSession sends op 9; when not resumable the sessions are
// forgotten, so only a fresh IDENTIFY is accepted afterwards.
func (s *Server) SendInvalidSession(resumable bool) {
	s.gw.mu.Lock()
	d := json.RawMessage("false")
	if resumable {
		d = json.RawMessage("true")
	}
	for c := range s.gw.conns {
		if !resumable && c.session != nil {
			delete(s.gw.sessions, c.session.id)
			c.session = nil
			c.ready = false
		}
		_ = c.write(frame{Op: 9, D: d})
	}
	s.gw.mu.Unlock()
	s.notify()
}

// CloseConnections closes every gateway connection with a close code, as
// Discord does; after 4007 (invalid sequence) or 4009 (session timed out)
// the sessions are forgotten, so only a fresh IDENTIFY is accepted.
func (s *Server) CloseConnections(code int, reason string) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	for c := range s.gw.conns {
		if (code == 4007 || code == 4009) && c.session != nil {
			delete(s.gw.sessions, c.session.id)
		}
		c.closeWith(code, reason)
	}
}

// ResumeTries counts the RESUME payloads received, refused ones included.
func (s *Server) ResumeTries() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.resumeTries
}

// ResumedOn lists the URL path of the connection each accepted RESUME came
// on: READY names /gateway-resume as resume_gateway_url.
func (s *Server) ResumedOn() []string {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return append([]string(nil), s.gw.resumedOn...)
}

// SetSilent makes heartbeats go unacknowledged (on) or acknowledged again
// (off), as when a connection dies without closing.
func (s *Server) SetSilent(on bool) {
	s.gw.mu.Lock()
	s.gw.silent = on
	s.gw.mu.Unlock()
}

// HeartbeatCount is the number of heartbeats received.
func (s *Server) HeartbeatCount() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.heartbeats
}

// Connected reports whether some gateway connection has completed READY or RESUMED.
func (s *Server) Connected() bool {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	for c := range s.gw.conns {
		if c.ready {
			return true
		}
	}
	return false
}

// WaitConnected waits until a gateway connection is ready.
func (s *Server) WaitConnected(timeout time.Duration) bool {
	return s.WaitFor(timeout, s.Connected)
}

// Identifies returns the IDENTIFY payloads received, oldest first.
func (s *Server) Identifies() []Identify {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return append([]Identify(nil), s.gw.identifies...)
}

// IdentifyCount is the number of IDENTIFY payloads received.
func (s *Server) IdentifyCount() int { return len(s.Identifies()) }

// ResumeCount is the number of successful RESUMEs.
func (s *Server) ResumeCount() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.resumes
}

// ConnectCount is the number of websocket connections accepted.
func (s *Server) ConnectCount() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.connects
}

// GatewayQueries returns the query of each websocket connection (v, encoding, compress).
func (s *Server) GatewayQueries() []url.Values {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return append([]url.Values(nil), s.gw.queries...)
}
