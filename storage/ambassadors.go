package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/agora-community/agora/model"
)

// The ambassadors and welcome capabilities' storage: welcome texts and who
// was greeted, applications and their decisions, the platform actions an
// ambassadorship takes, the first steps' checklist and its reminders.

// WelcomeTexts reads what the community's moderators wrote for newcomers;
// empty texts when they wrote nothing.
func (s *Store) WelcomeTexts(ctx context.Context, communityID int64) (model.WelcomeTexts, error) {
	var t model.WelcomeTexts
	err := s.db.GetContext(ctx, &t, `SELECT welcome_text, charter FROM community_welcome WHERE community_id = $1`, communityID)
	if errors.Is(notFound(err), ErrNotFound) {
		return model.WelcomeTexts{}, nil
	}
	if err != nil {
		return model.WelcomeTexts{}, fmt.Errorf("read welcome texts of community %d: %w", communityID, err)
	}
	return t, nil
}

// SetWelcomeText writes the community's welcome text, and only it, so two
// moderators editing the text and the charter at once both keep theirs.
// An empty text restores the default.
func (s *Store) SetWelcomeText(ctx context.Context, communityID int64, text string, by int64, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO community_welcome (community_id, welcome_text, updated_by, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (community_id) DO UPDATE SET welcome_text = excluded.welcome_text, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		communityID, text, nullID(by), now.UTC())
	if err != nil {
		return fmt.Errorf("write welcome text of community %d: %w", communityID, err)
	}
	return nil
}

// SetCharter writes the community's charter, and only it. An empty text
// restores the default.
func (s *Store) SetCharter(ctx context.Context, communityID int64, text string, by int64, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO community_welcome (community_id, charter, updated_by, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (community_id) DO UPDATE SET charter = excluded.charter, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		communityID, text, nullID(by), now.UTC())
	if err != nil {
		return fmt.Errorf("write charter of community %d: %w", communityID, err)
	}
	return nil
}

