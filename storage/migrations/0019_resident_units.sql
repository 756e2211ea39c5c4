-- Resident units (驻区单位): organisations located in the community that co-build with the
-- branch (policy 二(三)5). Not the unit party organisations of cadres' employers
-- (unit_orgs, 0006): a resident unit belongs to one branch's community, and its contacts
-- answer the branch's requests and give the yearly opinion on its party building.

-- `contact_name` and `contact_phone` are the unit's own, as an organisation (its office),
-- entered by the secretary; the person who answers in the chat is a resident_unit_contacts
-- row. `offers` is what the unit can offer, a comma-separated list of
-- rooms, volunteers, funds, expertise (domain/resident_units.py OFFERS).
CREATE TABLE resident_units (
    id             INTEGER PRIMARY KEY,
    branch_id      INTEGER NOT NULL REFERENCES branches(id),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('government', 'enterprise', 'school',
                                                 'hospital', 'social', 'other')),
    contact_name   TEXT,
    contact_phone  TEXT,
    offers         TEXT NOT NULL DEFAULT '',
    created_by     INTEGER REFERENCES people(id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (branch_id, name)
);

-- The people who speak for a unit in the chat (role resident_unit in its branch).
CREATE TABLE resident_unit_contacts (
    resident_unit_id  INTEGER NOT NULL REFERENCES resident_units(id),
    person_id         INTEGER NOT NULL REFERENCES people(id),
    since             TEXT NOT NULL,
    PRIMARY KEY (resident_unit_id, person_id)
);
CREATE INDEX resident_unit_contacts_person ON resident_unit_contacts(person_id);

-- Which resident unit an invitation (role resident_unit) is for; the approved contact is
-- recorded there.
CREATE TABLE invite_resident_units (
    invite_id         INTEGER PRIMARY KEY REFERENCES invites(id),
    resident_unit_id  INTEGER NOT NULL REFERENCES resident_units(id)
);

-- The co-building agreement (共建协议) of a unit and a year: what each side commits to.
CREATE TABLE cobuild_agreements (
    id                INTEGER PRIMARY KEY,
    resident_unit_id  INTEGER NOT NULL REFERENCES resident_units(id),
    year              INTEGER NOT NULL,
    branch_commits    TEXT NOT NULL,
    unit_commits      TEXT NOT NULL,
    recorded_by       INTEGER REFERENCES people(id),
    recorded_at       TEXT NOT NULL,
    UNIQUE (resident_unit_id, year)
);

-- What the branch asks of a unit (a room, volunteers, …) and the unit's answer, once.
CREATE TABLE cobuild_requests (
    id                INTEGER PRIMARY KEY,
    resident_unit_id  INTEGER NOT NULL REFERENCES resident_units(id),
    branch_id         INTEGER NOT NULL REFERENCES branches(id),
    kind              TEXT NOT NULL CHECK (kind IN ('room', 'volunteers', 'funds',
                                                    'expertise', 'other')),
    text              TEXT NOT NULL,
    wanted_on         TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'accepted', 'declined')),
    answer            TEXT,
    answered_by       INTEGER REFERENCES people(id),
    answered_at       TEXT,
    created_by        INTEGER REFERENCES people(id),
    created_at        TEXT NOT NULL
);
CREATE INDEX cobuild_requests_unit ON cobuild_requests(resident_unit_id, created_at);
CREATE INDEX cobuild_requests_branch ON cobuild_requests(branch_id, created_at);

-- The unit's yearly opinion on the branch's party building (征求意见), once a year.
CREATE TABLE cobuild_opinions (
    id                INTEGER PRIMARY KEY,
    resident_unit_id  INTEGER NOT NULL REFERENCES resident_units(id),
    year              INTEGER NOT NULL,
    text              TEXT NOT NULL,
    given_by          INTEGER REFERENCES people(id),
    given_at          TEXT NOT NULL,
    UNIQUE (resident_unit_id, year)
);
