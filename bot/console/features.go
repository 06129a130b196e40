package console

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
)

// The console has every platform feature, so that scripts can follow what
// a capability does with roles, events and invites: each call prints one
// line in the transcript, between brackets like the other notices.
var (
	_ bot.Platform       = (*Console)(nil)
	_ bot.RoleGranter    = (*Console)(nil)
	_ bot.EventScheduler = (*Console)(nil)
	_ bot.InviteLinker   = (*Console)(nil)
	_ bot.MemberRemover  = (*Console)(nil)
)

// notice prints one localized line; c.mu must be held.
func (c *Console) notice(id string, data locales.Data) {
	fmt.Fprintf(c.out, "[%s]\n", c.locLocked().S(id, data))
}

// GrantRole prints that a role was given.
func (c *Console) GrantRole(ctx context.Context, groupID, userID, roleID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notice("console.role_granted", locales.Data{"Role": roleID, "User": userID})
	return nil
}

// RevokeRole prints that a role was taken away.
func (c *Console) RevokeRole(ctx context.Context, groupID, userID, roleID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notice("console.role_revoked", locales.Data{"Role": roleID, "User": userID})
	return nil
}

func (c *Console) eventData(id string, e commands.ScheduledEvent) locales.Data {
	loc := e.Location
	if loc == "" {
		loc = "—"
	}
	return locales.Data{"ID": id, "Name": e.Name, "Start": c.locLocked().DateTime(e.Start), "Location": loc}
}

// CreateEvent records an event and prints it; IDs count from 1.
func (c *Console) CreateEvent(ctx context.Context, groupID string, e commands.ScheduledEvent) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.events == nil {
		c.events = map[string]commands.ScheduledEvent{}
	}
	c.nextEvent++
	id := strconv.Itoa(c.nextEvent)
	c.events[id] = e
	c.notice("console.event_created", c.eventData(id, e))
	return id, nil
}

// EditEvent changes a recorded event and prints it.
func (c *Console) EditEvent(ctx context.Context, groupID, eventID string, e commands.ScheduledEvent) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.events[eventID]; !ok {
		return fmt.Errorf("console event %s: not found", eventID)
	}
	c.events[eventID] = e
	c.notice("console.event_edited", c.eventData(eventID, e))
	return nil
}

// CancelEvent forgets a recorded event and prints that it was cancelled.
func (c *Console) CancelEvent(ctx context.Context, groupID, eventID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.events[eventID]; !ok {
		return fmt.Errorf("console event %s: not found", eventID)
	}
	delete(c.events, eventID)
	c.notice("console.event_cancelled", locales.Data{"ID": eventID})
	return nil
}

// CreateInviteLink prints and returns a fake link, numbered from 1, that
// no one can open.
func (c *Console) CreateInviteLink(ctx context.Context, chatID, name string, expires time.Time) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invites++
	link := "https://console.invalid/invite/" + strconv.Itoa(c.invites)
	c.notice("console.invite_created", locales.Data{"Chat": chatID, "Name": name, "Link": link})
	return link, nil
}

// RemoveMember prints that a member was taken out of a chat.
func (c *Console) RemoveMember(ctx context.Context, chatID, userID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notice("console.member_removed", locales.Data{"User": userID, "Chat": chatID})
	return nil
}
