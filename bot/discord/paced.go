package discord

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agora-community/agora/bot"
)

// pacedConn is the gateway's connection, read in waves during a burst.
//
// Discord sends each press in a frame of its own, one or two milliseconds
// apart at 500 to 1,000 presses/s. Read as they came, each frame woke the
// reader's thread (and Go's sysmon, which every system call after an idle
// moment wakes), and gathering the presses afterwards still
// paid that wake-up per press. A paced connection, once a burst is under
// way, reads only once per bot.WaveWindow: the frames wait in the socket
// rather than in memory, and are read together in one system call, then
// handled together. A frame that comes alone is read at once. A frame
// that a read found only in part (its end still on the way) is finished
// at the next wave: it waits 40 ms more at worst, as a whole wave does.
type pacedConn struct {
	net.Conn
	window time.Duration // 0 until pace is called: the handshake is not paced
	// now and after stand for time.Now and time.After; tests replace them.
	now   func() time.Time
	after func(time.Duration) <-chan time.Time

	last   time.Time // when the previous read returned data
	resume time.Time // the next read waits until then

	closed    chan struct{}
	closeOnce sync.Once
}

func newPacedConn(c net.Conn) *pacedConn {
	return &pacedConn{Conn: c, now: time.Now, after: time.After, closed: make(chan struct{})}
}

// pace starts reading in waves of window. Only the reading goroutine calls
// it, as it does Read.
func (c *pacedConn) pace(window time.Duration) { c.window = window }

// Read waits for the wave's end when a burst is under way, then reads
// what came meanwhile. A read that fills p does not start a wait: more is
// likely waiting, and a reader slower than the sender must catch up.
func (c *pacedConn) Read(p []byte) (int, error) {
	if wait := c.resume.Sub(c.now()); wait > 0 {
		select {
		case <-c.after(wait):
		case <-c.closed:
		}
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		now := c.now()
		if n < len(p) && !c.last.IsZero() && now.Sub(c.last) < bot.BurstGap {
			c.resume = now.Add(c.window)
		}
		c.last = now
	}
	return n, err
}

// Close also ends a wait in Read, so closing the gateway is not delayed.
func (c *pacedConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// dialPaced opens the gateway's connections, TLS or not, so that they
// can be paced once the session is greeted (see pacedOf).
func dialPaced(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return newPacedConn(c), nil
}

// pacedOf finds the paced connection under a gateway websocket, below TLS
// when there is TLS; nil when it was dialled otherwise.
func pacedOf(ws *websocket.Conn) *pacedConn {
	c := ws.NetConn()
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	p, _ := c.(*pacedConn)
	return p
}
