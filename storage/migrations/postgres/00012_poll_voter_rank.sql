-- +goose Up
-- Polls capability. The rank of the role a voter needs, as the capability
-- orders roles, so the ballot statement compares numbers and storage needs
-- no knowledge of role names. Existing polls get the rank of their role.
ALTER TABLE polls ADD COLUMN voter_rank INTEGER NOT NULL DEFAULT 0;
UPDATE polls SET voter_rank = CASE voter_role WHEN 'ambassador' THEN 1 WHEN 'moderator' THEN 2 ELSE 0 END;

-- +goose Down
ALTER TABLE polls DROP COLUMN voter_rank;