// MarkWelcomed records that a member was greeted in a community. It
// reports true only the first time: the caller greets only then, so a
// member who rejoins, or whose join reaches two processes, is greeted once.
func (s *Store) MarkWelcomed(ctx context.Context, communityID, memberID int64, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO welcomed_members (community_id, member_id, welcomed_at) VALUES ($1, $2, $3)
		ON CONFLICT (community_id, member_id) DO NOTHING`, communityID, memberID, now.UTC())
	if err != nil {
		return false, fmt.Errorf("record welcome of member %d in community %d: %w", memberID, communityID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record welcome of member %d: %w", memberID, err)
	}
	return n == 1, nil
}

const applicationColumns = `a.id, a.community_id, a.member_id, COALESCE(m.display_name, '') AS member_name,
	a.city, a.city_key, a.motivation, a.availability, a.platform, a.platform_user_id, a.locale, a.status,
	a.created_at, COALESCE(a.decided_by, 0) AS decided_by, COALESCE(d.display_name, '') AS decider_name,
	a.decided_at, a.reason`

const applicationFrom = ` FROM ambassador_applications a
	JOIN members m ON m.id = a.member_id
	LEFT JOIN members d ON d.id = a.decided_by`

// CreateApplication stores a pending application and sets its ID. A
// member with an open one (pending, or approved) in the community gets
// ErrConflict: one open application each, even when two arrive at once.
func (s *Store) CreateApplication(ctx context.Context, a *model.Application, now time.Time) error {
	err := s.db.GetContext(ctx, &a.ID, `INSERT INTO ambassador_applications
		(community_id, member_id, city, city_key, motivation, availability, platform, platform_user_id, locale, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10) RETURNING id`,
		a.CommunityID, a.MemberID, a.City, a.CityKey, a.Motivation, a.Availability, a.Platform, a.PlatformUserID, a.Locale, now.UTC())
	if err != nil && isUniqueViolation(err) {
		return fmt.Errorf("create application of member %d: %w", a.MemberID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create application of member %d: %w", a.MemberID, err)
	}
	a.Status = model.ApplicationPending
	a.CreatedAt = now
	return nil
}

// Application loads an application with its member's and decider's names.
func (s *Store) Application(ctx context.Context, id int64) (model.Application, error) {
	var a model.Application
	err := s.db.GetContext(ctx, &a, `SELECT `+applicationColumns+applicationFrom+` WHERE a.id = $1`, id)
	if err != nil {
		return model.Application{}, fmt.Errorf("load application %d: %w", id, notFound(err))
	}
	return a, nil
}

// OpenApplication finds the member's open application in the community:
// pending, or approved; ErrNotFound when there is none.
func (s *Store) OpenApplication(ctx context.Context, communityID, memberID int64) (model.Application, error) {
	var a model.Application
	err := s.db.GetContext(ctx, &a, `SELECT `+applicationColumns+applicationFrom+`
		WHERE a.community_id = $1 AND a.member_id = $2 AND a.status IN ('pending', 'approved')`, communityID, memberID)
	if err != nil {
		return model.Application{}, fmt.Errorf("find open application of member %d: %w", memberID, notFound(err))
	}
	return a, nil
}

// Applications lists a community's applications in one status, oldest first.
func (s *Store) Applications(ctx context.Context, communityID int64, status string) ([]model.Application, error) {
	var out []model.Application
	err := s.db.SelectContext(ctx, &out, `SELECT `+applicationColumns+applicationFrom+`
		WHERE a.community_id = $1 AND a.status = $2 ORDER BY a.id`, communityID, status)
	if err != nil {
		return nil, fmt.Errorf("list %s applications of community %d: %w", status, communityID, err)
	}
	return out, nil
}

// DecideApplication approves or rejects a pending application, recording
// who decided and why in its history; approving makes the member an
// ambassador in Agora (a moderator stays one). The status moves in one
// UPDATE that only a pending application passes, so when two moderators
// decide at once exactly one decision is recorded: the other gets the
// application as decided, with ErrConflict. An applicant never passes it
// for their own application. followUp (the grants), when its Kind is
// set, is scheduled at followUpAt in the same transaction, so a crash
// loses nothing.
func (s *Store) DecideApplication(ctx context.Context, id int64, status string, by int64, reason string, now time.Time, followUp model.JobRef, followUpAt time.Time) (model.Application, error) {
	if status != model.ApplicationApproved && status != model.ApplicationRejected {
		return model.Application{}, fmt.Errorf("decide application %d: bad decision %q", id, status)
	}
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ambassador_applications SET status = $2, decided_by = $3, decided_at = $4, reason = $5
			WHERE id = $1 AND status = 'pending' AND member_id <> $3`, id, status, by, now.UTC(), reason)
		if err != nil {
			return fmt.Errorf("decide application %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errLostRace
		}
		if err := logDecision(ctx, tx, id, status, by, reason, now); err != nil {
			return err
		}
		if status == model.ApplicationApproved {
			// Agora's role, beside the decision: an approved application
			// never leaves the member without it.
			if _, err := tx.ExecContext(ctx, `INSERT INTO community_roles (community_id, member_id, role)
				SELECT community_id, member_id, 'ambassador' FROM ambassador_applications WHERE id = $1
				ON CONFLICT (community_id, member_id) DO UPDATE
				SET role = CASE WHEN community_roles.role = 'moderator' THEN 'moderator' ELSE 'ambassador' END`, id); err != nil {
				return fmt.Errorf("grant the ambassador role of application %d: %w", id, err)
			}
		}
		return s.scheduleFollowUp(ctx, tx, followUp, followUpAt)
	})
	return s.afterDecision(ctx, id, err)
}

// RevokeAmbassador ends an approved ambassadorship: the application is
// revoked, the history records who did it and why, and the member is no
// longer an ambassador in Agora (a moderator stays one). Only an approved
// application passes, once: otherwise ErrConflict, with the application as
// it is. followUp (the platforms' removals) is scheduled at followUpAt in
// the same transaction.
func (s *Store) RevokeAmbassador(ctx context.Context, id, by int64, reason string, now time.Time, followUp model.JobRef, followUpAt time.Time) (model.Application, error) {
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ambassador_applications SET status = 'revoked', decided_by = $2, decided_at = $3, reason = $4
			WHERE id = $1 AND status = 'approved'`, id, by, now.UTC(), reason)
		if err != nil {
			return fmt.Errorf("revoke application %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errLostRace
		}
		if err := logDecision(ctx, tx, id, model.ApplicationRevoked, by, reason, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM community_roles WHERE role = 'ambassador' AND (community_id, member_id) IN
			(SELECT community_id, member_id FROM ambassador_applications WHERE id = $1)`, id); err != nil {
			return fmt.Errorf("remove the ambassador role of application %d: %w", id, err)
		}
		return s.scheduleFollowUp(ctx, tx, followUp, followUpAt)
	})
	return s.afterDecision(ctx, id, err)
}

