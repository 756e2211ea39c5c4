-- Activity hours and events, the rules that closed issue 5.

-- Whether a branch's summaries (digest, register, feedback, county report, exports) count
-- attested hours beside the verified ones; absent means verified only. Its own table, so
-- the logging window keeps meaning "absent is the default" on its own.
CREATE TABLE branch_hour_counting (
    branch_id       INTEGER PRIMARY KEY REFERENCES branches(id),
    count_attested  INTEGER NOT NULL CHECK (count_attested IN (0, 1))
);

-- Wrong check-in codes, kept only as long as the rate limit looks back (pruned on each
-- wrong code), so guessing codes has a ceiling.
CREATE TABLE checkin_failures (
    person_id  INTEGER NOT NULL REFERENCES people(id),
    at         TEXT NOT NULL
);
CREATE INDEX checkin_failures_person ON checkin_failures(person_id, at);

-- A check-in nobody checked out of, closed by the events job at the event's end: its hours
-- wait for a secretary, who sees it marked in the attendance view.
ALTER TABLE event_attendance ADD COLUMN auto_closed INTEGER NOT NULL DEFAULT 0
    CHECK (auto_closed IN (0, 1));
