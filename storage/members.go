package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ResolveMember finds the person behind a platform account, creating them
// on first contact, with their stored role in the community. It records no
// language: ResolveMemberLocale does, for requests that carry one.
func (s *Store) ResolveMember(ctx context.Context, communityID int64, platform, userID, displayName string) (Member, error) {
	return s.ResolveMemberLocale(ctx, communityID, platform, userID, displayName, "")
}

// ResolveMemberLocale is ResolveMember that also records the language the
// platform reports for the member (a supported language, or "" when it
// reports none Agora speaks), so that what Agora sends them later, outside
// any request (meetup reminders, direct messages), is in their language.
// Every button press resolves its member, so the language is written only
// when it differs from the one read: on a cached member, by a statement of
// its own (rare: a member changed their platform's language); otherwise in
// the statement that reads the member.
func (s *Store) ResolveMemberLocale(ctx context.Context, communityID int64, platform, userID, displayName, locale string) (Member, error) {
	key := memberKey{communityID, platform, userID}
	if m, ok := s.cache.member(key); ok {
		if locale == "" || m.Locale == locale {
			return m, nil
		}
		return s.relocate(ctx, key, m, locale)
	}
	if s.dialect == Postgres {
		p := &pendingMember{key: key, name: displayName, locale: locale}
		s.members.g.do(ctx, p)
		if p.err != nil {
			return Member{}, fmt.Errorf("resolve member %s/%s: %w", platform, userID, p.err)
		}
		if p.found {
			s.cache.putMember(key, p.member)
			return p.member, nil
		}
		// Another process created the account meanwhile: read it below.
	}
	m, err := s.findMember(ctx, communityID, platform, userID)
	if err == nil {
		return s.relocate(ctx, key, m, locale)
	}
	if !errors.Is(err, ErrNotFound) {
		return Member{}, fmt.Errorf("resolve member %s/%s: %w", platform, userID, err)
	}
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		var memberID int64
		if err := tx.GetContext(ctx, &memberID, `INSERT INTO members (display_name, locale) VALUES ($1, $2) RETURNING id`, displayName, locale); err != nil {
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
	// Another process may have created the account at the same moment,
	// without this language.
	return s.relocate(ctx, key, m, locale)
}

// relocate records locale on a member read without it (unless locale is
// "" or already theirs), and caches the member.
func (s *Store) relocate(ctx context.Context, key memberKey, m Member, locale string) (Member, error) {
	if locale != "" && m.Locale != locale {
		if err := s.setMemberLocale(ctx, m.ID, locale); err != nil {
			return Member{}, fmt.Errorf("resolve member %s/%s: %w", key.platform, key.userID, err)
		}
		m.Locale = locale
	}
	s.cache.putMember(key, m)
	return m, nil
}

// setMemberLocale records a member's language. Other processes' cached
// copies are left to expire: a stale language there costs at most one
// more such write, and the language is read for messages sent later.
func (s *Store) setMemberLocale(ctx context.Context, memberID int64, locale string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE members SET locale = $1 WHERE id = $2 AND locale <> $1`, locale, memberID); err != nil {
		return fmt.Errorf("set language of member %d: %w", memberID, err)
	}
	return nil
}

// memberGroups finds or creates members in groups on PostgreSQL (see
// grouper): the first presses of thousands of new members after an
// announcement cost one statement per group instead of one each, and do
// not crowd the database with dozens of concurrent inserts.
type memberGroups struct {
	s *Store
	g grouper[pendingMember, identityKey]
}

type pendingMember struct {
	key    memberKey
	name   string
	locale string // "": keep the stored language
	member Member
	found  bool // false: another process created the account at the same moment
	err    error
}

// identityKey is one platform account: two requests of the same account
// never share a group, so a group creates each account at most once.
type identityKey struct{ platform, userID string }

func newMemberGroups(s *Store) *memberGroups {
	m := &memberGroups{s: s}
	m.g = grouper[pendingMember, identityKey]{
		max:   maxGroup,
		key:   func(p *pendingMember) identityKey { return identityKey{p.key.platform, p.key.userID} },
		write: m.write,
		fail:  func(p *pendingMember, err error) { p.err = err },
	}
	return m
}

// write finds or creates a group's members in one statement (one round
// trip, one commit). A creation's commit does not wait for the disk
// (synchronous_commit off, for this statement's transaction only): what
// the member then does (a ballot) is committed synchronously, which writes
// the creation to disk first, since PostgreSQL's log is written in order.
// A crash before that loses only members nobody relied on yet, created
// again on their next request. An account another process created at the
// same moment is reported not found, and the member row made for nothing
// is deleted. A known member whose platform now reports another language
// gets it in the same statement; an unchanged one is not written.
func (m *memberGroups) write(ctx context.Context, group []*pendingMember) {
	// A fixed order of the accounts keeps two processes' groups from
	// deadlocking on the identities' unique index.
	sorted := slices.Clone(group)
	slices.SortFunc(sorted, func(a, b *pendingMember) int {
		return cmp.Or(cmp.Compare(a.key.platform, b.key.platform), cmp.Compare(a.key.userID, b.key.userID))
	})
	values, args := valueRows([]string{"int", "bigint", "text", "text", "text", "text"}, len(sorted), func(i int) []any {
		p := sorted[i]
		return []any{i, p.key.community, p.key.platform, p.key.userID, p.name, p.locale}
	})
	var rows []struct {
		Ord int `db:"ord"`
		Member
		Linked bool `db:"linked"`
	}
	err := m.s.db.SelectContext(ctx, &rows, `WITH input AS (
			SELECT * FROM (VALUES `+values+`) AS v (ord, community_id, platform, user_id, name, locale)
		), existing AS (
			SELECT v.ord, m.id, m.display_name, CASE WHEN v.locale = '' THEN m.locale ELSE v.locale END AS locale,
				m.locale <> v.locale AND v.locale <> '' AS relocated, COALESCE(r.role, 'member') AS role
			FROM input v
			JOIN identities i ON i.platform = v.platform AND i.platform_user_id = v.user_id
			JOIN members m ON m.id = i.member_id
			LEFT JOIN community_roles r ON r.member_id = m.id AND r.community_id = v.community_id
		), relocated AS (
			UPDATE members m SET locale = e.locale FROM existing e WHERE m.id = e.id AND e.relocated
		), missing AS (
			SELECT v.ord, v.platform, v.user_id, v.name, v.locale, nextval(pg_get_serial_sequence('members', 'id')) AS new_id
			FROM input v, (SELECT set_config('synchronous_commit', 'off', true)) AS async
			WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.ord = v.ord)
		), created AS (
			INSERT INTO members (id, display_name, locale)
			SELECT new_id, name, locale FROM missing ORDER BY ord
			RETURNING id, display_name, locale
		), linked AS (
			INSERT INTO identities (platform, platform_user_id, member_id, display_name)
			SELECT platform, user_id, new_id, name FROM missing ORDER BY ord
			ON CONFLICT (platform, platform_user_id) DO NOTHING
			RETURNING member_id
		)
		SELECT ord, id, display_name, locale, role, TRUE AS linked FROM existing
		UNION ALL
		SELECT mi.ord, c.id, c.display_name, c.locale, 'member', l.member_id IS NOT NULL
		FROM missing mi JOIN created c ON c.id = mi.new_id LEFT JOIN linked l ON l.member_id = c.id`, args...)
	if err != nil {
		for _, p := range group {
			p.err = fmt.Errorf("find or create %d members: %w", len(group), err)
		}
		return
	}
	var orphans []int64
	for _, r := range rows {
		p := sorted[r.Ord] // ord numbers the VALUES rows above
		if !r.Linked {
			orphans = append(orphans, r.ID)
			continue
		}
		p.member, p.found = r.Member, true
	}
	if len(orphans) > 0 {
		// Left behind, such rows belong to nobody and harm nothing; the
		// requests they were made for still read the member created by the
		// other process, so a failure here fails none of them.
		_, _ = m.s.db.ExecContext(ctx, `DELETE FROM members WHERE id = ANY($1)`, pq.Array(orphans))
	}
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
