-- Durable notifications (the outbox), branch working time and the scheduler's run record.
-- Times are UTC ISO-8601 strings; outbox times carry milliseconds and sort as text.

-- One row per notification, written in the transaction of the decision that caused it.
-- `key` makes enqueueing idempotent. The text is rendered when sent, in the recipient's
-- language: `template` names a renderer, or `text` is an English msgid; `params` is JSON.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    chat_id          INTEGER NOT NULL,
    branch_id        INTEGER REFERENCES branches(id),
    kind             TEXT NOT NULL DEFAULT 'normal'
                     CHECK (kind IN ('normal', 'after_hours', 'office_hours', 'urgent')),
    template         TEXT,
    text             TEXT,
    params           TEXT NOT NULL DEFAULT '{}',
    buttons          TEXT,            -- JSON [[[label msgid, callback data], ...], ...]
    file_name        TEXT,
    file_content     BLOB,
    file_path        TEXT,
    file_as_photo    INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'unreachable', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    claimed_at       TEXT,
    sent_at          TEXT,
    message_id       INTEGER,
    last_error       TEXT,
    CHECK (template IS NOT NULL OR text IS NOT NULL)
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_status ON outbox(status, branch_id);

-- Whoever blocked the bot and came back is reachable again once a message gets through.
CREATE TRIGGER outbox_sent_reachable AFTER UPDATE OF status ON outbox
WHEN NEW.status = 'sent'
BEGIN
    UPDATE telegram_users SET unreachable_at = NULL
    WHERE telegram_id = NEW.chat_id AND unreachable_at IS NOT NULL;
END;

-- A branch's own working-time settings; absent rows and NULL columns take the defaults.
CREATE TABLE branch_worktime (
    branch_id      INTEGER PRIMARY KEY REFERENCES branches(id),
    working_hours  TEXT,              -- e.g. '09:00-12:00,13:30-18:00'
    quiet_hours    TEXT               -- e.g. '21:30-08:00'
);

-- Days on which a branch departs from the official calendar.
CREATE TABLE branch_days (
    branch_id  INTEGER NOT NULL REFERENCES branches(id),
    day        TEXT NOT NULL,         -- local date, YYYY-MM-DD
    working    INTEGER NOT NULL CHECK (working IN (0, 1)),
    note       TEXT,
    PRIMARY KEY (branch_id, day)
);

-- Each scheduled slot of a job, per branch (0 = not per branch), claimed before it runs,
-- so a restart neither skips nor repeats it.
CREATE TABLE job_runs (
    job          TEXT NOT NULL,
    branch_id    INTEGER NOT NULL,
    slot         TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    enqueued     INTEGER,
    PRIMARY KEY (job, branch_id, slot)
);

-- A branch's own schedule for a job: its crontab line (NULL: the job's default), or off.
CREATE TABLE branch_jobs (
    branch_id  INTEGER NOT NULL REFERENCES branches(id),
    job        TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    crontab    TEXT,
    PRIMARY KEY (branch_id, job)
);
