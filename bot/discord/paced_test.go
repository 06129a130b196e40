package discord

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agora-community/agora/bot"
)

// pacedPair is a paced connection over loopback TCP, so that what the
// peer writes waits in a real socket, with a clock and timers moved by
// the test.
type pacedPair struct {
	t     *testing.T
	conn  *pacedConn
	peer  net.Conn
	clock time.Time
	asked chan time.Duration   // each wait the connection starts
	fire  chan chan time.Time  // the channel of the wait last started
	reads chan pacedReadResult // results of readAsync
}

type pacedReadResult struct {
	data string
	err  error
}

func newPacedPair(t *testing.T) *pacedPair {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	peer := <-accepted
	if peer == nil {
		t.Fatal("accept failed")
	}
	p := &pacedPair{t: t, peer: peer, clock: time.Unix(1_800_000_000, 0),
		asked: make(chan time.Duration, 8), fire: make(chan chan time.Time, 8), reads: make(chan pacedReadResult, 8)}
	p.conn = newPacedConn(c)
	p.conn.now = func() time.Time { return p.clock }
	p.conn.after = func(d time.Duration) <-chan time.Time {
		ch := make(chan time.Time, 1)
		p.asked <- d
		p.fire <- ch
		return ch
	}
	t.Cleanup(func() {
		p.conn.Close()
		peer.Close()
	})
	return p
}

func (p *pacedPair) send(s string) {
	p.t.Helper()
	if _, err := p.peer.Write([]byte(s)); err != nil {
		p.t.Fatal(err)
	}
}

// read reads once into a buffer of size n; a read that waits for a wave
// the test does not end fails the test.
func (p *pacedPair) read(n int) string {
	p.t.Helper()
	p.readAsync(n)
	r := p.result()
	if r.err != nil {
		p.t.Fatal(r.err)
	}
	return r.data
}

func (p *pacedPair) readAsync(n int) {
	go func() {
		buf := make([]byte, n)
		got, err := p.conn.Read(buf)
		p.reads <- pacedReadResult{string(buf[:got]), err}
	}()
}

func (p *pacedPair) result() pacedReadResult {
	p.t.Helper()
	select {
	case r := <-p.reads:
		return r
	case d := <-p.asked:
		p.t.Fatalf("the read waits %v; want it to read at once", d)
	case <-time.After(10 * time.Second):
		p.t.Fatal("the read did not return")
	}
	return pacedReadResult{}
}

// waitStarted returns the wait the pending read started.
func (p *pacedPair) waitStarted() time.Duration {
	p.t.Helper()
	select {
	case d := <-p.asked:
		return d
	case r := <-p.reads:
		p.t.Fatalf("read %q (%v) at once; want it to wait for the wave", r.data, r.err)
	case <-time.After(10 * time.Second):
		p.t.Fatal("the read neither waited nor returned")
	}
	return 0
}

func TestPacedConnReadsAloneFramesAtOnce(t *testing.T) {
	p := newPacedPair(t)
	p.conn.pace(40 * time.Millisecond)
	p.send("a")
	if got := p.read(64); got != "a" {
		t.Fatalf("read %q, want a", got)
	}
	p.clock = p.clock.Add(bot.BurstGap + 50*time.Millisecond)
	p.send("b")
	if got := p.read(64); got != "b" {
		t.Fatalf("read %q, want b", got)
	}
	// b came after a quiet moment, so it starts no wait: c, close behind
	// it, is read at once too. A burst begins only with c.
	p.clock = p.clock.Add(2 * time.Millisecond)
	p.send("c")
	if got := p.read(64); got != "c" {
		t.Fatalf("read %q, want c", got)
	}
}

// startBurst paces p's connection and has two frames read 2 ms apart: a
// burst is under way.
func (p *pacedPair) startBurst(window time.Duration) {
	p.t.Helper()
	p.conn.pace(window)
	p.send("a")
	p.read(64)
	p.clock = p.clock.Add(2 * time.Millisecond)
	p.send("b")
	if got := p.read(64); got != "b" {
		p.t.Fatalf("read %q, want b", got)
	}
}

