package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/agora-community/agora/model"
)

// The meetups capability's tables: meetups, the members' answers (with the
// waiting list), what was sent to whom, the platforms' event lists and the
// communities' calendar secrets.

const meetupColumns = `id, community_id, COALESCE(author_id, 0) AS author_id, title, kind, starts_at, ends_at,
	place, city, city_key, lat, lon, capacity, description, status, sequence, reminders, cancel_reason,
	created_at, updated_at, cancelled_at`

// CreateMeetup stores a new meetup and, in the same transaction, the jobs
// plan gives for it once it has its ID (its publication, its reminders),
// so a crash right after creation still gets it posted and reminded.
func (s *Store) CreateMeetup(ctx context.Context, m *model.Meetup, now time.Time, plan func(model.Meetup) model.JobPlan) error {
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		var author any
		if m.AuthorID != 0 {
			author = m.AuthorID
		}
		m.Status, m.CreatedAt, m.UpdatedAt = model.MeetupScheduled, now, now
		err := tx.GetContext(ctx, &m.ID, `INSERT INTO meetups (community_id, author_id, title, kind, starts_at, ends_at,
			place, city, city_key, lat, lon, capacity, description, status, sequence, reminders, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id`,
			m.CommunityID, author, m.Title, m.Kind, m.Start.UTC(), m.End.UTC(), m.Place, m.City, m.CityKey,
			m.Lat, m.Lon, m.Capacity, m.Description, m.Status, m.Sequence, m.Reminders, now.UTC())
		if err != nil {
			return fmt.Errorf("create meetup: %w", err)
		}
		return s.applyPlan(ctx, tx, plan(*m))
	})
}

func (s *Store) applyPlan(ctx context.Context, tx *sqlx.Tx, plan model.JobPlan) error {
	for _, j := range plan.Schedule {
		if err := s.scheduleRef(ctx, tx, j.Job, j.At); err != nil {
			return err
		}
	}
	for _, j := range plan.Cancel {
		if err := s.CancelJob(ctx, tx, j.Key()); err != nil {
			return err
		}
	}
	return nil
}

// Meetup loads a meetup.
func (s *Store) Meetup(ctx context.Context, id int64) (model.Meetup, error) {
	var m model.Meetup
	if err := s.db.GetContext(ctx, &m, `SELECT `+meetupColumns+` FROM meetups WHERE id = $1`, id); err != nil {
		return model.Meetup{}, fmt.Errorf("load meetup %d: %w", id, notFound(err))
	}
	return m, nil
}

// lockMeetup reads a meetup in a transaction and, on PostgreSQL, locks its
// row until the transaction ends: every answer and every change of one
// meetup goes through this lock, so seats are counted one writer at a time.
// SQLite has a single writer already.
func (s *Store) lockMeetup(ctx context.Context, tx *sqlx.Tx, id int64) (model.Meetup, error) {
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	var m model.Meetup
	if err := tx.GetContext(ctx, &m, `SELECT `+meetupColumns+` FROM meetups WHERE id = $1`+lock, id); err != nil {
		return model.Meetup{}, fmt.Errorf("lock meetup %d: %w", id, notFound(err))
	}
	return m, nil
}

