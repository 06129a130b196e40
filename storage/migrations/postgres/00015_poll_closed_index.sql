-- +goose Up
-- Polls capability. Closed polls are listed newest first (/sondage liste
-- etat:clos, /sondage resultats without a number).
CREATE INDEX polls_closed_by_community ON polls (community_id, closed_at) WHERE status = 'closed';

-- +goose Down
DROP INDEX polls_closed_by_community;
