-- Responsibility posts (设岗定责): the posts of each branch, the yearly four-stage cycle,
-- the survey, claims, duty records, residents' requests and assessments; plus the group
-- chats linked to an owner (a branch here; units later).

-- County posts carry a `code` and are named and described through the catalogs, so each
-- reader sees them in their own language; `name`/`duties` hold what a secretary wrote
-- (a branch's own post, or edited duties), shown as written.
CREATE TABLE posts (
    id          INTEGER PRIMARY KEY,
    branch_id   INTEGER NOT NULL REFERENCES branches(id),
    code        TEXT,
    name        TEXT,
    duties      TEXT,
    capacity    INTEGER NOT NULL DEFAULT 2 CHECK (capacity >= 1),
    position    INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT,
    CHECK (code IS NOT NULL OR name IS NOT NULL),
    UNIQUE (branch_id, code)
);
CREATE INDEX posts_branch ON posts(branch_id, position);

CREATE TABLE post_settings (
    branch_id     INTEGER PRIMARY KEY REFERENCES branches(id),
    member_limit  INTEGER NOT NULL DEFAULT 3 CHECK (member_limit >= 1),
    seeded_at     TEXT
);

CREATE TABLE post_cycles (
    branch_id   INTEGER NOT NULL REFERENCES branches(id),
    year        INTEGER NOT NULL,
    stage       TEXT NOT NULL CHECK (stage IN ('survey', 'apply', 'perform', 'assess')),
    changed_at  TEXT NOT NULL,
    PRIMARY KEY (branch_id, year)
);

CREATE TABLE post_surveys (
    branch_id     INTEGER NOT NULL REFERENCES branches(id),
    year          INTEGER NOT NULL,
    person_id     INTEGER NOT NULL REFERENCES people(id),
    availability  TEXT NOT NULL CHECK (availability IN ('evenings', 'weekends', 'both')),
    skills        TEXT NOT NULL DEFAULT '',
    answered_at   TEXT NOT NULL,
    PRIMARY KEY (branch_id, year, person_id)
);

CREATE TABLE post_survey_choices (
    branch_id  INTEGER NOT NULL,
    year       INTEGER NOT NULL,
    person_id  INTEGER NOT NULL,
    post_id    INTEGER NOT NULL REFERENCES posts(id),
    PRIMARY KEY (branch_id, year, person_id, post_id),
    FOREIGN KEY (branch_id, year, person_id)
        REFERENCES post_surveys(branch_id, year, person_id) ON DELETE CASCADE
);
CREATE INDEX post_survey_choices_post ON post_survey_choices(post_id, year);

-- A pending or approved claim takes a place; `waiting` is the waiting list; an approved
-- holder who asks to leave stays `leaving` (and keeps the place) until the secretary agrees.
CREATE TABLE post_claims (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    year        INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN
                ('pending', 'approved', 'rejected', 'waiting', 'leaving', 'withdrawn')),
    created_at  TEXT NOT NULL,
    decided_at  TEXT,
    decided_by  INTEGER REFERENCES people(id),
    reason      TEXT,
    approved_at TEXT
);
CREATE UNIQUE INDEX post_claims_one_open ON post_claims(post_id, person_id, year)
    WHERE status IN ('pending', 'approved', 'waiting', 'leaving');
CREATE INDEX post_claims_post ON post_claims(post_id, year, status, id);
CREATE INDEX post_claims_person ON post_claims(person_id, year, status);

-- `minutes` is what the activity-hours ledger will take over; `ledger_entry_id` is set
-- once an entry there stands for this record, so it is never counted twice.
CREATE TABLE duty_records (
    id               INTEGER PRIMARY KEY,
    post_id          INTEGER NOT NULL REFERENCES posts(id),
    person_id        INTEGER NOT NULL REFERENCES people(id),
    year             INTEGER NOT NULL,
    done_on          TEXT NOT NULL,
    text             TEXT NOT NULL,
    photo_file_id    TEXT,
    minutes          INTEGER CHECK (minutes IS NULL OR minutes > 0),
    ledger_entry_id  INTEGER,
    created_at       TEXT NOT NULL
);
CREATE INDEX duty_records_person ON duty_records(person_id, year, done_on);
CREATE INDEX duty_records_post ON duty_records(post_id, year, done_on);

CREATE TABLE resident_requests (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id),
    noted_by    INTEGER NOT NULL REFERENCES people(id),
    year        INTEGER NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX resident_requests_post ON resident_requests(post_id, year);

CREATE TABLE post_assessments (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    year         INTEGER NOT NULL,
    rating       TEXT NOT NULL CHECK (rating IN
                 ('excellent', 'competent', 'basically_competent', 'incompetent')),
    comment      TEXT NOT NULL DEFAULT '',
    assessed_by  INTEGER REFERENCES people(id),
    assessed_at  TEXT NOT NULL,
    UNIQUE (post_id, person_id, year)
);
CREATE INDEX post_assessments_person ON post_assessments(person_id, year);

-- The group chat of an owner: ('branch', branch id) here; other kinds (units) reuse it.
CREATE TABLE chat_links (
    owner_kind  TEXT NOT NULL,
    owner_id    INTEGER NOT NULL,
    chat_id     INTEGER NOT NULL,
    title       TEXT,
    linked_by   INTEGER REFERENCES people(id),
    linked_at   TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id)
);
CREATE INDEX chat_links_chat ON chat_links(chat_id);