// UpdateMeetup changes a meetup under its row lock: change gets the meetup
// as stored, edits it in place and returns the jobs to move or cancel
// (reminders of a new date, notices to attendees); an error from change
// rolls everything back and is returned as is. When the change frees seats
// (a higher capacity, or none), the waiting list moves up in order, and a
// promoted job (payload "<meetup>/<member>") is scheduled for each member
// who got a seat. It returns the meetup as stored before and after.
func (s *Store) UpdateMeetup(ctx context.Context, id int64, now time.Time, promoted model.JobRef,
	change func(m *model.Meetup) (model.JobPlan, error)) (before, after model.Meetup, moved []model.Attendee, err error) {
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		m, err := s.lockMeetup(ctx, tx, id)
		if err != nil {
			return err
		}
		before, after = m, m
		plan, err := change(&after)
		if err != nil {
			return err
		}
		after.ID, after.CommunityID, after.AuthorID, after.CreatedAt = m.ID, m.CommunityID, m.AuthorID, m.CreatedAt
		after.UpdatedAt = now
		var cancelled any
		if after.CancelledAt != nil {
			cancelled = after.CancelledAt.UTC()
		}
		_, err = tx.ExecContext(ctx, `UPDATE meetups SET title = $2, kind = $3, starts_at = $4, ends_at = $5,
			place = $6, city = $7, city_key = $8, lat = $9, lon = $10, capacity = $11, description = $12,
			status = $13, sequence = $14, reminders = $15, cancel_reason = $16, updated_at = $17, cancelled_at = $18
			WHERE id = $1`,
			id, after.Title, after.Kind, after.Start.UTC(), after.End.UTC(), after.Place, after.City, after.CityKey,
			after.Lat, after.Lon, after.Capacity, after.Description, after.Status, after.Sequence, after.Reminders,
			after.CancelReason, now.UTC(), cancelled)
		if err != nil {
			return fmt.Errorf("update meetup %d: %w", id, err)
		}
		if err := s.applyPlan(ctx, tx, plan); err != nil {
			return err
		}
		if after.Status == model.MeetupScheduled {
			moved, err = s.promote(ctx, tx, after, now, promoted)
		}
		return err
	})
	return before, after, moved, err
}

// Meetups lists a community's meetups that end after from, soonest first;
// cancelled ones too when withCancelled (a calendar feed shows them so,
// for subscribed calendars to drop them).
func (s *Store) Meetups(ctx context.Context, communityID int64, from time.Time, withCancelled bool, limit int) ([]model.Meetup, error) {
	var out []model.Meetup
	err := s.db.SelectContext(ctx, &out, `SELECT `+meetupColumns+` FROM meetups
		WHERE community_id = $1 AND ends_at > $2 AND (status = 'scheduled' OR $3)
		ORDER BY starts_at, id LIMIT $4`, communityID, from.UTC(), withCancelled, limit)
	if err != nil {
		return nil, fmt.Errorf("list meetups of community %d: %w", communityID, err)
	}
	return out, nil
}

const attendeeColumns = `r.member_id, m.display_name, r.status, r.platform, r.platform_user_id, m.locale, r.answered_at`

// SetRSVP stores a member's answer under the meetup's row lock, so seats
// are counted by one writer at a time: with a capacity, "yes" beyond it
// joins the waiting list, and a confirmed member who withdraws frees a
// seat for the first one waiting (a promoted job is scheduled for them, in
// the same transaction). Saying "yes" again while confirmed or waiting
// changes nothing, so a member keeps their place. It returns
// ErrMeetupClosed when the rule does not hold.
func (s *Store) SetRSVP(ctx context.Context, rule model.RSVPRule, status string, now time.Time, promoted model.JobRef) (model.RSVPChange, error) {
	var ch model.RSVPChange
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		m, err := s.lockMeetup(ctx, tx, rule.MeetupID)
		if errors.Is(err, ErrNotFound) {
			return model.ErrMeetupClosed
		}
		if err != nil {
			return err
		}
		if m.CommunityID != rule.CommunityID || m.Status != model.MeetupScheduled || !m.Start.After(now) {
			return model.ErrMeetupClosed
		}
		err = tx.GetContext(ctx, &ch.Previous, `SELECT status FROM meetup_rsvps WHERE meetup_id = $1 AND member_id = $2`,
			rule.MeetupID, rule.MemberID)
		if err != nil && !errors.Is(notFound(err), ErrNotFound) {
			return fmt.Errorf("read answer of member %d to meetup %d: %w", rule.MemberID, rule.MeetupID, err)
		}
		ch.Status = status
		if status == model.RSVPYes {
			switch {
			case ch.Previous == model.RSVPYes || ch.Previous == model.RSVPWaiting:
				ch.Status = ch.Previous
			case m.Capacity > 0:
				var yes int
				if err := tx.GetContext(ctx, &yes, `SELECT COUNT(*) FROM meetup_rsvps WHERE meetup_id = $1 AND status = 'yes'`, m.ID); err != nil {
					return fmt.Errorf("count seats of meetup %d: %w", m.ID, err)
				}
				if yes >= m.Capacity {
					ch.Status = model.RSVPWaiting
				}
			}
		}
		if ch.Status != ch.Previous {
			_, err = tx.ExecContext(ctx, `INSERT INTO meetup_rsvps (meetup_id, member_id, status, platform, platform_user_id, queued, answered_at)
				VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(queued), 0) + 1 FROM meetup_rsvps WHERE meetup_id = $1), $6)
				ON CONFLICT (meetup_id, member_id) DO UPDATE SET status = excluded.status, platform = excluded.platform,
					platform_user_id = excluded.platform_user_id, queued = excluded.queued, answered_at = excluded.answered_at`,
				m.ID, rule.MemberID, ch.Status, rule.Platform, rule.PlatformUserID, now.UTC())
			if err != nil {
				return fmt.Errorf("store answer of member %d to meetup %d: %w", rule.MemberID, m.ID, err)
			}
		}
		if ch.Previous == model.RSVPYes && ch.Status != model.RSVPYes {
			if ch.Promoted, err = s.promote(ctx, tx, m, now, promoted); err != nil {
				return err
			}
		}
		if ch.Status == model.RSVPWaiting {
			if err := tx.GetContext(ctx, &ch.Position, `SELECT COUNT(*) FROM meetup_rsvps
				WHERE meetup_id = $1 AND status = 'waiting' AND queued <= (SELECT queued FROM meetup_rsvps WHERE meetup_id = $1 AND member_id = $2)`,
				m.ID, rule.MemberID); err != nil {
				return fmt.Errorf("place of member %d on the waiting list of meetup %d: %w", rule.MemberID, m.ID, err)
			}
		}
		ch.Counts, err = rsvpCounts(ctx, tx, m.ID)
		return err
	})
	return ch, err
}

