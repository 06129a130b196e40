-- +goose Up
-- Leases elect the one process that does a singular job, such as the only
-- Telegram long poller a bot may have; a holder that dies loses it at expiry.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- Settings are small values every process must agree on (a generated
-- webhook secret, the last confirmed Telegram update).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Conversations are guided exchanges (a missing option asked for, a form
-- filled field by field) kept here so any process, even after a restart,
-- continues them.
CREATE TABLE conversations (
    platform   TEXT NOT NULL,
    chat_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    state      TEXT NOT NULL,
    prompt_id  TEXT NOT NULL DEFAULT '',
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform, chat_id, user_id)
);

-- +goose Down
DROP TABLE conversations;
DROP TABLE settings;
DROP TABLE leases;
