package bot

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// WaveWindow is how long, during a burst, presses that come one by one
// wait to be read together, and WaveSize how many requests a wave holds
// before waiting stops: 48 in 40 ms is 1,200 presses/s.
//
// Discord sends each press in a gateway frame or an HTTP request of its
// own, and Telegram's webhook each update in a request of its own, one or
// two milliseconds apart at 500 to 1,000 presses/s. Handled as they came,
// each press found Agora idle, and its reading, its grouped statements and
// its answer each woke sleeping threads: those wake-ups, not the press's
// own work, made most of its CPU at 500/s (docs/benchmarks.md). Read in a
// wave, presses make one group of each statement and keep the threads busy
// while they are handled, as Telegram's long polling does with its batches
// (it waits 40 ms after a batch that was not full). A press waits at most
// 40 ms more, far inside Discord's 3 seconds.
const (
	WaveWindow = 40 * time.Millisecond
	WaveSize   = 48
)

// BurstGap is how recent the previous press must be for a burst to be
// under way; a press that comes alone is read at once.
const BurstGap = 100 * time.Millisecond

// A Tide reads the connections of a listener in waves during a burst, as
// bot/discord's paced gateway connection does for its one connection.
//
// Discord's HTTP interactions and Telegram's webhook updates come one per
// request, over connections kept open, one or two milliseconds apart at
// 500 presses/s. Read as they came, each request woke a thread blocked in
// epoll (and with it Go's sysmon and the scheduler's search for work):
// those wake-ups, not the press's own work, made most of the CPU a press
// cost on these transports (docs/benchmarks.md). During a burst, a
// connection that has nothing to read does not wait in epoll: it waits
// for the tide's next tick, shared by all connections. The requests that
// came meanwhile wait in the sockets; at the tick one timer asks the
// system, in one poll(2) of every waiting socket, which have something to
// read, and wakes their readers only: a wave of presses for one wake-up.
// (Waking every reader to try its socket cost a system call and a
// goroutine switch for each idle connection at each tick: at 500/s over
// Telegram's 100 connections, four of each a press, and the largest part
// of the tide's own CPU.) A request waits at most one Window more.
//
// When a tick's reads reach Size, connections are read as requests come:
// Telegram sends at most 100 webhook requests at once, so holding each
// one up to 40 ms lowers how many it can deliver a second. Up to Size
// (1,200 presses/s), the requests in flight stay far below 100; at
// 2,000/s they would not (docs/benchmarks.md: 13,000 members at 1,000/s
// cost 0.43 to 0.47 ms a press unpaced, with a Size of 32). Outside a burst
// (nothing read for BurstGap) connections wait in epoll as usual, so a
// press that comes alone is read at once.
type Tide struct {
	Window time.Duration
	Size   int
	// AfterFunc stands for time.AfterFunc; tests replace it.
	AfterFunc func(d time.Duration, f func())

	last atomic.Int64 // when a read last returned data, in Unix nanoseconds

	mu       sync.Mutex
	waiting  map[*tideConn]struct{} // connections waiting for the next tick
	armed    bool                   // the next tick's timer is set
	period   int64                  // the tick period of count
	count    int                    // reads that returned data in period
	previous int                    // the same, in the period before it
}

// Listen wraps ln so that its connections are read with the tide.
func (t *Tide) Listen(ln net.Listener) net.Listener { return tideListener{ln, t} }

type tideListener struct {
	net.Listener
	tide *Tide
}

func (l tideListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.tide.conn(c), nil
}

// paced reports whether a read should wait for the tick rather than for
// data: a burst is under way and its waves are not full. A wave that
// fills up stops the pacing at once, not from the next tick on: at the
// start of a burst of 2,000/s, requests held one tick more made a
// backlog that Telegram's 100 connections never caught up.
func (t *Tide) paced(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pacedLocked(now)
}

func (t *Tide) pacedLocked(now time.Time) bool {
	if t.Window <= 0 || now.UnixNano()-t.last.Load() >= int64(BurstGap) {
		return false
	}
	t.roll(now)
	return t.Size <= 0 || (t.previous < t.Size && t.count < t.Size)
}

// read notes a read that returned data.
func (t *Tide) read(now time.Time) {
	if t.Window <= 0 { // the zero Tide never paces
		return
	}
	t.last.Store(now.UnixNano())
	t.mu.Lock()
	t.roll(now)
	t.count++
	t.mu.Unlock()
}

// roll moves the count to the period now is in; t.mu is held.
func (t *Tide) roll(now time.Time) {
	p := now.UnixNano() / int64(t.Window)
	switch {
	case p == t.period:
		return
	case p == t.period+1:
		t.previous = t.count
	default:
		t.previous = 0
	}
	t.period, t.count = p, 0
}

// await makes c wait for the next tick: c.wake receives when c has
// something to read or the burst is over. Ticks fall on multiples of
// Window, and one timer serves every waiting connection.
func (t *Tide) await(c *tideConn, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.waiting == nil {
		t.waiting = make(map[*tideConn]struct{})
	}
	t.waiting[c] = struct{}{}
	t.armLocked(now)
}