// afterDecision returns the application as a decision left it, or as
// another decision left it (with ErrConflict).
func (s *Store) afterDecision(ctx context.Context, id int64, err error) (model.Application, error) {
	lost := errors.Is(err, errLostRace)
	if err != nil && !lost {
		return model.Application{}, err
	}
	if !lost {
		s.forgetMembers(ctx) // the member's role changed
	}
	a, err := s.Application(ctx, id)
	if err != nil {
		return model.Application{}, err
	}
	if lost {
		return a, fmt.Errorf("decide application %d: %w", id, ErrConflict)
	}
	return a, nil
}

func logDecision(ctx context.Context, tx *sqlx.Tx, id int64, decision string, by int64, reason string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ambassador_decisions (application_id, community_id, decision, decided_by, reason, decided_at)
		SELECT id, community_id, $2, $3, $4, $5 FROM ambassador_applications WHERE id = $1`, id, decision, nullID(by), reason, now.UTC())
	if err != nil {
		return fmt.Errorf("record decision on application %d: %w", id, err)
	}
	return nil
}

func (s *Store) scheduleFollowUp(ctx context.Context, tx *sqlx.Tx, j model.JobRef, at time.Time) error {
	if j.Kind == "" {
		return nil
	}
	return s.scheduleRef(ctx, tx, j, at)
}

// AmbassadorDecisions lists the community's latest decisions, newest first.
func (s *Store) AmbassadorDecisions(ctx context.Context, communityID int64, limit int) ([]model.AmbassadorDecision, error) {
	var out []model.AmbassadorDecision
	err := s.db.SelectContext(ctx, &out, `SELECT h.id, h.application_id, COALESCE(m.display_name, '') AS member_name, a.city,
		h.decision, COALESCE(h.decided_by, 0) AS decided_by, COALESCE(d.display_name, '') AS decider_name, h.reason, h.decided_at
		FROM ambassador_decisions h
		JOIN ambassador_applications a ON a.id = h.application_id
		JOIN members m ON m.id = a.member_id
		LEFT JOIN members d ON d.id = h.decided_by
		WHERE h.community_id = $1 ORDER BY h.decided_at DESC, h.id DESC LIMIT $2`, communityID, limit)
	if err != nil {
		return nil, fmt.Errorf("list decisions of community %d: %w", communityID, err)
	}
	return out, nil
}

const actionColumns = `id, application_id, kind, platform, platform_user_id, status, reason, detail, attempts, updated_at`

// EnsureAmbassadorActions records, as pending, what kind (grant or revoke)
// takes for each platform account the application's member has now; an
// account already recorded keeps its row and outcome.
func (s *Store) EnsureAmbassadorActions(ctx context.Context, applicationID int64, kind string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO ambassador_actions (application_id, kind, platform, platform_user_id, status, updated_at)
		SELECT a.id, $2, i.platform, i.platform_user_id, 'pending', $3
		FROM ambassador_applications a JOIN identities i ON i.member_id = a.member_id
		WHERE a.id = $1
		ON CONFLICT (application_id, kind, platform, platform_user_id) DO NOTHING`, applicationID, kind, now.UTC())
	if err != nil {
		return fmt.Errorf("record %s actions of application %d: %w", kind, applicationID, err)
	}
	return nil
}

// ClaimAmbassadorActions takes the application's pending actions of a kind,
// and those whose claimer died (lease passed), for lease: whoever claims
// an action is the only one to perform it meanwhile.
func (s *Store) ClaimAmbassadorActions(ctx context.Context, applicationID int64, kind string, now time.Time, lease time.Duration) ([]model.AmbassadorAction, error) {
	var out []model.AmbassadorAction
	err := s.db.SelectContext(ctx, &out, `UPDATE ambassador_actions
		SET status = 'running', lease_until = $4, attempts = attempts + 1, updated_at = $3
		WHERE application_id = $1 AND kind = $2 AND (status = 'pending' OR (status = 'running' AND lease_until <= $3))
		RETURNING `+actionColumns, applicationID, kind, now.UTC(), now.Add(lease).UTC())
	if err != nil {
		return nil, fmt.Errorf("claim %s actions of application %d: %w", kind, applicationID, err)
	}
	return out, nil
}

