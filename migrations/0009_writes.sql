-- Writes through the API (issue 9): import jobs started by an upload run in one
-- serving process but keep their state here, so any replica can report them;
-- a job whose process stopped beating is reported as interrupted.
ALTER TABLE import_jobs
    ADD COLUMN agency_id    text,
    ADD COLUMN source_name  text NOT NULL DEFAULT '',
    ADD COLUMN phase        text NOT NULL DEFAULT '' CHECK (phase IN ('', 'validate', 'load', 'done')),
    ADD COLUMN rows_done    bigint NOT NULL DEFAULT 0,
    ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now();

CREATE INDEX import_jobs_collection ON import_jobs (collection_id, id);
