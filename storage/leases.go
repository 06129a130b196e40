package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AcquireLease takes or renews the lease name for holder until now+ttl. It
// reports false when another holder has an unexpired lease whose holder is
// not known gone (see AcquireLiveLease). Each process passes its own clock
// reading; leases tolerate small clock differences because renewals come
// several times per lease.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	return s.acquireLease(ctx, name, holder, nil, now, ttl)
}

// AcquireLiveLease is AcquireLease for the holder of live, whose lease
// another process takes at once, without waiting for it to expire, once
// that liveness is gone (on PostgreSQL, the moment the holder's process is
// killed). The lease itself still expires after ttl as any other: a holder
// that stops renewing loses it even while its process lives. It reads only
// live's holder and key, so it may run beside the goroutine checking live.
func (s *Store) AcquireLiveLease(ctx context.Context, name string, live *Liveness, now time.Time, ttl time.Duration) (bool, error) {
	return s.acquireLease(ctx, name, live.holder, &live.key, now, ttl)
}

// acquireLease takes the lease when it is free, expired, held by holder
// already, or held with a liveness no one holds any more. lockKey is the
// holder's liveness key, nil for a holder without one.
func (s *Store) acquireLease(ctx context.Context, name, holder string, lockKey *int64, now time.Time, ttl time.Duration) (bool, error) {
	now = now.UTC()
	var got string
	err := s.db.GetContext(ctx, &got, `INSERT INTO leases (name, holder, expires_at, lock_key) VALUES ($1, $2, $3, $5)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, lock_key = excluded.lock_key
		WHERE leases.holder = excluded.holder OR leases.expires_at <= $4
		OR (leases.lock_key IS NOT NULL AND leases.lock_key NOT IN (`+s.liveKeys()+`))
		RETURNING holder`, name, holder, now.Add(ttl), now, lockKey)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return got == holder, nil
}

// ReleaseLease gives a lease up at once, so another process takes over
// without waiting for it to expire. Releasing a lease one does not hold is a
// no-op.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// Setting reads a shared setting; ErrNotFound when unset.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.GetContext(ctx, &v, `SELECT value FROM settings WHERE key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting writes a shared setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}

// SettingOrCreate returns the setting, storing value first if it is unset.
// Processes racing to create it all end up with the first one's value.
func (s *Store) SettingOrCreate(ctx context.Context, key, value string) (string, error) {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO NOTHING`, key, value, time.Now().UTC())
	if err != nil {
		return "", fmt.Errorf("create setting %s: %w", key, err)
	}
	return s.Setting(ctx, key)
}
