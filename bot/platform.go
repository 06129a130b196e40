// Package bot is Agora's runtime: it takes neutral requests from the
// platform adapters, resolves who and where they come from, checks
// permissions, runs the command handlers, and runs the scheduled jobs and
// the HTTP server. Adapters live in bot/discord, bot/telegram, bot/console.
package bot

import (
	"context"

	"github.com/agora-community/agora/commands"
)

// Platform is one chat platform adapter.
type Platform interface {
	// Name is the platform name stored with chats: "discord", "telegram", "console".
	Name() string
	// Run serves the platform until ctx ends, then returns once in-flight
	// work is handed back and connections are closed.
	Run(ctx context.Context) error
	// Send posts a message in a chat and returns the platform message ID.
	Send(ctx context.Context, chatID string, r *commands.Response) (string, error)
	// Edit replaces a message Agora posted.
	Edit(ctx context.Context, chatID, messageID string, r *commands.Response) error
	// Delete removes a message Agora posted.
	Delete(ctx context.Context, chatID, messageID string) error
	// DirectMessage writes to a member privately. It fails with
	// ErrDirectMessageRefused when the member does not accept it.
	DirectMessage(ctx context.Context, userID string, r *commands.Response) (string, error)
}
