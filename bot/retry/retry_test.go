package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestNetworkClassification(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	dialTimeout := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("i/o timeout")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	inURL := func(err error) error { return &url.Error{Op: "Post", URL: "https://api.example/bot/send", Err: err} }
	tests := []struct {
		name string
		err  error
		want Outcome
		ok   bool
	}{
		{"connection refused", inURL(dial), NotSent, true},
		{"dial timeout", inURL(dialTimeout), NotSent, true},
		{"unknown host", inURL(&net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}), NotSent, true},
		{"bare ECONNREFUSED", fmt.Errorf("post: %w", syscall.ECONNREFUSED), NotSent, true},
		{"reset while reading the answer", inURL(read), Ambiguous, true},
		{"answer cut short", inURL(io.ErrUnexpectedEOF), Ambiguous, true},
		{"per-call timeout", inURL(context.DeadlineExceeded), Ambiguous, true},
		{"caller gave up", inURL(context.Canceled), Permanent, true},
		{"not a network error", errors.New("decode: bad JSON"), Permanent, false},
	}
	for _, tt := range tests {
		f, ok := Network(tt.err)
		if ok != tt.ok || f.Outcome != tt.want {
			t.Errorf("%s: Network = %v, %v; want %v, %v", tt.name, f.Outcome, ok, tt.want, tt.ok)
		}
	}
}

func TestStatusClassification(t *testing.T) {
	tests := []struct {
		code  int
		after time.Duration
		want  Failure
	}{
		{429, 2 * time.Second, Failure{Outcome: NotSent, RetryAfter: 2 * time.Second}},
		{500, 0, Failure{Outcome: Ambiguous}},
		{502, 0, Failure{Outcome: Ambiguous}},
		{400, 0, Failure{Outcome: Permanent}},
		{403, 0, Failure{Outcome: Permanent}},
		{404, 0, Failure{Outcome: Permanent}},
	}
	for _, tt := range tests {
		if got := Status(tt.code, tt.after); got != tt.want {
			t.Errorf("Status(%d) = %+v, want %+v", tt.code, got, tt.want)
		}
	}
}

func TestRetryableBySafety(t *testing.T) {
	tests := []struct {
		outcome Outcome
		safe    bool // retried under SafeToRepeat
		once    bool // retried under OnlyIfNotSent
	}{
		{Permanent, false, false},
		{NotSent, true, true},
		{Ambiguous, true, false},
	}
	for _, tt := range tests {
		f := Failure{Outcome: tt.outcome}
		if got := f.Retryable(SafeToRepeat); got != tt.safe {
			t.Errorf("outcome %d, safe to repeat: %v, want %v", tt.outcome, got, tt.safe)
		}
		if got := f.Retryable(OnlyIfNotSent); got != tt.once {
			t.Errorf("outcome %d, only if not sent: %v, want %v", tt.outcome, got, tt.once)
		}
	}
}

func TestBackoffDoublesUpToMax(t *testing.T) {
	b := Backoff{First: 200 * time.Millisecond, Max: time.Second}
	var got []time.Duration
	for range 5 {
		got = append(got, b.Next())
	}
	want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pauses = %v, want %v", got, want)
	}
	b.Reset()
	if d := b.Next(); d != 200*time.Millisecond {
		t.Errorf("after Reset: %v", d)
	}
}

// errOf is a failure whose classification the test chooses.
type errOf Failure

func (e errOf) Error() string { return fmt.Sprintf("failure %+v", Failure(e)) }

func classifyErrOf(err error) Failure {
	var e errOf
	if errors.As(err, &e) {
		return Failure(e)
	}
	return Failure{Outcome: Permanent}
}

func TestDo(t *testing.T) {
	ambiguous := errOf{Outcome: Ambiguous}
	notSent := errOf{Outcome: NotSent}
	rateLimited := errOf{Outcome: NotSent, RetryAfter: 3 * time.Second}
	refused := errOf{Outcome: Permanent}
	tests := []struct {
		name     string
		safety   Safety
		failures []error // returned by successive attempts; then success
		calls    int
		waits    []time.Duration
		fails    bool
	}{
		{"success at once", OnlyIfNotSent, nil, 1, nil, false},
		{"ambiguous failure of a safe call", SafeToRepeat, []error{ambiguous, ambiguous}, 3, []time.Duration{time.Second, 2 * time.Second}, false},
		{"ambiguous failure of a send", OnlyIfNotSent, []error{ambiguous}, 1, nil, true},
		{"send that never left", OnlyIfNotSent, []error{notSent}, 2, []time.Duration{time.Second}, false},
		{"retry_after honoured, backoff kept", OnlyIfNotSent, []error{rateLimited, notSent}, 3, []time.Duration{3 * time.Second, time.Second}, false},
		{"refusal", SafeToRepeat, []error{refused}, 1, nil, true},
		{"attempts bounded", SafeToRepeat, []error{ambiguous, ambiguous, ambiguous, ambiguous}, 3, []time.Duration{time.Second, 2 * time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var waits []time.Duration
			var retried []int
			p := Policy{
				Attempts: 3, Backoff: Backoff{First: time.Second}, Classify: classifyErrOf,
				Wait:    func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
				OnRetry: func(attempt int, _ time.Duration, _ error) { retried = append(retried, attempt) },
			}
			calls := 0
			err := p.Do(context.Background(), tt.safety, func() error {
				calls++
				if calls <= len(tt.failures) {
					return tt.failures[calls-1]
				}
				return nil
			})
			if (err != nil) != tt.fails || calls != tt.calls || fmt.Sprint(waits) != fmt.Sprint(tt.waits) {
				t.Errorf("err %v, %d calls, waits %v; want failure %v, %d calls, waits %v", err, calls, waits, tt.fails, tt.calls, tt.waits)
			}
			if len(retried) != len(tt.waits) {
				t.Errorf("OnRetry told of attempts %v", retried)
			}
		})
	}
}

func TestDoStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	p := Policy{Attempts: 5, Backoff: Backoff{First: time.Hour}, Classify: classifyErrOf}
	done := make(chan error, 1)
	go func() {
		done <- p.Do(ctx, SafeToRepeat, func() error {
			calls++
			return errOf{Outcome: Ambiguous}
		})
	}()
	cancel()
	select {
	case err := <-done:
		if err == nil || calls != 1 {
			t.Errorf("err %v after %d calls; want the failure after 1 call", err, calls)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Do kept waiting after the context ended")
	}
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on an ended context = %v", err)
	}
}
