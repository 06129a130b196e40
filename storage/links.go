package storage

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/agora-community/agora/model"
)

// codeAlphabet has no letters or digits people confuse (0/O, 1/I/L), so a
// code read on one screen is typed right on another.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// CodeLength gives 31^8 ≈ 8.5×10^11 codes: guessing one of the few valid
// at a time within 15 minutes is hopeless.
const CodeLength = 8

func newCode() (string, error) {
	b := make([]byte, CodeLength)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b), nil
}

// CreateLinkCode makes a one-time code valid until expires.
func (s *Store) CreateLinkCode(ctx context.Context, kind string, communityID, memberID int64, expires time.Time) (string, error) {
	for range 3 { // a collision is astronomically rare; retry anyway
		code, err := newCode()
		if err != nil {
			return "", fmt.Errorf("make link code: %w", err)
		}
		_, err = s.db.ExecContext(ctx, `INSERT INTO link_codes (code, kind, community_id, member_id, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			code, kind, communityID, memberID, expires.UTC())
		if err == nil {
			return code, nil
		}
		if !isUniqueViolation(err) {
			return "", fmt.Errorf("store link code: %w", err)
		}
	}
	return "", errors.New("store link code: three collisions in a row")
}

// UseLinkCode spends a code of kind: it succeeds once, before expiry;
// otherwise ErrNotFound.
func (s *Store) UseLinkCode(ctx context.Context, code, kind string, now time.Time) (model.LinkCode, error) {
	var c model.LinkCode
	err := s.db.GetContext(ctx, &c, `UPDATE link_codes SET used_at = $3
		WHERE code = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3
		RETURNING code, kind, community_id, member_id, expires_at`, code, kind, now.UTC())
	if err != nil {
		return model.LinkCode{}, fmt.Errorf("use link code: %w", notFound(err))
	}
	return c, nil
}

// JoinCommunity moves every chat of community from into community into, so
// the chats of a Discord server and a Telegram group become one
// community. What the old community kept (its polls, its settings) stays
// with it, as history. It returns the chats moved.
func (s *Store) JoinCommunity(ctx context.Context, from, into int64) ([]int64, error) {
	if from == into {
		return nil, nil
	}
	var moved []int64
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		// One statement, so a chat added meanwhile is both moved and returned.
		return tx.SelectContext(ctx, &moved, `UPDATE chats SET community_id = $2 WHERE community_id = $1 RETURNING id`, from, into)
	})
	if err != nil {
		return nil, fmt.Errorf("join community %d into %d: %w", from, into, err)
	}
	slices.Sort(moved)
	s.forgetChats(ctx)
	return moved, nil
}

// LeaveCommunity takes a chat, with the chats of its platform group (the
// other channels of its Discord server), out of its community into a new
// one with the same name, language and time zone. The community it leaves
// keeps its history.
func (s *Store) LeaveCommunity(ctx context.Context, chatID int64) (int64, error) {
	var community int64
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		var chat Chat
		if err := tx.GetContext(ctx, &chat, `SELECT `+chatColumns+` FROM chats c WHERE c.id = $1`, chatID); err != nil {
			return notFound(err)
		}
		if err := tx.GetContext(ctx, &community, `INSERT INTO communities (name, locale, timezone)
			SELECT name, locale, timezone FROM communities WHERE id = $1 RETURNING id`, chat.CommunityID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE chats SET community_id = $1 WHERE community_id = $2
			AND (id = $3 OR (platform = $4 AND platform_group_id <> '' AND platform_group_id = $5))`,
			community, chat.CommunityID, chat.ID, chat.Platform, chat.PlatformGroupID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("take chat %d out of its community: %w", chatID, err)
	}
	s.forgetChats(ctx)
	return community, nil
}
