-- +goose Up
-- Capability kit (one community across platforms). A short code a
-- moderator or a member gets in one chat and types in another to link two
-- chats into one community, or two accounts into one person. Single use,
-- valid 15 minutes.
CREATE TABLE link_codes (
    code         TEXT        PRIMARY KEY,
    kind         TEXT        NOT NULL CHECK (kind IN ('chat', 'account')),
    community_id BIGINT      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    member_id    BIGINT      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ
);

-- +goose Down
DROP TABLE link_codes;
