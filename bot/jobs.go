package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agora-community/agora/storage"
)

const (
	// DefaultJobLease is how long a claimed job is kept from other
	// processes; a running job renews it every third of the lease, so
	// only a job whose process died is taken over, once the lease ends.
	DefaultJobLease = 2 * time.Minute
	jobMaxAttempts  = 10
)

// RunJobs runs due jobs until ctx ends, looking for new ones every poll
// interval. Several processes may run it on one PostgreSQL: each job is
// claimed by one of them.
func (rt *Runtime) RunJobs(ctx context.Context, poll time.Duration) {
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		if _, err := rt.RunDueJobs(ctx); err != nil && ctx.Err() == nil {
			rt.log.Error("run due jobs", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// RunDueJobs runs every job due at the clock's time, then the modules'
// ticks and the outbox (due posts, coalesced edits), and returns how many
// jobs ran.
//
// When ctx ends (the process is stopping) it claims nothing more, but
// finishes the job or the ticks it started, each within JobTimeout: work
// cut halfway would wait for its lease to end before another process took
// it, and a message sent but not yet recorded could be sent again.
func (rt *Runtime) RunDueJobs(ctx context.Context) (int, error) {
	work := context.WithoutCancel(ctx)
	ran := 0
	for ctx.Err() == nil {
		now := rt.clock.Now()
		job, err := rt.store.ClaimJob(ctx, now, rt.cfg.JobLease)
		if errors.Is(err, storage.ErrNotFound) {
			wctx, cancel := context.WithTimeout(work, rt.cfg.JobTimeout)
			rt.runTicks(wctx)
			cancel()
			return ran, nil
		}
		if err != nil {
			return ran, err
		}
		ran++
		wctx, cancel := context.WithTimeout(work, rt.cfg.JobTimeout)
		rt.runJob(wctx, job)
		cancel()
	}
	return ran, ctx.Err()
}

func (rt *Runtime) runJob(ctx context.Context, job storage.Job) {
	rt.mu.RLock()
	handler, ok := rt.jobs[job.Kind]
	rt.mu.RUnlock()
	var err error
	if !ok {
		err = fmt.Errorf("no handler for job kind %q", job.Kind)
	} else {
		release := rt.holdJob(ctx, job)
		err = safeRun(func() error { return handler(ctx, job.Payload) })
		release()
	}
	now := rt.clock.Now()
	if err == nil {
		rt.metrics.Jobs.WithLabelValues(job.Kind, "ok").Inc()
		if ferr := rt.store.FinishJob(ctx, job, now); ferr != nil {
			rt.log.Error("finish job", "job", job.ID, "kind", job.Kind, "error", ferr)
		}
		return
	}
	giveUp := job.Attempts >= jobMaxAttempts
	backoff := time.Duration(1<<min(job.Attempts, 10)) * time.Second
	rt.metrics.Jobs.WithLabelValues(job.Kind, "error").Inc()
	rt.log.Error("job failed", "job", job.ID, "kind", job.Kind, "attempt", job.Attempts, "give_up", giveUp, "error", err)
	if rerr := rt.store.RetryJob(ctx, job, err.Error(), now.Add(backoff), giveUp); rerr != nil {
		rt.log.Error("reschedule job", "job", job.ID, "error", rerr)
	}
}

// holdJob renews a running job's claim every third of the lease until the
// returned function is called, so another process takes the job over only
// when this one stopped renewing: it died, or lost the database for longer
// than the lease.
func (rt *Runtime) holdJob(ctx context.Context, job storage.Job) (release func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { // owned by runJob, which calls release before it returns
		defer close(done)
		ticker := time.NewTicker(rt.cfg.JobLease / 3)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
			held, err := rt.store.ExtendJob(ctx, job, rt.clock.Now().Add(rt.cfg.JobLease))
			switch {
			case err != nil && ctx.Err() == nil:
				rt.log.Warn("renew a running job's claim", "job", job.ID, "kind", job.Kind, "error", err)
			case err == nil && !held:
				rt.log.Warn("a running job was taken over by another process after its lease ended", "job", job.ID, "kind", job.Kind)
				return
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

func safeRun(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job panicked: %v", p)
		}
	}()
	return fn()
}

func (rt *Runtime) runTicks(ctx context.Context) {
	rt.mu.RLock()
	ticks := rt.ticks
	rt.mu.RUnlock()
	for _, tick := range ticks {
		if err := safeRun(func() error { return tick(ctx) }); err != nil && ctx.Err() == nil {
			rt.log.Error("module tick", "error", err)
		}
	}
	if err := safeRun(func() error { return rt.outbox.Flush(ctx) }); err != nil && ctx.Err() == nil {
		rt.log.Warn("outbox flush", "error", err)
	}
}
