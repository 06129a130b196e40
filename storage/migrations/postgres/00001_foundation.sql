-- +goose Up
-- A community is what members belong to; chats on any platform belong to it.
CREATE TABLE communities (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT        NOT NULL,
    locale        TEXT        NOT NULL DEFAULT 'fr',
    timezone      TEXT        NOT NULL DEFAULT 'Europe/Paris',
    poll_creation TEXT        NOT NULL DEFAULT 'member' CHECK (poll_creation IN ('member', 'ambassador', 'moderator')),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE chats (
    id                BIGSERIAL PRIMARY KEY,
    community_id      BIGINT      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    platform          TEXT        NOT NULL,
    platform_group_id TEXT        NOT NULL DEFAULT '',
    platform_chat_id  TEXT        NOT NULL,
    title             TEXT        NOT NULL DEFAULT '',
    purpose           TEXT        NOT NULL DEFAULT 'general' CHECK (purpose IN ('general', 'announcements', 'moderation', 'ambassadors')),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (platform, platform_chat_id)
);
CREATE INDEX chats_by_group ON chats (platform, platform_group_id) WHERE platform_group_id <> '';
CREATE INDEX chats_by_community ON chats (community_id);

-- A member is a person; each platform account of theirs is an identity.
CREATE TABLE members (
    id           BIGSERIAL PRIMARY KEY,
    display_name TEXT        NOT NULL DEFAULT '',
    locale       TEXT        NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE identities (
    platform         TEXT        NOT NULL,
    platform_user_id TEXT        NOT NULL,
    member_id        BIGINT      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    display_name     TEXT        NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, platform_user_id)
);
CREATE INDEX identities_by_member ON identities (member_id);

-- Roles granted by Agora itself; platform administrators are moderators
-- without a row here.
CREATE TABLE community_roles (
    community_id BIGINT      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    member_id    BIGINT      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role         TEXT        NOT NULL CHECK (role IN ('member', 'ambassador', 'moderator')),
    granted_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (community_id, member_id)
);

-- Scheduled work lives here, never only in a timer, so a restart loses nothing.
CREATE TABLE jobs (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT        NOT NULL,
    payload      TEXT        NOT NULL DEFAULT '',
    dedupe_key   TEXT UNIQUE,
    run_at       TIMESTAMPTZ NOT NULL,
    attempts     INTEGER     NOT NULL DEFAULT 0,
    last_error   TEXT        NOT NULL DEFAULT '',
    locked_until TIMESTAMPTZ,
    done_at      TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL;

-- +goose Down
DROP TABLE jobs;
DROP TABLE community_roles;
DROP TABLE identities;
DROP TABLE members;
DROP TABLE chats;
DROP TABLE communities;
