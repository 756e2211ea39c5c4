-- The inbox no longer takes an update id for the update itself: a self-hosted Bot API
-- server that lost its state numbers updates from 1 again, and those new updates must not
-- be dropped as redeliveries. A redelivery is the same id with the same content.
CREATE TABLE ptb_inbox_new (
    id           INTEGER PRIMARY KEY,
    update_id    INTEGER NOT NULL,
    data         TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    handled_at   TEXT
);
INSERT INTO ptb_inbox_new (update_id, data, received_at, handled_at)
    SELECT update_id, data, received_at, handled_at FROM ptb_inbox ORDER BY update_id;
DROP TABLE ptb_inbox;
ALTER TABLE ptb_inbox_new RENAME TO ptb_inbox;
CREATE INDEX ptb_inbox_update ON ptb_inbox(update_id);
CREATE INDEX ptb_inbox_unhandled ON ptb_inbox(handled_at) WHERE handled_at IS NULL;

-- A job run that raised is retried with backoff: how often it failed, its last error, and
-- when it may run again (finished_at stays NULL until it succeeds or is given up).
ALTER TABLE job_runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_runs ADD COLUMN error TEXT;
ALTER TABLE job_runs ADD COLUMN retry_at TEXT;
