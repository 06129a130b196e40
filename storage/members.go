package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/jmoiron/sqlx"
)

// ResolveMember finds the person behind a platform account, creating them
// on first contact, with their stored role in the community.
func (s *Store) ResolveMember(ctx context.Context, communityID int64, platform, userID, displayName string) (Member, error) {
	key := memberKey{communityID, platform, userID}
	if m, ok := s.cache.member(key); ok {
		return m, nil
	}
	if s.dialect == Postgres {
		m, ok, err := s.findOrCreateMember(ctx, communityID, platform, userID, displayName)
		if err != nil {
			return Member{}, fmt.Errorf("resolve member %s/%s: %w", platform, userID, err)
		}
		if ok {
			s.cache.putMember(key, m)
			return m, nil
		}
		// Another request created the account meanwhile: read it below.
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

// findOrCreateMember finds or creates a member in one statement (one round
// trip, one commit), so that the first press of each of thousands of new
// members stays cheap. A creation's commit does not wait for the disk
// (synchronous_commit off, for this statement's transaction only): what
// the member then does (a ballot) is committed synchronously, which writes
// the creation to disk first, since PostgreSQL's log is written in order.
// A crash before that loses only a member nobody relied on yet, created
// again on their next request. It reports false when another request created the
// same account at the same moment; the member row made for nothing is then
// deleted.
func (s *Store) findOrCreateMember(ctx context.Context, communityID int64, platform, userID, displayName string) (Member, bool, error) {
	var rows []struct {
		Member
		Linked bool `db:"linked"`
	}
	err := s.db.SelectContext(ctx, &rows, `WITH existing AS (
			SELECT m.id, m.display_name, m.locale, COALESCE(r.role, 'member') AS role
			FROM identities i
			JOIN members m ON m.id = i.member_id
			LEFT JOIN community_roles r ON r.member_id = m.id AND r.community_id = $3
			WHERE i.platform = $1 AND i.platform_user_id = $2
		), created AS (
			INSERT INTO members (display_name)
			SELECT $4 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async
			WHERE NOT EXISTS (SELECT 1 FROM existing)
			RETURNING id, display_name, locale
		), linked AS (
			INSERT INTO identities (platform, platform_user_id, member_id, display_name)
			SELECT $1, $2, id, $4 FROM created
			ON CONFLICT (platform, platform_user_id) DO NOTHING
			RETURNING member_id
		)
		SELECT id, display_name, locale, role, TRUE AS linked FROM existing
		UNION ALL
		SELECT c.id, c.display_name, c.locale, 'member', l.member_id IS NOT NULL FROM created c LEFT JOIN linked l ON l.member_id = c.id`,
		platform, userID, communityID, displayName)
	if err != nil {
		return Member{}, false, err
	}
	if len(rows) != 1 {
		return Member{}, false, fmt.Errorf("find or create member: %d rows", len(rows))
	}
	if !rows[0].Linked {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM members WHERE id = $1`, rows[0].ID); err != nil {
			return Member{}, false, fmt.Errorf("delete a member created twice: %w", err)
		}
		return Member{}, false, nil
	}
	return rows[0].Member, true, nil
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
	s.forgetMembers(ctx)
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
// roles move too (higher picks the role to keep where both had one), so the
// two become one member; it returns that other member's ID, or 0. What
// capabilities keep about the other member moves later, in the merge job
// scheduled here in the same transaction (payload "into/from"); that job
// deletes the other member at its end, with DeleteMergedMember.
func (s *Store) LinkIdentity(ctx context.Context, memberID int64, platform, userID string, higher func(a, b string) string, merge model.JobRef) (merged int64, err error) {
	defer s.forgetMembers(ctx)
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
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
		if err := mergeRoles(ctx, tx, memberID, other, higher); err != nil {
			return err
		}
		merge.Payload = strconv.FormatInt(memberID, 10) + "/" + strconv.FormatInt(other, 10)
		if err := s.scheduleRef(ctx, tx, merge, time.Now()); err != nil {
			return err
		}
		merged = other
		return nil
	})
	return merged, err
}

func mergeRoles(ctx context.Context, tx *sqlx.Tx, into, from int64, higher func(a, b string) string) error {
	var roles []struct {
		CommunityID int64  `db:"community_id"`
		Role        string `db:"role"`
	}
	if err := tx.SelectContext(ctx, &roles, `SELECT community_id, role FROM community_roles WHERE member_id = $1`, from); err != nil {
		return fmt.Errorf("read roles of member %d: %w", from, err)
	}
	for _, r := range roles {
		var current string
		err := tx.GetContext(ctx, &current, `SELECT role FROM community_roles WHERE community_id = $1 AND member_id = $2`, r.CommunityID, into)
		if err != nil && !errors.Is(notFound(err), ErrNotFound) {
			return fmt.Errorf("read role of member %d: %w", into, err)
		}
		role := r.Role
		if err == nil {
			role = higher(current, r.Role)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO community_roles (community_id, member_id, role) VALUES ($1, $2, $3)
			ON CONFLICT (community_id, member_id) DO UPDATE SET role = excluded.role`, r.CommunityID, into, role); err != nil {
			return fmt.Errorf("merge role of member %d into %d: %w", from, into, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM community_roles WHERE member_id = $1`, from); err != nil {
		return fmt.Errorf("merge roles of member %d into %d: %w", from, into, err)
	}
	return nil
}

// DeleteMergedMember removes a member whose accounts were all linked to
// another, once every capability moved what it kept about them. A member
// who still has an account is kept.
func (s *Store) DeleteMergedMember(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM members WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM identities WHERE member_id = $1)`, id)
	if err != nil {
		return fmt.Errorf("delete merged member %d: %w", id, err)
	}
	return nil
}
