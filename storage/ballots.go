package storage

import (
	"context"
	"sort"
	"time"
)

// ballotGroups casts ballots in groups on PostgreSQL (see grouper): a
// burst of votes costs one commit (one WAL flush) per group instead of one
// per ballot. On SQLite, which has one writer anyway, a ballot is written
// alone.
type ballotGroups struct {
	s *Store
	g grouper[pendingBallot, ballotKey]
}

type pendingBallot struct {
	rule     BallotRule
	choices  string
	now      time.Time
	replaced bool
	err      error
}

// ballotKey is one person's ballot on one poll: a second ballot of the
// same person waits for the next group, which keeps their order.
type ballotKey struct{ poll, member int64 }

// maxGroup keeps a group's statement well under PostgreSQL's 65,535
// parameters (7 per ballot, 5 per member) and its latency short.
const maxGroup = 256

func newBallotGroups(s *Store) *ballotGroups {
	b := &ballotGroups{s: s}
	b.g = grouper[pendingBallot, ballotKey]{
		max:   maxGroup,
		key:   func(p *pendingBallot) ballotKey { return ballotKey{p.rule.PollID, p.rule.MemberID} },
		write: b.write,
		fail:  func(p *pendingBallot, err error) { p.replaced, p.err = false, err },
	}
	return b
}

// cast stores a ballot, grouped with concurrent ones on PostgreSQL.
func (b *ballotGroups) cast(ctx context.Context, rule BallotRule, choices []int, now time.Time) (bool, error) {
	encoded := encodeChoices(choices)
	if b.s.dialect != Postgres {
		return b.s.castBallot(ctx, b.s.db, rule, encoded, now)
	}
	p := &pendingBallot{rule: rule, choices: encoded, now: now.UTC()}
	b.g.do(ctx, p)
	return p.replaced, p.err
}

func (b *ballotGroups) write(ctx context.Context, group []*pendingBallot) {
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
	values, args := valueRows([]string{"bigint", "bigint", "text", "timestamptz", "bigint", "text", "int"}, len(sorted), func(i int) []any {
		p := sorted[i]
		return []any{p.rule.PollID, p.rule.MemberID, p.choices, p.now, p.rule.CommunityID, p.rule.Kind, p.rule.Role}
	})
	query := `INSERT INTO poll_ballots (poll_id, member_id, choices, cast_at)
		SELECT v.poll_id, v.member_id, v.choices, v.cast_at
		FROM (VALUES ` + values + `) AS v (poll_id, member_id, choices, cast_at, community_id, kind, role)
		WHERE EXISTS (SELECT 1 FROM polls p WHERE p.id = v.poll_id AND p.status = 'open'
			AND p.community_id = v.community_id AND p.kind = v.kind AND (p.deadline IS NULL OR p.deadline > v.cast_at)
			AND p.voter_rank <= v.role)
		ON CONFLICT (poll_id, member_id) DO UPDATE SET choices = excluded.choices, cast_at = excluded.cast_at,
			revision = poll_ballots.revision + 1
		RETURNING poll_id, member_id, revision`
	revisions := map[ballotKey]int{}
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
			revisions[ballotKey{poll, member}] = revision
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
		rev, ok := revisions[ballotKey{p.rule.PollID, p.rule.MemberID}]
		if !ok {
			p.err = ErrPollNotOpen
			continue
		}
		p.replaced = rev > 1
	}
}
