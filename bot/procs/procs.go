// Package procs sets how many threads run Go code at once (GOMAXPROCS)
// from what the process uses.
//
// On a small machine shared with PostgreSQL, a process that uses a fifth
// of a core still runs on every core: each time one of its goroutines
// wakes another, the runtime wakes a second thread to look for work, and
// that thread mostly finds none and sleeps again. At 500 presses/s on 2
// cores that was 0.9 to 1.6 of the 4.5 to 6.3 context switches of a
// press, and 5 to 15% of Agora's CPU (docs/benchmarks.md, "One thread
// while one is enough"). One thread served 3,000 presses/s on Discord's
// gateway at the same latency, so the Governor keeps one while the
// process uses less than a quarter of a core, and gives the runtime's
// default back as soon as it uses half of one.
package procs

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

// Rule says when to change.
type Rule struct {
	Up           float64 // cores used over a window that bring back the default
	Down         float64 // cores used below which a window is quiet
	QuietWindows int     // quiet windows in a row before going down to one
}

// DefaultRule, over windows of half a second: a press costs 0.15 to
// 0.3 ms, so half a core is 1,700 to 3,000 presses/s; going down waits for
// five quiet seconds, so that the pauses within a burst do not take the
// cores away.
var DefaultRule = Rule{Up: 0.5, Down: 0.25, QuietWindows: 10}

// State is the governor's: the threads in use and the quiet windows
// counted so far.
type State struct {
	Procs int
	Quiet int
}

// Next is the state after a window in which the process used `used`
// cores, when the runtime's default is defaultProcs.
func (r Rule) Next(s State, defaultProcs int, used float64) State {
	switch {
	case s.Procs < defaultProcs && used >= r.Up:
		return State{Procs: defaultProcs}
	case s.Procs > 1 && used < r.Down:
		if s.Quiet+1 >= r.QuietWindows {
			return State{Procs: 1}
		}
		return State{Procs: s.Procs, Quiet: s.Quiet + 1}
	}
	return State{Procs: s.Procs}
}

// Governor applies a Rule every Window until its context ends.
type Governor struct {
	Rule   Rule
	Window time.Duration
	// CPU is the process's CPU time so far (user and system); Set makes n
	// threads run Go code, 0 meaning the runtime's default, and returns
	// how many do now. Both default to the real process.
	CPU func() (time.Duration, error)
	Set func(n int) int
	// Tick, when set, replaces the ticker (tests).
	Tick <-chan time.Time
}

// New is a Governor of the real process, or nil where its CPU time
// cannot be read.
func New() *Governor {
	if processCPU == nil {
		return nil
	}
	return &Governor{Rule: DefaultRule, Window: 500 * time.Millisecond, CPU: processCPU, Set: setProcs}
}

func setProcs(n int) int {
	if n == 0 {
		runtime.SetDefaultGOMAXPROCS()
	} else {
		runtime.GOMAXPROCS(n)
	}
	return runtime.GOMAXPROCS(0)
}

// Run governs until ctx ends, starting on one thread, then gives the
// runtime its default back. It returns at once when the default is a
// single thread, and with an error, the default given back, when the
// process's CPU time cannot be read.
func (g *Governor) Run(ctx context.Context) error {
	defaultProcs := g.Set(0)
	if defaultProcs <= 1 {
		return nil
	}
	defer g.Set(0)
	// A process starts quiet (and spends most of its life so): one thread
	// until a window shows more is used.
	g.Set(1)
	tick := g.Tick
	if tick == nil {
		t := time.NewTicker(g.Window)
		defer t.Stop()
		tick = t.C
	}
	lastCPU, err := g.CPU()
	if err != nil {
		return fmt.Errorf("govern GOMAXPROCS: %w", err)
	}
	last := time.Now()
	s := State{Procs: 1}
	for {
		var at time.Time
		select {
		case <-ctx.Done():
			return nil
		case at = <-tick:
		}
		cpu, err := g.CPU()
		if err != nil {
			return fmt.Errorf("govern GOMAXPROCS: %w", err)
		}
		wall := at.Sub(last)
		if wall <= 0 {
			continue
		}
		used := float64(cpu-lastCPU) / float64(wall)
		lastCPU, last = cpu, at
		next := g.Rule.Next(s, defaultProcs, used)
		if next.Procs != s.Procs {
			if next.Procs == defaultProcs {
				// The default may have changed meanwhile (a container's
				// CPU limit): the runtime knows it, and follows it again.
				defaultProcs = g.Set(0)
				next.Procs = defaultProcs
			} else {
				g.Set(next.Procs)
			}
		}
		s = next
	}
}
