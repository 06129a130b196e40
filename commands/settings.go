package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agora-community/agora/locales"
)

// SettingStore keeps community settings, one row per key, so changing one
// never overwrites another. storage.Store implements it; a capability's
// own store interface embeds it when the capability has settings.
type SettingStore interface {
	CommunitySetting(ctx context.Context, communityID int64, key string) (string, error)
	SetCommunitySetting(ctx context.Context, communityID int64, key, value string, now time.Time) error
}

// Setting is one community setting a capability owns and declares in its
// Module, so /communaute can list every capability's settings without
// knowing them.
type Setting struct {
	// Key is "<capability>.<name>" ("poll.creation"); it names the locale
	// message "setting.<key>" too.
	Key     string
	Default string
	// Choices, when set, are the only values; their labels show the value.
	Choices []Choice
	// Show, when set, writes a stored value as members read it (reminder
	// delays in words, "aucune" for no address); else Display shows a
	// choice's label, or the value itself.
	Show func(l *locales.Localizer, value string) string
}

// NameID is the locale message that names the setting.
func (s Setting) NameID() string { return "setting." + s.Key }

// Get reads the setting of a community, or its default when never set.
// errNotSet is the store's not-found error.
func (s Setting) Get(ctx context.Context, store SettingStore, communityID int64, errNotSet error) (string, error) {
	v, err := store.CommunitySetting(ctx, communityID, s.Key)
	if errors.Is(err, errNotSet) {
		return s.Default, nil
	}
	if err != nil {
		return "", err
	}
	if len(s.Choices) > 0 && !s.allows(v) {
		return s.Default, nil // a value from an older version: the default is the safe reading
	}
	return v, nil
}

// Set writes the setting of a community; a value outside its choices is
// refused (the runtime's option check already refused it for members).
func (s Setting) Set(ctx context.Context, store SettingStore, communityID int64, value string, now time.Time) error {
	if len(s.Choices) > 0 && !s.allows(value) {
		return fmt.Errorf("setting %s: %q is not one of its choices", s.Key, value)
	}
	return store.SetCommunitySetting(ctx, communityID, s.Key, value, now)
}

// Label is how a value reads to a member: its choice's label, or itself.
func (s Setting) Label(value string) (id string, isID bool) {
	for _, c := range s.Choices {
		if c.Value == value {
			return c.NameID, true
		}
	}
	return value, false
}

// Display is how a value reads in /communaute info: through Show, else
// its choice's label, else the value, or a word saying it is not set.
func (s Setting) Display(l *locales.Localizer, value string) string {
	if s.Show != nil {
		return s.Show(l, value)
	}
	if id, ok := s.Label(value); ok {
		return l.S(id)
	}
	if value == "" {
		return l.S("setting.unset")
	}
	return value
}

func (s Setting) allows(v string) bool {
	for _, c := range s.Choices {
		if c.Value == v {
			return true
		}
	}
	return false
}
