package procs

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRuleNext(t *testing.T) {
	r := Rule{Up: 0.5, Down: 0.25, QuietWindows: 3}
	for _, tt := range []struct {
		name string
		s    State
		used float64
		want State
	}{
		{"busy on one thread: the default", State{Procs: 1}, 0.6, State{Procs: 4}},
		{"exactly the bound: the default", State{Procs: 1}, 0.5, State{Procs: 4}},
		{"middling on one thread: stays", State{Procs: 1}, 0.4, State{Procs: 1}},
		{"quiet on one thread: stays", State{Procs: 1}, 0.01, State{Procs: 1}},
		{"first quiet window on the default", State{Procs: 4}, 0.1, State{Procs: 4, Quiet: 1}},
		{"last quiet window: one thread", State{Procs: 4, Quiet: 2}, 0.1, State{Procs: 1}},
		{"a busy window starts the count again", State{Procs: 4, Quiet: 2}, 0.3, State{Procs: 4}},
		{"busy on the default: stays", State{Procs: 4}, 1.8, State{Procs: 4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Next(tt.s, 4, tt.used); got != tt.want {
				t.Fatalf("Next(%+v, 4, %v) = %+v, want %+v", tt.s, tt.used, got, tt.want)
			}
		})
	}
}

// The governor starts on one thread, goes to the default in the first
// busy window, back to one after its quiet windows in a row, and leaves
// the default set when it stops.
func TestGovernorFollowsTheProcessUse(t *testing.T) {
	cpu := make(chan time.Duration)
	var set []int
	tick := make(chan time.Time)
	g := &Governor{
		Rule: Rule{Up: 0.5, Down: 0.25, QuietWindows: 2},
		CPU:  func() (time.Duration, error) { return <-cpu, nil },
		Set:  recordSet(&set),
		Tick: tick,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := g.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	start := time.Now()
	cpu <- 0
	var used time.Duration
	clock := start
	window := func(d time.Duration) {
		used += d
		clock = clock.Add(time.Second)
		tick <- clock
		cpu <- used
	}
	window(100 * time.Millisecond) // quiet: one thread, as at the start
	window(300 * time.Millisecond) // below Up: still one
	window(900 * time.Millisecond) // busy: the default
	window(100 * time.Millisecond) // quiet, once
	window(600 * time.Millisecond) // busy: stays, and the count starts again
	window(100 * time.Millisecond) // quiet
	window(100 * time.Millisecond) // quiet twice: one thread
	window(200 * time.Millisecond) // quiet on one thread: stays
	cancel()
	<-done
	if want := []int{0, 1, 0, 1, 0}; !slices.Equal(set, want) {
		t.Fatalf("GOMAXPROCS set to %v (0: the default), want %v", set, want)
	}
}

// recordSet records what GOMAXPROCS is set to, on a machine whose
// default is two.
func recordSet(set *[]int) func(int) int {
	return func(n int) int {
		*set = append(*set, n)
		if n == 0 {
			return 2
		}
		return n
	}
}

// Where the runtime's default is one thread, there is nothing to govern.
func TestGovernorOnOneCore(t *testing.T) {
	calls := 0
	g := &Governor{
		Rule: DefaultRule,
		CPU:  func() (time.Duration, error) { calls++; return 0, nil },
		Set:  func(int) int { return 1 },
		Tick: make(chan time.Time),
	}
	// Returns at once, or the test times out.
	if err := g.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls != 0 {
		t.Fatalf("CPU read %d times on a single core", calls)
	}
}

// A process whose CPU time cannot be read says so, and is left with the
// runtime's default.
func TestGovernorWithoutCPUTime(t *testing.T) {
	var set []int
	tick := make(chan time.Time, 1)
	reads := 0
	g := &Governor{
		Rule: DefaultRule,
		CPU: func() (time.Duration, error) {
			reads++
			if reads > 1 {
				return 0, errors.New("getrusage: operation not permitted")
			}
			return 0, nil
		},
		Set:  recordSet(&set),
		Tick: tick,
	}
	tick <- time.Now().Add(time.Second)
	err := g.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "operation not permitted") {
		t.Fatalf("Run = %v, want the CPU time's error", err)
	}
	if want := []int{0, 1, 0}; !slices.Equal(set, want) {
		t.Fatalf("GOMAXPROCS set to %v, want %v (the default given back)", set, want)
	}
}

func TestProcessCPUAdvances(t *testing.T) {
	if processCPU == nil {
		t.Skip("no process CPU time on this system")
	}
	before, err := processCPU()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for x := 0; ; x++ {
		after, err := processCPU()
		if err != nil {
			t.Fatal(err)
		}
		if after > before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("CPU time stayed at %v over 10 s of work", before)
		}
		_ = slices.Contains([]int{x}, x+1) // work
	}
}
