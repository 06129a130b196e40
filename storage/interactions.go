package storage

import (
	"context"
	"fmt"
	"time"
)

// ClaimInteraction records that this process handles a platform's
// interaction (or update) now. It reports false when some process already
// did: the caller then leaves it alone. One statement, so it costs a
// button press one round trip.
func (s *Store) ClaimInteraction(ctx context.Context, platform, id string, now time.Time) (bool, error) {
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