func TestPacedConnReadsABurstInWaves(t *testing.T) {
	p := newPacedPair(t)
	p.startBurst(40 * time.Millisecond)

	// b came 2 ms after a: a burst. What comes next waits in the socket
	// until the wave's end, then is read in one go.
	p.send("c")
	p.send("d")
	p.readAsync(64)
	if d := p.waitStarted(); d != 40*time.Millisecond {
		t.Fatalf("the read waits %v, want the 40ms window", d)
	}
	p.clock = p.clock.Add(40 * time.Millisecond)
	(<-p.fire) <- p.clock
	if r := p.result(); r.err != nil || r.data != "cd" {
		t.Fatalf("read %q (%v), want cd in one read", r.data, r.err)
	}

	// The burst goes on: the next wave is waited for too, for what is
	// left of its window.
	p.clock = p.clock.Add(10 * time.Millisecond)
	p.send("e")
	p.readAsync(64)
	if d := p.waitStarted(); d != 30*time.Millisecond {
		t.Fatalf("the read waits %v, want the 30ms left of the window", d)
	}
	(<-p.fire) <- p.clock
	if r := p.result(); r.data != "e" {
		t.Fatalf("read %q (%v), want e", r.data, r.err)
	}
}

func TestPacedConnFullReadDoesNotWait(t *testing.T) {
	p := newPacedPair(t)
	p.conn.pace(40 * time.Millisecond)
	p.send("a")
	p.read(64)
	p.clock = p.clock.Add(2 * time.Millisecond)
	// More came than the reader's buffer holds: the reader is behind, and
	// must read on without waiting.
	p.send("bcd")
	if got := p.read(2); got != "bc" {
		t.Fatalf("read %q, want bc", got)
	}
	if got := p.read(2); got != "d" {
		t.Fatalf("read %q, want d", got)
	}
}

func TestPacedConnIsNotPacedBeforePace(t *testing.T) {
	p := newPacedPair(t)
	for _, s := range []string{"a", "b", "c"} {
		p.send(s)
		if got := p.read(64); got != s {
			t.Fatalf("read %q, want %s", got, s)
		}
		p.clock = p.clock.Add(time.Millisecond)
	}
}

func TestPacedConnCloseEndsTheWait(t *testing.T) {
	p := newPacedPair(t)
	p.startBurst(time.Hour)
	p.readAsync(64)
	p.waitStarted() // an hour
	if err := p.conn.Close(); err != nil {
		t.Fatal(err)
	}
	if r := p.result(); r.err == nil {
		t.Fatalf("read %q after close, want an error", r.data)
	}
}

// The gateway's connection is found under the websocket, with or without
// TLS, to be paced once the session is greeted.
func TestPacedOfFindsTheGatewaysConnection(t *testing.T) {
	upgrade := websocket.Upgrader{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := upgrade.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		ws.Close()
	})
	for _, secure := range []bool{false, true} {
		var srv *httptest.Server
		dialer := websocket.Dialer{NetDialContext: dialPaced}
		if secure {
			srv = httptest.NewTLSServer(handler)
			roots := x509.NewCertPool()
			roots.AddCert(srv.Certificate())
			dialer.TLSClientConfig = &tls.Config{RootCAs: roots}
		} else {
			srv = httptest.NewServer(handler)
		}
		url := "ws" + strings.TrimPrefix(srv.URL, "http")
		ws, _, err := dialer.Dial(url, nil)
		if err != nil {
			t.Fatalf("TLS %v: %v", secure, err)
		}
		if pacedOf(ws) == nil {
			t.Errorf("TLS %v: no paced connection found under the websocket", secure)
		}
		ws.Close()
		srv.Close()
	}
}
