package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// grouper writes concurrent requests of one kind in groups on PostgreSQL:
// requests arriving while a group is being written wait and go together
// in the next single statement, so a burst costs one round trip and one
// commit per group instead of one per request. Each caller returns once
// its own request is written. There is no goroutine: the first caller to
// find no group in flight writes one, then hands the turn to a waiting
// caller.
type grouper[T any, K comparable] struct {
	max   int
	key   func(*T) K                            // requests with the same key never share a group
	write func(ctx context.Context, group []*T) // sets each request's outcome
	fail  func(item *T, err error)              // sets an outcome when write panics
	pause func(time.Duration)                   // time.Sleep when nil; tests replace it

	mu      sync.Mutex
	queue   []*waiter[T]
	writing bool      // a caller is writing a group or has been told to
	written time.Time // when the last group was written

	groups, requests atomic.Int64 // written so far, for GroupCounts
}

type waiter[T any] struct {
	item   *T
	signal chan bool // true: your turn to write a group; false: your request is done
}

// groupWriteTimeout bounds one group's statement. The group belongs to
// many callers, so it does not run under any one caller's context.
const groupWriteTimeout = 30 * time.Second

// do queues item and returns once a group containing it is written.
func (g *grouper[T, K]) do(ctx context.Context, item *T) {
	w := &waiter[T]{item: item, signal: make(chan bool, 2)}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	turn := !g.writing
	g.writing = true
	burst := turn && time.Since(g.written) < burstWindow
	g.mu.Unlock()
	if burst {
		// Nothing is being written, but a group was a moment ago: the
		// requests of a burst come in waves (a Telegram batch handed to
		// many workers at once), so wait for the rest of this wave.
		g.sleep(groupLinger)
	}
	if turn {
		g.writeGroup(ctx)
	}
	for <-w.signal {
		// The turn came from a group just written while more requests
		// waited: a burst is under way, so let the next group fill a
		// little (see groupLinger).
		g.sleep(groupLinger)
		g.writeGroup(ctx)
	}
}

func (g *grouper[T, K]) sleep(d time.Duration) {
	if g.pause != nil {
		g.pause(d)
		return
	}
	time.Sleep(d)
}

// groupLinger is how long a group waits for company when a burst is
// under way. Without it, requests that arrive one by one (Discord delivers
// each interaction on its own) made groups of one or two, each a round
// trip and a commit; a request arriving when nothing is being written is
// still written at once.
const groupLinger = 5 * time.Millisecond

// burstWindow is how recent the last group must be for a burst to be
// under way.
const burstWindow = 100 * time.Millisecond

// writeGroup writes one group from the queue, then passes the turn to the
// oldest waiting caller, or ends it when nobody waits.
func (g *grouper[T, K]) writeGroup(ctx context.Context) {
	g.mu.Lock()
	group, rest := g.take()
	g.queue = rest
	g.mu.Unlock()

	items := make([]*T, len(group))
	for i, w := range group {
		items[i] = w.item
	}
	g.groups.Add(1)
	g.requests.Add(int64(len(items)))
	// One caller giving up must not fail the others' requests.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupWriteTimeout)
	g.safeWrite(wctx, items)
	cancel()
	for _, w := range group {
		w.signal <- false
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	g.written = time.Now()
	if len(g.queue) == 0 {
		g.writing = false
		return
	}
	g.queue[0].signal <- true
}

// take picks up to max queued requests with distinct keys: a second
// request with the same key waits for the next group, so within a group
// every row is written once and the order of one key's requests is kept.
func (g *grouper[T, K]) take() (group, rest []*waiter[T]) {
	seen := map[K]bool{}
	for _, w := range g.queue {
		k := g.key(w.item)
		if len(group) < g.max && !seen[k] {
			seen[k] = true
			group = append(group, w)
			continue
		}
		seen[k] = true // keep later requests with this key behind this one
		rest = append(rest, w)
	}
	return group, rest
}

// GroupCount is how many groups of one kind were written, and how many
// requests they carried: their ratio says how well a burst is grouped.
type GroupCount struct{ Groups, Requests int64 }

func (g *grouper[T, K]) count() GroupCount {
	return GroupCount{Groups: g.groups.Load(), Requests: g.requests.Load()}
}

// GroupCounts reports the grouped writes made so far, by kind (ballots,
// members, interaction claims).
func (s *Store) GroupCounts() map[string]GroupCount {
	return map[string]GroupCount{
		"ballots": s.ballots.g.count(),
		"members": s.members.g.count(),
		"claims":  s.claims.g.count(),

		"telegram_claims": s.updateClaims.g.count(),
	}
}

// safeWrite turns a panic into an error for the whole group, so the turn
// is always passed on and no caller waits forever.
func (g *grouper[T, K]) safeWrite(ctx context.Context, items []*T) {
	defer func() {
		if r := recover(); r != nil {
			for _, it := range items {
				g.fail(it, fmt.Errorf("write a group: panic: %v", r))
			}
		}
	}()
	g.write(ctx, items)
}

// valueRows builds the VALUES list of a group's statement: n rows of
// placeholders, each cast to the column types given (PostgreSQL cannot
// infer a VALUES column's type from a parameter), numbered one after the
// other, with their arguments in the same order.
func valueRows(types []string, n int, row func(i int) []any) (string, []any) {
	var sb strings.Builder
	args := make([]any, 0, len(types)*n)
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j, t := range types {
			if j > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("$" + strconv.Itoa(len(args)+j+1) + "::" + t)
		}
		sb.WriteByte(')')
		args = append(args, row(i)...)
	}
	return sb.String(), args
}
