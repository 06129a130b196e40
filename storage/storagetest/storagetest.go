// Package storagetest gives tests a fresh, migrated database on each backend:
// an SQLite file always, and PostgreSQL whenever TEST_DATABASE_URL names a
// server. Every test gets its own database, created from a migrated template
// made once per test binary, so runs never collide or depend on leftovers.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the admin connection below

	"github.com/agora-community/agora/storage"
)

// Backend names a database kind tests run against.
type Backend struct {
	Name string
	Open func(t testing.TB) *storage.Store
}

// Backends lists SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.
func Backends() []Backend {
	b := []Backend{{Name: storage.SQLite, Open: OpenSQLite}}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		b = append(b, Backend{Name: storage.Postgres, Open: OpenPostgres})
	}
	return b
}

// Each runs fn once per backend as a subtest, with a fresh store.
func Each(t *testing.T, fn func(t *testing.T, s *storage.Store)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.Open(t)) })
	}
}

// Open returns a fresh store on PostgreSQL when TEST_DATABASE_URL is set,
// else on SQLite: the one backend end-to-end tests need.
func Open(t testing.TB) *storage.Store {
	if os.Getenv("TEST_DATABASE_URL") != "" {
		return OpenPostgres(t)
	}
	return OpenSQLite(t)
}

// OpenSQLite returns a migrated store on a new SQLite file.
func OpenSQLite(t testing.TB) *storage.Store {
	t.Helper()
	ctx := context.Background()
	s, err := storage.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "agora.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return s
}

var template struct {
	once sync.Once
	name string
	err  error
}

// OpenPostgres returns a store on a new PostgreSQL database, dropped when
// the test ends. It fails the test, rather than skipping, when the server
// named by TEST_DATABASE_URL cannot be reached.
func OpenPostgres(t testing.TB) *storage.Store {
	t.Helper()
	return OpenURL(t, NewPostgresDatabase(t))
}

// OpenURL opens a store on an existing database (several stores on one
// database stand for several processes), closed when the test ends.
func OpenURL(t testing.TB, databaseURL string) *storage.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := storage.Open(ctx, databaseURL)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// NewPostgresDatabase creates a migrated PostgreSQL database, dropped when
// the test ends, and returns its URL. It fails the test, rather than
// skipping, when the server named by TEST_DATABASE_URL cannot be reached.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		t.Fatal("TEST_DATABASE_URL is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatalf("open postgres admin connection: %v", err)
	}
	defer admin.Close()

	template.once.Do(func() { template.name, template.err = makeTemplate(ctx, admin, base) })
	if template.err != nil {
		t.Fatalf("prepare template database: %v", template.err)
	}
	name := "agora_test_" + randomSuffix()
	// CREATE DATABASE ... TEMPLATE fails if someone else is connected to
	// the template; only this package connects to it, and only while migrating.
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template.name)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(base, name) })
	return withDatabase(base, name)
}

func makeTemplate(ctx context.Context, admin *sqlx.DB, base string) (string, error) {
	if err := admin.PingContext(ctx); err != nil {
		return "", fmt.Errorf("reach PostgreSQL at TEST_DATABASE_URL: %w", err)
	}
	name := "agora_test_tmpl_" + randomSuffix()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", err
	}
	s, err := storage.Open(ctx, withDatabase(base, name))
	if err != nil {
		return "", err
	}
	err = s.Migrate(ctx)
	s.Close()
	if err != nil {
		return "", err
	}
	registerTemplateCleanup(base, name)
	return name, nil
}

var cleanups struct {
	sync.Mutex
	fns []func()
}

func registerTemplateCleanup(base, name string) {
	cleanups.Lock()
	defer cleanups.Unlock()
	cleanups.fns = append(cleanups.fns, func() { dropDatabase(base, name) })
}

// Cleanup drops the template databases; call it from TestMain after m.Run.
func Cleanup() {
	cleanups.Lock()
	defer cleanups.Unlock()
	for _, fn := range cleanups.fns {
		fn()
	}
	cleanups.fns = nil
}

// Main is a TestMain for packages that use PostgreSQL test databases.
func Main(m interface{ Run() int }) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

func dropDatabase(base, name string) {
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		return
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// WITH (FORCE) ends connections a failed test may have leaked.
	admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
