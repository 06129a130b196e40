-- +goose Up
-- Platform adapters' state: the interactions already handled, by platform
-- and ID, shared by every process, so an interaction delivered twice (a
-- replayed signed HTTP request, a gateway resume, two connections on one
-- shard) is handled once. Rows are forgotten once the platform can no
-- longer deliver them again.
CREATE TABLE processed_interactions (
    platform TEXT NOT NULL,
    id       TEXT NOT NULL,
    seen_at  DATETIME NOT NULL,
    PRIMARY KEY (platform, id)
);
CREATE INDEX processed_interactions_seen ON processed_interactions (seen_at);

-- +goose Down
DROP TABLE processed_interactions;
