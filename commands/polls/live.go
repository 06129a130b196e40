package polls

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/agora-community/agora/commands"
)

// coalescer turns a stream of ballots into a handful of message edits.
// Each ballot marks its poll dirty (a map write, nothing more: a write to
// the poll's row per ballot would serialize thousands of ballots on it);
// Flush, called on every turn of the runtime's job loop, edits the posts of
// dirty polls. The right to edit a message is claimed in the database
// (poll_posts.edited_at, see model.ClaimPollEdits), so a message is
// edited at most once per interval in all, however many Agora processes
// share the database and receive its ballots: a burst of thousands of
// votes costs one edit per message per interval. A process that finds a
// message's slot taken keeps the poll dirty and tries again on a later
// tick, so the ballots it received are shown by a later edit. It keeps no
// goroutine of its own: its owner is whoever calls Flush, and ctx stops it.
//
// The dirty set lives in memory; a process's first Flush marks every open
// poll that has posts, so ballots stored just before a crash or restart
// are shown (at the cost of one edit per open poll message at start).
type coalescer struct {
	clock    commands.Clock
	interval time.Duration
	refresh  refreshFunc
	posted   func(ctx context.Context) ([]int64, error) // open polls with posts, for the first Flush
	log      *slog.Logger

	mu       sync.Mutex
	dirty    map[int64]bool
	flushing sync.Mutex // one Flush at a time; guards started
	started  bool
}

// refreshFunc edits the posts of a poll whose edit slot it can claim at
// now, with the tally read after the claim. waiting reports posts whose
// slot was taken (or a failure before editing), for a later try.
type refreshFunc func(ctx context.Context, pollID int64, now time.Time, interval time.Duration) (waiting bool, err error)

func newCoalescer(clock commands.Clock, interval time.Duration, refresh refreshFunc, posted func(context.Context) ([]int64, error), log *slog.Logger) *coalescer {
	return &coalescer{clock: clock, interval: interval, refresh: refresh, posted: posted, log: log, dirty: map[int64]bool{}}
}

// Mark records that a poll's tally changed.
func (c *coalescer) Mark(pollID int64) {
	c.mu.Lock()
	c.dirty[pollID] = true
	c.mu.Unlock()
}

// Dirty reports whether a poll waits for an edit.
func (c *coalescer) Dirty(pollID int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dirty[pollID]
}

// Flush edits what is dirty and due. A poll is taken off the dirty set
// before its slot is claimed and its tally read, so a ballot arriving
// meanwhile marks it again and is shown by a later edit: no vote is ever
// left undisplayed.
func (c *coalescer) Flush(ctx context.Context) error {
	c.flushing.Lock()
	defer c.flushing.Unlock()
	if !c.started {
		ids, err := c.posted(ctx)
		if err != nil {
			return fmt.Errorf("mark open polls at start: %w", err)
		}
		for _, id := range ids {
			c.Mark(id)
		}
		c.started = true
	}
	c.mu.Lock()
	ids := make([]int64, 0, len(c.dirty))
	for id := range c.dirty {
		ids = append(ids, id)
	}
	c.mu.Unlock()
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.mu.Lock()
		delete(c.dirty, id)
		c.mu.Unlock()
		waiting, err := c.refresh(ctx, id, c.clock.Now(), c.interval)
		if waiting {
			c.Mark(id)
		}
		if err != nil {
			// A failed platform edit is not retried on its own: the next
			// ballot marks the poll again, and the close edits every post
			// anyway. A storage failure leaves the poll dirty (waiting).
			c.log.Warn("live poll edit failed", "poll", id, "error", err)
		}
	}
	return nil
}
