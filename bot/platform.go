// Package bot is Agora's runtime: it takes neutral requests from the
// platform adapters, resolves who and where they come from, checks
// permissions, runs the command handlers, and runs the scheduled jobs and
// the HTTP server. Adapters live in bot/discord, bot/telegram, bot/console.
package bot

import (
	"context"
	"strings"

	"github.com/agora-community/agora/commands"
)

// Platform is one chat platform adapter.
//
// A message reference names everything one Send posted. A text too long
// for one platform message is split, and files may go in messages of their
// own, so the reference lists the platform message IDs of every part, in
// the order they were posted, joined by commas: "1201,1202,1203". A message
// posted in one part has its platform ID as reference. Platform message IDs
// never contain a comma. MessageRef and MessageIDs build and read them.
type Platform interface {
	// Name is the platform name stored with chats: "discord", "telegram", "console".
	Name() string
	// Run serves the platform until ctx ends, then returns once in-flight
	// work is handed back and connections are closed.
	Run(ctx context.Context) error
	// Send posts a message in a chat and returns its reference. When it
	// fails after posting some parts, it returns their reference with the
	// error.
	Send(ctx context.Context, chatID string, r *commands.Response) (ref string, err error)
	// Edit replaces a message Agora posted, part by part: the new content is
	// split as Send splits it, the existing parts are edited in order,
	// parts a longer content needs are sent after the last one, and parts
	// a shorter content no longer needs are deleted. Buttons stay on the
	// last part. It returns the reference to keep from then on; when it
	// fails, the reference of what is posted now, so a caller may keep it.
	Edit(ctx context.Context, chatID, ref string, r *commands.Response) (newRef string, err error)
	// Delete removes every part of a message Agora posted; a part already
	// gone counts as deleted.
	Delete(ctx context.Context, chatID, ref string) error
	// DirectMessage writes to a member privately and returns the message's
	// reference. It fails with ErrDirectMessageRefused when the member does
	// not accept it.
	DirectMessage(ctx context.Context, userID string, r *commands.Response) (ref string, err error)
}

// MessageRef makes the reference of a message posted in these parts.
func MessageRef(ids []string) string { return strings.Join(ids, ",") }

// MessageIDs reads a message reference back into its parts' IDs; it has
// none when ref is empty.
func MessageIDs(ref string) []string {
	var ids []string
	for _, id := range strings.Split(ref, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}
