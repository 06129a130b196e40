package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/jmoiron/sqlx"
)

// Job is scheduled work: a poll's deadline, a reminder, a nudge.
type Job struct {
	ID          int64      `db:"id"`
	Kind        string     `db:"kind"`
	Payload     string     `db:"payload"`
	RunAt       time.Time  `db:"run_at"`
	Attempts    int        `db:"attempts"`
	LastError   string     `db:"last_error"`
	LockedUntil *time.Time `db:"locked_until"`
	// Generation counts the job's schedules; Claim numbers the claim that
	// returned it. FinishJob, RetryJob and ExtendJob act only for the
	// claim that is still the latest, and finish the job only when it was
	// not rescheduled since.
	Generation int64 `db:"generation"`
	Claim      int64 `db:"claims"`
}

// ScheduleJob stores a job. A job with the same dedupe key is rescheduled
// rather than duplicated, so "close poll 12" exists once however often the
// deadline moves. q may be the store's database or a transaction, so a job
// is created in the same transaction as the state it belongs to.
//
// Rescheduling a job that a worker is running keeps the worker's claim:
// no other process takes the job before that worker is done, and the new
// schedule is not lost, since the worker's FinishJob then leaves the job
// due at its new time instead of marking it done.
func (s *Store) ScheduleJob(ctx context.Context, q sqlx.ExecerContext, kind, payload, dedupeKey string, runAt time.Time) error {
	if q == nil {
		q = s.db
	}
	var key any
	if dedupeKey != "" {
		key = dedupeKey
	}
	_, err := q.ExecContext(ctx, `INSERT INTO jobs (kind, payload, dedupe_key, run_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (dedupe_key) DO UPDATE SET kind = excluded.kind, payload = excluded.payload,
			run_at = excluded.run_at, attempts = 0, last_error = '', done_at = NULL, generation = jobs.generation + 1`,
		kind, payload, key, runAt.UTC())
	if err != nil {
		return fmt.Errorf("schedule %s job: %w", kind, err)
	}
	return nil
}

// Schedule stores a capability's job to run at runAt; scheduling the same
// job (kind and payload) again moves it rather than doubling it.
func (s *Store) Schedule(ctx context.Context, j model.JobRef, runAt time.Time) error {
	return s.scheduleRef(ctx, s.db, j, runAt)
}

// scheduleRef schedules a capability's job reference.
func (s *Store) scheduleRef(ctx context.Context, q sqlx.ExecerContext, j model.JobRef, runAt time.Time) error {
	return s.ScheduleJob(ctx, q, j.Kind, j.Payload, j.Key(), runAt)
}

// CancelJob marks a pending job done without running it. A worker running
// it meanwhile finishes its run, but does not bring the job back.
func (s *Store) CancelJob(ctx context.Context, q sqlx.ExecerContext, dedupeKey string) error {
	if q == nil {
		q = s.db
	}
	if _, err := q.ExecContext(ctx, `UPDATE jobs SET done_at = $2, generation = generation + 1
		WHERE dedupe_key = $1 AND done_at IS NULL`, dedupeKey, time.Now().UTC()); err != nil {
		return fmt.Errorf("cancel job %s: %w", dedupeKey, err)
	}
	return nil
}

// ClaimJob takes the most overdue job for lease, so that another process
// does not run it meanwhile. It returns ErrNotFound when nothing is due.
func (s *Store) ClaimJob(ctx context.Context, now time.Time, lease time.Duration) (Job, error) {
	now = now.UTC()
	// PostgreSQL lets concurrent workers skip each other's rows; SQLite has
	// a single writer, so the plain subquery is already exclusive there.
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var j Job
	err := s.db.GetContext(ctx, &j, `UPDATE jobs SET locked_until = $2, attempts = attempts + 1, claims = claims + 1
		WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $1
			AND (locked_until IS NULL OR locked_until <= $1) ORDER BY run_at, id LIMIT 1`+lock+`)
		RETURNING id, kind, payload, run_at, attempts, last_error, locked_until, generation, claims`, now, now.Add(lease))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("claim job: %w", err)
	}
	return j, nil
}

// ExtendJob keeps a running job's claim until until, so a job that runs
// longer than its lease is not taken over by another process. It reports
// false when the claim is no longer j's: the lease ran out and another
// worker took the job.
func (s *Store) ExtendJob(ctx context.Context, j Job, until time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET locked_until = $3 WHERE id = $1 AND claims = $2`, j.ID, j.Claim, until.UTC())
	if err != nil {
		return false, fmt.Errorf("extend job %d: %w", j.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("extend job %d: %w", j.ID, err)
	}
	return n == 1, nil
}

// FinishJob records that a claimed job ran. A job rescheduled while it ran
// stays due at its new time; a job another worker took over meanwhile is
// left to that worker.
func (s *Store) FinishJob(ctx context.Context, j Job, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE jobs SET locked_until = NULL,
			done_at = CASE WHEN generation = $2 THEN $4 ELSE done_at END
		WHERE id = $1 AND claims = $3`, j.ID, j.Generation, j.Claim, now.UTC()); err != nil {
		return fmt.Errorf("finish job %d: %w", j.ID, err)
	}
	return nil
}

// RetryJob records a claimed job's failure and when to try again; giveUp
// marks it done. A job rescheduled while it ran keeps its new schedule.
func (s *Store) RetryJob(ctx context.Context, j Job, failure string, retryAt time.Time, giveUp bool) error {
	var done any
	if giveUp {
		done = retryAt.UTC()
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE jobs SET locked_until = NULL,
			last_error = CASE WHEN generation = $2 THEN $4 ELSE last_error END,
			run_at = CASE WHEN generation = $2 THEN $5 ELSE run_at END,
			done_at = CASE WHEN generation = $2 THEN $6 ELSE done_at END
		WHERE id = $1 AND claims = $3`, j.ID, j.Generation, j.Claim, failure, retryAt.UTC(), done); err != nil {
		return fmt.Errorf("reschedule job %d: %w", j.ID, err)
	}
	return nil
}

// PendingJobs lists jobs not yet done, soonest first.
func (s *Store) PendingJobs(ctx context.Context) ([]Job, error) {
	var jobs []Job
	if err := s.db.SelectContext(ctx, &jobs, `SELECT id, kind, payload, run_at, attempts, last_error, locked_until, generation, claims
		FROM jobs WHERE done_at IS NULL ORDER BY run_at, id`); err != nil {
		return nil, fmt.Errorf("list pending jobs: %w", err)
	}
	return jobs, nil
}
