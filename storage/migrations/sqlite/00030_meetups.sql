-- +goose Up
-- Same shape as the PostgreSQL schema; see migrations/postgres for the why.
-- Meetups capability: gatherings ambassadors announce, members' answers,
-- what was sent to whom (so a retried job never writes twice), the
-- platforms' own event lists, and each community's secret calendar URL.
CREATE TABLE meetups (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id  INTEGER          NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- Kept queryable: "member created a meetup" for the ambassadors' checklist.
    author_id     INTEGER          REFERENCES members (id) ON DELETE SET NULL,
    title         TEXT             NOT NULL,
    kind          TEXT             NOT NULL CHECK (kind IN ('local', 'producer', 'store', 'social', 'online')),
    starts_at     DATETIME         NOT NULL,
    ends_at       DATETIME         NOT NULL CHECK (ends_at > starts_at),
    place         TEXT             NOT NULL DEFAULT '',
    city          TEXT             NOT NULL DEFAULT '',
    -- The city folded (lower case, no accents), so listings compare equal keys.
    city_key      TEXT             NOT NULL DEFAULT '',
    lat           REAL,
    lon           REAL,
    capacity      INTEGER          NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    description   TEXT             NOT NULL DEFAULT '',
    status        TEXT             NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    sequence      INTEGER          NOT NULL DEFAULT 0,
    -- Reminder offsets scheduled for it ("24h,1h"), so an edit can cancel
    -- those no longer wanted.
    reminders     TEXT             NOT NULL DEFAULT '',
    cancel_reason TEXT             NOT NULL DEFAULT '',
    created_at    DATETIME         NOT NULL,
    updated_at    DATETIME         NOT NULL,
    cancelled_at  DATETIME   
);
CREATE INDEX meetups_by_community_end ON meetups (community_id, ends_at);
CREATE INDEX meetups_by_author ON meetups (author_id) WHERE author_id IS NOT NULL;

-- One answer per meetup and person. queued orders answers as they came
-- (the waiting list is served in that order); it is taken under the
-- meetup's row lock, so two answers never share a number. "Attended a
-- meetup" is a 'yes' here on a meetup that has ended.
CREATE TABLE meetup_rsvps (
    meetup_id        INTEGER     NOT NULL REFERENCES meetups (id) ON DELETE CASCADE,
    member_id        INTEGER     NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    status           TEXT        NOT NULL CHECK (status IN ('yes', 'maybe', 'no', 'waiting')),
    -- The account the member answered from: reminders go there first.
    platform         TEXT        NOT NULL DEFAULT '',
    platform_user_id TEXT        NOT NULL DEFAULT '',
    queued           INTEGER     NOT NULL,
    answered_at      DATETIME    NOT NULL,
    PRIMARY KEY (meetup_id, member_id)
);
CREATE INDEX meetup_rsvps_by_member ON meetup_rsvps (member_id);

-- Each message to a member (a reminder, a change, a promotion) is claimed
-- here before it is sent, so a job that runs again, in this process or
-- another, never writes twice to anyone.
CREATE TABLE meetup_deliveries (
    meetup_id  INTEGER     NOT NULL REFERENCES meetups (id) ON DELETE CASCADE,
    notice     TEXT        NOT NULL,
    member_id  INTEGER     NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    state      TEXT        NOT NULL DEFAULT 'sending' CHECK (state IN ('sending', 'sent', 'refused')),
    claimed_at DATETIME    NOT NULL,
    PRIMARY KEY (meetup_id, notice, member_id)
);

-- A meetup in a platform group's own event list (a Discord server's
-- scheduled events). The row is claimed before the event is created, so
-- two processes never create it twice.
CREATE TABLE meetup_platform_events (
    meetup_id       INTEGER     NOT NULL REFERENCES meetups (id) ON DELETE CASCADE,
    platform        TEXT        NOT NULL,
    group_id        TEXT        NOT NULL,
    event_id        TEXT        NOT NULL DEFAULT '',
    synced_sequence INTEGER     NOT NULL DEFAULT -1,
    cancelled       BOOLEAN     NOT NULL DEFAULT FALSE,
    unsupported     BOOLEAN     NOT NULL DEFAULT FALSE,
    claimed_at      DATETIME    NOT NULL,
    PRIMARY KEY (meetup_id, platform, group_id)
);

-- The secret of each community's calendar feed and web page URLs.
CREATE TABLE meetup_calendars (
    community_id INTEGER     PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    token        TEXT        NOT NULL UNIQUE,
    created_at   DATETIME    NOT NULL
);

-- +goose Down
DROP TABLE meetup_calendars;
DROP TABLE meetup_platform_events;
DROP TABLE meetup_deliveries;
DROP TABLE meetup_rsvps;
DROP TABLE meetups;
