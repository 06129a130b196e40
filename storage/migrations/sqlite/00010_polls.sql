-- +goose Up
-- Same shape as the PostgreSQL schema; see migrations/postgres for the why.
-- A questionnaire groups polls into one product specification with a price.
CREATE TABLE questionnaires (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id INTEGER      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    author_id    INTEGER      REFERENCES members (id) ON DELETE SET NULL,
    title        TEXT        NOT NULL,
    base_cents   INTEGER      NOT NULL DEFAULT 0,
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE polls (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id     INTEGER      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    author_id        INTEGER      REFERENCES members (id) ON DELETE SET NULL,
    questionnaire_id INTEGER      REFERENCES questionnaires (id) ON DELETE SET NULL,
    question         TEXT        NOT NULL,
    kind             TEXT        NOT NULL CHECK (kind IN ('single', 'multiple', 'ranked')),
    max_choices      INTEGER     NOT NULL DEFAULT 0,
    anonymous        BOOLEAN     NOT NULL DEFAULT TRUE,
    live             BOOLEAN     NOT NULL DEFAULT TRUE,
    quorum           INTEGER     NOT NULL DEFAULT 0,
    voter_role       TEXT        NOT NULL DEFAULT 'member' CHECK (voter_role IN ('member', 'ambassador', 'moderator')),
    deadline         DATETIME,
    status           TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'deleted')),
    closed_at        DATETIME,
    created_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX polls_open_by_community ON polls (community_id) WHERE status = 'open';
CREATE INDEX polls_by_questionnaire ON polls (questionnaire_id) WHERE questionnaire_id IS NOT NULL;

CREATE TABLE poll_choices (
    poll_id     INTEGER  NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    label       TEXT    NOT NULL,
    price_cents INTEGER  NOT NULL DEFAULT 0,
    PRIMARY KEY (poll_id, position)
);

-- One ballot per poll and person: the primary key is the last line of
-- defence against a double vote. choices holds choice positions, in rank
-- order for ranked polls ("2,0,1").
CREATE TABLE poll_ballots (
    poll_id   INTEGER      NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    member_id INTEGER      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    choices   TEXT        NOT NULL,
    revision  INTEGER     NOT NULL DEFAULT 1,
    cast_at   DATETIME NOT NULL,
    PRIMARY KEY (poll_id, member_id)
);

-- Where a poll (kind 'poll') and its final result (kind 'result') were
-- posted. A row with an empty message_id is a claim taken before sending,
-- so two workers never post the same thing to the same chat.
CREATE TABLE poll_posts (
    poll_id    INTEGER      NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    chat_id    INTEGER      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    kind       TEXT        NOT NULL CHECK (kind IN ('poll', 'result')),
    message_id TEXT        NOT NULL DEFAULT '',
    claimed_at DATETIME NOT NULL,
    PRIMARY KEY (poll_id, chat_id, kind)
);

-- +goose Down
DROP TABLE poll_posts;
DROP TABLE poll_ballots;
DROP TABLE poll_choices;
DROP TABLE polls;
DROP TABLE questionnaires;
