package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Member is a person, with their role in one community.
type Member struct {
	ID          int64  `db:"id"`
	DisplayName string `db:"display_name"`
	Locale      string `db:"locale"`
	Role        string `db:"role"` // member, ambassador or moderator, in the community asked about
}

// Identity is one platform account of a member.
type Identity struct {
	Platform       string `db:"platform"`
	PlatformUserID string `db:"platform_user_id"`
	MemberID       int64  `db:"member_id"`
	DisplayName    string `db:"display_name"`
}

// ResolveMember finds the person behind a platform account, creating them
// on first contact, with their stored role in the community.
func (s *Store) ResolveMember(ctx context.Context, communityID int64, platform, userID, displayName string) (Member, error) {
	key := memberKey{communityID, platform, userID}
	if m, ok := s.cache.member(key); ok {
		return m, nil
	}
	m, err := s.findMember(ctx, communityID, platform, userID)
	if err == nil {
		s.cache.putMember(key, m)
		return m, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return Member{}, fmt.Errorf("resolve member %s/%s: %w", platform, userID, err)
	}
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		var memberID int64
		if err := tx.GetContext(ctx, &memberID, `INSERT INTO members (display_name) VALUES ($1) RETURNING id`, displayName); err != nil {
			return fmt.Errorf("create member: %w", err)
		}
		res, err := tx.ExecContext(ctx,
			`INSERT INTO identities (platform, platform_user_id, member_id, display_name) VALUES ($1, $2, $3, $4)
			 ON CONFLICT (platform, platform_user_id) DO NOTHING`, platform, userID, memberID, displayName)
		if err != nil {
			return fmt.Errorf("create identity: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errLostRace
		}
		return nil
	})
	if err != nil && !errors.Is(err, errLostRace) {
		return Member{}, fmt.Errorf("resolve member %s/%s: %w", platform, userID, err)
	}
	m, err = s.findMember(ctx, communityID, platform, userID)
	if err != nil {
		return Member{}, fmt.Errorf("resolve member %s/%s: %w", platform, userID, err)
	}
	s.cache.putMember(key, m)
	return m, nil
}

func (s *Store) findMember(ctx context.Context, communityID int64, platform, userID string) (Member, error) {
	var m Member
	err := s.db.GetContext(ctx, &m, `SELECT m.id, m.display_name, m.locale, COALESCE(r.role, 'member') AS role
		FROM identities i
		JOIN members m ON m.id = i.member_id
		LEFT JOIN community_roles r ON r.member_id = m.id AND r.community_id = $3
		WHERE i.platform = $1 AND i.platform_user_id = $2`, platform, userID, communityID)
	return m, notFound(err)
}

// SetRole grants a role in a community; "member" removes any granted role.
func (s *Store) SetRole(ctx context.Context, communityID, memberID int64, role string) error {
	var err error
	if role == "member" {
		_, err = s.db.ExecContext(ctx, `DELETE FROM community_roles WHERE community_id = $1 AND member_id = $2`, communityID, memberID)
	} else {
		_, err = s.db.ExecContext(ctx, `INSERT INTO community_roles (community_id, member_id, role) VALUES ($1, $2, $3)
			ON CONFLICT (community_id, member_id) DO UPDATE SET role = excluded.role`, communityID, memberID, role)
	}
	if err != nil {
		return fmt.Errorf("set role %s of member %d in community %d: %w", role, memberID, communityID, err)
	}
	s.cache.forgetMembers()
	return nil
}

// Identities lists a member's platform accounts.
func (s *Store) Identities(ctx context.Context, memberID int64) ([]Identity, error) {
	var ids []Identity
	err := s.db.SelectContext(ctx, &ids, `SELECT platform, platform_user_id, member_id, display_name
		FROM identities WHERE member_id = $1 ORDER BY platform, platform_user_id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("list identities of member %d: %w", memberID, err)
	}
	return ids, nil
}

// LinkIdentity attaches a platform account to a member. If the account
// already belonged to another person, that person's other accounts and
// roles move too, so the two become one member.
func (s *Store) LinkIdentity(ctx context.Context, memberID int64, platform, userID string) error {
	defer s.cache.forgetMembers()
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		var other int64
		err := tx.GetContext(ctx, &other, `SELECT member_id FROM identities WHERE platform = $1 AND platform_user_id = $2`, platform, userID)
		switch {
		case errors.Is(err, nil):
		case errors.Is(notFound(err), ErrNotFound):
			_, err = tx.ExecContext(ctx, `INSERT INTO identities (platform, platform_user_id, member_id) VALUES ($1, $2, $3)`, platform, userID, memberID)
			if err != nil {
				return fmt.Errorf("link identity %s/%s to member %d: %w", platform, userID, memberID, err)
			}
			return nil
		default:
			return fmt.Errorf("link identity %s/%s: %w", platform, userID, err)
		}
		if other == memberID {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE identities SET member_id = $1 WHERE member_id = $2`, memberID, other); err != nil {
			return fmt.Errorf("merge member %d into %d: %w", other, memberID, err)
		}
		// The higher role wins where both had one in the same community.
		if _, err := tx.ExecContext(ctx, `INSERT INTO community_roles (community_id, member_id, role)
			SELECT community_id, $1, role FROM community_roles WHERE member_id = $2
			ON CONFLICT (community_id, member_id) DO UPDATE SET role = CASE
				WHEN community_roles.role = 'moderator' OR excluded.role = 'moderator' THEN 'moderator'
				WHEN community_roles.role = 'ambassador' OR excluded.role = 'ambassador' THEN 'ambassador'
				ELSE 'member' END`, memberID, other); err != nil {
			return fmt.Errorf("merge roles of member %d into %d: %w", other, memberID, err)
		}
		if err := mergePollBallots(ctx, tx, memberID, other); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM members WHERE id = $1`, other); err != nil {
			return fmt.Errorf("delete merged member %d: %w", other, err)
		}
		return nil
	})
}
