package polls

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage"
)

// coalescer turns a stream of ballots into a handful of message edits.
// Each ballot marks its poll dirty (a map write, nothing more); Flush,
// called on every turn of the runtime's job loop, edits the posts of dirty
// polls whose last edit is at least interval old, so a burst of thousands
// of votes costs one edit per message per interval. It keeps no goroutine
// of its own: its owner is whoever calls Flush, and ctx stops it.
//
// The dirty set lives in memory: after a restart, the next ballot marks the
// poll again. With several Agora processes, each edits for the ballots it
// received, so a message may be edited once per interval per process.
type coalescer struct {
	clock    commands.Clock
	interval time.Duration
	refresh  refreshFunc
	log      *slog.Logger

	mu       sync.Mutex
	dirty    map[int64]bool
	lastEdit map[postKey]time.Time
	flushing sync.Mutex // one Flush at a time, so two never edit one message together
}

// refreshFunc edits the posts of a poll for which due returns true and
// returns the posts it edited.
type refreshFunc func(ctx context.Context, pollID int64, due func(storage.PollPost) bool) ([]storage.PollPost, error)

type postKey struct{ platform, chat, message string }

func keyOf(p storage.PollPost) postKey { return postKey{p.Platform, p.PlatformChatID, p.MessageID} }

func newCoalescer(clock commands.Clock, interval time.Duration, refresh refreshFunc, log *slog.Logger) *coalescer {
	return &coalescer{clock: clock, interval: interval, refresh: refresh, log: log, dirty: map[int64]bool{}, lastEdit: map[postKey]time.Time{}}
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
// before its tally is read, so a ballot arriving meanwhile marks it again
// and is shown by a later edit: no vote is ever left undisplayed.
func (c *coalescer) Flush(ctx context.Context) error {
	c.flushing.Lock()
	defer c.flushing.Unlock()
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
		now := c.clock.Now()
		c.mu.Lock()
		delete(c.dirty, id)
		c.mu.Unlock()
		waiting := false
		due := func(p storage.PollPost) bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			last, seen := c.lastEdit[keyOf(p)]
			if seen && now.Sub(last) < c.interval {
				waiting = true
				return false
			}
			return true
		}
		edited, err := c.refresh(ctx, id, due)
		c.mu.Lock()
		for _, p := range edited {
			c.lastEdit[keyOf(p)] = now
		}
		if waiting {
			c.dirty[id] = true
		}
		c.forgetOld(now)
		c.mu.Unlock()
		if err != nil {
			// A failed edit is not retried on its own: the next ballot
			// marks the poll again, and the close edits every post anyway.
			c.log.Warn("live poll edit failed", "poll", id, "error", err)
		}
	}
	return nil
}

// forgetOld drops edit times that no longer limit anything, so the map
// does not grow with every message ever edited.
func (c *coalescer) forgetOld(now time.Time) {
	if len(c.lastEdit) < 1000 {
		return
	}
	for k, t := range c.lastEdit {
		if now.Sub(t) >= c.interval {
			delete(c.lastEdit, k)
		}
	}
}
