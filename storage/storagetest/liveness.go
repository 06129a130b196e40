package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/agora-community/agora/storage"
)

// EndLiveness ends, from another session, the PostgreSQL session holding
// holder's liveness lock, as the server does when the holder's process is
// killed or its connection breaks. It returns once that session is gone,
// and fails the test when no session of s's database holds the lock.
func EndLiveness(t testing.TB, s *storage.Store, holder string) {
	t.Helper()
	if s.Dialect() != storage.Postgres {
		t.Fatal("EndLiveness needs PostgreSQL: on SQLite the liveness has no session")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A bigint advisory lock key shows in pg_locks as its high half in
	// classid and its low half in objid, with objsubid 1.
	var ended bool
	err := s.DB().GetContext(ctx, &ended, `SELECT COALESCE(bool_and(pg_terminate_backend(pid, 5000)), FALSE) FROM pg_locks
		WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND ((classid::bigint << 32) | objid::bigint) = $1
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, storage.LivenessKey(holder))
	if err != nil {
		t.Fatalf("end the liveness session of %s: %v", holder, err)
	}
	if !ended {
		t.Fatalf("no session holds the liveness of %s", holder)
	}
}