// FinishAmbassadorAction records a claimed action's outcome.
func (s *Store) FinishAmbassadorAction(ctx context.Context, id int64, status, reason, detail string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE ambassador_actions SET status = $2, reason = $3, detail = $4, lease_until = NULL, updated_at = $5
		WHERE id = $1`, id, status, reason, detail, now.UTC())
	if err != nil {
		return fmt.Errorf("record outcome of ambassador action %d: %w", id, err)
	}
	return nil
}

// AmbassadorActions lists the application's actions of a kind.
func (s *Store) AmbassadorActions(ctx context.Context, applicationID int64, kind string) ([]model.AmbassadorAction, error) {
	var out []model.AmbassadorAction
	err := s.db.SelectContext(ctx, &out, `SELECT `+actionColumns+` FROM ambassador_actions
		WHERE application_id = $1 AND kind = $2 ORDER BY platform, platform_user_id`, applicationID, kind)
	if err != nil {
		return nil, fmt.Errorf("list %s actions of application %d: %w", kind, applicationID, err)
	}
	return out, nil
}

// AmbassadorAction loads one action.
func (s *Store) AmbassadorAction(ctx context.Context, id int64) (model.AmbassadorAction, error) {
	var a model.AmbassadorAction
	if err := s.db.GetContext(ctx, &a, `SELECT `+actionColumns+` FROM ambassador_actions WHERE id = $1`, id); err != nil {
		return model.AmbassadorAction{}, fmt.Errorf("load ambassador action %d: %w", id, notFound(err))
	}
	return a, nil
}

// RetryAmbassadorActions puts the application's failed actions of a kind
// back to pending and returns how many.
func (s *Store) RetryAmbassadorActions(ctx context.Context, applicationID int64, kind string, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE ambassador_actions SET status = 'pending', updated_at = $3
		WHERE application_id = $1 AND kind = $2 AND status = 'failed'`, applicationID, kind, now.UTC())
	if err != nil {
		return 0, fmt.Errorf("retry %s actions of application %d: %w", kind, applicationID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("retry %s actions of application %d: %w", kind, applicationID, err)
	}
	return int(n), nil
}

