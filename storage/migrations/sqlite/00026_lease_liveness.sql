-- +goose Up
-- Platform adapters' leases. A lease may name the liveness its holder
-- holds for as long as it lives (see storage.Liveness): once that holder is
-- gone, another takes the lease at once instead of waiting for it to
-- expire. NULL for holders without liveness: their leases still go by
-- expiry alone.
ALTER TABLE leases ADD COLUMN lock_key BIGINT;

-- +goose Down
ALTER TABLE leases DROP COLUMN lock_key;
