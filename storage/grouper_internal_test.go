package storage

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestValueRows(t *testing.T) {
	tests := []struct {
		types    []string
		n        int
		want     string
		wantArgs string
	}{
		{[]string{"text"}, 1, "($1::text)", "[r0c0]"},
		{[]string{"text", "bigint"}, 2, "($1::text, $2::bigint), ($3::text, $4::bigint)", "[r0c0 r0c1 r1c0 r1c1]"},
		{[]string{"int", "text", "timestamptz"}, 3, "($1::int, $2::text, $3::timestamptz), ($4::int, $5::text, $6::timestamptz), ($7::int, $8::text, $9::timestamptz)",
			"[r0c0 r0c1 r0c2 r1c0 r1c1 r1c2 r2c0 r2c1 r2c2]"},
	}
	for _, tt := range tests {
		got, args := valueRows(tt.types, tt.n, func(i int) []any {
			row := make([]any, len(tt.types))
			for j := range row {
				row[j] = fmt.Sprintf("r%dc%d", i, j)
			}
			return row
		})
		if got != tt.want || fmt.Sprint(args) != tt.wantArgs {
			t.Errorf("valueRows(%v, %d) = %q %v, want %q %s", tt.types, tt.n, got, args, tt.want, tt.wantArgs)
		}
	}
}

// recordingGrouper writes nothing; it records the size of each group.
func recordingGrouper() (*grouper[int, int], *[]int) {
	var sizes []int
	g := &grouper[int, int]{
		max:   maxGroup,
		key:   func(p *int) int { return *p },
		write: func(_ context.Context, group []*int) { sizes = append(sizes, len(group)) },
		fail:  func(*int, error) {},
	}
	return g, &sizes
}

func TestGrouperWritesAtOnceWhenIdle(t *testing.T) {
	g, sizes := recordingGrouper()
	g.pause = func(time.Duration) { t.Error("an idle grouper paused before writing") }
	v := 1
	g.do(context.Background(), &v)
	if fmt.Sprint(*sizes) != "[1]" {
		t.Fatalf("groups %v, want one group of one", *sizes)
	}
	if c := g.count(); c != (GroupCount{Groups: 1, Requests: 1}) {
		t.Fatalf("count %+v", c)
	}
}

// A wave of requests arriving just after a group was written (a Telegram
// batch handed to many workers) goes out as one group, not as a group of
// one followed by the rest.
func TestGrouperGathersAWaveDuringABurst(t *testing.T) {
	g, sizes := recordingGrouper()
	const wave = 12
	paused := 0
	g.pause = func(time.Duration) {
		paused++
		deadline := time.Now().Add(10 * time.Second)
		for {
			g.mu.Lock()
			n := len(g.queue)
			g.mu.Unlock()
			if n == wave {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("only %d of %d requests queued", n, wave)
				return
			}
			runtime.Gosched()
		}
	}
	// A group was written a moment ago, and stays so however late the
	// goroutines below start on a loaded machine: dated now, it was older
	// than burstWindow (100 ms) by then, and the first request was
	// written alone at once.
	g.written = time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	for i := range wave {
		wg.Go(func() {
			v := i
			g.do(context.Background(), &v)
		})
	}
	wg.Wait()
	if fmt.Sprint(*sizes) != "[12]" || paused != 1 {
		t.Fatalf("groups %v after %d pauses, want one group of %d after one pause", *sizes, paused, wave)
	}
	if c := g.count(); c != (GroupCount{Groups: 1, Requests: wave}) {
		t.Fatalf("count %+v", c)
	}
}
