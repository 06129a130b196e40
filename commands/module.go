package commands

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/agora-community/agora/model"
)

// Clock tells the time; the runtime's clock, so tests and scripts can move it.
type Clock interface {
	Now() time.Time
}

// Deps are what every capability is built with, besides its own store
// (each capability declares the narrow store interface it needs, and
// commands/all hands it the one storage.Store). They are passed
// explicitly: no capability reaches for a global.
type Deps struct {
	Messenger Messenger
	Outbox    Outbox
	Clock     Clock
	Log       *slog.Logger
	Registry  *Registry
}

// MergeJob is the runtime's job that runs every Module.MergeMembers hook
// after two accounts were linked; its payload is "into/from".
var MergeJob = model.JobRef{Kind: "member.merge"}

// Module is one capability: everything it adds to Agora, declared as data
// so the runtime installs it without the capability touching shared code.
type Module struct {
	// Name identifies the capability in logs and metrics ("polls").
	Name  string
	Specs []*Spec
	Jobs  map[string]JobHandler
	// Tick, when set, is periodic in-process work (coalesced edits of live
	// results). The runtime's job loop calls it after each round of due
	// jobs, so it shares that loop's owner and stops with its context.
	Tick func(ctx context.Context) error
	// Events handle what happens in chats, by event kind (EventMemberJoined,
	// EventMessage). Several modules may handle one kind; each runs.
	Events map[string]Handler
	// Routes are mounted on the HTTP server, by ServeMux pattern
	// ("GET /calendrier/{token}").
	Routes map[string]http.Handler
	// MergeMembers moves what the capability keeps about member from to
	// member into, when a person links two accounts. It runs after the
	// identities are merged, as a retried job, so it must be idempotent.
	MergeMembers func(ctx context.Context, into, from int64) error
	// Settings are the community settings the capability owns; /communaute
	// lists them.
	Settings []Setting
	// Posts render what the capability publishes through the Outbox, by
	// subject kind ("poll" renders "poll/12").
	Posts map[string]PostRenderer
}
