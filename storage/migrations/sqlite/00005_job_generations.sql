-- +goose Up
-- Capability kit: jobs. generation counts a job's schedules and claims
-- counts the workers that took it. A worker finishes a job only if nobody
-- rescheduled it since its claim (else the new schedule stays due), and
-- only while the claim is still its own (else a worker that took the job
-- over after the lease expired owns it now).
ALTER TABLE jobs ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE jobs DROP COLUMN claims;
ALTER TABLE jobs DROP COLUMN generation;
