-- Departure erases the personal fields the features keep (docs/data-retention.md), and
-- broadcasts get a record of their own: the file sent with them and their progress message.

-- Versions and history of mobile registrations stay append-only, except for the one update
-- the retention rule needs: once the registrant has left, the details and status report
-- of a version become empty ('{}', NULL) and a history note becomes NULL, nothing else.
DROP TRIGGER mobile_versions_no_update;
CREATE TRIGGER mobile_versions_no_update BEFORE UPDATE ON mobile_versions
WHEN NOT (
    NEW.id = OLD.id AND NEW.registration_id = OLD.registration_id
    AND NEW.version = OLD.version AND NEW.created_at = OLD.created_at
    AND NEW.created_by IS OLD.created_by
    AND NEW.details = '{}' AND NEW.report IS NULL
    AND EXISTS (SELECT 1 FROM mobile_registrations r JOIN people p ON p.id = r.person_id
                WHERE r.id = OLD.registration_id AND p.status = 'left')
)
BEGIN SELECT RAISE(ABORT, 'mobile_versions is append-only'); END;

DROP TRIGGER mobile_events_no_update;
CREATE TRIGGER mobile_events_no_update BEFORE UPDATE ON mobile_events
WHEN NOT (
    NEW.id = OLD.id AND NEW.registration_id = OLD.registration_id AND NEW.at = OLD.at
    AND NEW.actor_id IS OLD.actor_id AND NEW.kind = OLD.kind AND NEW.note IS NULL
    AND EXISTS (SELECT 1 FROM mobile_registrations r JOIN people p ON p.id = r.person_id
                WHERE r.id = OLD.registration_id AND p.status = 'left')
)
BEGIN SELECT RAISE(ABORT, 'mobile_events is append-only'); END;

-- A broadcast is named by its audit entry's id. The file sent with it lives here, inside
-- the database (and so in its backups), until every message of the broadcast is settled.
-- The progress message is recorded so that it is still edited after a restart.
CREATE TABLE broadcasts (
    id                   INTEGER PRIMARY KEY,   -- the audit_log id of 'broadcast.sent'
    branch_id            INTEGER NOT NULL REFERENCES branches(id),
    file_name            TEXT,
    file_content         BLOB,
    file_as_photo        INTEGER NOT NULL DEFAULT 0 CHECK (file_as_photo IN (0, 1)),
    progress_chat_id     INTEGER,
    progress_message_id  INTEGER,
    created_at           TEXT NOT NULL,
    finished_at          TEXT
);
CREATE INDEX broadcasts_open ON broadcasts(id) WHERE finished_at IS NULL;
