package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Conversation is a guided exchange with one member in one chat. State is
// the adapter's own serialized progress; PromptID the message the member is
// expected to answer.
type Conversation struct {
	Platform  string    `db:"platform"`
	ChatID    string    `db:"chat_id"`
	UserID    string    `db:"user_id"`
	State     string    `db:"state"`
	PromptID  string    `db:"prompt_id"`
	ExpiresAt time.Time `db:"expires_at"`
}

// SaveConversation starts or advances a conversation; a member has at most
// one per chat, so a new one replaces the old.
func (s *Store) SaveConversation(ctx context.Context, c Conversation) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO conversations (platform, chat_id, user_id, state, prompt_id, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (platform, chat_id, user_id) DO UPDATE SET state = excluded.state,
			prompt_id = excluded.prompt_id, expires_at = excluded.expires_at`,
		c.Platform, c.ChatID, c.UserID, c.State, c.PromptID, c.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("save conversation in %s chat %s: %w", c.Platform, c.ChatID, err)
	}
	return nil
}

// Conversation returns the member's unexpired conversation in a chat, or ErrNotFound.
func (s *Store) Conversation(ctx context.Context, platform, chatID, userID string, now time.Time) (Conversation, error) {
	var c Conversation
	err := s.db.GetContext(ctx, &c, `SELECT platform, chat_id, user_id, state, prompt_id, expires_at FROM conversations
		WHERE platform = $1 AND chat_id = $2 AND user_id = $3 AND expires_at > $4`, platform, chatID, userID, now.UTC())
	if errors.Is(err, sql.ErrNoRows) {
		return Conversation{}, ErrNotFound
	}
	if err != nil {
		return Conversation{}, fmt.Errorf("read conversation in %s chat %s: %w", platform, chatID, err)
	}
	return c, nil
}

// EndConversation forgets a conversation; it reports whether a live
// (unexpired) one was going on.
func (s *Store) EndConversation(ctx context.Context, platform, chatID, userID string, now time.Time) (bool, error) {
	var expires time.Time
	err := s.db.GetContext(ctx, &expires, `DELETE FROM conversations WHERE platform = $1 AND chat_id = $2 AND user_id = $3
		RETURNING expires_at`, platform, chatID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("end conversation in %s chat %s: %w", platform, chatID, err)
	}
	return expires.After(now), nil
}
