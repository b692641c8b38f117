-- The open-data catalogue (issue 10): contact details and declared temporal extent of
-- collections, the kind of an agency's change, usage counters, feedback requests and votes.

ALTER TABLE collections
    ADD COLUMN contact_email  text NOT NULL DEFAULT '' CHECK (contact_email = '' OR contact_email ~ '^[^@\s]+@[^@\s]+$'),
    ADD COLUMN contact_phone  text NOT NULL DEFAULT '',
    ADD COLUMN temporal_start date,                   -- declared period the data describes (dct:temporal)
    ADD COLUMN temporal_end   date,
    ADD CHECK (temporal_end IS NULL OR temporal_start IS NULL OR temporal_end >= temporal_start);

-- How an agency ended: renamed (one successor, same duties), merged into its successor,
-- split (part of its duties went to the successor) or dissolved (no successor).
ALTER TABLE agencies
    ADD COLUMN change_kind text CHECK (change_kind IN ('rename', 'merge', 'split', 'dissolve'));

-- Requests per collection, day (local date of the region) and kind, flushed from the
-- service's in-memory counters; count is added to, never overwritten.
CREATE TABLE usage_daily (
    collection_id text NOT NULL,
    day           date NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('items', 'download', 'tiles')),
    count         bigint NOT NULL CHECK (count >= 0),
    PRIMARY KEY (collection_id, day, kind)
);

ALTER TABLE feedback
    ADD COLUMN title      text NOT NULL DEFAULT '' CHECK (length(title) <= 200), -- the dataset a request asks for
    ADD COLUMN agency_id  text REFERENCES agencies (id),                        -- the agency a request is addressed to
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX feedback_created ON feedback (created_at);

-- One vote per client per request: voter is sha256(salt || client address), so no
-- address is stored in clear.
CREATE TABLE feedback_votes (
    feedback_id bigint NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
    voter       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (feedback_id, voter)
);

CREATE TABLE site_secrets (
    name  text PRIMARY KEY,
    value bytea NOT NULL
);
INSERT INTO site_secrets (name, value)
    VALUES ('vote-salt', sha256(convert_to(gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')));
