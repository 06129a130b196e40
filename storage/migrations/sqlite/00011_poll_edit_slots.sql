-- +goose Up
-- Same shape as the PostgreSQL schema; see migrations/postgres for the why.
ALTER TABLE poll_posts ADD COLUMN edited_at DATETIME;

-- +goose Down
ALTER TABLE poll_posts DROP COLUMN edited_at;
