package commands

import (
	"context"
	"log/slog"
	"time"

	"github.com/agora-community/agora/storage"
)

// Clock tells the time; the runtime's clock, so tests and scripts can move it.
type Clock interface {
	Now() time.Time
}

// Deps are what capabilities are built with. They are passed explicitly:
// no capability reaches for a global.
type Deps struct {
	Store     *storage.Store
	Messenger Messenger
	Clock     Clock
	Log       *slog.Logger
	Registry  *Registry
}

// Module is one capability: its commands and the scheduled jobs it runs.
type Module struct {
	Specs []*Spec
	Jobs  map[string]JobHandler
	// Tick, when set, is periodic in-process work (coalesced edits of live
	// results). The runtime's job loop calls it after each round of due
	// jobs, so it shares that loop's owner and stops with its context.
	Tick func(ctx context.Context) error
}
