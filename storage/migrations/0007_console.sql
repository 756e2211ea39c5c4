-- The secretary's console: roster import, departures and data rights.

-- The date a member joined the party, as on the roster (ISO date).
ALTER TABLE people ADD COLUMN joined_on TEXT;
-- Set when a departed person's personal fields were erased (docs/data-retention.md).
ALTER TABLE people ADD COLUMN erased_at TEXT;

-- A personal invitation: opening it binds the Telegram account to this pre-created person
-- (an imported roster entry) instead of creating a new one.
ALTER TABLE invites ADD COLUMN person_id INTEGER REFERENCES people(id);
CREATE INDEX invites_person ON invites(person_id) WHERE person_id IS NOT NULL;

-- Who left a branch, how and when. Kept after the person's personal fields are erased, so
-- the branch's history (members per year, transfers out, deaths) stays countable.
CREATE TABLE departures (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    branch_id    INTEGER NOT NULL REFERENCES branches(id),
    kind         TEXT NOT NULL
                 CHECK (kind IN ('transfer_out', 'death', 'removed', 'withdrew', 'other')),
    category     TEXT,
    left_on      TEXT NOT NULL,
    recorded_by  INTEGER REFERENCES people(id),
    recorded_at  TEXT NOT NULL
);
CREATE INDEX departures_branch ON departures(branch_id, left_on);
CREATE INDEX departures_person ON departures(person_id);

-- /mydata looks up what a person did and what was recorded about them.
CREATE INDEX audit_log_actor ON audit_log(actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_log_subject ON audit_log(subject_type, subject_id);
