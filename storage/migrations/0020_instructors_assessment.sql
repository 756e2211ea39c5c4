-- Party-building instructors (党建工作指导员) and the year-end "五个好" assessment (issue 19).
-- An instructor is assigned to a branch by a 'instructor' row in roles (0016); a patron
-- (包扶) by a 'patron' row. Both are contacts of the branch, never its members.

-- An instructor's note on one branch for one month (YYYY-MM): what was guided and the
-- problems found. One a month; it reaches the district's contacts through the outbox.
CREATE TABLE instructor_notes (
    id          INTEGER PRIMARY KEY,
    branch_id   INTEGER NOT NULL REFERENCES branches(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    month       TEXT NOT NULL,
    guided      TEXT NOT NULL,
    problems    TEXT NOT NULL,
    filed_at    TEXT NOT NULL,
    UNIQUE (branch_id, person_id, month)
);
CREATE INDEX instructor_notes_month ON instructor_notes(month, branch_id);

-- At the start of the year the district records a branch's creation targets (创建目标)
-- and the signing of its responsibility pledge (党建工作责任状): the day it was signed and
-- the Telegram file of the signed paper (a photo or a document, by file_id).
CREATE TABLE branch_targets (
    branch_id        INTEGER NOT NULL REFERENCES branches(id),
    year             INTEGER NOT NULL,
    targets          TEXT,
    pledge_signed_on TEXT,
    pledge_file_id   TEXT,
    pledge_file_kind TEXT CHECK (pledge_file_kind IN ('photo', 'document')),
    updated_by       INTEGER REFERENCES people(id),
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (branch_id, year)
);

-- The district's year-end assessment of a branch: a grade per criterion (assessment_grades)
-- and a comment. `revision` counts the times it was entered (a correction replaces the
-- grades and is told again); `figures` keeps the bot's figures the district saw (JSON).
CREATE TABLE branch_assessments (
    branch_id    INTEGER NOT NULL REFERENCES branches(id),
    year         INTEGER NOT NULL,
    comment      TEXT NOT NULL,
    figures      TEXT NOT NULL,
    revision     INTEGER NOT NULL DEFAULT 1,
    assessed_by  INTEGER REFERENCES people(id),
    assessed_at  TEXT NOT NULL,
    PRIMARY KEY (branch_id, year)
);

CREATE TABLE assessment_grades (
    branch_id  INTEGER NOT NULL,
    year       INTEGER NOT NULL,
    criterion  TEXT NOT NULL,
    grade      TEXT NOT NULL,
    PRIMARY KEY (branch_id, year, criterion),
    FOREIGN KEY (branch_id, year) REFERENCES branch_assessments(branch_id, year)
);
