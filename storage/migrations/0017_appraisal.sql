-- Democratic appraisal of members (民主评议党员), one round a branch and year. The ratings
-- are secret: see domain/appraisal/ballots.py for why they are stored as they are.

CREATE TABLE appraisal_rounds (
    id            INTEGER PRIMARY KEY,
    branch_id     INTEGER NOT NULL REFERENCES branches(id),
    year          INTEGER NOT NULL,
    period_start  TEXT NOT NULL,
    period_end    TEXT NOT NULL,
    stage         TEXT NOT NULL
                  CHECK (stage IN ('study', 'summary', 'rating', 'grading', 'disposal', 'closed')),
    opened_at     TEXT NOT NULL,
    opened_by     INTEGER REFERENCES people(id),
    stage_at      TEXT NOT NULL,
    closed_at     TEXT,
    UNIQUE (branch_id, year)
);

-- Everyone who takes part, fixed when the round opens: the branch's active members (never
-- its contacts), a mobile member with where they are. `has_rated` is all that is kept of a
-- person's ballot on their side: that they cast it, not what or about whom.
CREATE TABLE appraisal_participants (
    round_id          INTEGER NOT NULL REFERENCES appraisal_rounds(id),
    person_id         INTEGER NOT NULL REFERENCES people(id),
    outflow           TEXT,
    summary_text      TEXT,
    summary_file_id   TEXT,
    summary_file_name TEXT,
    submitted_at      TEXT,
    has_rated         INTEGER NOT NULL DEFAULT 0,
    reminded_stage    TEXT,
    reminders         INTEGER NOT NULL DEFAULT 0,
    reminded_at       TEXT,
    grade             TEXT CHECK (grade IN ('excellent', 'qualified', 'basic', 'unqualified')),
    grade_note        TEXT,
    graded_at         TEXT,
    graded_by         INTEGER REFERENCES people(id),
    PRIMARY KEY (round_id, person_id)
);

-- The votes each participant received, per grade: counters created (at zero) with the round
-- and only ever incremented, so neither their order nor their times say who voted when.
CREATE TABLE appraisal_tallies (
    round_id  INTEGER NOT NULL REFERENCES appraisal_rounds(id),
    ratee_id  INTEGER NOT NULL REFERENCES people(id),
    grade     TEXT NOT NULL CHECK (grade IN ('excellent', 'qualified', 'basic', 'unqualified')),
    votes     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, ratee_id, grade)
);

-- The comments raters wrote, with no rater and no time; the id is drawn at random so the
-- rows' order is not the order they were written in.
CREATE TABLE appraisal_comments (
    id        INTEGER PRIMARY KEY,
    round_id  INTEGER NOT NULL REFERENCES appraisal_rounds(id),
    ratee_id  INTEGER NOT NULL REFERENCES people(id),
    text      TEXT NOT NULL
);
CREATE INDEX appraisal_comments_ratee ON appraisal_comments(round_id, ratee_id);

-- What the branch decided for a participant graded 不合格.
CREATE TABLE appraisal_disposals (
    id             INTEGER PRIMARY KEY,
    round_id       INTEGER NOT NULL REFERENCES appraisal_rounds(id),
    person_id      INTEGER NOT NULL REFERENCES people(id),
    kind           TEXT NOT NULL CHECK (kind IN ('correct', 'counsel_out', 'remove')),
    decided_on     TEXT NOT NULL,
    deadline       TEXT,
    decided_by     INTEGER REFERENCES people(id),
    follow_up      TEXT,
    followed_up_on TEXT,
    reminded_at    TEXT,
    UNIQUE (round_id, person_id)
);
CREATE INDEX appraisal_disposals_deadline ON appraisal_disposals(deadline)
    WHERE reminded_at IS NULL;
