package storage

import (
	"context"
	"fmt"
	"time"
)

// ChatQueries is how many chat lookups of s reached the database.
func ChatQueries(s *Store) int64 { return s.chatQueries.Load() }

// ClaimTelegramUpdateWithoutLiveness claims an update as versions of
// Agora did before liveness: with no lock key.
func ClaimTelegramUpdateWithoutLiveness(ctx context.Context, s *Store, botID int64, holder string, at time.Time, id int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO telegram_updates (bot_id, update_id, body, holder, claimed_at) VALUES ($1, $2, '{}', $3, $4)`,
		botID, id, holder, at.UTC())
	return err
}

// EndLivenessSession ends, from another session, the PostgreSQL session
// holding l's lock, as the server does when its process is killed.
func EndLivenessSession(ctx context.Context, s *Store, l *Liveness) error {
	var ended bool
	err := s.db.GetContext(ctx, &ended, `SELECT COALESCE(bool_and(pg_terminate_backend(pid, 5000)), FALSE) FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND ((classid::bigint << 32) | objid::bigint) = $1`, l.key)
	if err != nil {
		return err
	}
	if !ended {
		return fmt.Errorf("no session holds the liveness of %s", l.holder)
	}
	return nil
}
