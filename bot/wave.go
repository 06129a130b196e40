package bot

import (
	"sync"
	"time"
)

// WaveWindow is how long the presses that come one by one during a burst
// are gathered before they are handled together, and WaveSize how many at
// most.
//
// Discord sends each press in a gateway frame or an HTTP request of its
// own, one or two milliseconds apart at 500 to 1,000 presses/s. Handled as
// they came, each press found Agora idle, and its grouped statements and
// its answer each woke sleeping threads: those wake-ups, not the press's
// own work, made most of its CPU at 500/s (docs/benchmarks.md). A wave
// makes one group of each statement and keeps the threads busy while it is
// handled, as Telegram's long polling does with its batches (it waits
// 40 ms after a batch that was not full). A press waits at most 40 ms
// more, far inside Discord's 3 seconds.
//
// The Discord gateway is read in waves of WaveWindow, its frames waiting
// in the socket (see bot/discord's pacedConn); HTTP interactions, which
// come on connections of their own, join a Wave. At 2,000/s they overlap
// anyway and a wave saves nothing, so it goes as soon as it holds WaveSize
// presses: a press then waits 16 ms at most.
//
// Telegram's webhook does not wait in waves: Telegram sends at most 100
// requests at once, so each millisecond a request is held lowers how many
// updates a second it can deliver (at 2,000/s a 40 ms wave made a backlog
// of 600 ms).
const (
	WaveWindow = 40 * time.Millisecond
	WaveSize   = 32
)

// BurstGap is how recent the previous press must be for a burst to be
// under way; a press that comes alone is handled at once.
const BurstGap = 100 * time.Millisecond

// Wave gathers the presses of a burst (see WaveWindow). Its zero value
// lets every press go at once.
type Wave struct {
	Window time.Duration
	Size   int // a wave goes once it holds Size presses; 0: no bound
	// Now and After stand for time.Now and time.AfterFunc; tests replace
	// them.
	Now   func() time.Time
	After func(d time.Duration, f func())

	mu     sync.Mutex
	open   chan struct{} // the wave being gathered; nil when none is
	joined int           // presses in the open wave
	last   time.Time     // when the previous press joined
}

// gone is the wave of a press that need not wait.
var gone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Join returns a channel that is closed when the caller's press may be
// handled: at once when no burst is under way, else when its wave has
// been gathered.
func (w *Wave) Join() <-chan struct{} {
	w.mu.Lock()
	now := w.clock()
	burst := !w.last.IsZero() && now.Sub(w.last) < BurstGap
	w.last = now
	if !burst || w.Window <= 0 {
		w.mu.Unlock()
		return gone
	}
	c := w.open
	first := c == nil
	if first {
		c = make(chan struct{})
		w.open, w.joined = c, 0
	}
	w.joined++
	if w.Size > 0 && w.joined >= w.Size {
		close(c)
		w.open = nil
	}
	w.mu.Unlock()
	if first {
		w.startAfter(w.Window, func() { w.release(c) })
	}
	return c
}

// Release lets the wave being gathered go; an adapter calls it when it
// stops, so no press waits for the timer.
func (w *Wave) Release() {
	w.mu.Lock()
	c := w.open
	w.mu.Unlock()
	if c != nil {
		w.release(c)
	}
}

// release lets wave c go, unless it went already (Release, then its timer).
func (w *Wave) release(c chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.open == c {
		close(c)
		w.open = nil
	}
}

func (w *Wave) clock() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Wave) startAfter(d time.Duration, f func()) {
	if w.After != nil {
		w.After(d, f)
		return
	}
	time.AfterFunc(d, f)
}
