-- +goose Up
-- Polls capability. Polls posted before the kit's outbox existed keep
-- their messages: their poll_posts rows become outbox posts. poll_posts
-- stays (migrations are append-only) but nothing reads it any more.
INSERT INTO outbox_subjects (subject, community_id, live)
    SELECT 'poll/' || p.id, p.community_id, p.status = 'open' FROM polls p
    WHERE EXISTS (SELECT 1 FROM poll_posts pp WHERE pp.poll_id = p.id AND pp.kind = 'poll');
INSERT INTO outbox_subjects (subject, community_id, live)
    SELECT 'poll-result/' || p.id, p.community_id, FALSE FROM polls p
    WHERE EXISTS (SELECT 1 FROM poll_posts pp WHERE pp.poll_id = p.id AND pp.kind = 'result');
INSERT INTO outbox_posts (subject, chat_id, state, message_ref, next_at, edited_at)
    SELECT CASE pp.kind WHEN 'poll' THEN 'poll/' ELSE 'poll-result/' END || pp.poll_id, pp.chat_id,
        CASE WHEN pp.message_id = '' THEN 'doubt' ELSE 'sent' END, pp.message_id, pp.claimed_at, pp.edited_at
    FROM poll_posts pp;

-- +goose Down
DELETE FROM outbox_subjects WHERE subject LIKE 'poll/%' OR subject LIKE 'poll-result/%';
