-- +goose NO TRANSACTION
-- +goose Up
-- Telegram adapter. Each claimed update keeps who sent it and, when it came
-- from a group or supergroup, which one (NULL otherwise; NULL too in rows
-- claimed before this migration). They are written by the claim's own
-- INSERT, so the press path costs no extra statement, and they tell any
-- process where a member last acted: an inline query names no chat, and the
-- process answering it may never have seen the member's group (another
-- process behind the webhook's load balancer, or a restart).
--
-- No transaction: the index is built CONCURRENTLY, since telegram_updates
-- takes every update of the last day and a plain CREATE INDEX would hold up
-- every claim, hence every button press, while it scans the table. Each
-- statement can be run again if the migration stops half-way.
ALTER TABLE telegram_updates ADD COLUMN IF NOT EXISTS user_id BIGINT;
ALTER TABLE telegram_updates ADD COLUMN IF NOT EXISTS group_chat_id BIGINT;
-- "The latest group of this user for this bot": read backwards, first
-- entry. Partial, so private chats and inline queries cost no index entry.
CREATE INDEX CONCURRENTLY IF NOT EXISTS telegram_updates_user_group
    ON telegram_updates (bot_id, user_id, update_id) WHERE group_chat_id IS NOT NULL;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS telegram_updates_user_group;
ALTER TABLE telegram_updates DROP COLUMN IF EXISTS group_chat_id;
ALTER TABLE telegram_updates DROP COLUMN IF EXISTS user_id;
