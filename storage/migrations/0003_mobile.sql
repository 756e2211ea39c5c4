-- Mobile members (流动党员): registrations of outflow and inflow, their versions, the
-- activity certificates (流动党员活动证), the history of each, and per-branch settings.

CREATE TABLE mobile_settings (
    branch_id        INTEGER PRIMARY KEY REFERENCES branches(id),
    validity_months  INTEGER NOT NULL CHECK (validity_months BETWEEN 1 AND 6),
    report_days      INTEGER NOT NULL CHECK (report_days >= 1),
    contact_days     INTEGER NOT NULL CHECK (contact_days >= 1),
    updated_at       TEXT NOT NULL
);

CREATE TABLE mobile_registrations (
    id               INTEGER PRIMARY KEY,
    person_id        INTEGER NOT NULL REFERENCES people(id),
    branch_id        INTEGER NOT NULL REFERENCES branches(id),
    direction        TEXT NOT NULL CHECK (direction IN ('outflow', 'inflow')),
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'active', 'rejected', 'returning', 'closed')),
    created_at       TEXT NOT NULL,
    decided_at       TEXT,
    decided_by       INTEGER REFERENCES people(id),
    reason           TEXT,
    last_report_at   TEXT,
    last_contact_at  TEXT,
    closed_at        TEXT
);
-- One open registration per person, whatever its direction: the rule, kept by the schema too.
CREATE UNIQUE INDEX mobile_registrations_open ON mobile_registrations(person_id)
    WHERE status IN ('pending', 'active', 'returning');
CREATE INDEX mobile_registrations_branch ON mobile_registrations(branch_id, status, direction);

-- Every state of a registration's details; the newest is current. Never updated.
CREATE TABLE mobile_versions (
    id               INTEGER PRIMARY KEY,
    registration_id  INTEGER NOT NULL REFERENCES mobile_registrations(id),
    version          INTEGER NOT NULL,
    details          TEXT NOT NULL,   -- JSON: the registration's fields
    report           TEXT,            -- JSON: the status report that made this version
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES people(id),
    UNIQUE (registration_id, version)
);

-- Changes a member reported (new address, employer, destination organisation); they become
-- a new version when a secretary approves them.
CREATE TABLE mobile_changes (
    id               INTEGER PRIMARY KEY,
    registration_id  INTEGER NOT NULL REFERENCES mobile_registrations(id),
    changes          TEXT NOT NULL,   -- JSON: field → new value
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES people(id),
    decided_at       TEXT,
    decided_by       INTEGER REFERENCES people(id),
    reason           TEXT
);
CREATE INDEX mobile_changes_registration ON mobile_changes(registration_id, status);

CREATE TABLE mobile_certificates (
    id               INTEGER PRIMARY KEY,
    registration_id  INTEGER NOT NULL REFERENCES mobile_registrations(id),
    branch_id        INTEGER NOT NULL REFERENCES branches(id),
    year             INTEGER NOT NULL,
    serial           INTEGER NOT NULL CHECK (serial >= 1),
    number           TEXT NOT NULL UNIQUE,
    verify_code      TEXT NOT NULL UNIQUE,
    holder           TEXT NOT NULL,
    destination      TEXT NOT NULL,
    issued_on        TEXT NOT NULL,   -- local dates, YYYY-MM-DD
    valid_until      TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
    revoked_at       TEXT,
    revoked_reason   TEXT,
    UNIQUE (branch_id, year, serial)
);
CREATE INDEX mobile_certificates_registration ON mobile_certificates(registration_id);
CREATE INDEX mobile_certificates_expiry ON mobile_certificates(branch_id, status, valid_until);

-- What happened to a registration, in order: the history a secretary reads. Append-only.
CREATE TABLE mobile_events (
    id               INTEGER PRIMARY KEY,
    registration_id  INTEGER NOT NULL REFERENCES mobile_registrations(id),
    at               TEXT NOT NULL,
    actor_id         INTEGER REFERENCES people(id),
    kind             TEXT NOT NULL,
    note             TEXT
);
CREATE INDEX mobile_events_registration ON mobile_events(registration_id, id);

CREATE TRIGGER mobile_versions_no_update BEFORE UPDATE ON mobile_versions
BEGIN SELECT RAISE(ABORT, 'mobile_versions is append-only'); END;
CREATE TRIGGER mobile_versions_no_delete BEFORE DELETE ON mobile_versions
BEGIN SELECT RAISE(ABORT, 'mobile_versions is append-only'); END;
CREATE TRIGGER mobile_events_no_update BEFORE UPDATE ON mobile_events
BEGIN SELECT RAISE(ABORT, 'mobile_events is append-only'); END;
CREATE TRIGGER mobile_events_no_delete BEFORE DELETE ON mobile_events
BEGIN SELECT RAISE(ABORT, 'mobile_events is append-only'); END;
