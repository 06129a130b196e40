package telegram

import (
	"context"
	"time"
)

// Telegram lets a bot write privately only to members who opened a private
// chat with it (and did not block it); anyone else costs a refused call
// (403) against the bot's global budget of about 30 messages a second. So
// the adapter remembers, in the database and in memory, who wrote to it in
// private (open) and whose private message was refused (closed), and
// writes privately only where that can work.

// privateOpen tells whether userID can receive a private message, and
// whether Agora knows either way.
func (a *Adapter) privateOpen(ctx context.Context, userID int64) (open, known bool) {
	a.mu.Lock()
	open, known = a.private[userID]
	a.mu.Unlock()
	if known {
		return open, true
	}
	open, known, err := a.store.TelegramPrivateChat(ctx, a.botID, userID)
	if err != nil {
		a.log.Warn("read whether a member can be written to privately", "user", userID, "error", err)
		return false, false
	}
	if known {
		a.remember(userID, open)
	}
	return open, known
}

// notePrivate records what Agora learned about userID's private chat,
// writing to the database only when it changes what is known.
func (a *Adapter) notePrivate(ctx context.Context, userID int64, open bool) {
	a.mu.Lock()
	was, known := a.private[userID]
	a.mu.Unlock()
	if known && was == open {
		return
	}
	if err := a.store.SetTelegramPrivateChat(ctx, a.botID, userID, open, time.Now()); err != nil {
		a.log.Warn("record whether a member can be written to privately", "user", userID, "error", err)
		return
	}
	a.remember(userID, open)
}

// maxRemembered bounds the in-memory knowledge: beyond, it is forgotten
// and read again from the database as needed.
const maxRemembered = 100_000

func (a *Adapter) remember(userID int64, open bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.private) >= maxRemembered {
		clear(a.private)
	}
	a.private[userID] = open
}
