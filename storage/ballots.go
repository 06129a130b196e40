package storage

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BallotBatcher casts ballots in groups on PostgreSQL: ballots arriving
// while a group is being written wait and go together in the next single
// statement, so a burst of votes costs one commit (one WAL flush) per
// group instead of one per ballot. Each caller still returns only once its
// own ballot is committed. There is no goroutine: the first caller to find
// no group in flight writes one, then hands the turn to a waiting caller.
// On SQLite, which has one writer anyway, it is CastBallot.
type BallotBatcher struct {
	s   *Store
	max int

	mu      sync.Mutex
	queue   []*pendingBallot
	writing bool // a caller is writing a group or has been told to
}

type pendingBallot struct {
	rule     BallotRule
	choices  string
	now      time.Time
	signal   chan bool // true: your turn to write a group; false: your ballot is done
	replaced bool
	err      error
}

// maxBatch keeps a group's statement well under PostgreSQL's 65,535
// parameters (7 per ballot) and its latency short.
const maxBatch = 256

func newBallotBatcher(s *Store) *BallotBatcher { return &BallotBatcher{s: s, max: maxBatch} }

// cast stores a ballot, grouped with concurrent ones on PostgreSQL.
func (b *BallotBatcher) cast(ctx context.Context, rule BallotRule, choices []int, now time.Time) (bool, error) {
	encoded := encodeChoices(choices)
	if b.s.dialect != Postgres {
		return b.s.castBallot(ctx, b.s.db, rule, encoded, now)
	}
	p := &pendingBallot{rule: rule, choices: encoded, now: now.UTC(), signal: make(chan bool, 2)}
	b.mu.Lock()
	b.queue = append(b.queue, p)
	turn := !b.writing
	b.writing = true
	b.mu.Unlock()
	for {
		if turn {
			b.writeGroup(ctx)
		}
		if turn = <-p.signal; !turn {
			return p.replaced, p.err
		}
	}
}

// writeGroup writes one group from the queue, then passes the turn to the
// oldest waiting caller, or ends it when nobody waits.
func (b *BallotBatcher) writeGroup(ctx context.Context) {
	b.mu.Lock()
	group, rest := b.take()
	b.queue = rest
	b.mu.Unlock()

	// The group belongs to many callers: one caller giving up must not
	// fail the others' ballots.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	b.safeWrite(wctx, group)
	cancel()
	for _, p := range group {
		p.signal <- false
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) == 0 {
		b.writing = false
		return
	}
	b.queue[0].signal <- true
}

// take picks up to max queued ballots with distinct (poll, member): a
// second ballot of the same person waits for the next group, so within a
// group every row is written once and the order of a person's ballots is kept.
func (b *BallotBatcher) take() (group, rest []*pendingBallot) {
	type key struct{ poll, member int64 }
	seen := map[key]bool{}
	for _, p := range b.queue {
		k := key{p.rule.PollID, p.rule.MemberID}
		if len(group) < b.max && !seen[k] {
			seen[k] = true
			group = append(group, p)
			continue
		}
		seen[k] = true // keep later ballots of this person behind this one
		rest = append(rest, p)
	}
	return group, rest
}

// safeWrite turns a panic into an error for the whole group, so the turn
// is always passed on and no voter waits forever.
func (b *BallotBatcher) safeWrite(ctx context.Context, group []*pendingBallot) {
	defer func() {
		if r := recover(); r != nil {
			for _, p := range group {
				p.replaced, p.err = false, fmt.Errorf("write ballots: panic: %v", r)
			}
		}
	}()
	b.write(ctx, group)
}

func (b *BallotBatcher) write(ctx context.Context, group []*pendingBallot) {
	if len(group) == 1 {
		p := group[0]
		p.replaced, p.err = b.s.castBallot(ctx, b.s.db, p.rule, p.choices, p.now)
		return
	}
	// A fixed lock order keeps two processes' groups from deadlocking.
	sorted := append([]*pendingBallot(nil), group...)
	sort.Slice(sorted, func(i, j int) bool {
		a, c := sorted[i].rule, sorted[j].rule
		return a.PollID < c.PollID || a.PollID == c.PollID && a.MemberID < c.MemberID
	})
	var sb strings.Builder
	args := make([]any, 0, 7*len(sorted))
	for i, p := range sorted {
		if i > 0 {
			sb.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&sb, "($%d::bigint, $%d::bigint, $%d::text, $%d::timestamptz, $%d::bigint, $%d::text, $%d::int)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
		args = append(args, p.rule.PollID, p.rule.MemberID, p.choices, p.now, p.rule.CommunityID, p.rule.Kind, p.rule.Role)
	}
	query := `INSERT INTO poll_ballots (poll_id, member_id, choices, cast_at)
		SELECT v.poll_id, v.member_id, v.choices, v.cast_at
		FROM (VALUES ` + sb.String() + `) AS v (poll_id, member_id, choices, cast_at, community_id, kind, role)
		WHERE EXISTS (SELECT 1 FROM polls p WHERE p.id = v.poll_id AND p.status = 'open'
			AND p.community_id = v.community_id AND p.kind = v.kind AND (p.deadline IS NULL OR p.deadline > v.cast_at)
			AND p.voter_rank <= v.role)
		ON CONFLICT (poll_id, member_id) DO UPDATE SET choices = excluded.choices, cast_at = excluded.cast_at,
			revision = poll_ballots.revision + 1
		RETURNING poll_id, member_id, revision`
	revisions := map[string]int{}
	err := func() error {
		rows, err := b.s.db.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var poll, member int64
			var revision int
			if err := rows.Scan(&poll, &member, &revision); err != nil {
				return err
			}
			revisions[strconv.FormatInt(poll, 10)+"/"+strconv.FormatInt(member, 10)] = revision
		}
		return rows.Err()
	}()
	if err != nil {
		// Whatever went wrong (a deadlock with another process, a bad
		// row), each ballot gets its own chance and its own error.
		for _, p := range group {
			p.replaced, p.err = b.s.castBallot(ctx, b.s.db, p.rule, p.choices, p.now)
		}
		return
	}
	for _, p := range group {
		rev, ok := revisions[strconv.FormatInt(p.rule.PollID, 10)+"/"+strconv.FormatInt(p.rule.MemberID, 10)]
		if !ok {
			p.err = ErrPollNotOpen
			continue
		}
		p.replaced = rev > 1
	}
}
