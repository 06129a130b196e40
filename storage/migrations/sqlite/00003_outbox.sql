-- +goose Up
-- Capability kit: the outbox. A subject ("poll/12") is something a
-- capability posts in the chats of a community; each post is one row,
-- claimed before sending so it is sent once, retried with backoff after a
-- failure, and edited at most once per interval however many processes
-- share the database.
CREATE TABLE outbox_subjects (
    subject      TEXT        PRIMARY KEY,
    community_id BIGINT      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- Comma-separated chat purposes it goes to; empty: every chat.
    purposes     TEXT        NOT NULL DEFAULT '',
    -- A live subject follows its changes and reaches chats linked later.
    live         BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE outbox_posts (
    subject      TEXT        NOT NULL REFERENCES outbox_subjects (subject) ON DELETE CASCADE,
    chat_id      BIGINT      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    -- pending: to send; sending: claimed by a worker; sent; failed: gave
    -- up after retries; doubt: its worker died while sending, so it may
    -- have been posted and is not sent again; deleted: retracted.
    state        TEXT        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'doubt', 'deleted')),
    message_ref  TEXT        NOT NULL DEFAULT '',
    attempts     INTEGER     NOT NULL DEFAULT 0,
    next_at      DATETIME NOT NULL,
    locked_until DATETIME,
    last_error   TEXT        NOT NULL DEFAULT '',
    edited_at    DATETIME,
    -- A final edit owed to the message (the subject settled), kept here so
    -- a restart still makes it.
    pending_edit BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (subject, chat_id)
);
CREATE INDEX outbox_posts_due ON outbox_posts (next_at) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_posts_owed_edits ON outbox_posts (subject) WHERE pending_edit;

-- +goose Down
DROP TABLE outbox_posts;
DROP TABLE outbox_subjects;
