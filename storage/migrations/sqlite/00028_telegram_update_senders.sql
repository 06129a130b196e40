-- +goose Up
-- Telegram adapter. Each claimed update keeps who sent it and, when it came
-- from a group or supergroup, which one (NULL otherwise; NULL too in rows
-- claimed before this migration). They are written by the claim's own
-- INSERT, so the press path costs no extra statement, and they tell any
-- process where a member last acted: an inline query names no chat, and the
-- process answering it may never have seen the member's group (another
-- process, or a restart).
ALTER TABLE telegram_updates ADD COLUMN user_id BIGINT;
ALTER TABLE telegram_updates ADD COLUMN group_chat_id BIGINT;
-- "The latest group of this user for this bot": read backwards, first
-- entry. Partial, so private chats and inline queries cost no index entry.
CREATE INDEX telegram_updates_user_group
    ON telegram_updates (bot_id, user_id, update_id) WHERE group_chat_id IS NOT NULL;

-- +goose Down
DROP INDEX telegram_updates_user_group;
ALTER TABLE telegram_updates DROP COLUMN group_chat_id;
ALTER TABLE telegram_updates DROP COLUMN user_id;
