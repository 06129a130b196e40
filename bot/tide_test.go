package bot

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// tidePair accepts one connection through the tide: server is the paced
// end, client the other.
func tidePair(t *testing.T, tide *Tide) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	paced := tide.Listen(ln)
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = paced.Accept()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := server.(*tideConn); !ok {
		t.Fatalf("accepted %T, want a connection read with the tide", server)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// manualTide is a tide whose ticks the test rings itself: rings receives
// each tick's bell when a reader first waits for it.
func manualTide(t *testing.T) (*Tide, chan func()) {
	rings := make(chan func(), 8)
	tide := &Tide{Window: WaveWindow, Size: WaveSize, AfterFunc: func(d time.Duration, f func()) {
		if d <= 0 || d > WaveWindow {
			t.Errorf("a tick %v away, want within the window %v", d, WaveWindow)
		}
		rings <- f
	}}
	return tide, rings
}

type readResult struct {
	data string
	err  error
}

func readAsync(c net.Conn) <-chan readResult {
	out := make(chan readResult, 1)
	go func() {
		buf := make([]byte, 64)
		n, err := c.Read(buf)
		out <- readResult{string(buf[:n]), err}
	}()
	return out
}

func write(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := c.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

func waitRead(t *testing.T, c <-chan readResult) readResult {
	t.Helper()
	return waitFor(t, c, "the read did not return")
}

func waitRing(t *testing.T, rings <-chan func()) func() {
	t.Helper()
	return waitFor(t, rings, "no reader waited for the tide's tick")
}

func waitFor[T any](t *testing.T, c <-chan T, failure string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal(failure)
		var zero T
		return zero
	}
}

// startBurst has a first request read, which starts a burst.
func startBurst(t *testing.T, server, client net.Conn) {
	t.Helper()
	write(t, client, "first")
	if r := waitRead(t, readAsync(server)); r.data != "first" || r.err != nil {
		t.Fatalf("first read = %q, %v; want it at once", r.data, r.err)
	}
}

func TestTideReadsALoneRequestAtOnce(t *testing.T) {
	tide := &Tide{Window: WaveWindow, Size: WaveSize, AfterFunc: func(time.Duration, func()) {
		t.Error("a request that came alone waited for a tick")
	}}
	server, client := tidePair(t, tide)
	reading := readAsync(server) // waits for data, as any connection does
	write(t, client, "alone")
	if r := waitRead(t, reading); r.data != "alone" || r.err != nil {
		t.Fatalf("read %q, %v; want %q", r.data, r.err, "alone")
	}
}

func TestTideGathersABurstsRequestsUntilTheTick(t *testing.T) {
	tide, rings := manualTide(t)
	server, client := tidePair(t, tide)
	startBurst(t, server, client)

	reading := readAsync(server)
	ring := waitRing(t, rings) // nothing to read: the reader waits for the tick, not for data
	write(t, client, "second ")
	write(t, client, "third")
	select {
	case r := <-reading:
		t.Fatalf("read %q, %v before the tick", r.data, r.err)
	default:
	}
	ring()
	if r := waitRead(t, reading); r.data != "second third" || r.err != nil {
		t.Fatalf("read at the tick = %q, %v; want both requests in one read", r.data, r.err)
	}
}

// During a burst, the rest of a request that came in several segments
// is read at once.
func TestTideReadsTheRestOfARequestAtOnce(t *testing.T) {
	tide, rings := manualTide(t)
	server, client := tidePair(t, tide)
	startBurst(t, server, client)
	write(t, client, "the rest")
	if r := waitRead(t, readAsync(server)); r.data != "the rest" || r.err != nil {
		t.Fatalf("read = %q, %v; want the rest, at once", r.data, r.err)
	}
	if len(rings) != 0 {
		t.Fatal("the rest of a request waited for a tick")
	}
}

// The reads that nearly always find nothing wait for the tick without
// looking first: the first after an answer (data that came meanwhile is
// the next request, read with the tick's wave), and a read of one byte
// (net/http's background read).
func TestTideLooksForTheNextRequestAtTheTick(t *testing.T) {
	for _, c := range []struct {
		name   string
		answer bool
		size   int
		want   string
	}{
		{"after an answer", true, 64, "next request"},
		{"a background read", false, 1, "n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tide, rings := manualTide(t)
			server, client := tidePair(t, tide)
			startBurst(t, server, client)
			if c.answer {
				write(t, server, "answer")
			}
			write(t, client, "next request") // came while the previous one was handled
			reading := make(chan readResult, 1)
			go func() {
				buf := make([]byte, c.size)
				n, err := server.Read(buf)
				reading <- readResult{string(buf[:n]), err}
			}()
			ring := waitRing(t, rings)
			waitUntilWaiting(t, tide, server)
			ring()
			if r := waitRead(t, reading); r.data != c.want || r.err != nil {
				t.Fatalf("read at the tick = %q, %v; want %q", r.data, r.err, c.want)
			}
		})
	}
}

func TestTideWaitEndsOnADeadline(t *testing.T) {
	tide, rings := manualTide(t)
	server, client := tidePair(t, tide)
	startBurst(t, server, client)
	reading := readAsync(server)
	waitRing(t, rings)
	// net/http aborts its background read this way once a handler is done.
	if err := server.SetReadDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	r := waitRead(t, reading)
	var ne net.Error
	if !errors.As(r.err, &ne) || !ne.Timeout() {
		t.Fatalf("read after a past deadline = %q, %v; want a timeout", r.data, r.err)
	}
	// The connection stays usable once the deadline is lifted.
	if err := server.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	write(t, client, "after")
	if r := waitRead(t, readAsync(server)); r.data != "after" || r.err != nil {
		t.Fatalf("read after the deadline was lifted = %q, %v", r.data, r.err)
	}
}

