-- Districts, branches, people, roles, invites, join requests, the audit log and the
-- conversation persistence of python-telegram-bot. Times are UTC ISO-8601 strings.

CREATE TABLE districts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

CREATE TABLE branches (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER REFERENCES districts(id),
    name        TEXT NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    timezone    TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (district_id, name)
);

-- Everyone who ever wrote to the bot: their language choice and reachability live here,
-- apart from `people`, because strangers and applicants have no person record yet.
CREATE TABLE telegram_users (
    telegram_id     INTEGER PRIMARY KEY,
    locale          TEXT,            -- chosen with /language
    language_code   TEXT,            -- as the Telegram client last reported it
    first_seen_at   TEXT NOT NULL,
    unreachable_at  TEXT
);

CREATE TABLE people (
    id           INTEGER PRIMARY KEY,
    telegram_id  INTEGER UNIQUE,
    branch_id    INTEGER REFERENCES branches(id),
    name         TEXT,
    phone        TEXT,
    category     TEXT CHECK (category IN ('resident', 'mobile', 'unemployed', 'cadre', 'activist')),
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'active', 'rejected', 'left')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX people_branch ON people(branch_id, status);
CREATE INDEX people_phone ON people(phone);

CREATE TABLE roles (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    branch_id   INTEGER NOT NULL REFERENCES branches(id),
    role        TEXT NOT NULL CHECK (role IN ('member', 'secretary', 'cadre', 'unit', 'county')),
    granted_at  TEXT NOT NULL,
    granted_by  INTEGER REFERENCES people(id),
    PRIMARY KEY (person_id, branch_id, role)
);
CREATE INDEX roles_branch ON roles(branch_id, role);

CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    branch_id   INTEGER NOT NULL REFERENCES branches(id),
    role        TEXT NOT NULL CHECK (role IN ('member', 'cadre', 'unit')),
    uses_left   INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at  TEXT,
    created_by  INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL
);

CREATE TABLE join_requests (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    branch_id    INTEGER NOT NULL REFERENCES branches(id),
    invite_id    INTEGER REFERENCES invites(id),
    role         TEXT NOT NULL CHECK (role IN ('member', 'cadre', 'unit')),
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at   TEXT NOT NULL,
    decided_at   TEXT,
    decided_by   INTEGER REFERENCES people(id),
    reason       TEXT
);
CREATE INDEX join_requests_pending ON join_requests(branch_id, status, created_at);

-- Append-only: rows are inserted, never updated or deleted (enforced below).
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_id      INTEGER REFERENCES people(id),
    branch_id     INTEGER REFERENCES branches(id),
    action        TEXT NOT NULL,
    subject_type  TEXT NOT NULL,
    subject_id    INTEGER,
    details       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_branch ON audit_log(branch_id, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE ptb_conversations (
    name   TEXT NOT NULL,
    key    TEXT NOT NULL,
    state  TEXT NOT NULL,
    PRIMARY KEY (name, key)
);

CREATE TABLE ptb_user_data (
    user_id  INTEGER PRIMARY KEY,
    data     TEXT NOT NULL
);

-- Updates received but not yet handled: written before Telegram is told they arrived, so a
-- crash cannot lose what a person sent. Handled rows stay a day to recognise redeliveries.
CREATE TABLE ptb_inbox (
    update_id    INTEGER PRIMARY KEY,
    data         TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    handled_at   TEXT
);
CREATE INDEX ptb_inbox_unhandled ON ptb_inbox(handled_at) WHERE handled_at IS NULL;
