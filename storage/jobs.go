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
	ID        int64     `db:"id"`
	Kind      string    `db:"kind"`
	Payload   string    `db:"payload"`
	RunAt     time.Time `db:"run_at"`
	Attempts  int       `db:"attempts"`
	LastError string    `db:"last_error"`
}

// ScheduleJob stores a job. A job with the same dedupe key is rescheduled
// rather than duplicated, so "close poll 12" exists once however often the
// deadline moves. q may be the store's database or a transaction, so a job
// is created in the same transaction as the state it belongs to.
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
			run_at = excluded.run_at, attempts = 0, last_error = '', locked_until = NULL, done_at = NULL`,
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

// Unschedule cancels a capability's pending job, if any.
func (s *Store) Unschedule(ctx context.Context, j model.JobRef) error {
	return s.CancelJob(ctx, s.db, j.Key())
}

// scheduleRef schedules a capability's job reference.
func (s *Store) scheduleRef(ctx context.Context, q sqlx.ExecerContext, j model.JobRef, runAt time.Time) error {
	return s.ScheduleJob(ctx, q, j.Kind, j.Payload, j.Key(), runAt)
}

// CancelJob marks a pending job done without running it.
func (s *Store) CancelJob(ctx context.Context, q sqlx.ExecerContext, dedupeKey string) error {
	if q == nil {
		q = s.db
	}
	if _, err := q.ExecContext(ctx, `UPDATE jobs SET done_at = $2 WHERE dedupe_key = $1 AND done_at IS NULL`, dedupeKey, time.Now().UTC()); err != nil {
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
	err := s.db.GetContext(ctx, &j, `UPDATE jobs SET locked_until = $2, attempts = attempts + 1
		WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $1
			AND (locked_until IS NULL OR locked_until <= $1) ORDER BY run_at, id LIMIT 1`+lock+`)
		RETURNING id, kind, payload, run_at, attempts, last_error`, now, now.Add(lease))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("claim job: %w", err)
	}
	return j, nil
}

// FinishJob records that a job ran.
func (s *Store) FinishJob(ctx context.Context, id int64, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE jobs SET done_at = $2, locked_until = NULL WHERE id = $1`, id, now.UTC()); err != nil {
		return fmt.Errorf("finish job %d: %w", id, err)
	}
	return nil
}

// RetryJob records a failure and when to try again; giveUp marks it done.
func (s *Store) RetryJob(ctx context.Context, id int64, failure string, retryAt time.Time, giveUp bool) error {
	var done any
	if giveUp {
		done = retryAt.UTC()
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE jobs SET last_error = $2, run_at = $3, locked_until = NULL, done_at = $4 WHERE id = $1`,
		id, failure, retryAt.UTC(), done); err != nil {
		return fmt.Errorf("reschedule job %d: %w", id, err)
	}
	return nil
}

// PendingJobs lists jobs not yet done, soonest first.
func (s *Store) PendingJobs(ctx context.Context) ([]Job, error) {
	var jobs []Job
	if err := s.db.SelectContext(ctx, &jobs, `SELECT id, kind, payload, run_at, attempts, last_error FROM jobs WHERE done_at IS NULL ORDER BY run_at, id`); err != nil {
		return nil, fmt.Errorf("list pending jobs: %w", err)
	}
	return jobs, nil
}