// promote gives free seats to the waiting list in the order it was joined,
// and schedules a promoted job for each member seated. The caller holds
// the meetup's row lock.
func (s *Store) promote(ctx context.Context, tx *sqlx.Tx, m model.Meetup, now time.Time, promoted model.JobRef) ([]model.Attendee, error) {
	limit := ""
	if m.Capacity > 0 {
		var yes int
		if err := tx.GetContext(ctx, &yes, `SELECT COUNT(*) FROM meetup_rsvps WHERE meetup_id = $1 AND status = 'yes'`, m.ID); err != nil {
			return nil, fmt.Errorf("count seats of meetup %d: %w", m.ID, err)
		}
		free := m.Capacity - yes
		if free <= 0 {
			return nil, nil
		}
		limit = " LIMIT " + strconv.Itoa(free)
	}
	var waiting []model.Attendee
	if err := tx.SelectContext(ctx, &waiting, `SELECT `+attendeeColumns+`
		FROM meetup_rsvps r JOIN members m ON m.id = r.member_id
		WHERE r.meetup_id = $1 AND r.status = 'waiting' ORDER BY r.queued`+limit, m.ID); err != nil {
		return nil, fmt.Errorf("read waiting list of meetup %d: %w", m.ID, err)
	}
	for i := range waiting {
		a := &waiting[i]
		// The answer keeps its place in the queue; answered_at becomes the
		// time of the promotion, which names the notice sent about it.
		if _, err := tx.ExecContext(ctx, `UPDATE meetup_rsvps SET status = 'yes', answered_at = $3 WHERE meetup_id = $1 AND member_id = $2`,
			m.ID, a.MemberID, now.UTC()); err != nil {
			return nil, fmt.Errorf("promote member %d at meetup %d: %w", a.MemberID, m.ID, err)
		}
		a.Status, a.AnsweredAt = model.RSVPYes, now
		job := promoted
		job.Payload = strconv.FormatInt(m.ID, 10) + "/" + strconv.FormatInt(a.MemberID, 10)
		if err := s.scheduleRef(ctx, tx, job, now); err != nil {
			return nil, err
		}
	}
	return waiting, nil
}

