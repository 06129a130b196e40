-- +goose Up
-- When each poll message was last edited with the live tally. Processes
-- claim a message's edit slot by moving this time forward, so several
-- processes sharing the database still edit a message at most once per
-- interval between them.
ALTER TABLE poll_posts ADD COLUMN edited_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE poll_posts DROP COLUMN edited_at;
