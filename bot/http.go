package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HTTPOptions bound what one client may hold of the HTTP server; zero
// values take the defaults noted.
type HTTPOptions struct {
	// ReadHeaderTimeout (5 s) and ReadTimeout (15 s, headers and body)
	// close the connection of a client that stops sending, so a slow or
	// malicious client cannot hold connections open.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	// WriteTimeout (30 s) bounds a request from the end of its headers to
	// the end of its answer: a Discord interaction is answered within 3 s.
	WriteTimeout time.Duration
	// IdleTimeout (60 s) closes kept-alive connections left unused.
	IdleTimeout time.Duration
	// MaxHeaderBytes (64 KiB) bounds request headers.
	MaxHeaderBytes int
	// ReadyTimeout (2 s) is the longest /readyz waits for its check.
	ReadyTimeout time.Duration
	// Log receives readiness changes; nil discards them.
	Log *slog.Logger
}

// HTTPServer serves health, readiness, metrics, and whatever adapters and
// capabilities mount (Discord interactions, Telegram webhook, calendars).
// It can serve before the runtime exists: /healthz answers at once, and
// /readyz says "starting" until SetReadiness gives it a check.
type HTTPServer struct {
	mux  *http.ServeMux
	srv  *http.Server
	opts HTTPOptions

	mu      sync.Mutex
	check   func(ctx context.Context) error // nil while starting
	probing *probe                          // the check in flight, if any
	ready   bool                            // the last check's outcome, for logging changes
	probes  sync.WaitGroup                  // checks in flight; ServeListener waits for them
}

// probe is one run of the readiness check, shared by the requests that
// arrive while it runs.
type probe struct {
	done chan struct{}
	err  error
}

var (
	errStarting = errors.New("starting: the database has not answered yet")
	errStopping = errors.New("stopping")
)

// NewHTTPServer prepares a server with /healthz and /readyz; routes are
// mounted on Mux, before or while it serves.
func NewHTTPServer(addr string, opts HTTPOptions) *HTTPServer {
	if opts.ReadHeaderTimeout <= 0 {
		opts.ReadHeaderTimeout = 5 * time.Second
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = 15 * time.Second
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 30 * time.Second
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = time.Minute
	}
	if opts.MaxHeaderBytes <= 0 {
		opts.MaxHeaderBytes = 64 << 10
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 2 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &HTTPServer{mux: http.NewServeMux(), opts: opts}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	s.mux.HandleFunc("GET /readyz", s.serveReady)
	s.srv = &http.Server{
		Addr: addr, Handler: s.mux,
		ReadHeaderTimeout: opts.ReadHeaderTimeout, ReadTimeout: opts.ReadTimeout,
		WriteTimeout: opts.WriteTimeout, IdleTimeout: opts.IdleTimeout, MaxHeaderBytes: opts.MaxHeaderBytes,
		ErrorLog: slog.NewLogLogger(opts.Log.Handler(), slog.LevelDebug),
	}
	return s
}

// NewHTTPServer prepares a server with the runtime mounted (see Mount).
func (rt *Runtime) NewHTTPServer(addr string) *HTTPServer {
	s := NewHTTPServer(addr, HTTPOptions{Log: rt.log})
	rt.Mount(s)
	return s
}

// Mount serves the runtime's metrics and its capabilities' routes on s,
// and makes /readyz check the database.
func (rt *Runtime) Mount(s *HTTPServer) {
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(rt.metrics.Registry, promhttp.HandlerOpts{}))
	for pattern, h := range rt.Routes() {
		s.mux.Handle(pattern, h)
	}
	s.SetReadiness(rt.Ready)
}

// Ready reports whether the database answers within ctx.
func (rt *Runtime) Ready(ctx context.Context) error {
	return rt.store.Ping(ctx)
}

// Mux is where adapters mount their routes.
func (s *HTTPServer) Mux() *http.ServeMux { return s.mux }

// SetReadiness sets what /readyz checks.
func (s *HTTPServer) SetReadiness(check func(ctx context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.check = check
}

// Stopping makes /readyz fail from now on, so load balancers send no new
// work to a process finishing what it has.
func (s *HTTPServer) Stopping() {
	s.SetReadiness(func(context.Context) error { return errStopping })
}

func (s *HTTPServer) serveReady(w http.ResponseWriter, r *http.Request) {
	if err := s.probe(r.Context()); err != nil {
		http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// probe runs the readiness check, one at a time: requests arriving while
// it runs share it, so a prober hammering /readyz during an outage does
// not pile up checks. No request waits longer than ReadyTimeout, even if
// the check ignored its context.
func (s *HTTPServer) probe(ctx context.Context) error {
	s.mu.Lock()
	if s.check == nil {
		s.mu.Unlock()
		return errStarting
	}
	p := s.probing
	if p == nil {
		p = &probe{done: make(chan struct{})}
		s.probing = p
		check := s.check
		s.probes.Add(1)
		go func() { // owned by the server: ServeListener waits for it
			defer s.probes.Done()
			cctx, cancel := context.WithTimeout(context.Background(), s.opts.ReadyTimeout)
			p.err = check(cctx)
			cancel()
			s.settle(p)
		}()
	}
	s.mu.Unlock()
	timer := time.NewTimer(s.opts.ReadyTimeout)
	defer timer.Stop()
	select {
	case <-p.done:
		return p.err
	case <-timer.C:
		s.noteReady(false, errors.New("the database did not answer in time"))
		return fmt.Errorf("the database did not answer within %v", s.opts.ReadyTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// settle publishes a finished check and logs a change of readiness.
func (s *HTTPServer) settle(p *probe) {
	s.mu.Lock()
	s.probing = nil
	s.mu.Unlock()
	close(p.done)
	s.noteReady(p.err == nil, p.err)
}

// noteReady logs when readiness changes, once, rather than on every
// probe of an outage.
func (s *HTTPServer) noteReady(ready bool, err error) {
	s.mu.Lock()
	changed := s.ready != ready
	s.ready = ready
	s.mu.Unlock()
	switch {
	case changed && ready:
		s.opts.Log.Info("ready")
	case changed:
		s.opts.Log.Warn("not ready", "error", err)
	}
}

// ServeListener serves on ln, opened by the caller (port 0 in tests), until ctx ends.
func (s *HTTPServer) ServeListener(ctx context.Context, ln net.Listener) error {
	defer s.probes.Wait()
	errc := make(chan error, 1)
	// Pushed presses (Discord's interactions, Telegram's webhook) are read
	// in waves during a burst; see Tide.
	tide := &Tide{Window: WaveWindow, Size: WaveSize}
	go func() { errc <- s.srv.Serve(tide.Listen(ln)) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down HTTP server: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve HTTP: %w", err)
	}
	return nil
}
