package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agora-community/agora/commands"
)

// Messenger returns the runtime's commands.Messenger: it hands each message
// to the adapter of the chat's platform. It is the value Platforms returns.
func (rt *Runtime) Messenger() commands.Messenger { return messenger{rt} }

// Platforms returns the runtime's commands.Platforms: messages, roles,
// events and invites, each handed to the adapter of the named platform.
// A platform without a feature answers an error wrapping
// commands.ErrUnsupported.
func (rt *Runtime) Platforms() commands.Platforms { return messenger{rt} }

// messenger dispatches platform calls to adapters and counts them in the
// Sends metric, by operation and outcome (ok, error, unsupported).
type messenger struct{ rt *Runtime }

var _ commands.Platforms = messenger{}

func (m messenger) platform(name string) (Platform, error) {
	m.rt.mu.RLock()
	defer m.rt.mu.RUnlock()
	p, ok := m.rt.platforms[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", commands.ErrUnknownPlatform, name)
	}
	return p, nil
}

func (m messenger) count(platform, op string, err error) {
	outcome := "ok"
	switch {
	case errors.Is(err, commands.ErrUnsupported):
		outcome = "unsupported"
	case err != nil:
		outcome = "error"
	}
	m.rt.metrics.Sends.WithLabelValues(platform, op, outcome).Inc()
}

// unsupported counts and reports a feature the platform lacks.
func (m messenger) unsupported(platform, op string) error {
	err := fmt.Errorf("%s on %s: %w", op, platform, commands.ErrUnsupported)
	m.count(platform, op, err)
	return err
}

func (m messenger) Send(ctx context.Context, to commands.ChatAddress, r *commands.Response) (string, error) {
	p, err := m.platform(to.Platform)
	if err != nil {
		return "", err
	}
	id, err := p.Send(ctx, to.ChatID, r)
	m.count(to.Platform, "send", err)
	if err != nil {
		// id names the parts posted before the failure, if any.
		return id, fmt.Errorf("send to %s chat %s: %w", to.Platform, to.ChatID, err)
	}
	return id, nil
}

// Edit returns the reference the adapter returns, even with an error: a
// failed edit may have posted or deleted parts, and the caller does better
// keeping what is posted now.
func (m messenger) Edit(ctx context.Context, to commands.ChatAddress, ref string, r *commands.Response) (string, error) {
	p, err := m.platform(to.Platform)
	if err != nil {
		return ref, err
	}
	newRef, err := p.Edit(ctx, to.ChatID, ref, r)
	m.count(to.Platform, "edit", err)
	if err != nil {
		return newRef, fmt.Errorf("edit %s message %s in chat %s: %w", to.Platform, ref, to.ChatID, err)
	}
	return newRef, nil
}

func (m messenger) Delete(ctx context.Context, to commands.ChatAddress, ref string) error {
	p, err := m.platform(to.Platform)
	if err != nil {
		return err
	}
	err = p.Delete(ctx, to.ChatID, ref)
	m.count(to.Platform, "delete", err)
	if err != nil {
		return fmt.Errorf("delete %s message %s in chat %s: %w", to.Platform, ref, to.ChatID, err)
	}
	return nil
}

func (m messenger) DirectMessage(ctx context.Context, platform, userID string, r *commands.Response) (string, error) {
	p, err := m.platform(platform)
	if err != nil {
		return "", err
	}
	id, err := p.DirectMessage(ctx, userID, r)
	m.count(platform, "direct", err)
	if err != nil {
		return "", fmt.Errorf("direct message on %s: %w", platform, err)
	}
	return id, nil
}

func (m messenger) GrantRole(ctx context.Context, platform, groupID, userID, roleID string) error {
	p, err := m.platform(platform)
	if err != nil {
		return err
	}
	g, ok := p.(RoleGranter)
	if !ok {
		return m.unsupported(platform, "grant_role")
	}
	err = g.GrantRole(ctx, groupID, userID, roleID)
	m.count(platform, "grant_role", err)
	if err != nil {
		return fmt.Errorf("grant role %s to %s user %s in group %s: %w", roleID, platform, userID, groupID, err)
	}
	return nil
}

func (m messenger) RevokeRole(ctx context.Context, platform, groupID, userID, roleID string) error {
	p, err := m.platform(platform)
	if err != nil {
		return err
	}
	g, ok := p.(RoleGranter)
	if !ok {
		return m.unsupported(platform, "revoke_role")
	}
	err = g.RevokeRole(ctx, groupID, userID, roleID)
	m.count(platform, "revoke_role", err)
	if err != nil {
		return fmt.Errorf("revoke role %s from %s user %s in group %s: %w", roleID, platform, userID, groupID, err)
	}
	return nil
}

func (m messenger) CreateEvent(ctx context.Context, platform, groupID string, e commands.ScheduledEvent) (string, error) {
	p, err := m.platform(platform)
	if err != nil {
		return "", err
	}
	s, ok := p.(EventScheduler)
	if !ok {
		return "", m.unsupported(platform, "create_event")
	}
	id, err := s.CreateEvent(ctx, groupID, e)
	m.count(platform, "create_event", err)
	if err != nil {
		return "", fmt.Errorf("create %s event %q in group %s: %w", platform, e.Name, groupID, err)
	}
	return id, nil
}

func (m messenger) EditEvent(ctx context.Context, platform, groupID, eventID string, e commands.ScheduledEvent) error {
	p, err := m.platform(platform)
	if err != nil {
		return err
	}
	s, ok := p.(EventScheduler)
	if !ok {
		return m.unsupported(platform, "edit_event")
	}
	err = s.EditEvent(ctx, groupID, eventID, e)
	m.count(platform, "edit_event", err)
	if err != nil {
		return fmt.Errorf("edit %s event %s in group %s: %w", platform, eventID, groupID, err)
	}
	return nil
}

func (m messenger) CancelEvent(ctx context.Context, platform, groupID, eventID string) error {
	p, err := m.platform(platform)
	if err != nil {
		return err
	}
	s, ok := p.(EventScheduler)
	if !ok {
		return m.unsupported(platform, "cancel_event")
	}
	err = s.CancelEvent(ctx, groupID, eventID)
	m.count(platform, "cancel_event", err)
	if err != nil {
		return fmt.Errorf("cancel %s event %s in group %s: %w", platform, eventID, groupID, err)
	}
	return nil
}

func (m messenger) CreateInviteLink(ctx context.Context, chat commands.ChatAddress, name string, expires time.Time) (string, error) {
	p, err := m.platform(chat.Platform)
	if err != nil {
		return "", err
	}
	l, ok := p.(InviteLinker)
	if !ok {
		return "", m.unsupported(chat.Platform, "invite_link")
	}
	link, err := l.CreateInviteLink(ctx, chat.ChatID, name, expires)
	m.count(chat.Platform, "invite_link", err)
	if err != nil {
		return "", fmt.Errorf("create an invite link to %s chat %s: %w", chat.Platform, chat.ChatID, err)
	}
	return link, nil
}

func (m messenger) RemoveMember(ctx context.Context, chat commands.ChatAddress, userID string) error {
	p, err := m.platform(chat.Platform)
	if err != nil {
		return err
	}
	r, ok := p.(MemberRemover)
	if !ok {
		return m.unsupported(chat.Platform, "remove_member")
	}
	err = r.RemoveMember(ctx, chat.ChatID, userID)
	m.count(chat.Platform, "remove_member", err)
	if err != nil {
		return fmt.Errorf("remove user %s from %s chat %s: %w", userID, chat.Platform, chat.ChatID, err)
	}
	return nil
}
