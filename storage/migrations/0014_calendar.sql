-- Issue 15: the county's official calendar entered by the operator, and when a branch's
-- job schedule (or its zone, job '*') last changed, for the scheduler's catch-up.

-- The days of the State Council's published schedule (放假 and 调休上班) as the operator
-- entered them (`partybot calendar set/import`). A year the package does not cover with
-- any row here is taken as entered in full: the rule-based holidays no longer apply to it.
CREATE TABLE official_days (
    day         TEXT PRIMARY KEY,  -- YYYY-MM-DD
    working     INTEGER NOT NULL CHECK (working IN (0, 1)),
    name        TEXT NOT NULL DEFAULT '',
    entered_at  TEXT NOT NULL
);

-- The schedule a (branch, job) ran on before its latest change: the catch-up after a
-- restart runs a slot missed under the old schedule, and none of the new schedule that
-- fell before the change. job '*' is the branch's time zone (every job's schedule).
CREATE TABLE schedule_changes (
    branch_id     INTEGER NOT NULL REFERENCES branches(id),
    job           TEXT NOT NULL,
    changed_at    TEXT NOT NULL,
    old_timezone  TEXT,            -- NULL: the bot's default zone
    old_crontab   TEXT,            -- NULL: the job's own schedule
    old_enabled   INTEGER NOT NULL DEFAULT 1 CHECK (old_enabled IN (0, 1)),
    PRIMARY KEY (branch_id, job)
);

-- A message held back by the working-time rules (quiet hours, the working day, office
-- hours) moves when the rules move: `not_before` is the earliest the caller allowed,
-- `held_by` why the sender put `next_attempt_at` later (NULL: not held by a rule). A
-- change of a branch's hours, quiet hours, days or zone releases its held messages to
-- be judged again under the new rule, in the changing transaction.
ALTER TABLE outbox ADD COLUMN not_before TEXT;
ALTER TABLE outbox ADD COLUMN held_by TEXT;
UPDATE outbox SET not_before = next_attempt_at;
