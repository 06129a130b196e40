-- +goose Up
-- Capability kit: a final edit that keeps failing (the message was
-- deleted by a moderator, the bot lost access) is given up after a few
-- tries instead of being retried forever.
ALTER TABLE outbox_posts ADD COLUMN edit_failures INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE outbox_posts DROP COLUMN edit_failures;
