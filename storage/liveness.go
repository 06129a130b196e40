package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// Liveness tells the other processes sharing the database that a process
// (one holder of claims, see ClaimTelegramUpdates) is alive. On
// PostgreSQL it is a session-level advisory lock, held on a connection of
// its own for the process's life. The server drops the lock the moment the
// session ends: a process killed has its socket closed by the kernel, and
// its lock goes at once; a machine that vanished is noticed by the TCP
// keep-alives this session sets short (about 11 s) instead of the system's
// two hours. So "gone" is the server's own knowledge of the session, not a
// heartbeat's age that a slow but live process could outgrow. On SQLite,
// one process owns the file: the store remembers the holders alive in this
// process.
//
// A Liveness is used by one goroutine at a time: the one that checks it.
type Liveness struct {
	s      *Store
	holder string
	key    int64

	db   *sql.DB   // PostgreSQL: a pool of one connection, apart from the store's
	conn *sql.Conn // the session holding the lock; nil once lost, until Check takes the lock again
}

// LivenessKey is holder's advisory lock key, also stored with its claims.
// Holder names are unique per process (host, pid and random bytes), and a
// 64-bit hash keeps two of them from sharing a key. It is exported for
// storagetest, which finds a holder's session by this key to end it.
func LivenessKey(holder string) int64 {
	h := fnv.New64a()
	h.Write([]byte(holder))
	return int64(h.Sum64())
}

// ErrLivenessHeld is returned when holder's lock is held by another
// session: a session of this process the server has not yet seen end.
var ErrLivenessHeld = errors.New("the liveness lock is held by another session")

// livenessTimeout bounds each statement of the liveness session: a server
// that does not answer a "SELECT 1" within it is taken for a lost session.
const livenessTimeout = 10 * time.Second

// HoldLiveness takes holder's liveness, held until Release. Take it before
// claiming anything as holder: claims of a holder without liveness are
// taken over by the others within seconds.
func (s *Store) HoldLiveness(ctx context.Context, holder string) (*Liveness, error) {
	l := &Liveness{s: s, holder: holder, key: LivenessKey(holder)}
	if s.dialect != Postgres {
		s.liveMu.Lock()
		s.live[l.key]++
		s.liveMu.Unlock()
		return l, nil
	}
	connector, err := newPGConnector(s.dsn, livenessTimeout)
	if err != nil {
		return nil, fmt.Errorf("hold the liveness of %s: %w", holder, err)
	}
	l.db = sql.OpenDB(connector)
	l.db.SetMaxOpenConns(1)
	if err := l.lock(ctx); err != nil {
		l.db.Close()
		return nil, fmt.Errorf("hold the liveness of %s: %w", holder, err)
	}
	return l, nil
}

// lock opens a session and takes the advisory lock on it.
func (l *Liveness) lock(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, livenessTimeout)
	defer cancel()
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	// The session is idle all its life: without keep-alives of its own, the
	// server would wait the system's two hours to notice that its client's
	// machine vanished, and the process would be taken for alive as long.
	if _, err := conn.ExecContext(ctx, `SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3`); err != nil {
		conn.Close()
		return fmt.Errorf("set keep-alives: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, l.key).Scan(&got); err != nil {
		conn.Close()
		return fmt.Errorf("take the lock: %w", err)
	}
	if !got {
		conn.Close()
		return ErrLivenessHeld
	}
	l.conn = conn
	return nil
}

// Check makes sure the liveness is still held, and takes it again on a new
// session when its session was lost (the server restarted, or the
// connection broke): retaken then reports it. Each check is a statement on
// the session, which also keeps it from looking idle to whatever closes
// idle connections. It fails when the liveness is not held: the other
// processes may then take this one for gone.
func (l *Liveness) Check(ctx context.Context) (retaken bool, err error) {
	if l.db == nil {
		return false, nil // SQLite: held until Release
	}
	var lost error
	if l.conn != nil {
		cctx, cancel := context.WithTimeout(ctx, livenessTimeout)
		var one int
		lost = l.conn.QueryRowContext(cctx, `SELECT 1`).Scan(&one)
		cancel()
		if lost == nil {
			return false, nil // same session: the lock is still on it
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		// Discard the session (and the lock, if it still has it): a new
		// one cannot take the lock while an old one of ours holds it.
		_ = l.conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = l.conn.Close()
		l.conn = nil
	}
	if err := l.lock(ctx); err != nil {
		if lost != nil {
			return false, fmt.Errorf("liveness of %s lost (%v), not taken again: %w", l.holder, lost, err)
		}
		return false, fmt.Errorf("liveness of %s not taken again: %w", l.holder, err)
	}
	return true, nil
}

// Release gives the liveness up: the holder's unhandled claims are taken
// over by another process.
func (l *Liveness) Release(ctx context.Context) error {
	if l.db == nil {
		l.s.liveMu.Lock()
		defer l.s.liveMu.Unlock()
		if l.s.live[l.key]--; l.s.live[l.key] <= 0 {
			delete(l.s.live, l.key)
		}
		return nil
	}
	var err error
	if l.conn != nil {
		if _, uerr := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key); uerr != nil {
			err = fmt.Errorf("release the liveness of %s: %w", l.holder, uerr)
		}
		l.conn.Close()
		l.conn = nil
	}
	// Closing ends the session, which drops the lock even if the unlock failed.
	if cerr := l.db.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("release the liveness of %s: %w", l.holder, cerr)
	}
	return err
}

// liveKeys is a subquery, or a list, of the liveness keys held now: on
// PostgreSQL the advisory locks held in this database (a bigint key shows
// as its high half in classid and its low half in objid, with objsubid 1);
// on SQLite the holders alive in this process.
func (s *Store) liveKeys() string {
	if s.dialect == Postgres {
		return `SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks
			WHERE locktype = 'advisory' AND objsubid = 1 AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
	}
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	keys := make([]string, 0, len(s.live))
	for k := range s.live {
		keys = append(keys, strconv.FormatInt(k, 10))
	}
	return strings.Join(keys, ", ") // SQLite reads an empty list as one that holds nothing
}
