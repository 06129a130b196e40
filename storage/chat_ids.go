package storage

import (
	"context"
	"fmt"
)

// ChangeChatID follows a chat whose platform ID changed (a Telegram group
// upgraded to a supergroup), so its community, purpose and posts carry
// over. It reports false when no chat had the old ID, and ErrConflict when
// the new ID is already a chat of its own.
func (s *Store) ChangeChatID(ctx context.Context, platform, oldID, newID string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE chats SET platform_chat_id = $3 WHERE platform = $1 AND platform_chat_id = $2`,
		platform, oldID, newID)
	if err != nil && isUniqueViolation(err) {
		return false, fmt.Errorf("move %s chat %s to %s: %w", platform, oldID, newID, ErrConflict)
	}
	if err != nil {
		return false, fmt.Errorf("move %s chat %s to %s: %w", platform, oldID, newID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("move %s chat %s to %s: %w", platform, oldID, newID, err)
	}
	s.forgetChats(ctx)
	return n > 0, nil
}
