package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agora-community/agora/locales"
)

// Platform names, as stored with chats and identities.
const (
	PlatformDiscord  = "discord"
	PlatformTelegram = "telegram"
	PlatformConsole  = "console"
)

// User is the acting person as the platform describes them.
type User struct {
	ID     string // platform user ID
	Name   string // display name, for transcripts and directories
	Locale string // platform locale ("fr", "en-US"), may be empty
	// PlatformRole is what the platform itself grants: server or group
	// administrators are moderators; a configured Discord role may make an
	// ambassador.
	PlatformRole Role
	// Bot is true for bot accounts, Agora's own included: events from them
	// are never answered, so two bots cannot talk to each other forever.
	Bot bool
}

// Chat is where the request came from, as the platform describes it.
type Chat struct {
	ID string // platform chat ID (Discord channel, Telegram chat)
	// GroupID is the platform container the chat belongs to (the Discord
	// server); empty where chats stand alone (Telegram).
	GroupID string
	Title   string
	Private bool // a direct conversation with Agora
}

// Community is the resolved community of the request.
type Community struct {
	ID       int64
	Name     string
	Locale   string
	Location *time.Location
}

// Member is the resolved person behind the request.
type Member struct {
	ID   int64
	Name string
	Role Role // effective role: the stored one or the platform's, whichever is higher
}

// Action is a button press, a select choice or a modal submit.
type Action struct {
	Route     string            // "p/v/12/3": prefix, verb, arguments
	Values    []string          // selected values of a select menu
	Fields    map[string]string // modal fields by ID
	MessageID string            // the platform message the component was on
}

// Args splits the route into its parts after the prefix.
func (a *Action) Args() []string {
	parts := strings.Split(a.Route, "/")
	if len(parts) <= 1 {
		return nil
	}
	return parts[1:]
}

// Event kinds: what happens in a chat without anyone asking Agora.
const (
	EventMemberJoined = "member_joined" // someone joined the chat
	EventMessage      = "message"       // a plain message, not a command
)

// Event is something that happened in a chat. A module's event handler gets
// it as a Request whose Event is set (and Command and Action are not); the
// Response it returns, if any, is posted in the chat, replying to the
// message when there is one.
type Event struct {
	Kind      string
	Text      string // the message, for EventMessage
	MessageID string // the platform message, for EventMessage
}

// Request is one thing a member asked of Agora, on any platform.
type Request struct {
	Platform string
	Chat     Chat
	User     User

	// Command is the canonical path ("sondage.creer") for commands; empty for actions.
	Command string
	Options map[string]string // canonical option name → raw value
	Action  *Action
	Event   *Event
	// Files are the files sent with the command, for attachment options;
	// adapters download them, size-capped, before the request is handled.
	Files []File

	// Set by the runtime before the handler runs.
	Community Community
	ChatRef   int64 // Agora's chat row
	// ChatPurpose is what moderators said the chat is for (model.Purpose…),
	// from the runtime's cache: a handler of every message can test it
	// without a query.
	ChatPurpose string
	Member      Member
	Loc         *locales.Localizer
	Now         time.Time
}

// T is a shortcut for the request's localizer.
func (r *Request) T(id string, data ...locales.Data) string { return string(r.Loc.T(id, data...)) }

// Has reports whether an option was given.
func (r *Request) Has(name string) bool {
	_, ok := r.Options[name]
	return ok
}

// String returns an option's raw value, or "".
func (r *Request) String(name string) string { return r.Options[name] }

// Int returns an integer option; the runtime has already validated it.
func (r *Request) Int(name string, def int) int {
	v, ok := r.Options[name]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

// File returns the file an attachment option names, or nil.
func (r *Request) File(name string) *File {
	v, ok := r.Options[name]
	if !ok {
		return nil
	}
	for i := range r.Files {
		if r.Files[i].Name == v {
			return &r.Files[i]
		}
	}
	return nil
}

// Bool returns a boolean option; the runtime has already validated it.
func (r *Request) Bool(name string, def bool) bool {
	v, ok := r.Options[name]
	if !ok {
		return def
	}
	b, ok := ParseBool(v)
	if !ok {
		return def
	}
	return b
}

// ParseBool accepts the ways people say yes and no in French and English.
func ParseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "oui", "o", "vrai", "yes", "y", "true", "1", "on":
		return true, true
	case "non", "n", "faux", "no", "false", "0", "off":
		return false, true
	}
	return false, false
}

// Describe is a short log-friendly identification of the request, without
// any option value (which may be personal).
func (r *Request) Describe() string {
	if r.Event != nil {
		return fmt.Sprintf("%s event %s", r.Platform, r.Event.Kind)
	}
	if r.Action != nil {
		return fmt.Sprintf("%s action %s", r.Platform, r.Action.Route)
	}
	return fmt.Sprintf("%s command %s", r.Platform, r.Command)
}
