package bot_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/storage/storagetest"
)

// serveHTTP runs s on a free port until the test ends and returns its base URL.
func serveHTTP(t *testing.T, s *bot.HTTPServer) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServeListener(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("HTTP server stop: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// closedWithin reports whether the server closes conn within limit
// (after answering or not), reading whatever it sends.
func closedWithin(conn net.Conn, limit time.Duration) bool {
	conn.SetReadDeadline(time.Now().Add(limit))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return err == nil || !(errors.As(err, &ne) && ne.Timeout())
}

// A client that stops sending in the middle of its headers or its body
// loses its connection at the read timeouts; others are served meanwhile.
func TestHTTPServerDropsClientsThatStopSending(t *testing.T) {
	s := bot.NewHTTPServer("", bot.HTTPOptions{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 400 * time.Millisecond})
	s.Mux().HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		w.Write(b)
	})
	base := serveHTTP(t, s)
	addr := strings.TrimPrefix(base, "http://")

	halfHeader, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer halfHeader.Close()
	io.WriteString(halfHeader, "POST /echo HTTP/1.1\r\nHost: agora\r\nContent-Le")

	halfBody, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer halfBody.Close()
	io.WriteString(halfBody, "POST /echo HTTP/1.1\r\nHost: agora\r\nContent-Length: 100\r\n\r\n0123456789")

	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz while slow clients hold connections = %d", code)
	}
	if !closedWithin(halfHeader, 5*time.Second) {
		t.Error("a client that stopped in its headers kept its connection")
	}
	if !closedWithin(halfBody, 5*time.Second) {
		t.Error("a client that stopped in its body kept its connection")
	}
}

// /readyz says "starting" before it has a check, and answers within its
// timeout whatever the check does; concurrent requests share one check.
func TestReadyzAnswersInTimeAndSharesItsCheck(t *testing.T) {
	s := bot.NewHTTPServer("", bot.HTTPOptions{ReadyTimeout: 300 * time.Millisecond})
	base := serveHTTP(t, s)
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "starting") {
		t.Fatalf("/readyz before start = %d %q", code, body)
	}
	if code, _ := get(t, base+"/healthz"); code != 200 {
		t.Fatalf("/healthz before start = %d", code)
	}
	s.SetReadiness(func(ctx context.Context) error { return nil })
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("/readyz with a passing check = %d", code)
	}
	s.Stopping()
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "stopping") {
		t.Fatalf("/readyz while stopping = %d %q", code, body)
	}
	var checks atomic.Int32
	stuck := make(chan struct{})
	defer close(stuck)
	s.SetReadiness(func(ctx context.Context) error {
		checks.Add(1)
		<-stuck // a check that ignores its context
		return nil
	})
	results := make(chan time.Duration, 8)
	for range 8 {
		go func() {
			start := time.Now()
			resp, err := http.Get(base + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("/readyz with a stuck check = %d", resp.StatusCode)
				}
			}
			results <- time.Since(start)
		}()
	}
	for range 8 {
		if took := <-results; took > 2*time.Second {
			t.Errorf("/readyz took %v with a 300 ms timeout", took)
		}
	}
	if n := checks.Load(); n != 1 {
		t.Errorf("%d checks ran for concurrent requests, want 1", n)
	}
}

// With PostgreSQL frozen (connections accepted, never answered), /readyz
// says so within its 2 s, and says ready again once it answers.
func TestReadyzWithAFrozenDatabase(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("needs PostgreSQL (TEST_DATABASE_URL)")
	}
	dbURL := storagetest.NewPostgresDatabase(t)
	u, _ := url.Parse(dbURL)
	proxy := storagetest.NewProxy(t, u.Host, false)
	store := storagetest.OpenURL(t, proxy.ProxyURL(dbURL))
	f := newFixture(t, store)
	base := serveHTTP(t, f.rt.NewHTTPServer(""))
	if code, _ := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("/readyz = %d", code)
	}
	proxy.Freeze()
	for i := range 3 {
		start := time.Now()
		code, _ := get(t, base+"/readyz")
		if took := time.Since(start); code != http.StatusServiceUnavailable || took > 2500*time.Millisecond {
			t.Errorf("/readyz #%d with the database frozen = %d after %v, want 503 within 2 s", i, code, took)
		}
	}
	proxy.Thaw()
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, _ := get(t, base+"/readyz")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d after the database answers again", code)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
