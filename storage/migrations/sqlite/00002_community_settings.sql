-- +goose Up
-- Capability kit. Each capability keeps its community settings under its
-- own keys ("poll.creation"), one row each, so two moderators changing two
-- settings at once both keep their change: every write touches one row.
CREATE TABLE community_settings (
    community_id BIGINT      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    key          TEXT        NOT NULL,
    value        TEXT        NOT NULL,
    updated_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (community_id, key)
);

-- The poll creation role was a column of communities; it is the polls
-- capability's setting now. The column stays (migrations are append-only)
-- but nothing reads it.
INSERT INTO community_settings (community_id, key, value)
    SELECT id, 'poll.creation', poll_creation FROM communities WHERE poll_creation <> 'member';

-- +goose Down
DROP TABLE community_settings;