func TestTideWaitEndsOnClose(t *testing.T) {
	tide, rings := manualTide(t)
	server, client := tidePair(t, tide)
	startBurst(t, server, client)
	reading := readAsync(server)
	waitRing(t, rings)
	server.Close()
	if r := waitRead(t, reading); r.err == nil {
		t.Fatalf("read on a closed connection = %q, no error", r.data)
	}
}

func TestTideReportsTheEndOfTheStream(t *testing.T) {
	tide, rings := manualTide(t)
	server, client := tidePair(t, tide)
	startBurst(t, server, client)
	reading := readAsync(server)
	ring := waitRing(t, rings)
	client.Close()
	ring()
	if r := waitRead(t, reading); !errors.Is(r.err, io.EOF) {
		t.Fatalf("read after the client closed = %q, %v; want EOF", r.data, r.err)
	}
}

func TestTidePacesOnlyBurstsOfUnfilledWaves(t *testing.T) {
	start := time.Unix(0, 0).Add(1000 * WaveWindow) // the start of a tick period
	cases := []struct {
		name  string
		reads []time.Duration // after start
		at    time.Duration
		want  bool
	}{
		{"no read yet", nil, 0, false},
		{"a read just before", []time.Duration{0}, time.Millisecond, true},
		{"the burst is over", []time.Duration{0}, BurstGap, false},
		{"the previous wave was full", repeat(0, 4), WaveWindow, false},
		{"the previous wave was not", repeat(0, 3), WaveWindow, true},
		{"the full wave was two ticks ago", append(repeat(0, 4), WaveWindow+time.Millisecond), 2*WaveWindow + time.Millisecond, true},
		{"the current wave is full", repeat(WaveWindow, 4), WaveWindow + time.Millisecond, false},
		{"the current wave is not", repeat(WaveWindow, 3), WaveWindow + time.Millisecond, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tide := &Tide{Window: WaveWindow, Size: 4}
			for _, r := range c.reads {
				tide.read(start.Add(r))
			}
			if got := tide.paced(start.Add(c.at)); got != c.want {
				t.Errorf("paced = %v, want %v", got, c.want)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestTheZeroTideNeverPaces(t *testing.T) {
	var tide Tide
	now := time.Now()
	tide.read(now)
	if tide.paced(now) {
		t.Error("the zero Tide paces")
	}
	server, client := tidePair(t, &tide)
	startBurst(t, server, client)
	reading := readAsync(server)
	write(t, client, "next")
	if r := waitRead(t, reading); r.data != "next" || r.err != nil {
		t.Fatalf("read = %q, %v", r.data, r.err)
	}
}

// waiting reports whether c waits for the tide's tick.
func waiting(tide *Tide, c net.Conn) bool {
	tide.mu.Lock()
	defer tide.mu.Unlock()
	_, ok := tide.waiting[c.(*tideConn)]
	return ok
}

func waitUntilWaiting(t *testing.T, tide *Tide, c net.Conn) {
	t.Helper()
	waitUntil(t, "the reader did not wait for the tick", func() bool { return waiting(tide, c) })
}

// waitUntil checks cond every millisecond until it holds, failing after
// 10 s: for states no channel announces.
func waitUntil(t *testing.T, failure string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(failure)
		}
		time.Sleep(time.Millisecond)
	}
}

// At a tick only the connections that have something to read are woken;
// the others keep waiting, for the next tick, without trying a read.
func TestTideWakesOnlyTheConnectionsWithSomethingToRead(t *testing.T) {
	tide, rings := manualTide(t)
	idle, idleClient := tidePair(t, tide)
	busy, busyClient := tidePair(t, tide)
	startBurst(t, busy, busyClient)

	idleReading, busyReading := readAsync(idle), readAsync(busy)
	ring := waitRing(t, rings)
	waitUntilWaiting(t, tide, idle)
	waitUntilWaiting(t, tide, busy)
	write(t, busyClient, "press")
	ring()
	if r := waitRead(t, busyReading); r.data != "press" || r.err != nil {
		t.Fatalf("read at the tick = %q, %v; want the press", r.data, r.err)
	}
	if !waiting(tide, idle) || len(idle.(*tideConn).wake) != 0 {
		t.Fatal("a connection with nothing to read was woken at the tick")
	}
	next := waitRing(t, rings) // the idle connection's wait goes on to the next tick
	write(t, idleClient, "later")
	next()
	if r := waitRead(t, idleReading); r.data != "later" || r.err != nil {
		t.Fatalf("read at the next tick = %q, %v", r.data, r.err)
	}
}

// Once the burst is over, a tick sends every waiting reader back to wait
// for data, so that a press coming alone is read at once.
func TestTideEndOfABurstWakesEveryReader(t *testing.T) {
	tide, rings := manualTide(t)
	server, client := tidePair(t, tide)
	startBurst(t, server, client)
	reading := readAsync(server)
	ring := waitRing(t, rings)
	waitUntilWaiting(t, tide, server)
	tide.last.Store(time.Now().Add(-BurstGap).UnixNano()) // nothing read for BurstGap
	ring()
	waitUntil(t, "the reader still waits for the tide after the burst", func() bool {
		return !waiting(tide, server) && len(server.(*tideConn).wake) == 0
	})
	write(t, client, "alone")
	if r := waitRead(t, reading); r.data != "alone" || r.err != nil {
		t.Fatalf("read = %q, %v", r.data, r.err)
	}
	if len(rings) != 0 {
		t.Fatal("a tick was set after the burst")
	}
}
