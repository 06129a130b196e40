package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// ClaimInteraction records that this process handles a platform's
// interaction (or update) now. It reports false when some process already
// did: the caller then leaves it alone. On PostgreSQL, claims arriving
// together are written in one statement (see grouper), so a burst of
// button presses costs one round trip and one commit per group.
func (s *Store) ClaimInteraction(ctx context.Context, platform, id string, now time.Time) (bool, error) {
	if s.dialect == Postgres {
		c := &pendingClaim{platform: platform, id: id, now: now.UTC()}
		s.claims.g.do(ctx, c)
		return c.first, c.err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO processed_interactions (platform, id, seen_at) VALUES ($1, $2, $3)
		ON CONFLICT (platform, id) DO NOTHING`, platform, id, now.UTC())
	if err != nil {
		return false, fmt.Errorf("claim %s interaction %s: %w", platform, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim %s interaction %s: %w", platform, id, err)
	}
	return n == 1, nil
}

type claimGroups struct {
	s *Store
	g grouper[pendingClaim, claimKey]
}

type pendingClaim struct {
	platform, id string
	now          time.Time
	first        bool
	err          error
}

type claimKey struct{ platform, id string }

func newClaimGroups(s *Store) *claimGroups {
	c := &claimGroups{s: s}
	c.g = grouper[pendingClaim, claimKey]{
		max:   maxGroup,
		key:   func(p *pendingClaim) claimKey { return claimKey{p.platform, p.id} },
		write: c.write,
		fail:  func(p *pendingClaim, err error) { p.err = err },
	}
	return c
}

func (c *claimGroups) write(ctx context.Context, group []*pendingClaim) {
	// A fixed order keeps two processes' groups from deadlocking on the
	// primary key.
	sorted := slices.Clone(group)
	slices.SortFunc(sorted, func(a, b *pendingClaim) int {
		return cmp.Or(cmp.Compare(a.platform, b.platform), cmp.Compare(a.id, b.id))
	})
	values, args := valueRows([]string{"text", "text", "timestamptz"}, len(sorted), func(i int) []any {
		return []any{sorted[i].platform, sorted[i].id, sorted[i].now}
	})
	claimed := map[claimKey]bool{}
	rows, err := c.s.db.QueryContext(ctx, `INSERT INTO processed_interactions (platform, id, seen_at)
		VALUES `+values+` ON CONFLICT (platform, id) DO NOTHING RETURNING platform, id`, args...)
	if err == nil {
		for rows.Next() {
			var k claimKey
			if err = rows.Scan(&k.platform, &k.id); err != nil {
				break
			}
			claimed[k] = true
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if err != nil {
		for _, p := range group {
			p.err = fmt.Errorf("claim %d interactions: %w", len(group), err)
		}
		return
	}
	for _, p := range group {
		p.first = claimed[claimKey{p.platform, p.id}]
	}
}

// ForgetInteractions drops the platform's interactions seen before
// before, which it can no longer deliver again, and returns how many.
func (s *Store) ForgetInteractions(ctx context.Context, platform string, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM processed_interactions WHERE platform = $1 AND seen_at < $2`, platform, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("forget %s interactions: %w", platform, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("forget %s interactions: %w", platform, err)
	}
	return n, nil
}
