package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HTTPServer serves health, readiness, metrics, and whatever adapters mount
// (Discord interactions, Telegram webhook).
type HTTPServer struct {
	mux *http.ServeMux
	srv *http.Server
}

// NewHTTPServer prepares the server; adapters mount their routes on Mux
// before Serve.
func (rt *Runtime) NewHTTPServer(addr string) *HTTPServer {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := rt.store.Ping(ctx); err != nil {
			rt.log.Warn("not ready", "error", err)
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(rt.metrics.Registry, promhttp.HandlerOpts{}))
	return &HTTPServer{mux: mux, srv: &http.Server{
		Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second,
	}}
}

// Mux is where adapters mount their routes.
func (s *HTTPServer) Mux() *http.ServeMux { return s.mux }

// Serve listens until ctx ends, then lets requests in flight finish.
func (s *HTTPServer) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.srv.Addr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR %s: %w", s.srv.Addr, err)
	}
	return s.ServeListener(ctx, ln)
}

// ServeListener serves on an existing listener (tests use port 0).
func (s *HTTPServer) ServeListener(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(ln) }()
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
