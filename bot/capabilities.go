package bot

import (
	"context"
	"time"

	"github.com/agora-community/agora/commands"
)

// These small interfaces are what some platforms can do beyond messages.
// An adapter implements those its platform has; the runtime's Platforms
// finds them with a type assertion and answers commands.ErrUnsupported for
// the others. Capabilities never see them: they use commands.Platforms.
// The IDs are the platform's own, as Platform's methods take them.

// RoleGranter gives and takes platform roles (a Discord server role).
type RoleGranter interface {
	GrantRole(ctx context.Context, groupID, userID, roleID string) error
	RevokeRole(ctx context.Context, groupID, userID, roleID string) error
}

// EventScheduler keeps a platform's own event list in step with meetups
// (Discord's Guild Scheduled Events).
type EventScheduler interface {
	CreateEvent(ctx context.Context, groupID string, e commands.ScheduledEvent) (eventID string, err error)
	EditEvent(ctx context.Context, groupID, eventID string, e commands.ScheduledEvent) error
	CancelEvent(ctx context.Context, groupID, eventID string) error
}

// InviteLinker makes links that let one person join a chat once.
type InviteLinker interface {
	CreateInviteLink(ctx context.Context, chatID, name string, expires time.Time) (link string, err error)
}

// MemberRemover takes a member out of a chat, who may join again later
// with a new invite (a Telegram group).
type MemberRemover interface {
	RemoveMember(ctx context.Context, chatID, userID string) error
}

// RoleReader tells what the platform itself makes of a member (server
// administrators are moderators).
type RoleReader interface {
	MemberRole(ctx context.Context, groupID, userID string) (commands.Role, error)
}
