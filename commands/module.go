package commands

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/agora-community/agora/locales"
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
	Notifier  Notifier
	// Platform features beyond messages; a platform without one answers
	// ErrUnsupported.
	Roles    Roles
	Events   Events
	Invites  Invites
	Clock    Clock
	Log      *slog.Logger
	Registry *Registry
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
	// CLI are the capability's command-line tools, by name: "agora faq
	// export FILE --community 3" runs CLI["faq"] with the words after it.
	CLI map[string]CLICommand
}

// CLICommand is a command-line tool for operators. It prints its report in
// the default language through l; a bad argument is an error naming it.
type CLICommand struct {
	// UsageID names the locale message with its one-line usage.
	UsageID string
	Run     func(ctx context.Context, args []string, out io.Writer, l *locales.Localizer) error
}
