package storage

import (
	"context"
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
