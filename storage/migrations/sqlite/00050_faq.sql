-- +goose Up
-- Same shape as the PostgreSQL schema; see migrations/postgres for the why.
-- FAQ: moderators curate entries, members ask, Agora answers and queues
-- what it could not answer.

-- An entry is one question of a community's FAQ; its texts, one per
-- language, are in faq_texts. asked_count is how many times Agora gave it
-- as an answer (one targeted UPDATE each time).
CREATE TABLE faq_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id INTEGER     NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    asked_count  INTEGER     NOT NULL DEFAULT 0,
    created_at   DATETIME    NOT NULL,
    updated_at   DATETIME    NOT NULL
);
CREATE INDEX faq_entries_by_community ON faq_entries (community_id);

-- One language's version of an entry. Phrasings and tags are one per line
-- (the capability keeps newlines out of them); answer is neutral markup.
CREATE TABLE faq_texts (
    entry_id  INTEGER NOT NULL REFERENCES faq_entries (id) ON DELETE CASCADE,
    lang      TEXT   NOT NULL CHECK (lang IN ('fr', 'en')),
    question  TEXT   NOT NULL,
    phrasings TEXT   NOT NULL DEFAULT '',
    tags      TEXT   NOT NULL DEFAULT '',
    answer    TEXT   NOT NULL,
    PRIMARY KEY (entry_id, lang)
);

-- What members said of an answer: one opinion per person and entry, which
-- a second press replaces.
CREATE TABLE faq_votes (
    entry_id  INTEGER     NOT NULL REFERENCES faq_entries (id) ON DELETE CASCADE,
    member_id INTEGER     NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    helpful   BOOLEAN     NOT NULL,
    voted_at  DATETIME    NOT NULL,
    PRIMARY KEY (entry_id, member_id)
);
CREATE INDEX faq_votes_by_member ON faq_votes (member_id);

-- Questions the FAQ had no answer to, for the moderators. The platform
-- account is kept so the member hears the answer where they asked.
CREATE TABLE faq_questions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id     INTEGER     NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    member_id        INTEGER     NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    member_name      TEXT        NOT NULL DEFAULT '',
    chat_id          INTEGER     REFERENCES chats (id) ON DELETE SET NULL,
    platform         TEXT        NOT NULL,
    platform_user_id TEXT        NOT NULL,
    lang             TEXT        NOT NULL,
    question         TEXT        NOT NULL,
    normalized       TEXT        NOT NULL,
    status           TEXT        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'answered', 'dismissed')),
    entry_id         INTEGER     REFERENCES faq_entries (id) ON DELETE SET NULL,
    asked_at         DATETIME    NOT NULL,
    answered_at      DATETIME   
);
CREATE INDEX faq_questions_pending ON faq_questions (community_id, normalized) WHERE status = 'pending';
CREATE INDEX faq_questions_by_member ON faq_questions (member_id);

-- Chats where moderators switched automatic answers on. last_auto_at is
-- the chat's slot: automatic answers in one chat are spaced out, claimed
-- with one UPDATE so the spacing holds across processes.
CREATE TABLE faq_chats (
    chat_id      INTEGER     PRIMARY KEY REFERENCES chats (id) ON DELETE CASCADE,
    auto         BOOLEAN     NOT NULL DEFAULT FALSE,
    last_auto_at DATETIME   
);

-- When an entry was last given automatically in a chat: the cooldown per
-- chat and entry, claimed the same way.
CREATE TABLE faq_auto_answers (
    chat_id  INTEGER     NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    entry_id INTEGER     NOT NULL REFERENCES faq_entries (id) ON DELETE CASCADE,
    last_at  DATETIME    NOT NULL,
    PRIMARY KEY (chat_id, entry_id)
);

-- +goose Down
DROP TABLE faq_auto_answers;
DROP TABLE faq_chats;
DROP TABLE faq_questions;
DROP TABLE faq_votes;
DROP TABLE faq_texts;
DROP TABLE faq_entries;
