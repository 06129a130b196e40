package storage

import (
	"context"
	"database/sql/driver"
	"net"
	"time"

	"github.com/lib/pq"
)

// Deadlines on PostgreSQL connections. lib/pq honours a context while it
// dials and, once a statement is sent, cancels it by asking the server,
// but it never stops waiting for the server's answer: a server that
// accepts connections and then stops answering (frozen, or behind a
// broken network path that still completes TCP handshakes) would hold
// every caller forever, whatever its context. Here every read and write
// on a pooled connection has a network deadline: the caller's context
// deadline, or DefaultQueryTimeout when it has none, so every query
// returns, in error at worst, in bounded time.

const (
	// DefaultQueryTimeout bounds a statement whose context has no
	// deadline of its own (background work: jobs, the outbox, leases).
	// Requests run under the runtime's handler timeout instead.
	DefaultQueryTimeout = 30 * time.Second
	// connectTimeout bounds a connection's opening (TCP and PostgreSQL
	// handshake) when the context has no deadline.
	connectTimeout = 10 * time.Second
	// listenReadIdle bounds the silence of the LISTEN connection, which
	// Listen pings every listenPing: a longer silence means the server no
	// longer answers, and the listener reconnects.
	listenReadIdle = 30 * time.Second
	listenPing     = 10 * time.Second
	listenWrite    = 10 * time.Second
)

// pgConnector opens lib/pq connections through deadlineDialer and wraps
// them so each use sets its deadline.
type pgConnector struct {
	pq           *pq.Connector
	queryTimeout time.Duration
}

// connSlot receives the network connection deadlineDialer opens for one
// Connect call, found through the context lib/pq passes to the dialer.
type connSlot struct{ conn net.Conn }

type connSlotKey struct{}

func newPGConnector(dsn string, queryTimeout time.Duration) (*pgConnector, error) {
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	c.Dialer(deadlineDialer{})
	return &pgConnector{pq: c, queryTimeout: queryTimeout}, nil
}

func (c *pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	slot := &connSlot{}
	ctx = context.WithValue(ctx, connSlotKey{}, slot)
	if _, ok := ctx.Deadline(); !ok {
		// The connection is opened for a statement without deadline, which
		// the default timeout bounds as a whole.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, min(connectTimeout, c.queryTimeout))
		defer cancel()
	}
	conn, err := c.pq.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if slot.conn == nil {
		conn.Close()
		return nil, errNoNetConn
	}
	if err := slot.conn.SetDeadline(time.Time{}); err != nil {
		conn.Close()
		return nil, err
	}
	return &boundConn{Conn: conn, net: slot.conn, timeout: c.queryTimeout}, nil
}

func (c *pgConnector) Driver() driver.Driver { return c.pq.Driver() }

var errNoNetConn = driverError("postgres connection opened without its network connection")

type driverError string

func (e driverError) Error() string { return string(e) }

// deadlineDialer dials with TCP keep-alives and bounds the PostgreSQL
// handshake by the context's deadline (connectTimeout without one). It
// also serves lib/pq's cancel requests, whose wait for the server's
// acknowledgement it thereby bounds too.
type deadlineDialer struct{}

func (d deadlineDialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

func (d deadlineDialer) DialTimeout(network, addr string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, addr)
}

func (d deadlineDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	dialer := net.Dialer{Timeout: connectTimeout, KeepAlive: 15 * time.Second}
	conn, err := dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(connectTimeout)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, err
	}
	if slot, ok := ctx.Value(connSlotKey{}).(*connSlot); ok {
		slot.conn = conn
	}
	return conn, nil
}

// boundConn is a pooled lib/pq connection whose every use sets the
// network deadline: the context's, else now plus the default timeout.
// Rows read after a query returned keep that query's deadline; a
// transaction's commit keeps its last statement's.
type boundConn struct {
	driver.Conn
	net     net.Conn
	timeout time.Duration
}

func (c *boundConn) bound(ctx context.Context) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(c.timeout)
	}
	return c.net.SetDeadline(deadline)
}

func (c *boundConn) Prepare(query string) (driver.Stmt, error) {
	if err := c.bound(context.Background()); err != nil {
		return nil, driver.ErrBadConn
	}
	st, err := c.Conn.Prepare(query)
	if err != nil {
		return nil, err
	}
	return &boundStmt{Stmt: st, conn: c}, nil
}

func (c *boundConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.bound(ctx); err != nil {
		return nil, driver.ErrBadConn
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &boundStmt{Stmt: st, conn: c}, nil
}

func (c *boundConn) Begin() (driver.Tx, error) {
	if err := c.bound(context.Background()); err != nil {
		return nil, driver.ErrBadConn
	}
	return c.Conn.Begin()
}

func (c *boundConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.bound(ctx); err != nil {
		return nil, driver.ErrBadConn
	}
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *boundConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.bound(ctx); err != nil {
		return nil, driver.ErrBadConn
	}
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *boundConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.bound(ctx); err != nil {
		return nil, driver.ErrBadConn
	}
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *boundConn) Ping(ctx context.Context) error {
	if err := c.bound(ctx); err != nil {
		return driver.ErrBadConn
	}
	return c.Conn.(driver.Pinger).Ping(ctx)
}

func (c *boundConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

func (c *boundConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *boundConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

// boundStmt is a prepared statement of a boundConn: each execution sets
// the deadline anew.
type boundStmt struct {
	driver.Stmt
	conn *boundConn
}

func (s *boundStmt) Exec(args []driver.Value) (driver.Result, error) {
	if err := s.conn.bound(context.Background()); err != nil {
		return nil, driver.ErrBadConn
	}
	return s.Stmt.Exec(args)
}

func (s *boundStmt) Query(args []driver.Value) (driver.Rows, error) {
	if err := s.conn.bound(context.Background()); err != nil {
		return nil, driver.ErrBadConn
	}
	return s.Stmt.Query(args)
}

func (s *boundStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.conn.bound(ctx); err != nil {
		return nil, driver.ErrBadConn
	}
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *boundStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.conn.bound(ctx); err != nil {
		return nil, driver.ErrBadConn
	}
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// listenDialer opens the LISTEN connection: it waits for notifications
// with no statement to bound, so each read instead allows listenReadIdle
// of silence, which Listen's pings never leave.
type listenDialer struct{}

func (d listenDialer) Dial(network, addr string) (net.Conn, error) {
	return d.DialContext(context.Background(), network, addr)
}

func (d listenDialer) DialTimeout(network, addr string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return d.DialContext(ctx, network, addr)
}

func (d listenDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	dialer := net.Dialer{Timeout: connectTimeout, KeepAlive: 15 * time.Second}
	conn, err := dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &idleConn{Conn: conn}, nil
}

type idleConn struct{ net.Conn }

func (c *idleConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(listenReadIdle)); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *idleConn) Write(b []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(listenWrite)); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}
