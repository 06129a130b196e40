-- +goose Up
-- Telegram adapter. Each claim names the advisory lock its process holds
-- for as long as it lives (see storage.Liveness): once no session holds
-- that lock, the process is gone, and another takes over its unhandled
-- updates within seconds instead of waiting for the claim to grow old.
-- NULL in rows claimed by versions of Agora that held no such lock: those
-- are still taken over by age alone. Adding a column without a default
-- only changes the catalog: the table is not rewritten.
ALTER TABLE telegram_updates ADD COLUMN lock_key BIGINT;

-- +goose Down
ALTER TABLE telegram_updates DROP COLUMN lock_key;
