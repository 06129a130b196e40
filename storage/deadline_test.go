package storage_test

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// frozenPostgres returns a fresh database's URL through a proxy, frozen
// or not, or skips without PostgreSQL.
func frozenPostgres(t *testing.T, frozen bool) (*storagetest.Proxy, string) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("needs PostgreSQL (TEST_DATABASE_URL)")
	}
	dbURL := storagetest.NewPostgresDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := storagetest.NewProxy(t, u.Host, frozen)
	return p, p.ProxyURL(dbURL)
}

// within fails the test when fn takes longer than limit, and returns its error.
func within(t *testing.T, limit time.Duration, what string, fn func() error) error {
	t.Helper()
	start := time.Now()
	err := fn()
	if took := time.Since(start); took > limit {
		t.Errorf("%s took %v, more than %v", what, took.Round(time.Millisecond), limit)
	}
	return err
}

// A server that accepts connections and never answers: opening the
// database returns at the caller's deadline, and so does every query,
// whether it has a deadline of its own or runs under the default one.
func TestFrozenPostgresNeverHoldsACaller(t *testing.T) {
	proxy, dbURL := frozenPostgres(t, true)
	err := within(t, 3*time.Second, "Open on a frozen server", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s, err := storage.Open(ctx, dbURL)
		if err == nil {
			s.Close()
		}
		return err
	})
	if err == nil {
		t.Fatal("Open succeeded on a frozen server")
	}
	if !storage.Retryable(err) {
		t.Errorf("a server that did not answer in time is not worth a retry: %v", err)
	}

	proxy.Thaw()
	ctx := context.Background()
	s, err := storage.OpenWith(ctx, dbURL, storage.Options{QueryTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.PendingJobs(ctx); err != nil {
		t.Fatal(err)
	}

	proxy.Freeze()
	err = within(t, 2*time.Second, "Ping with a 1 s deadline on a frozen server", func() error {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		return s.Ping(ctx)
	})
	if err == nil {
		t.Error("Ping succeeded on a frozen server")
	}
	// Background work has no deadline of its own: the default bounds it.
	if err := within(t, 2*time.Second, "a query without deadline on a frozen server", func() error {
		_, err := s.PendingJobs(ctx)
		return err
	}); err == nil {
		t.Error("a query succeeded on a frozen server")
	}

	// Once the server answers again, the pool has dropped the stuck
	// connections and serves at once.
	proxy.Thaw()
	if err := within(t, 5*time.Second, "a query after the thaw", func() error {
		_, err := s.PendingJobs(ctx)
		return err
	}); err != nil {
		t.Fatalf("query after the thaw: %v", err)
	}
}

// A database that does not exist is a configuration error: waiting does
// not cure it.
func TestMissingDatabaseIsNotRetryable(t *testing.T) {
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Skip("needs PostgreSQL (TEST_DATABASE_URL)")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/agora_no_such_database"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := storage.Open(ctx, u.String())
	if err == nil {
		s.Close()
		t.Fatal("opened a database that does not exist")
	}
	if storage.Retryable(err) {
		t.Errorf("a missing database would be retried forever: %v", err)
	}
}
