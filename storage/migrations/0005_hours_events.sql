-- Activity hours and events (issue 5). Hours are whole half-hours, never floats, so
-- totals are exact; local dates are YYYY-MM-DD text, instants UTC ISO-8601 as elsewhere.

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    branch_id       INTEGER NOT NULL REFERENCES branches(id),
    title           TEXT NOT NULL,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('lesson', 'film', 'volunteer', 'post_duty', 'co_building',
                                    'other')),
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL CHECK (ends_at > starts_at),
    place           TEXT NOT NULL,
    latitude        REAL,
    longitude       REAL,
    capacity        INTEGER CHECK (capacity IS NULL OR capacity > 0),
    open_to_cadres  INTEGER NOT NULL DEFAULT 1 CHECK (open_to_cadres IN (0, 1)),
    open_to_inflow  INTEGER NOT NULL DEFAULT 1 CHECK (open_to_inflow IN (0, 1)),
    -- Key of the rotating check-in code: codes are derived, never stored.
    secret          TEXT NOT NULL,
    created_by      INTEGER REFERENCES people(id),
    created_at      TEXT NOT NULL
);
CREATE INDEX events_branch_start ON events(branch_id, starts_at);
CREATE INDEX events_start ON events(starts_at);

CREATE TABLE event_rsvps (
    event_id     INTEGER NOT NULL REFERENCES events(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    answer       TEXT NOT NULL CHECK (answer IN ('going', 'not_going')),
    answered_at  TEXT NOT NULL,
    PRIMARY KEY (event_id, person_id)
);
CREATE INDEX event_rsvps_person ON event_rsvps(person_id, answer);

CREATE TABLE event_attendance (
    event_id        INTEGER NOT NULL REFERENCES events(id),
    person_id       INTEGER NOT NULL REFERENCES people(id),
    checked_in_at   TEXT NOT NULL,
    checked_out_at  TEXT,
    method_in       TEXT NOT NULL CHECK (method_in IN ('code', 'location', 'secretary')),
    method_out      TEXT CHECK (method_out IN ('code', 'location', 'secretary')),
    marked_by       INTEGER REFERENCES people(id),
    -- Last live-location update inside the radius: presence for someone who never checks out.
    last_seen_at    TEXT,
    PRIMARY KEY (event_id, person_id)
);
CREATE INDEX event_attendance_open ON event_attendance(event_id) WHERE checked_out_at IS NULL;

-- How long before an event each person wants their reminder; absent means the default.
CREATE TABLE reminder_leads (
    person_id     INTEGER PRIMARY KEY REFERENCES people(id),
    lead_minutes  INTEGER NOT NULL CHECK (lead_minutes BETWEEN 0 AND 10080)
);

-- One row per reminder sent, so the job that sends them can run any number of times.
CREATE TABLE event_reminders (
    event_id   INTEGER NOT NULL REFERENCES events(id),
    person_id  INTEGER NOT NULL REFERENCES people(id),
    sent_at    TEXT NOT NULL,
    PRIMARY KEY (event_id, person_id)
);

CREATE TABLE hour_records (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES people(id),
    branch_id      INTEGER NOT NULL REFERENCES branches(id),
    kind           TEXT NOT NULL
                   CHECK (kind IN ('lesson', 'film', 'volunteer', 'post_duty', 'co_building',
                                   'other')),
    day            TEXT NOT NULL,
    half_hours     INTEGER NOT NULL CHECK (half_hours BETWEEN 1 AND 24),
    description    TEXT NOT NULL,
    photo_file_id  TEXT,
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'verified', 'rejected', 'withdrawn')),
    source         TEXT NOT NULL CHECK (source IN ('self', 'event')),
    event_id       INTEGER REFERENCES events(id),
    -- The post a "post duty" record belongs to; the posts feature adds the reference.
    post_id        INTEGER,
    reason         TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    decided_at     TEXT,
    decided_by     INTEGER REFERENCES people(id)
);
CREATE INDEX hour_records_person_day ON hour_records(person_id, day);
CREATE INDEX hour_records_branch_status ON hour_records(branch_id, status, created_at);
CREATE UNIQUE INDEX hour_records_event_person ON hour_records(event_id, person_id)
    WHERE event_id IS NOT NULL;

-- How far back members may log hours, per branch; absent means the default (90 days).
CREATE TABLE branch_hour_settings (
    branch_id    INTEGER PRIMARY KEY REFERENCES branches(id),
    window_days  INTEGER NOT NULL CHECK (window_days BETWEEN 1 AND 3660)
);
