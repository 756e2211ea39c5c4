-- Issue 18: member development (发展党员). A person's file moves through the national
-- stages (domain/development/rules.py); each step is recorded with the day it happened.

-- One file a person; `stage` follows the steps recorded (the rules derive it, this column
-- lets the lists and counts read it). Closed when the person left the branch.
CREATE TABLE development_files (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL UNIQUE REFERENCES people(id),
    branch_id   INTEGER NOT NULL REFERENCES branches(id),
    stage       TEXT NOT NULL CHECK (stage IN
                ('applicant', 'activist', 'candidate', 'probationary', 'full')),
    closed_at   TEXT,
    created_by  INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX development_files_branch ON development_files(branch_id, stage);

-- The steps done: the day each happened and, for a vote, its text.
CREATE TABLE development_steps (
    file_id      INTEGER NOT NULL REFERENCES development_files(id),
    step         TEXT NOT NULL,
    day          TEXT NOT NULL,   -- YYYY-MM-DD
    detail       TEXT,
    recorded_by  INTEGER REFERENCES people(id),
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (file_id, step)
);

-- The 培养联系人: one or two of the branch's full members.
CREATE TABLE development_introducers (
    file_id     INTEGER NOT NULL REFERENCES development_files(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    chosen_by   INTEGER REFERENCES people(id),
    chosen_at   TEXT NOT NULL,
    PRIMARY KEY (file_id, person_id)
);
CREATE INDEX development_introducers_person ON development_introducers(person_id);

-- The half-yearly 考察 notes.
CREATE TABLE development_reviews (
    id          INTEGER PRIMARY KEY,
    file_id     INTEGER NOT NULL REFERENCES development_files(id),
    day         TEXT NOT NULL,
    text        TEXT NOT NULL,
    written_by  INTEGER REFERENCES people(id),
    written_at  TEXT NOT NULL
);
CREATE INDEX development_reviews_file ON development_reviews(file_id, day);

-- The public notices (公示): before the branch meeting on admission and on full
-- membership. `outcome` is NULL while it runs or waits for the secretary.
CREATE TABLE development_notices (
    id            INTEGER PRIMARY KEY,
    file_id       INTEGER NOT NULL REFERENCES development_files(id),
    branch_id     INTEGER NOT NULL REFERENCES branches(id),
    stage         TEXT NOT NULL CHECK (stage IN ('candidate', 'probationary')),
    starts_on     TEXT NOT NULL,
    ends_on       TEXT NOT NULL,
    contact       TEXT NOT NULL,
    outcome       TEXT CHECK (outcome IN ('passed', 'objection', 'withdrawn')),
    outcome_note  TEXT,
    created_by    INTEGER REFERENCES people(id),
    created_at    TEXT NOT NULL,
    closed_by     INTEGER REFERENCES people(id),
    closed_at     TEXT
);
CREATE INDEX development_notices_file ON development_notices(file_id);

-- Opinions sent privately during a notice: read by the secretaries only, with the
-- sender's name.
CREATE TABLE development_opinions (
    id          INTEGER PRIMARY KEY,
    notice_id   INTEGER NOT NULL REFERENCES development_notices(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    text        TEXT NOT NULL,
    sent_at     TEXT NOT NULL
);
CREATE INDEX development_opinions_notice ON development_opinions(notice_id);
CREATE INDEX development_opinions_person ON development_opinions(person_id);
