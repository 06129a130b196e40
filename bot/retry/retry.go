// Package retry is the one way Agora's adapters repeat a platform call that
// failed for a passing reason. A call is repeated only when doing so cannot
// do harm: what is safe depends on the call (its Safety) and on what the
// failure proves about the request (its Failure). Each adapter says how to
// read its client's errors; this package decides and waits.
package retry

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
)

// Safety says when a failed call may be made again.
type Safety int

const (
	// SafeToRepeat is for calls whose repetition changes nothing (an edit,
	// a deletion, a read, adding a role): retried on any passing failure,
	// even one after which the platform may have done the work.
	SafeToRepeat Safety = iota
	// OnlyIfNotSent is for calls that create something (a message, an
	// event, an invite link): retried only when the failure proves the
	// platform did not process the request, so nothing is created twice.
	OnlyIfNotSent
)

// Outcome is what a failure proves about the request.
type Outcome int

const (
	// Permanent failures get the same answer when repeated: the platform
	// refused the request (a 4xx), or the caller gave up (canceled).
	Permanent Outcome = iota
	// NotSent failures prove the platform did not process the request: the
	// connection was never made, or a rate limit answer (429) turned it away.
	NotSent
	// Ambiguous failures leave it unknown whether the platform processed
	// the request: a 5xx, a timeout or a connection lost while waiting.
	Ambiguous
)

// Failure is an adapter's reading of an error.
type Failure struct {
	Outcome Outcome
	// RetryAfter is the wait the platform asked for (with a 429); zero
	// lets the backoff decide.
	RetryAfter time.Duration
}

// Retryable reports whether a call of safety s may be made again after f.
func (f Failure) Retryable(s Safety) bool {
	switch f.Outcome {
	case NotSent:
		return true
	case Ambiguous:
		return s == SafeToRepeat
	}
	return false
}

// Status reads an HTTP status answered by a platform: 429 was turned away
// before processing, a 5xx may come after the work was done, anything else
// is the platform's final word.
func Status(code int, retryAfter time.Duration) Failure {
	switch {
	case code == http.StatusTooManyRequests:
		return Failure{Outcome: NotSent, RetryAfter: retryAfter}
	case code >= 500:
		return Failure{Outcome: Ambiguous}
	}
	return Failure{Outcome: Permanent}
}

// Network reads a transport error; ok is false when err is not one, so
// the adapter applies its own default.
func Network(err error) (f Failure, ok bool) {
	switch {
	case errors.Is(err, context.Canceled):
		return Failure{Outcome: Permanent}, true
	case neverConnected(err):
		return Failure{Outcome: NotSent}, true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		// A per-call timeout or a connection lost after the request left.
		return Failure{Outcome: Ambiguous}, true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return Failure{Outcome: Ambiguous}, true
	}
	return Failure{}, false
}

// neverConnected recognises failures before any byte of the request left:
// a name that did not resolve, a refused or failed dial.
func neverConnected(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// Backoff is a doubling pause: First, then twice as long each time, never
// more than Max (when set). It has no jitter: Agora runs a few processes,
// not a fleet whose retries could arrive in step, and tests can predict it.
type Backoff struct {
	First, Max time.Duration
	next       time.Duration
}

// Next returns the pause to take now and doubles the following one.
func (b *Backoff) Next() time.Duration {
	if b.next <= 0 {
		b.next = b.First
	}
	d := b.next
	if b.Max > 0 && d > b.Max {
		d = b.Max
	}
	b.next = 2 * d
	return d
}

// Reset starts over at First, after a success.
func (b *Backoff) Reset() { b.next = 0 }

// Sleep waits for d or until ctx ends, whichever comes first; it returns
// ctx's error when ctx ended.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Policy bounds and paces the attempts of one call.
type Policy struct {
	// Attempts is how many times the call is made at most (at least once).
	Attempts int
	// Backoff paces the attempts when the platform did not say how long to wait.
	Backoff Backoff
	// Classify reads the call's errors; nil makes every failure permanent.
	Classify func(error) Failure
	// Wait pauses between attempts; nil is Sleep. Tests pass a fake.
	Wait func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is told of each failure about to be retried (for
	// logs and metrics), with the attempt that failed, counting from 1.
	OnRetry func(attempt int, wait time.Duration, err error)
}

// Do makes the call, and again while its failure may be retried under
// safety s, the attempts last and ctx is alive. It returns nil or the last
// failure.
func (p Policy) Do(ctx context.Context, s Safety, call func() error) error {
	backoff := p.Backoff
	backoff.Reset()
	wait := p.Wait
	if wait == nil {
		wait = Sleep
	}
	for attempt := 1; ; attempt++ {
		err := call()
		if err == nil {
			return nil
		}
		if attempt >= p.Attempts || ctx.Err() != nil || p.Classify == nil {
			return err
		}
		f := p.Classify(err)
		if !f.Retryable(s) {
			return err
		}
		d := f.RetryAfter
		if d <= 0 {
			d = backoff.Next()
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, d, err)
		}
		if wait(ctx, d) != nil {
			return err
		}
	}
}