func rsvpCounts(ctx context.Context, q sqlx.QueryerContext, meetupID int64) (model.RSVPCounts, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT status, COUNT(*) AS n FROM meetup_rsvps WHERE meetup_id = $1 GROUP BY status`, meetupID); err != nil {
		return model.RSVPCounts{}, fmt.Errorf("count answers to meetup %d: %w", meetupID, err)
	}
	var c model.RSVPCounts
	for _, r := range rows {
		countRSVPs(&c, r.Status, r.N)
	}
	return c, nil
}

// countRSVPs sets the count of one status of answer.
func countRSVPs(c *model.RSVPCounts, status string, n int) {
	switch status {
	case model.RSVPYes:
		c.Yes = n
	case model.RSVPMaybe:
		c.Maybe = n
	case model.RSVPNo:
		c.No = n
	case model.RSVPWaiting:
		c.Waiting = n
	}
}

// RSVPCounts counts a meetup's answers.
func (s *Store) RSVPCounts(ctx context.Context, meetupID int64) (model.RSVPCounts, error) {
	return rsvpCounts(ctx, s.db, meetupID)
}

// RSVPCountsOf counts the answers to several meetups at once, as
// RSVPCounts counts each one's, in one grouped query (per batch of ids on
// SQLite; see idBatches): every id given gets an entry, zero counts for a
// meetup nobody answered (or unknown).
func (s *Store) RSVPCountsOf(ctx context.Context, meetupIDs []int64) (map[int64]model.RSVPCounts, error) {
	out := make(map[int64]model.RSVPCounts, len(meetupIDs))
	for _, id := range meetupIDs {
		out[id] = model.RSVPCounts{}
	}
	for _, batch := range s.idBatches(meetupIDs) {
		in, args := s.inIDs("meetup_id", batch)
		var rows []struct {
			MeetupID int64  `db:"meetup_id"`
			Status   string `db:"status"`
			N        int    `db:"n"`
		}
		if err := s.db.SelectContext(ctx, &rows, `SELECT meetup_id, status, COUNT(*) AS n FROM meetup_rsvps
			WHERE `+in+` GROUP BY meetup_id, status`, args...); err != nil {
			return nil, fmt.Errorf("count answers to %d meetups: %w", len(batch), err)
		}
		for _, r := range rows {
			c := out[r.MeetupID]
			countRSVPs(&c, r.Status, r.N)
			out[r.MeetupID] = c
		}
	}
	return out, nil
}

// Attendees lists a meetup's answers: confirmed, then maybe, then the
// waiting list, then those not coming, each in the order they answered.
func (s *Store) Attendees(ctx context.Context, meetupID int64) ([]model.Attendee, error) {
	var out []model.Attendee
	err := s.db.SelectContext(ctx, &out, `SELECT `+attendeeColumns+`
		FROM meetup_rsvps r JOIN members m ON m.id = r.member_id WHERE r.meetup_id = $1
		ORDER BY CASE r.status WHEN 'yes' THEN 0 WHEN 'maybe' THEN 1 WHEN 'waiting' THEN 2 ELSE 3 END, r.queued`, meetupID)
	if err != nil {
		return nil, fmt.Errorf("list answers to meetup %d: %w", meetupID, err)
	}
	return out, nil
}

// RSVP reads one member's answer to a meetup; ErrNotFound when none.
func (s *Store) RSVP(ctx context.Context, meetupID, memberID int64) (model.Attendee, error) {
	var a model.Attendee
	err := s.db.GetContext(ctx, &a, `SELECT `+attendeeColumns+`
		FROM meetup_rsvps r JOIN members m ON m.id = r.member_id WHERE r.meetup_id = $1 AND r.member_id = $2`, meetupID, memberID)
	if err != nil {
		return model.Attendee{}, fmt.Errorf("read answer of member %d to meetup %d: %w", memberID, meetupID, notFound(err))
	}
	return a, nil
}

// rsvpRank orders answers for merging two accounts: the stronger answer
// is kept.
const rsvpRank = `CASE %s WHEN 'yes' THEN 3 WHEN 'waiting' THEN 2 WHEN 'maybe' THEN 1 ELSE 0 END`

// MergeMeetupRSVPs moves member from's answers, meetups and deliveries to
// member into, when a person links two accounts. Where both answered one
// meetup, the stronger answer stays (yes, then waiting, maybe, no). It is
// idempotent, so a retried merge is harmless. A seat freed because both
// accounts had one is not given to the waiting list here; the next
// withdrawal or capacity change does.
func (s *Store) MergeMeetupRSVPs(ctx context.Context, into, from int64) error {
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		stmts := []string{
			`DELETE FROM meetup_rsvps WHERE member_id = $1 AND EXISTS (SELECT 1 FROM meetup_rsvps o
				WHERE o.member_id = $2 AND o.meetup_id = meetup_rsvps.meetup_id
				AND ` + fmt.Sprintf(rsvpRank, "o.status") + ` > ` + fmt.Sprintf(rsvpRank, "meetup_rsvps.status") + `)`,
			`UPDATE meetup_rsvps SET member_id = $1 WHERE member_id = $2
				AND meetup_id NOT IN (SELECT meetup_id FROM meetup_rsvps WHERE member_id = $1)`,
			`DELETE FROM meetup_rsvps WHERE member_id = $1`,
			`UPDATE meetup_deliveries SET member_id = $1 WHERE member_id = $2 AND NOT EXISTS (SELECT 1 FROM meetup_deliveries o
				WHERE o.member_id = $1 AND o.meetup_id = meetup_deliveries.meetup_id AND o.notice = meetup_deliveries.notice)`,
			`DELETE FROM meetup_deliveries WHERE member_id = $1`,
			`UPDATE meetups SET author_id = $1 WHERE author_id = $2`,
		}
		for _, q := range stmts {
			// The statements with one placeholder name the member left behind.
			args := []any{into, from}
			if !strings.Contains(q, "$2") {
				args = []any{from}
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("merge meetup answers of member %d into %d: %w", from, into, err)
			}
		}
		return nil
	})
}

// Delivery states.
const (
	DeliverySending = "sending"
	DeliverySent    = "sent"
	DeliveryRefused = "refused"
)

// ClaimDelivery records that notice (a reminder, a change) is being sent
// to a member about a meetup, before it is sent: it returns false when it
// was claimed already, by this process or another, so nobody gets a notice
// twice. A claim left "sending" by a crash is never sent again.
func (s *Store) ClaimDelivery(ctx context.Context, meetupID int64, notice string, memberID int64, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO meetup_deliveries (meetup_id, notice, member_id, claimed_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (meetup_id, notice, member_id) DO NOTHING`, meetupID, notice, memberID, now.UTC())
	if err != nil {
		return false, fmt.Errorf("claim %s of meetup %d for member %d: %w", notice, meetupID, memberID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FinishDelivery records how a claimed notice went: sent or refused (the
// member accepts no direct message); an empty state drops the claim, so
// a later run tries again after a failure that sent nothing.
func (s *Store) FinishDelivery(ctx context.Context, meetupID int64, notice string, memberID int64, state string) error {
	var err error
	if state == "" {
		_, err = s.db.ExecContext(ctx, `DELETE FROM meetup_deliveries WHERE meetup_id = $1 AND notice = $2 AND member_id = $3`, meetupID, notice, memberID)
	} else {
		_, err = s.db.ExecContext(ctx, `UPDATE meetup_deliveries SET state = $4 WHERE meetup_id = $1 AND notice = $2 AND member_id = $3`,
			meetupID, notice, memberID, state)
	}
	if err != nil {
		return fmt.Errorf("finish %s of meetup %d for member %d: %w", notice, meetupID, memberID, err)
	}
	return nil
}

// Deliveries counts a meetup's notices by state, for tests and checks.
func (s *Store) Deliveries(ctx context.Context, meetupID int64, notice string) (map[string]int, error) {
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT state, COUNT(*) AS n FROM meetup_deliveries WHERE meetup_id = $1 AND notice = $2 GROUP BY state`,
		meetupID, notice); err != nil {
		return nil, fmt.Errorf("count deliveries of %s for meetup %d: %w", notice, meetupID, err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

const platformEventColumns = `meetup_id, platform, group_id, event_id, synced_sequence, cancelled, unsupported, claimed_at`

// PlatformEvents lists where a meetup is, or is being, listed as a
// platform event.
func (s *Store) PlatformEvents(ctx context.Context, meetupID int64) ([]model.PlatformEvent, error) {
	var out []model.PlatformEvent
	if err := s.db.SelectContext(ctx, &out, `SELECT `+platformEventColumns+` FROM meetup_platform_events WHERE meetup_id = $1
		ORDER BY platform, group_id`, meetupID); err != nil {
		return nil, fmt.Errorf("list platform events of meetup %d: %w", meetupID, err)
	}
	return out, nil
}

// ClaimPlatformEvent reserves the creation of a meetup's event in a
// platform group; false when it is reserved or created already.
func (s *Store) ClaimPlatformEvent(ctx context.Context, meetupID int64, platform, groupID string, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO meetup_platform_events (meetup_id, platform, group_id, claimed_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (meetup_id, platform, group_id) DO NOTHING`, meetupID, platform, groupID, now.UTC())
	if err != nil {
		return false, fmt.Errorf("claim %s event of meetup %d in %s: %w", platform, meetupID, groupID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecordPlatformEvent stores what was done with a claimed platform event.
func (s *Store) RecordPlatformEvent(ctx context.Context, e model.PlatformEvent) error {
	_, err := s.db.ExecContext(ctx, `UPDATE meetup_platform_events SET event_id = $4, synced_sequence = $5, cancelled = $6, unsupported = $7
		WHERE meetup_id = $1 AND platform = $2 AND group_id = $3`,
		e.MeetupID, e.Platform, e.GroupID, e.EventID, e.Sequence, e.Cancelled, e.Unsupported)
	if err != nil {
		return fmt.Errorf("record %s event of meetup %d in %s: %w", e.Platform, e.MeetupID, e.GroupID, err)
	}
	return nil
}

// ReleasePlatformEvent drops a claim whose creation failed, so a retry
// may create the event.
func (s *Store) ReleasePlatformEvent(ctx context.Context, meetupID int64, platform, groupID string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM meetup_platform_events WHERE meetup_id = $1 AND platform = $2 AND group_id = $3 AND event_id = ''`,
		meetupID, platform, groupID)
	if err != nil {
		return fmt.Errorf("release %s event of meetup %d in %s: %w", platform, meetupID, groupID, err)
	}
	return nil
}

// CalendarToken returns the secret of a community's calendar URLs,
// storing candidate as that secret when it has none yet.
func (s *Store) CalendarToken(ctx context.Context, communityID int64, candidate string, now time.Time) (string, error) {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meetup_calendars (community_id, token, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (community_id) DO NOTHING`, communityID, candidate, now.UTC()); err != nil {
		return "", fmt.Errorf("create calendar secret of community %d: %w", communityID, err)
	}
	var token string
	if err := s.db.GetContext(ctx, &token, `SELECT token FROM meetup_calendars WHERE community_id = $1`, communityID); err != nil {
		return "", fmt.Errorf("read calendar secret of community %d: %w", communityID, notFound(err))
	}
	return token, nil
}

// ResetCalendarToken replaces a community's calendar secret: the old URLs
// stop working at once.
func (s *Store) ResetCalendarToken(ctx context.Context, communityID int64, token string, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meetup_calendars (community_id, token, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (community_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at`,
		communityID, token, now.UTC()); err != nil {
		return fmt.Errorf("reset calendar secret of community %d: %w", communityID, err)
	}
	return nil
}

// CommunityByCalendarToken finds the community whose calendar secret is
// token; ErrNotFound for any other text.
func (s *Store) CommunityByCalendarToken(ctx context.Context, token string) (model.Community, error) {
	var c model.Community
	err := s.db.GetContext(ctx, &c, `SELECT `+communityColumns+` FROM communities m JOIN meetup_calendars k ON k.community_id = m.id
		WHERE k.token = $1`, token)
	if err != nil {
		return model.Community{}, fmt.Errorf("find calendar: %w", notFound(err))
	}
	return c, nil
}
