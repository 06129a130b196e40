-- +goose Up
-- Telegram adapter. Each claim names the liveness its process holds for as
-- long as it lives (see storage.Liveness): once that process is gone,
-- another takes over its unhandled updates within seconds instead of
-- waiting for the claim to grow old. NULL in rows claimed by versions of
-- Agora that held no liveness: those are still taken over by age alone.
ALTER TABLE telegram_updates ADD COLUMN lock_key BIGINT;

-- +goose Down
ALTER TABLE telegram_updates DROP COLUMN lock_key;
