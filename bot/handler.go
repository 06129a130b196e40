package bot

import (
	"context"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
)

// Handler is what platform adapters need from Agora: the Runtime
// implements it. Adapters take a Handler, a logger and a metrics
// registerer, and never reach into the runtime's store, clock or metrics.
type Handler interface {
	// Handle answers a command or an action (a button press, a select, a
	// form). It never returns nil.
	Handle(ctx context.Context, req *commands.Request) *commands.Response
	// HandleText answers what a member typed on a platform without command
	// forms of its own; answers go through to.
	HandleText(ctx context.Context, msg TextMessage, to Replier)
	// HandleEvent runs the modules' handlers of an event (req.Event) and
	// returns what to post in the chat.
	HandleEvent(ctx context.Context, req *commands.Request) []*commands.Response
	// StartForm asks a form's fields one at a time, on platforms without
	// forms; r holds the modal, req is the request it answered.
	StartForm(ctx context.Context, req *commands.Request, r *commands.Response, to Replier)
	// Autocomplete proposes values for an option being typed.
	Autocomplete(ctx context.Context, req *commands.Request, option, partial string) []commands.Suggestion
	// Localizer speaks the first supported language among the preferences.
	Localizer(tz *time.Location, preferences ...string) *locales.Localizer
	// Registry lists the commands, for the platform's menus.
	Registry() *commands.Registry
}

var _ Handler = (*Runtime)(nil)
