-- +goose Up
-- Same shape as the PostgreSQL schema; see migrations/postgres for the why.
CREATE TABLE communities (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT     NOT NULL,
    locale        TEXT     NOT NULL DEFAULT 'fr',
    timezone      TEXT     NOT NULL DEFAULT 'Europe/Paris',
    poll_creation TEXT     NOT NULL DEFAULT 'member' CHECK (poll_creation IN ('member', 'ambassador', 'moderator')),
    created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE chats (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id      INTEGER  NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    platform          TEXT     NOT NULL,
    platform_group_id TEXT     NOT NULL DEFAULT '',
    platform_chat_id  TEXT     NOT NULL,
    title             TEXT     NOT NULL DEFAULT '',
    purpose           TEXT     NOT NULL DEFAULT 'general' CHECK (purpose IN ('general', 'announcements', 'moderation', 'ambassadors')),
    created_at        DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (platform, platform_chat_id)
);
CREATE INDEX chats_by_group ON chats (platform, platform_group_id) WHERE platform_group_id <> '';
CREATE INDEX chats_by_community ON chats (community_id);

CREATE TABLE members (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    display_name TEXT     NOT NULL DEFAULT '',
    locale       TEXT     NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE identities (
    platform         TEXT     NOT NULL,
    platform_user_id TEXT     NOT NULL,
    member_id        INTEGER  NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    display_name     TEXT     NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (platform, platform_user_id)
);
CREATE INDEX identities_by_member ON identities (member_id);

CREATE TABLE community_roles (
    community_id INTEGER  NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    member_id    INTEGER  NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role         TEXT     NOT NULL CHECK (role IN ('member', 'ambassador', 'moderator')),
    granted_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (community_id, member_id)
);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT     NOT NULL,
    payload      TEXT     NOT NULL DEFAULT '',
    dedupe_key   TEXT UNIQUE,
    run_at       DATETIME NOT NULL,
    attempts     INTEGER  NOT NULL DEFAULT 0,
    last_error   TEXT     NOT NULL DEFAULT '',
    locked_until DATETIME,
    done_at      DATETIME,
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL;

-- +goose Down
DROP TABLE jobs;
DROP TABLE community_roles;
DROP TABLE identities;
DROP TABLE members;
DROP TABLE chats;
DROP TABLE communities;
