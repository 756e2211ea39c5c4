-- Dual management of cadres (双重管理): unit party organisations with their contacts and
-- linked group chats, the county organisation department's contacts, cadres' annual
-- registrations (versions, never overwritten), their leave settings, secretaries'
-- quarterly remarks, and the registration reminders already sent.

CREATE TABLE unit_orgs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    parent_id   INTEGER REFERENCES unit_orgs(id),
    locale      TEXT,               -- language of the unit's summaries; NULL: bot default
    chat_id     INTEGER,            -- the unit's group chat, once linked
    created_by  INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX unit_orgs_parent ON unit_orgs(parent_id);

CREATE TABLE unit_contacts (
    unit_id     INTEGER NOT NULL REFERENCES unit_orgs(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    since       TEXT NOT NULL,
    PRIMARY KEY (unit_id, person_id)
);
CREATE INDEX unit_contacts_person ON unit_contacts(person_id);

CREATE TABLE county_contacts (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id),
    since       TEXT NOT NULL
);

-- Which organisation a contact's invitation is for. The role check of `invites` predates
-- the county role, so such invitations keep role 'unit' there and are told apart here:
-- unit_id NULL means the county organisation department.
CREATE TABLE invite_orgs (
    invite_id   INTEGER PRIMARY KEY REFERENCES invites(id),
    unit_id     INTEGER REFERENCES unit_orgs(id)
);

-- One-time codes a unit contact sends in the unit's group chat to link it.
CREATE TABLE unit_link_codes (
    code        TEXT PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES unit_orgs(id),
    created_by  INTEGER REFERENCES people(id),
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

-- Every submission is a new row; confirmed rows are history and never change. The
-- registration of a year is its confirmed row with the highest version.
CREATE TABLE cadre_registrations (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    branch_id     INTEGER NOT NULL REFERENCES branches(id),
    year          INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    unit_id       INTEGER REFERENCES unit_orgs(id),
    unit_name     TEXT,             -- typed by the cadre when the unit was not listed
    name          TEXT NOT NULL,
    position      TEXT NOT NULL,
    rank          TEXT NOT NULL,
    address       TEXT NOT NULL,
    phone         TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'confirmed', 'rejected')),
    submitted_at  TEXT NOT NULL,
    decided_at    TEXT,
    decided_by    INTEGER REFERENCES people(id),
    UNIQUE (person_id, version)
);
CREATE INDEX cadre_registrations_year ON cadre_registrations(year, status, unit_id);
CREATE INDEX cadre_registrations_branch ON cadre_registrations(branch_id, status);
CREATE INDEX cadre_registrations_person ON cadre_registrations(person_id, year);

CREATE TABLE cadre_settings (
    person_id     INTEGER PRIMARY KEY REFERENCES people(id),
    leave_until   TEXT,             -- a date: reminders pause and summaries say so
    leave_note    TEXT,
    updated_at    TEXT NOT NULL
);

-- Remarks are added, never edited; the newest of a quarter is the one reported.
CREATE TABLE cadre_remarks (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    quarter     TEXT NOT NULL,      -- e.g. 2026Q3
    remark      TEXT NOT NULL,
    author_id   INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX cadre_remarks_quarter ON cadre_remarks(quarter, person_id);

CREATE TABLE cadre_reminders (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    year        INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('registration', 'escalation')),
    sent_on     TEXT NOT NULL,      -- local date
    PRIMARY KEY (person_id, year, kind, sent_on)
);
