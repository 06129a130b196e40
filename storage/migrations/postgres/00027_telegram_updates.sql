-- +goose Up
-- Telegram adapter. Every update Agora takes from Telegram (by long polling
-- or webhook) is claimed here first, with its body, before it is
-- acknowledged: an update delivered twice (a webhook retried, two
-- processes) is handled once, and one whose handler died with its process
-- is handled by another process later instead of being lost. Rows are
-- pruned a day after they were handled.
CREATE TABLE telegram_updates (
    bot_id     BIGINT NOT NULL,
    update_id  BIGINT NOT NULL,
    body       TEXT NOT NULL,
    holder     TEXT NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    handled_at TIMESTAMPTZ,
    PRIMARY KEY (bot_id, update_id)
);
CREATE INDEX telegram_updates_unhandled ON telegram_updates (claimed_at) WHERE handled_at IS NULL;
CREATE INDEX telegram_updates_handled ON telegram_updates (handled_at) WHERE handled_at IS NOT NULL;

-- Whether a Telegram user can receive a private message from the bot:
-- open once they wrote to it in private, refused once a private message
-- to them failed with 403. Unknown users are not written to privately from
-- a button, so a burst of votes sends no private message at all.
CREATE TABLE telegram_private_chats (
    bot_id     BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    open       BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bot_id, user_id)
);

-- +goose Down
DROP TABLE telegram_private_chats;
DROP TABLE telegram_updates;
