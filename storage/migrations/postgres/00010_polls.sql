-- +goose Up
-- A questionnaire groups polls into one product specification with a price.
CREATE TABLE questionnaires (
    id           BIGSERIAL PRIMARY KEY,
    community_id BIGINT      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    author_id    BIGINT      REFERENCES members (id) ON DELETE SET NULL,
    title        TEXT        NOT NULL,
    base_cents   BIGINT      NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE polls (
    id               BIGSERIAL PRIMARY KEY,
    community_id     BIGINT      NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    author_id        BIGINT      REFERENCES members (id) ON DELETE SET NULL,
    questionnaire_id BIGINT      REFERENCES questionnaires (id) ON DELETE SET NULL,
    question         TEXT        NOT NULL,
    kind             TEXT        NOT NULL CHECK (kind IN ('single', 'multiple', 'ranked')),
    max_choices      INTEGER     NOT NULL DEFAULT 0,
    anonymous        BOOLEAN     NOT NULL DEFAULT TRUE,
    live             BOOLEAN     NOT NULL DEFAULT TRUE,
    quorum           INTEGER     NOT NULL DEFAULT 0,
    voter_role       TEXT        NOT NULL DEFAULT 'member' CHECK (voter_role IN ('member', 'ambassador', 'moderator')),
    deadline         TIMESTAMPTZ,
    status           TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'deleted')),
    closed_at        TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX polls_open_by_community ON polls (community_id) WHERE status = 'open';
CREATE INDEX polls_by_questionnaire ON polls (questionnaire_id) WHERE questionnaire_id IS NOT NULL;

CREATE TABLE poll_choices (
    poll_id     BIGINT  NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    label       TEXT    NOT NULL,
    price_cents BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (poll_id, position)
);

-- One ballot per poll and person: the primary key is the last line of
-- defence against a double vote. choices holds choice positions, in rank
-- order for ranked polls ("2,0,1").
CREATE TABLE poll_ballots (
    poll_id   BIGINT      NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    member_id BIGINT      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    choices   TEXT        NOT NULL,
    revision  INTEGER     NOT NULL DEFAULT 1,
    cast_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (poll_id, member_id)
);

-- Where a poll (kind 'poll') and its final result (kind 'result') were
-- posted. A row with an empty message_id is a claim taken before sending,
-- so two workers never post the same thing to the same chat.
CREATE TABLE poll_posts (
    poll_id    BIGINT      NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    chat_id    BIGINT      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    kind       TEXT        NOT NULL CHECK (kind IN ('poll', 'result')),
    message_id TEXT        NOT NULL DEFAULT '',
    claimed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (poll_id, chat_id, kind)
);

-- +goose Down
DROP TABLE poll_posts;
DROP TABLE poll_ballots;
DROP TABLE poll_choices;
DROP TABLE polls;
DROP TABLE questionnaires;
