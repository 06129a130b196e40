package bot_test

import (
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
)

// waveClock moves a wave's time by hand and keeps the timers it starts,
// which the test fires itself.
type waveClock struct {
	now    time.Time
	timers []func()
}

func newWave(t *testing.T) (*bot.Wave, *waveClock) {
	c := &waveClock{now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	w := &bot.Wave{
		Window: bot.WaveWindow,
		Now:    func() time.Time { return c.now },
		After: func(d time.Duration, f func()) {
			if d != bot.WaveWindow {
				t.Errorf("a wave's timer lasts %v, want its window %v", d, bot.WaveWindow)
			}
			c.timers = append(c.timers, f)
		},
	}
	return w, c
}

func (c *waveClock) join(w *bot.Wave, after time.Duration) <-chan struct{} {
	c.now = c.now.Add(after)
	return w.Join()
}

func gone(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func TestALonePressGoesAtOnce(t *testing.T) {
	w, c := newWave(t)
	for _, after := range []time.Duration{0, time.Minute, bot.BurstGap} {
		if !gone(c.join(w, after)) {
			t.Fatalf("a press %v after the previous one waits, want it to go at once", after)
		}
	}
	if len(c.timers) != 0 {
		t.Fatalf("%d wave timers started for presses that came alone", len(c.timers))
	}
}

func TestAWaveGathersTheBurstsPresses(t *testing.T) {
	w, c := newWave(t)
	if !gone(c.join(w, 0)) {
		t.Fatal("the first press waits")
	}
	second := c.join(w, 2*time.Millisecond)
	third := c.join(w, time.Millisecond)
	if second != third {
		t.Fatal("two presses a millisecond apart are in different waves")
	}
	if gone(second) {
		t.Fatal("a press of a burst went before its wave was gathered")
	}
	if len(c.timers) != 1 {
		t.Fatalf("%d wave timers for one wave, want 1", len(c.timers))
	}
	c.timers[0]()
	if !gone(second) {
		t.Fatal("the wave's presses wait after its timer fired")
	}

	// The burst goes on: the next press starts the next wave.
	fourth := c.join(w, time.Millisecond)
	if gone(fourth) || fourth == second {
		t.Fatal("a press after a wave went is not in a new wave")
	}
	w.Release() // as an adapter does when it stops
	if !gone(fourth) {
		t.Fatal("Release left the wave waiting")
	}

	// The released wave's timer fires later and must not let the next
	// wave go early.
	fifth := c.join(w, time.Millisecond)
	c.timers[1]()
	if gone(fifth) {
		t.Fatal("an earlier wave's timer let a later wave go")
	}
	c.timers[2]()
	if !gone(fifth) {
		t.Fatal("the wave waits after its own timer fired")
	}
}

func TestAWaveWithoutWindowLetsEveryPressGo(t *testing.T) {
	var w bot.Wave
	for i := range 3 {
		if !gone(w.Join()) {
			t.Fatalf("press %d waits in a wave without a window", i+1)
		}
	}
}

func TestAFullWaveGoesAtOnce(t *testing.T) {
	w, c := newWave(t)
	w.Size = 3
	c.join(w, 0) // alone
	first := c.join(w, time.Millisecond)
	c.join(w, time.Millisecond)
	if gone(first) {
		t.Fatal("a wave of 2 presses went, want it to wait for a third or its timer")
	}
	if third := c.join(w, time.Millisecond); third != first || !gone(first) {
		t.Fatal("a wave that reached its size waits")
	}
	next := c.join(w, time.Millisecond)
	if next == first || gone(next) {
		t.Fatal("the press after a full wave is not in a new wave")
	}
	c.timers[0]() // the full wave's timer fires later: the next wave keeps waiting
	if gone(next) {
		t.Fatal("a full wave's timer let the next wave go")
	}
	c.timers[1]()
	if !gone(next) {
		t.Fatal("the next wave waits after its own timer fired")
	}
}