// leave ends c's wait, when it ended otherwise than by the tide (a
// deadline, a close), and takes back a wake-up sent meanwhile, so that
// the next wait does not end at once.
func (t *Tide) leave(c *tideConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.waiting, c)
	select {
	case <-c.wake:
	default:
	}
}

func (t *Tide) armLocked(now time.Time) {
	if t.armed {
		return
	}
	t.armed = true
	w := int64(t.Window)
	d := time.Duration(w - now.UnixNano()%w)
	if t.AfterFunc != nil {
		t.AfterFunc(d, t.ring)
	} else {
		time.AfterFunc(d, t.ring)
	}
}

// ring is the tick: it wakes the waiting connections that have something
// to read (every one once the burst is over, to wait in epoll again), and
// sets the next tick for the others.
func (t *Tide) ring() {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.armed = false
	if len(t.waiting) == 0 {
		return
	}
	conns := make([]*tideConn, 0, len(t.waiting))
	for c := range t.waiting {
		conns = append(conns, c)
	}
	var ready []bool
	if t.pacedLocked(now) {
		fds := make([]int, len(conns))
		for i, c := range conns {
			fds[i] = c.fd
		}
		// Under t.mu, so that a connection's Close, which leaves first,
		// never has its descriptor asked about once closed. (A reader that
		// waits again while its connection closes can still be asked
		// about: poll only looks, and a wrong answer costs one read.)
		ready = readable(fds)
	}
	for i, c := range conns {
		if ready != nil && !ready[i] {
			continue
		}
		delete(t.waiting, c)
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	if len(t.waiting) > 0 {
		t.armLocked(now)
	}
}

// tideConn is a connection read with its listener's tide. Only Read,
// Write (noted for Read), the deadlines and Close are its own.
type tideConn struct {
	net.Conn
	tide     *Tide
	try      func(p []byte) (n int, err error, wait bool) // a read that does not block; see tryRead
	fd       int                                          // the socket, asked about at the tick
	wake     chan struct{}                                // receives when the tide ends a wait
	answered atomic.Bool                                  // written to since the last read

	mu       sync.Mutex
	deadline time.Time     // the read deadline, which a wait for the tick honours too
	changed  chan struct{} // closed when the deadline changes or the connection closes
	closed   bool
}

func (t *Tide) conn(c net.Conn) net.Conn {
	try, fd := tryRead(c)
	if try == nil { // a connection that cannot be read without blocking is read as usual
		return c
	}
	return &tideConn{Conn: c, tide: t, try: try, fd: fd, wake: make(chan struct{}, 1), changed: make(chan struct{})}
}

// Read waits for data as any connection does, unless a burst is under
// way: then it waits for a tick at which its socket has something to
// read, instead of for data. It first looks for data at once, except in
// the two reads that start waiting nearly every time: the first read
// after an answer was written (the next request comes later), and a read
// of one byte (net/http's background read while a handler runs). Those
// found nothing: two system calls a press that the tick's one poll(2)
// makes needless. The rest of a request that came in several segments is
// read at once.
func (c *tideConn) Read(p []byte) (int, error) {
	look := len(p) > 1 && !c.answered.Swap(false)
	for {
		now := time.Now()
		deadline, changed, closed := c.state()
		if closed || !c.tide.paced(now) || (!deadline.IsZero() && !now.Before(deadline)) {
			// The usual read, which also reports a passed deadline or a
			// closed connection as the net package does.
			n, err := c.Conn.Read(p)
			return c.got(n), err
		}
		if look {
			if n, err, wait := c.try(p); !wait {
				return c.got(n), err
			}
		}
		var expire <-chan time.Time
		var timer *time.Timer
		if !deadline.IsZero() {
			timer = time.NewTimer(deadline.Sub(now))
			expire = timer.C
		}
		c.tide.await(c, now)
		look = false
		select {
		case <-c.wake:
			look = true
		case <-changed:
			c.tide.leave(c)
		case <-expire:
			c.tide.leave(c)
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// got notes a read of n bytes and returns n.
func (c *tideConn) got(n int) int {
	if n > 0 {
		c.tide.read(time.Now())
	}
	return n
}

func (c *tideConn) Write(b []byte) (int, error) {
	c.answered.Store(true)
	return c.Conn.Write(b)
}

func (c *tideConn) state() (deadline time.Time, changed <-chan struct{}, closed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deadline, c.changed, c.closed
}

// setDeadline records a read deadline and wakes a read waiting for the
// tick, so that net/http's abort of its background read (a deadline in
// the past) takes effect at once.
func (c *tideConn) setDeadline(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline = t
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *tideConn) SetDeadline(t time.Time) error {
	err := c.Conn.SetDeadline(t)
	c.setDeadline(t)
	return err
}

func (c *tideConn) SetReadDeadline(t time.Time) error {
	err := c.Conn.SetReadDeadline(t)
	c.setDeadline(t)
	return err
}

func (c *tideConn) Close() error {
	c.tide.leave(c)
	err := c.Conn.Close()
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.changed)
		c.changed = make(chan struct{})
	}
	c.mu.Unlock()
	return err
}
