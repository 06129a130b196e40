-- +goose Up
-- Ambassadors and welcome.

-- What moderators wrote for newcomers: the welcome text and the charter.
-- An empty text means the default, in the reader's language.
CREATE TABLE community_welcome (
    community_id BIGINT      PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    welcome_text TEXT        NOT NULL DEFAULT '',
    charter      TEXT        NOT NULL DEFAULT '',
    updated_by   BIGINT      REFERENCES members (id) ON DELETE SET NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- Who was greeted: one row per person and community, inserted before the
-- greeting, so rejoining, several chats or several processes greet once.
CREATE TABLE welcomed_members (
    community_id BIGINT      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    member_id    BIGINT      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    welcomed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (community_id, member_id)
);

-- An application to become an ambassador, and once approved the
-- ambassadorship itself. A decision moves it from pending in one UPDATE,
-- so two moderators deciding at once make one decision.
CREATE TABLE ambassador_applications (
    id               BIGSERIAL   PRIMARY KEY,
    community_id     BIGINT      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    member_id        BIGINT      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    city             TEXT        NOT NULL,
    city_key         TEXT        NOT NULL,
    motivation       TEXT        NOT NULL,
    availability     TEXT        NOT NULL,
    platform         TEXT        NOT NULL,
    platform_user_id TEXT        NOT NULL,
    locale           TEXT        NOT NULL DEFAULT '',
    status           TEXT        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'revoked', 'withdrawn')),
    created_at       TIMESTAMPTZ NOT NULL,
    decided_by       BIGINT      REFERENCES members (id) ON DELETE SET NULL,
    decided_at       TIMESTAMPTZ,
    reason           TEXT        NOT NULL DEFAULT ''
);
-- One open application (pending, or an ambassadorship in force) per
-- member and community, even when two arrive at once.
CREATE UNIQUE INDEX ambassador_applications_one_open
    ON ambassador_applications (community_id, member_id) WHERE status IN ('pending', 'approved');
CREATE INDEX ambassador_applications_by_community ON ambassador_applications (community_id, status);
CREATE INDEX ambassador_applications_by_member ON ambassador_applications (member_id);

-- The history of decisions, with who made them.
CREATE TABLE ambassador_decisions (
    id             BIGSERIAL   PRIMARY KEY,
    application_id BIGINT      NOT NULL REFERENCES ambassador_applications (id) ON DELETE CASCADE,
    community_id   BIGINT      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    decision       TEXT        NOT NULL CHECK (decision IN ('approved', 'rejected', 'revoked')),
    decided_by     BIGINT      REFERENCES members (id) ON DELETE SET NULL,
    reason         TEXT        NOT NULL DEFAULT '',
    decided_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX ambassador_decisions_by_community ON ambassador_decisions (community_id, decided_at);

-- What granting or revoking the role takes on each platform account, with
-- its outcome: claimed before acting (lease_until), so two processes never
-- act twice, and kept when it failed, so moderators can retry.
CREATE TABLE ambassador_actions (
    id               BIGSERIAL   PRIMARY KEY,
    application_id   BIGINT      NOT NULL REFERENCES ambassador_applications (id) ON DELETE CASCADE,
    kind             TEXT        NOT NULL CHECK (kind IN ('grant', 'revoke')),
    platform         TEXT        NOT NULL,
    platform_user_id TEXT        NOT NULL,
    status           TEXT        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
    reason           TEXT        NOT NULL DEFAULT '',
    detail           TEXT        NOT NULL DEFAULT '',
    attempts         INTEGER     NOT NULL DEFAULT 0,
    lease_until      TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (application_id, kind, platform, platform_user_id)
);

-- The first steps each ambassador completed.
CREATE TABLE ambassador_steps (
    application_id BIGINT      NOT NULL REFERENCES ambassador_applications (id) ON DELETE CASCADE,
    step           TEXT        NOT NULL CHECK (step IN ('charter', 'introduce', 'meetup_announced', 'meetup_attended')),
    done_at        TIMESTAMPTZ NOT NULL,
    marked_by      BIGINT      REFERENCES members (id) ON DELETE SET NULL,
    PRIMARY KEY (application_id, step)
);

-- Reminders sent, at most one per ambassador and step.
CREATE TABLE ambassador_nudges (
    application_id BIGINT      NOT NULL REFERENCES ambassador_applications (id) ON DELETE CASCADE,
    step           TEXT        NOT NULL,
    sent_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, step)
);

-- +goose Down
DROP TABLE ambassador_nudges;
DROP TABLE ambassador_steps;
DROP TABLE ambassador_actions;
DROP TABLE ambassador_decisions;
DROP TABLE ambassador_applications;
DROP TABLE welcomed_members;
DROP TABLE community_welcome;
