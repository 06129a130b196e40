package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// notifyChannel is the one PostgreSQL channel Agora listens on; the topic
// travels in the payload, so a process needs one LISTEN whatever the
// number of topics.
const notifyChannel = "agora"

// ErrNoListen is returned by Listen on SQLite: one process owns the file,
// so there is nobody else to hear.
var ErrNoListen = errors.New("this database has no other process to notify")

// Notify tells every process listening on the database that something
// changed (PostgreSQL NOTIFY, delivered after the commit, within
// milliseconds). On SQLite it does nothing: the runtime also tells its own
// process directly.
func (s *Store) Notify(ctx context.Context, payload string) error {
	if s.dialect != Postgres {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, payload); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// Listen calls fn with every notification until ctx ends. Its connection
// reconnects on its own after a drop; ready is called once listening (and
// again after each reconnection), since notifications sent while
// disconnected are lost and the caller may have to reload what it caches.
func (s *Store) Listen(ctx context.Context, ready func(), fn func(payload string)) error {
	if s.dialect != Postgres {
		return ErrNoListen
	}
	events := make(chan pq.ListenerEventType, 4)
	l := pq.NewDialListener(listenDialer{}, s.dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		select {
		case events <- ev:
		default:
		}
	})
	defer l.Close()
	if err := l.Listen(notifyChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ready()
	ping := time.NewTicker(listenPing)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-events:
			if ev == pq.ListenerEventReconnected {
				ready()
			}
		case n := <-l.NotificationChannel():
			if n != nil { // nil after a reconnection
				fn(n.Extra)
			}
		case <-ping.C:
			// A dead connection is only noticed when used, and a frozen
			// server by the silence after a ping (listenReadIdle).
			if err := l.Ping(); err != nil && ctx.Err() == nil {
				continue // the listener reconnects by itself
			}
		}
	}
}
