package bot

import (
	"context"
	"time"

	"github.com/agora-community/agora/commands"
)

// These small interfaces are what some platforms can do beyond messages.
// Capabilities ask for them with a type assertion on a Platform, so a
// platform without the feature is simply skipped.

// RoleGranter gives and takes platform roles (a Discord server role).
type RoleGranter interface {
	GrantRole(ctx context.Context, groupID, userID, roleID string) error
	RevokeRole(ctx context.Context, groupID, userID, roleID string) error
}

// Event is a scheduled event as a platform lists it (a Discord Guild
// Scheduled Event).
type Event struct {
	Name        string
	Description string
	Location    string
	Start, End  time.Time
}

// EventScheduler keeps a platform's own event list in step with meetups.
type EventScheduler interface {
	CreateEvent(ctx context.Context, groupID string, e Event) (eventID string, err error)
	EditEvent(ctx context.Context, groupID, eventID string, e Event) error
	CancelEvent(ctx context.Context, groupID, eventID string) error
}

// RoleReader tells what the platform itself makes of a member (server
// administrators are moderators).
type RoleReader interface {
	MemberRole(ctx context.Context, groupID, userID string) (commands.Role, error)
}
