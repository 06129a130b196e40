-- +goose Up
-- Polls capability. Which chats a poll is posted to, as the capability
-- names them ("general", "announcements", "public", "moderation"); empty,
-- as for every earlier poll, is the capability's default. The publish job
-- reads it, so a retried publication goes to the same chats.
ALTER TABLE polls ADD COLUMN audience TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE polls DROP COLUMN audience;
