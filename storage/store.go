// Package storage is Agora's only door to the database. PostgreSQL is the
// shared store for real deployments; an embedded SQLite file lets a fresh
// machine run Agora with nothing installed. Most SQL is written once for
// both ($n placeholders, ON CONFLICT, RETURNING work in each); where the
// dialects differ, the method says so.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"golang.org/x/sync/singleflight"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Dialect names.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

//go:embed migrations
var migrations embed.FS

// DefaultSQLitePath is where Agora keeps its data when DATABASE_URL is unset.
const DefaultSQLitePath = "agora.db"

// Store is the database. It is safe for concurrent use.
type Store struct {
	db      *sqlx.DB
	dialect string
	cache   *resolveCache
	ballots *ballotGroups
	members *memberGroups
	claims  *claimGroups

	updateClaims *updateClaimGroups
	dsn          string // for the LISTEN connection; never logged

	chatLookups singleflight.Group // see lookUpChat
	chatQueries atomic.Int64       // lookups that reached the database, for tests

	liveMu sync.Mutex
	live   map[int64]int // SQLite: liveness keys held in this process (see Liveness), with their count
}

// ResolveCacheTTL bounds how long another process's change to a chat,
// community or role may stay unseen by this one.
const ResolveCacheTTL = 5 * time.Second

// Options tune Open; zero values take the defaults.
type Options struct {
	// QueryTimeout bounds, on PostgreSQL, a statement whose context has
	// no deadline (DefaultQueryTimeout).
	QueryTimeout time.Duration
	// MaxConns caps the PostgreSQL connections (DefaultMaxConns when 0).
	MaxConns int
}

// DefaultMaxConns is the PostgreSQL pool's size per process: grouped
// writes keep a burst to a few connections, and the rest serve reads.
const DefaultMaxConns = 32

// Open connects to the database named by a DATABASE_URL value: "" or
// "sqlite:PATH" for the embedded file, "postgres://..." for PostgreSQL.
// It returns once the database answered, or when ctx ends: give it a
// deadline, since a PostgreSQL server may accept connections and never
// answer.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	return OpenWith(ctx, databaseURL, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	dialect, dsn, err := ParseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = DefaultQueryTimeout
	}
	var db *sqlx.DB
	if dialect == SQLite {
		if db, err = sqlx.Open("sqlite", dsn); err != nil {
			return nil, fmt.Errorf("open %s database: %w", dialect, err)
		}
		// One connection serializes writers, which SQLite needs anyway, and
		// keeps the pragmas below on the only connection there is.
		db.SetMaxOpenConns(1)
	} else {
		dsn = oneRoundTrip(dsn)
		connector, err := newPGConnector(dsn, opts.QueryTimeout)
		if err != nil {
			return nil, fmt.Errorf("open %s database: %w", dialect, redact(err, databaseURL))
		}
		db = sqlx.NewDb(sql.OpenDB(connector), "postgres")
		if opts.MaxConns <= 0 {
			opts.MaxConns = DefaultMaxConns
		}
		db.SetMaxOpenConns(opts.MaxConns)
		db.SetMaxIdleConns(opts.MaxConns)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, redact(err, databaseURL))
	}
	s := &Store{db: db, dialect: dialect, cache: newResolveCache(ResolveCacheTTL, 100_000), dsn: dsn, live: map[int64]int{}}
	s.ballots = newBallotGroups(s)
	s.members = newMemberGroups(s)
	s.claims = newClaimGroups(s)
	s.updateClaims = newUpdateClaimGroups(s)
	return s, nil
}

// ParseURL validates a DATABASE_URL value and returns the dialect and the
// driver's data source name.
func ParseURL(databaseURL string) (dialect, dsn string, err error) {
	switch {
	case databaseURL == "":
		return SQLite, sqliteDSN(DefaultSQLitePath), nil
	case strings.HasPrefix(databaseURL, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//")
		if path == "" {
			return "", "", errors.New("sqlite: URL needs a file path, as in sqlite:agora.db")
		}
		return SQLite, sqliteDSN(path), nil
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		u, err := url.Parse(databaseURL)
		if err != nil || u.Host == "" {
			return "", "", errors.New("postgres URL must look like postgres://user@host:5432/dbname")
		}
		return Postgres, databaseURL, nil
	default:
		return "", "", errors.New("must start with postgres:// or sqlite: (or be unset for the embedded database)")
	}
}

// oneRoundTrip asks lib/pq to send each query with parameters in one
// round trip (parse, bind and execute together) instead of preparing it
// first in a round trip of its own: half the round trips on every vote.
// The one difference, []byte parameters sent as binary, does not matter
// here: storage passes no []byte parameter. A URL that sets
// binary_parameters itself keeps its choice.
func oneRoundTrip(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Has("binary_parameters") {
		return dsn
	}
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	return u.String()
}

func sqliteDSN(path string) string {
	// WAL lets readers work while a vote is written; the busy timeout makes
	// a second process wait instead of failing; foreign keys are off by
	// default in SQLite.
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
}

// redact keeps a password from a URL out of an error message, keeping
// the error itself for errors.Is and As (Retryable reads it).
func redact(err error, databaseURL string) error {
	u, perr := url.Parse(databaseURL)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		return &redactedError{msg: strings.ReplaceAll(err.Error(), pw, "***"), err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Retryable reports whether opening the database failed in a way that
// waiting may cure: the server is unreachable, starting, shutting down,
// out of connections, or did not answer in time. A refused password, a
// missing database or an unusable SQLite file are configuration errors
// that waiting does not cure.
func Retryable(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code.Class() {
		case "08", "53", "57": // connection exception, insufficient resources, operator intervention
			return true
		}
		return false
	}
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET)
}

// Dialect is Postgres or SQLite.
func (s *Store) Dialect() string { return s.dialect }

// DB exposes the handle to the test helpers and benchmarks of this module.
func (s *Store) DB() *sqlx.DB { return s.db }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers, for /readyz.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// MigrateTimeout bounds the migrations at start, waiting for another
// process's migrations included.
const MigrateTimeout = 10 * time.Minute

// Migrate applies the embedded migrations that have not run yet. On
// PostgreSQL a session lock keeps two processes starting together from
// migrating at once.
func (s *Store) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// Each capability numbers its migrations in its own range (see
	// migrations/README.md), so a capability's new migration may carry a
	// lower number than one another capability shipped earlier.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	dialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	provider, err := goose.NewProvider(dialect, s.db.DB, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// A migration may rewrite a large table, longer than the default
	// statement bound, but still not forever.
	ctx, cancel := context.WithTimeout(ctx, MigrateTimeout)
	defer cancel()
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// InTx runs fn in a transaction, committed when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// isUniqueViolation recognizes a refused duplicate on either database.
func isUniqueViolation(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return pqErr.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed") || strings.Contains(err.Error(), "constraint failed: UNIQUE")
}

// notFound turns sql.ErrNoRows into ErrNotFound, keeping other errors.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
