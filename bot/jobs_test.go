package bot_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// waitUntil polls cond until it holds or the deadline passes.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func jobRuntime(t *testing.T, store *storage.Store, clock bot.Clock, lease time.Duration) *bot.Runtime {
	t.Helper()
	cat, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	return bot.New(store, commands.NewRegistry(cat), slog.New(slog.NewTextHandler(io.Discard, nil)), clock, bot.Config{JobLease: lease})
}

// Two processes share a job that is rescheduled while the first one runs
// it (a poll closed again while its close job runs): the second process
// does not run it meanwhile, even once the first lease would have ended,
// and runs the new schedule once the first run is done.
func TestJobRescheduledWhileRunningRunsAfterwardsOnly(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := bot.NewManualClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
		const lease = 300 * time.Millisecond
		first, second := jobRuntime(t, s, clock, lease), jobRuntime(t, s, clock, lease)
		var runs atomic.Int32
		started, release := make(chan struct{}, 2), make(chan struct{})
		handler := func(ctx context.Context, payload string) error {
			runs.Add(1)
			started <- struct{}{}
			<-release
			return nil
		}
		first.RegisterJob("test.slow", handler)
		second.RegisterJob("test.slow", func(ctx context.Context, payload string) error {
			runs.Add(1)
			return nil
		})
		if err := s.ScheduleJob(ctx, nil, "test.slow", "1", "test.slow/1", clock.Now()); err != nil {
			t.Fatal(err)
		}
		done := make(chan int, 1)
		go func() {
			n, _ := first.RunDueJobs(ctx)
			done <- n
		}()
		<-started
		if err := s.ScheduleJob(ctx, nil, "test.slow", "1", "test.slow/1", clock.Now()); err != nil {
			t.Fatal(err)
		}
		// The clock passes the lease: only the first process's renewals
		// keep the job from the second.
		clock.Advance(2 * lease)
		waitUntil(t, 10*time.Second, "the running job's claim renewed", func() bool {
			pending, err := s.PendingJobs(ctx)
			return err == nil && len(pending) == 1 && pending[0].LockedUntil != nil && pending[0].LockedUntil.After(clock.Now())
		})
		if n, err := second.RunDueJobs(ctx); n != 0 || err != nil {
			t.Fatalf("the second process ran a job the first is running: %d, %v", n, err)
		}
		// The first process finishes, then sees the new schedule itself
		// and runs it again: release that run too.
		release <- struct{}{}
		<-started
		release <- struct{}{}
		if n := <-done; n != 2 {
			t.Fatalf("the first process ran %d jobs, want the run and the rescheduled run", n)
		}
		if n, _ := second.RunDueJobs(ctx); n != 0 || runs.Load() != 2 {
			t.Fatalf("runs = %d (second ran %d more), want exactly 2", runs.Load(), n)
		}
		if pending, _ := s.PendingJobs(ctx); len(pending) != 0 {
			t.Fatalf("pending after both runs: %+v", pending)
		}
	})
}

// A process that dies holding a job stops renewing its claim; another
// process takes the job over once the lease has ended.
func TestJobOfADeadProcessIsTakenOver(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := bot.NewManualClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
		const lease = time.Minute
		survivor := jobRuntime(t, s, clock, lease)
		var runs atomic.Int32
		survivor.RegisterJob("test.reminder", func(ctx context.Context, payload string) error {
			runs.Add(1)
			return nil
		})
		if err := s.ScheduleJob(ctx, nil, "test.reminder", "1", "", clock.Now()); err != nil {
			t.Fatal(err)
		}
		// The dead process claimed it and will never finish nor renew.
		if _, err := s.ClaimJob(ctx, clock.Now(), lease); err != nil {
			t.Fatal(err)
		}
		if n, _ := survivor.RunDueJobs(ctx); n != 0 {
			t.Fatal("took over a job before its lease ended")
		}
		clock.Advance(lease)
		if n, _ := survivor.RunDueJobs(ctx); n != 1 || runs.Load() != 1 {
			t.Fatalf("after the lease: ran %d, runs %d", n, runs.Load())
		}
	})
}

// A process asked to stop finishes the job it is running, and records it,
// rather than leaving it half done for another process to take over once
// its lease ends; it claims nothing more.
func TestStoppingProcessFinishesItsJob(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		clock := bot.NewManualClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
		rt := jobRuntime(t, s, clock, time.Minute)
		started, release := make(chan struct{}), make(chan struct{})
		var cut atomic.Bool
		var runs atomic.Int32
		rt.RegisterJob("test.send", func(ctx context.Context, payload string) error {
			runs.Add(1)
			if payload == "1" {
				close(started)
				<-release
			}
			cut.Store(ctx.Err() != nil)
			return ctx.Err()
		})
		for _, p := range []string{"1", "2"} {
			if err := s.ScheduleJob(context.Background(), nil, "test.send", p, "", clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { rt.RunJobs(ctx, time.Hour); close(done) }()
		<-started
		stop()
		close(release)
		<-done
		if cut.Load() {
			t.Fatal("the running job's context was cancelled with the loop's")
		}
		pending, err := s.PendingJobs(context.Background())
		if err != nil || len(pending) != 1 || pending[0].Payload != "2" || runs.Load() != 1 {
			t.Fatalf("after stopping: runs %d, pending %+v, %v; want job 1 done and job 2 left", runs.Load(), pending, err)
		}
	})
}