// MarkAmbassadorStep records a checklist step as done; by is the
// moderator who marked it, or 0. It reports whether the step was new.
func (s *Store) MarkAmbassadorStep(ctx context.Context, applicationID int64, step string, by int64, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO ambassador_steps (application_id, step, done_at, marked_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (application_id, step) DO NOTHING`, applicationID, step, now.UTC(), nullID(by))
	if err != nil {
		return false, fmt.Errorf("mark step %s of application %d: %w", step, applicationID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark step %s of application %d: %w", step, applicationID, err)
	}
	return n == 1, nil
}

const stepColumns = `s.application_id, s.step, s.done_at, COALESCE(s.marked_by, 0) AS marked_by`

// ApplicationSteps lists the steps an ambassador completed.
func (s *Store) ApplicationSteps(ctx context.Context, applicationID int64) ([]model.AmbassadorStep, error) {
	var out []model.AmbassadorStep
	err := s.db.SelectContext(ctx, &out, `SELECT `+stepColumns+` FROM ambassador_steps s WHERE s.application_id = $1 ORDER BY s.done_at`, applicationID)
	if err != nil {
		return nil, fmt.Errorf("list steps of application %d: %w", applicationID, err)
	}
	return out, nil
}

// CommunityAmbassadorSteps lists the steps completed by every ambassador
// in force in the community.
func (s *Store) CommunityAmbassadorSteps(ctx context.Context, communityID int64) ([]model.AmbassadorStep, error) {
	var out []model.AmbassadorStep
	err := s.db.SelectContext(ctx, &out, `SELECT `+stepColumns+` FROM ambassador_steps s
		JOIN ambassador_applications a ON a.id = s.application_id
		WHERE a.community_id = $1 AND a.status = 'approved' ORDER BY s.application_id, s.done_at`, communityID)
	if err != nil {
		return nil, fmt.Errorf("list ambassador steps of community %d: %w", communityID, err)
	}
	return out, nil
}

// RecordAmbassadorNudge records a reminder about a step before it is sent.
// It reports true only the first time, so an ambassador gets at most one
// reminder per step, whichever process runs the reminder.
func (s *Store) RecordAmbassadorNudge(ctx context.Context, applicationID int64, step string, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO ambassador_nudges (application_id, step, sent_at) VALUES ($1, $2, $3)
		ON CONFLICT (application_id, step) DO NOTHING`, applicationID, step, now.UTC())
	if err != nil {
		return false, fmt.Errorf("record reminder of step %s of application %d: %w", step, applicationID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record reminder of step %s of application %d: %w", step, applicationID, err)
	}
	return n == 1, nil
}

// MergeWelcome moves what the welcome capability keeps about member from
// to member into, when one person linked two accounts: who was greeted,
// and the texts they wrote. Safe to run again.
func (s *Store) MergeWelcome(ctx context.Context, into, from int64) error {
	return s.merge(ctx, into, from, []mergeStep{
		{"greetings", `INSERT INTO welcomed_members (community_id, member_id, welcomed_at)
			SELECT community_id, $1, welcomed_at FROM welcomed_members WHERE member_id = $2
			ON CONFLICT (community_id, member_id) DO NOTHING`},
		{"greetings", `DELETE FROM welcomed_members WHERE member_id = $2 AND member_id <> $1`},
		{"welcome texts", `UPDATE community_welcome SET updated_by = $1 WHERE updated_by = $2`},
	})
}

// MergeAmbassadors moves what the ambassadors capability keeps about
// member from to member into, when one person linked two accounts: their
// applications with their checklists, and the decisions they made. Where
// both had an open application in one community, the one that counts
// more stays (an ambassadorship in force, else the older) and the other
// is withdrawn. Safe to run again.
func (s *Store) MergeAmbassadors(ctx context.Context, into, from int64) error {
	return s.merge(ctx, into, from, []mergeStep{
		// Withdraw the weaker of two open applications in one community:
		// approved beats pending, then the older wins.
		{"applications", `UPDATE ambassador_applications SET status = 'withdrawn'
			WHERE member_id IN ($1, $2) AND status IN ('pending', 'approved') AND EXISTS (
				SELECT 1 FROM ambassador_applications o
				WHERE o.community_id = ambassador_applications.community_id AND o.member_id IN ($1, $2)
				AND o.id <> ambassador_applications.id AND o.status IN ('pending', 'approved')
				AND (o.status = 'approved' AND ambassador_applications.status = 'pending'
					OR o.status = ambassador_applications.status AND o.id < ambassador_applications.id))`},
		{"applications", `UPDATE ambassador_applications SET member_id = $1 WHERE member_id = $2`},
		{"decisions", `UPDATE ambassador_applications SET decided_by = $1 WHERE decided_by = $2`},
		{"decisions", `UPDATE ambassador_decisions SET decided_by = $1 WHERE decided_by = $2`},
		{"steps", `UPDATE ambassador_steps SET marked_by = $1 WHERE marked_by = $2`},
	})
}

// mergeStep is one statement of a merge, taking into as $1 and from as $2.
type mergeStep struct{ what, query string }

func (s *Store) merge(ctx context.Context, into, from int64, steps []mergeStep) error {
	if into == from {
		return nil
	}
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, st.query, into, from); err != nil {
				return fmt.Errorf("merge %s of member %d into %d: %w", st.what, from, into, err)
			}
		}
		return nil
	})
}

// nullID stores 0 as NULL, for an ID that may be absent (a member, the
// sender or the group of a Telegram update).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// MarkMilestone marks a first-steps step of the member's approved
// application in the community, if they have one: how another capability
// records what the ambassadors' checklist follows (the meetups capability
// marks a first meetup announced, a first meetup attended). It reports
// whether the step was newly marked.
func (s *Store) MarkMilestone(ctx context.Context, communityID, memberID int64, step string, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO ambassador_steps (application_id, step, done_at)
		SELECT id, $3, $4 FROM ambassador_applications WHERE community_id = $1 AND member_id = $2 AND status = 'approved'
		ON CONFLICT (application_id, step) DO NOTHING`, communityID, memberID, step, now.UTC())
	if err != nil {
		return false, fmt.Errorf("mark milestone %s of member %d: %w", step, memberID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark milestone %s of member %d: %w", step, memberID, err)
	}
	return n > 0, nil
}
