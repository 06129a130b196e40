package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// CommunityDefaults are given to a community created on first contact.
type CommunityDefaults struct {
	Locale   string
	Timezone string
}

// ChatRef names a chat as its platform knows it.
type ChatRef struct {
	Platform string
	GroupID  string // the Discord server; empty on Telegram
	ChatID   string
	Title    string
}

const chatColumns = `c.id, c.community_id, c.platform, c.platform_group_id, c.platform_chat_id, c.title, c.purpose, c.created_at`
const communityColumns = `m.id, m.name, m.locale, m.timezone, m.created_at`

// ResolveChat finds the chat and its community, creating them on first
// contact: a chat of a known Discord server joins that server's community,
// any other chat starts a community of its own with the defaults.
func (s *Store) ResolveChat(ctx context.Context, ref ChatRef, defaults CommunityDefaults) (Chat, Community, error) {
	key := chatKey{ref.Platform, ref.ChatID}
	if chat, community, ok := s.cache.chat(key); ok {
		return chat, community, nil
	}
	chat, community, err := s.lookUpChat(ctx, key)
	if err == nil {
		return chat, community, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return Chat{}, Community{}, fmt.Errorf("resolve chat %s/%s: %w", ref.Platform, ref.ChatID, err)
	}
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		var communityID int64
		if ref.GroupID != "" {
			err := tx.GetContext(ctx, &communityID,
				`SELECT community_id FROM chats WHERE platform = $1 AND platform_group_id = $2 ORDER BY id LIMIT 1`,
				ref.Platform, ref.GroupID)
			if err != nil && !errors.Is(notFound(err), ErrNotFound) {
				return err
			}
		}
		if communityID == 0 {
			name := ref.Title
			if name == "" {
				name = ref.Platform + " " + ref.ChatID
			}
			if err := tx.GetContext(ctx, &communityID,
				`INSERT INTO communities (name, locale, timezone) VALUES ($1, $2, $3) RETURNING id`,
				name, defaults.Locale, defaults.Timezone); err != nil {
				return fmt.Errorf("create community: %w", err)
			}
		}
		res, err := tx.ExecContext(ctx,
			`INSERT INTO chats (community_id, platform, platform_group_id, platform_chat_id, title)
			 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (platform, platform_chat_id) DO NOTHING`,
			communityID, ref.Platform, ref.GroupID, ref.ChatID, ref.Title)
		if err != nil {
			return fmt.Errorf("create chat: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			// Another request created the chat first; drop our community.
			return errLostRace
		}
		return nil
	})
	if err != nil && !errors.Is(err, errLostRace) {
		return Chat{}, Community{}, fmt.Errorf("resolve chat %s/%s: %w", ref.Platform, ref.ChatID, err)
	}
	chat, community, err = s.findChat(ctx, s.db, ref.Platform, ref.ChatID)
	if err != nil {
		return Chat{}, Community{}, fmt.Errorf("resolve chat %s/%s: %w", ref.Platform, ref.ChatID, err)
	}
	s.cache.putChat(key, chat, community)
	return chat, community, nil
}

var errLostRace = errors.New("lost creation race")

// lookUpChat reads a chat into the cache, once for all the callers that
// want it at the same moment. A group's entry expires in the middle of a
// burst, when every press in flight misses it together: each then ran
// its own lookup, the pool opened new connections for them, and the
// burst stalled for half a second every ResolveCacheTTL.
func (s *Store) lookUpChat(ctx context.Context, key chatKey) (Chat, Community, error) {
	flight := s.chatLookups.DoChan(key.platform+"\x00"+key.chatID, func() (any, error) {
		// A caller that missed the entry just before the last lookup
		// stored it starts a lookup of its own: the entry serves it.
		if chat, community, ok := s.cache.chat(key); ok {
			return cachedChat{chat: chat, community: community}, nil
		}
		s.chatQueries.Add(1)
		// The lookup serves callers other than the one that started it,
		// so it does not end with that caller's context (the store's
		// query timeout bounds it).
		chat, community, err := s.findChat(context.WithoutCancel(ctx), s.db, key.platform, key.chatID)
		if err != nil {
			return nil, err
		}
		s.cache.putChat(key, chat, community)
		return cachedChat{chat: chat, community: community}, nil
	})
	select {
	case r := <-flight:
		if r.Err != nil {
			return Chat{}, Community{}, r.Err
		}
		f := r.Val.(cachedChat)
		return f.chat, f.community, nil
	case <-ctx.Done():
		return Chat{}, Community{}, ctx.Err()
	}
}

