package bot

import (
	"context"
	"fmt"

	"github.com/agora-community/agora/commands"
)

// Messenger returns the runtime's commands.Messenger: it hands each message
// to the adapter of the chat's platform.
func (rt *Runtime) Messenger() commands.Messenger { return messenger{rt} }

type messenger struct{ rt *Runtime }

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
	if err != nil {
		outcome = "error"
	}
	m.rt.metrics.Sends.WithLabelValues(platform, op, outcome).Inc()
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
