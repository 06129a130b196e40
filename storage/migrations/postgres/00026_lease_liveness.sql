-- +goose Up
-- Platform adapters' leases. A lease may name the advisory lock its holder
-- holds for as long as it lives (see storage.Liveness): once no session
-- holds that lock, the holder is gone, and another process takes the lease
-- at once instead of waiting for it to expire. NULL for holders without
-- liveness: their leases still go by expiry alone. Adding a column without
-- a default only changes the catalog: the table is not rewritten.
ALTER TABLE leases ADD COLUMN lock_key BIGINT;

-- +goose Down
ALTER TABLE leases DROP COLUMN lock_key;
