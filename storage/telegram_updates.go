package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TelegramUpdate is one update as Telegram sent it: its id and its JSON body.
type TelegramUpdate struct {
	ID   int64
	Body string
}

// ClaimTelegramUpdates records updates taken from Telegram, in one
// statement, and returns the ids of those claimed now. An id already
// claimed (a redelivered update, a batch fetched again after a restart)
// is not returned: it is handled by whoever claimed it first, once.
func (s *Store) ClaimTelegramUpdates(ctx context.Context, botID int64, holder string, now time.Time, updates []TelegramUpdate) ([]int64, error) {
	if len(updates) == 0 {
		return nil, nil
	}
	var sb strings.Builder
	args := make([]any, 0, 3+2*len(updates))
	args = append(args, botID, holder, now.UTC())
	for i, u := range updates {
		if i > 0 {
			sb.WriteString(", ")
		}
		n := len(args)
		sb.WriteString("($1, $" + strconv.Itoa(n+1) + ", $" + strconv.Itoa(n+2) + ", $2, $3)")
		args = append(args, u.ID, u.Body)
	}
	var claimed []int64
	err := s.db.SelectContext(ctx, &claimed, `INSERT INTO telegram_updates (bot_id, update_id, body, holder, claimed_at)
		VALUES `+sb.String()+`
		ON CONFLICT (bot_id, update_id) DO NOTHING
		RETURNING update_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("claim %d telegram updates: %w", len(updates), err)
	}
	return claimed, nil
}

// HandledTelegramUpdates marks claimed updates as handled, so they are
// never taken over.
func (s *Store) HandledTelegramUpdates(ctx context.Context, botID int64, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	var sb strings.Builder
	args := make([]any, 0, 2+len(ids))
	args = append(args, botID, now.UTC())
	for i, id := range ids {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("$" + strconv.Itoa(len(args)+1))
		args = append(args, id)
	}
	_, err := s.db.ExecContext(ctx, `UPDATE telegram_updates SET handled_at = $2
		WHERE bot_id = $1 AND update_id IN (`+sb.String()+`)`, args...)
	if err != nil {
		return fmt.Errorf("mark %d telegram updates handled: %w", len(ids), err)
	}
	return nil
}

// RetakeTelegramUpdates claims for holder, oldest first, at most limit
// updates claimed before cutoff and still not handled: their handler's
// process died (or stopped) before finishing them. Each is returned to one
// caller only.
func (s *Store) RetakeTelegramUpdates(ctx context.Context, botID int64, holder string, now, cutoff time.Time, limit int) ([]TelegramUpdate, error) {
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED" // concurrent sweepers take different rows
	}
	rows, err := s.db.QueryContext(ctx, `UPDATE telegram_updates SET holder = $2, claimed_at = $3
		WHERE bot_id = $1 AND update_id IN (SELECT update_id FROM telegram_updates
			WHERE bot_id = $1 AND handled_at IS NULL AND claimed_at < $4
			ORDER BY update_id LIMIT $5`+lock+`)
		AND handled_at IS NULL AND claimed_at < $4
		RETURNING update_id, body`, botID, holder, now.UTC(), cutoff.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("retake telegram updates: %w", err)
	}
	defer rows.Close()
	var out []TelegramUpdate
	for rows.Next() {
		var u TelegramUpdate
		if err := rows.Scan(&u.ID, &u.Body); err != nil {
			return nil, fmt.Errorf("retake telegram updates: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("retake telegram updates: %w", err)
	}
	return out, nil
}

// TelegramUpdateOffset is the id after the last update claimed for the
// bot (0 when none is kept): where long polling resumes.
func (s *Store) TelegramUpdateOffset(ctx context.Context, botID int64) (int64, error) {
	var last sql.NullInt64
	if err := s.db.GetContext(ctx, &last, `SELECT MAX(update_id) FROM telegram_updates WHERE bot_id = $1`, botID); err != nil {
		return 0, fmt.Errorf("read the telegram update offset: %w", err)
	}
	if !last.Valid {
		return 0, nil
	}
	return last.Int64 + 1, nil
}

// PruneTelegramUpdates forgets updates handled before cutoff.
func (s *Store) PruneTelegramUpdates(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM telegram_updates WHERE handled_at IS NOT NULL AND handled_at < $1`, cutoff.UTC())
	if err != nil {
		return 0, fmt.Errorf("prune telegram updates: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// TelegramPrivateChat tells whether the bot can write privately to a user:
// known is false when Agora never learned either way.
func (s *Store) TelegramPrivateChat(ctx context.Context, botID, userID int64) (open, known bool, err error) {
	err = s.db.GetContext(ctx, &open, `SELECT open FROM telegram_private_chats WHERE bot_id = $1 AND user_id = $2`, botID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("read the private chat of telegram user %d: %w", userID, err)
	}
	return open, true, nil
}

// SetTelegramPrivateChat records whether the bot can write privately to a user.
func (s *Store) SetTelegramPrivateChat(ctx context.Context, botID, userID int64, open bool, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO telegram_private_chats (bot_id, user_id, open, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (bot_id, user_id) DO UPDATE SET open = excluded.open, updated_at = excluded.updated_at`, botID, userID, open, now.UTC())
	if err != nil {
		return fmt.Errorf("record the private chat of telegram user %d: %w", userID, err)
	}
	return nil
}