func (s *Store) findChat(ctx context.Context, q sqlx.QueryerContext, platform, chatID string) (Chat, Community, error) {
	var row struct {
		Chat
		Community `db:"community"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT `+chatColumns+`,
		m.id AS "community.id", m.name AS "community.name", m.locale AS "community.locale",
		m.timezone AS "community.timezone",
		m.created_at AS "community.created_at"
		FROM chats c JOIN communities m ON m.id = c.community_id
		WHERE c.platform = $1 AND c.platform_chat_id = $2`, platform, chatID)
	if err != nil {
		return Chat{}, Community{}, notFound(err)
	}
	return row.Chat, row.Community, nil
}

// Community loads a community by ID.
func (s *Store) Community(ctx context.Context, id int64) (Community, error) {
	var c Community
	err := s.db.GetContext(ctx, &c, `SELECT `+communityColumns+` FROM communities m WHERE m.id = $1`, id)
	if err != nil {
		return Community{}, fmt.Errorf("load community %d: %w", id, notFound(err))
	}
	return c, nil
}

// RenameCommunity changes a community's name. Each profile field has its
// own statement, so two moderators changing two fields at once both keep
// their change.
func (s *Store) RenameCommunity(ctx context.Context, id int64, name string) error {
	return s.updateCommunity(ctx, id, `UPDATE communities SET name = $2 WHERE id = $1`, name)
}

// SetCommunityLocale changes the language of a community's public messages.
func (s *Store) SetCommunityLocale(ctx context.Context, id int64, locale string) error {
	return s.updateCommunity(ctx, id, `UPDATE communities SET locale = $2 WHERE id = $1`, locale)
}

// SetCommunityTimezone changes the time zone a community's dates are read and shown in.
func (s *Store) SetCommunityTimezone(ctx context.Context, id int64, timezone string) error {
	return s.updateCommunity(ctx, id, `UPDATE communities SET timezone = $2 WHERE id = $1`, timezone)
}

func (s *Store) updateCommunity(ctx context.Context, id int64, statement, value string) error {
	res, err := s.db.ExecContext(ctx, statement, id, value)
	if err != nil {
		return fmt.Errorf("update community %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update community %d: %w", id, ErrNotFound)
	}
	s.forgetChats(ctx)
	return nil
}

// CommunitySetting reads one capability setting of a community; ErrNotFound
// when it was never set, so the capability applies its default.
func (s *Store) CommunitySetting(ctx context.Context, communityID int64, key string) (string, error) {
	var v string
	err := s.db.GetContext(ctx, &v, `SELECT value FROM community_settings WHERE community_id = $1 AND key = $2`, communityID, key)
	if err != nil {
		return "", fmt.Errorf("read setting %s of community %d: %w", key, communityID, notFound(err))
	}
	return v, nil
}

// SetCommunitySetting writes one capability setting of a community, and
// only that one.
func (s *Store) SetCommunitySetting(ctx context.Context, communityID int64, key, value string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO community_settings (community_id, key, value, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (community_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		communityID, key, value, now.UTC())
	if err != nil {
		return fmt.Errorf("write setting %s of community %d: %w", key, communityID, err)
	}
	return nil
}

// ChatsOfCommunity lists a community's chats on every platform, oldest first.
func (s *Store) ChatsOfCommunity(ctx context.Context, communityID int64) ([]Chat, error) {
	var chats []Chat
	err := s.db.SelectContext(ctx, &chats, `SELECT `+chatColumns+` FROM chats c WHERE c.community_id = $1 ORDER BY c.id`, communityID)
	if err != nil {
		return nil, fmt.Errorf("list chats of community %d: %w", communityID, err)
	}
	return chats, nil
}

// Chat loads a chat by Agora's ID.
func (s *Store) Chat(ctx context.Context, id int64) (Chat, error) {
	var c Chat
	if err := s.db.GetContext(ctx, &c, `SELECT `+chatColumns+` FROM chats c WHERE c.id = $1`, id); err != nil {
		return Chat{}, fmt.Errorf("load chat %d: %w", id, notFound(err))
	}
	return c, nil
}

// SetChatPurpose records what a chat is for.
func (s *Store) SetChatPurpose(ctx context.Context, chatID int64, purpose string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE chats SET purpose = $2 WHERE id = $1`, chatID, purpose)
	if err != nil {
		return fmt.Errorf("set purpose of chat %d: %w", chatID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set purpose of chat %d: %w", chatID, ErrNotFound)
	}
	s.forgetChats(ctx)
	return nil
}

// MoveChat attaches a chat to another community, which is how a Telegram
// group joins the community of a Discord server.
func (s *Store) MoveChat(ctx context.Context, chatID, communityID int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE chats SET community_id = $2 WHERE id = $1`, chatID, communityID)
	if err != nil {
		return fmt.Errorf("move chat %d to community %d: %w", chatID, communityID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("move chat %d: %w", chatID, ErrNotFound)
	}
	s.forgetChats(ctx)
	return nil
}
