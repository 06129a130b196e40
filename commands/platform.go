package commands

import (
	"context"
	"errors"
	"time"
)

// These interfaces are the platform features capabilities may use. The
// runtime implements each by handing the call to the adapter of the named
// platform; an adapter whose platform lacks a feature answers
// ErrUnsupported, so a capability can tell "cannot here" from "failed".

// ErrUnsupported is returned when a platform has no such feature (a
// Telegram scheduled event, a console role).
var ErrUnsupported = errors.New("not supported on this platform")

// Roles grants and revokes platform roles (a Discord server role).
type Roles interface {
	GrantRole(ctx context.Context, platform, groupID, userID, roleID string) error
	RevokeRole(ctx context.Context, platform, groupID, userID, roleID string) error
}

// ScheduledEvent is a meetup as a platform's own event list shows it (a
// Discord Guild Scheduled Event).
type ScheduledEvent struct {
	Name        string
	Description string
	Location    string
	Start, End  time.Time
}

// Events keeps a platform's own event list in step.
type Events interface {
	CreateEvent(ctx context.Context, platform, groupID string, e ScheduledEvent) (eventID string, err error)
	EditEvent(ctx context.Context, platform, groupID, eventID string, e ScheduledEvent) error
	CancelEvent(ctx context.Context, platform, groupID, eventID string) error
}

// Invites lets members into a chat and out of it (a Telegram group of
// ambassadors).
type Invites interface {
	// CreateInviteLink makes a link that lets one person join the chat
	// once, valid until expires.
	CreateInviteLink(ctx context.Context, chat ChatAddress, name string, expires time.Time) (link string, err error)
	// RemoveMember takes a member out of a chat; they may be invited again.
	RemoveMember(ctx context.Context, chat ChatAddress, userID string) error
}

// Platforms is every platform feature at once, as the runtime offers it.
type Platforms interface {
	Messenger
	Roles
	Events
	Invites
}
