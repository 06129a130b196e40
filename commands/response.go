package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
)

// ButtonStyle is a hint; platforms without styles ignore it.
type ButtonStyle int

const (
	ButtonSecondary ButtonStyle = iota
	ButtonPrimary
	ButtonSuccess
	ButtonDanger
)

// Button is a component under a message. Action is a route-style reference
// ("p/v/12/3") that survives restarts; URL makes a link button instead.
type Button struct {
	Label  string // plain text
	Action string
	Style  ButtonStyle
	URL    string
}

// Select is a menu for when buttons do not fit.
type Select struct {
	Action      string
	Placeholder string
	Options     []Button // Label and Action (the value)
	MinValues   int
	MaxValues   int
}

// ModalField is one text input of a modal form.
type ModalField struct {
	ID          string
	Label       string
	Placeholder string
	Long        bool
	Required    bool
	MaxLength   int
}

// Modal asks for several texts at once (a Discord modal; a guided
// conversation elsewhere).
type Modal struct {
	Action string
	Title  string
	Fields []ModalField
}

// File is an attachment: a PNG chart, an .ics invitation, a CSV export.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Response is what Agora answers.
type Response struct {
	Text      markup.Text
	Ephemeral bool // only the acting member sees it
	// Edit replaces the message the action came from instead of posting anew.
	Edit    bool
	Buttons []Button
	Select  *Select
	Files   []File
	Modal   *Modal
	// Mentions lists platform user IDs the message may ping; nobody else is.
	Mentions []string
	// Refused marks the runtime's answer to a request it refused or could
	// not serve (a user error, a failure): platforms that show short
	// answers in passing (Telegram's toasts) show it so that it is read.
	Refused bool
}

// Reply is a public text answer.
func Reply(t markup.Text) *Response { return &Response{Text: t} }

// Private is an answer only the acting member sees.
func Private(t markup.Text) *Response { return &Response{Text: t, Ephemeral: true} }

// UserError is a problem the member can fix or must know about: it is shown
// to them, localized, and not logged as a failure.
type UserError struct {
	ID    string
	Data  locales.Data
	Count *int
	// LocalData, when set, adds data written in the reader's language when
	// the error is shown (names as the member types them), for errors made
	// before the member's language is known.
	LocalData func(l *locales.Localizer) locales.Data
	// Option names the option whose value is refused, when the refusal is
	// about one value: a guided conversation then asks for that option
	// again instead of ending with the refusal.
	Option string
}

func (e *UserError) Error() string { return fmt.Sprintf("user error %s", e.ID) }

// OptionError marks a user error as a refusal of the option's value (see
// UserError.Option). Other errors are returned as they are.
func OptionError(option string, err error) error {
	ue, ok := AsUserError(err)
	if !ok {
		return err
	}
	marked := *ue
	marked.Option = option
	return &marked
}

// Fail builds a UserError.
func Fail(id string, data ...locales.Data) error {
	e := &UserError{ID: id}
	if len(data) > 0 {
		e.Data = data[0]
	}
	return e
}

// FailN builds a UserError whose message has plural forms.
func FailN(id string, count int, data ...locales.Data) error {
	e := &UserError{ID: id, Count: &count}
	if len(data) > 0 {
		e.Data = data[0]
	}
	return e
}

// Localize renders the user error in a language.
func (e *UserError) Localize(l *locales.Localizer) markup.Text {
	var data []locales.Data
	if e.Data != nil {
		data = append(data, e.Data)
	}
	if e.LocalData != nil {
		data = append(data, e.LocalData(l))
	}
	if e.Count != nil {
		return l.N(e.ID, *e.Count, data...)
	}
	return l.T(e.ID, data...)
}

// AsUserError finds a UserError in an error chain.
func AsUserError(err error) (*UserError, bool) {
	var ue *UserError
	ok := errors.As(err, &ue)
	return ue, ok
}

// ChatAddress names a chat on a platform, for messages Agora sends on its own
// (mirrored polls, reminders, results) rather than in reply to a request.
type ChatAddress struct {
	Platform string
	ChatID   string
}

// Messenger sends messages outside of a reply. The runtime implements it by
// handing each message to the adapter of its platform.
//
// A message reference names everything one Send posted: a long text split
// over several platform messages has one reference, and Edit and Delete act
// on every part. Edit returns the reference to keep, which changes when the
// new text needs more or fewer parts.
type Messenger interface {
	Send(ctx context.Context, to ChatAddress, r *Response) (ref string, err error)
	Edit(ctx context.Context, to ChatAddress, ref string, r *Response) (newRef string, err error)
	Delete(ctx context.Context, to ChatAddress, ref string) error
	DirectMessage(ctx context.Context, platform, userID string, r *Response) (ref string, err error)
}

// JobHandler runs one scheduled job of a kind; its payload is what the
// capability stored when scheduling it. Returning an error retries it later.
type JobHandler func(ctx context.Context, payload string) error

// ErrDirectMessageRefused is returned by Messenger.DirectMessage when the
// member blocked Agora, never started it, or refuses private messages.
var ErrDirectMessageRefused = errors.New("direct message refused by the member")

// ErrUnknownPlatform is returned when no adapter serves a chat's platform.
var ErrUnknownPlatform = errors.New("no adapter for this platform")
