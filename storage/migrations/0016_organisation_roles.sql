-- The organisations around a branch get their own contacts (domain/access.py): the district
-- working committee (区党工委, district-scoped), party-building instructors (党建工作指导员),
-- resident units (驻区单位) and county patrons (包扶), the last three per branch. None of
-- them is a member of a branch by that role.
--
-- The role checks of roles, invites and join_requests are rebuilt to take them. The county
-- role predates this only in `roles`: county invitations and requests were stored as 'unit'
-- with an invite_orgs row naming no unit (0006_cadres.sql); they say 'county' now.
--
-- SQLite changes a CHECK only by rebuilding the table, and migrations run in one
-- transaction with foreign keys on (storage/migrations/__init__.py). Renaming a table
-- rewrites the references to it, and dropping a parent table with children fails, so the
-- children of invites (join_requests, invite_orgs) are kept in plain copies, dropped, and
-- put back after invites is rebuilt: every reference is checked again as the rows return.

CREATE TABLE district_roles (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    district_id INTEGER NOT NULL REFERENCES districts(id),
    role        TEXT NOT NULL CHECK (role IN ('district')),
    granted_at  TEXT NOT NULL,
    granted_by  INTEGER REFERENCES people(id),
    PRIMARY KEY (person_id, district_id, role)
);
CREATE INDEX district_roles_district ON district_roles(district_id, role);

-- roles: nothing references it.
CREATE TABLE roles_new (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    branch_id   INTEGER NOT NULL REFERENCES branches(id),
    role        TEXT NOT NULL CHECK (role IN ('member', 'secretary', 'cadre', 'unit', 'county',
                                              'instructor', 'resident_unit', 'patron')),
    granted_at  TEXT NOT NULL,
    granted_by  INTEGER REFERENCES people(id),
    PRIMARY KEY (person_id, branch_id, role)
);
INSERT INTO roles_new (person_id, branch_id, role, granted_at, granted_by)
    SELECT person_id, branch_id, role, granted_at, granted_by FROM roles;
DROP TABLE roles;
ALTER TABLE roles_new RENAME TO roles;
CREATE INDEX roles_branch ON roles(branch_id, role);

-- The children of invites, with the county rows told apart while invite_orgs still says so.
CREATE TEMP TABLE kept_invite_orgs AS SELECT invite_id, unit_id FROM invite_orgs;
CREATE TEMP TABLE kept_join_requests AS
    SELECT j.*, CASE WHEN o.invite_id IS NOT NULL AND o.unit_id IS NULL THEN 'county'
                     ELSE j.role END AS new_role
    FROM join_requests j LEFT JOIN invite_orgs o ON o.invite_id = j.invite_id;
DROP TABLE invite_orgs;
DROP TABLE join_requests;

-- An invitation is for a branch, or (the district role) for a district: never both.
CREATE TABLE invites_new (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    branch_id   INTEGER REFERENCES branches(id),
    district_id INTEGER REFERENCES districts(id),
    role        TEXT NOT NULL CHECK (role IN ('member', 'cadre', 'unit', 'county', 'district',
                                              'instructor', 'resident_unit', 'patron')),
    uses_left   INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at  TEXT,
    created_by  INTEGER REFERENCES people(id),
    created_at  TEXT NOT NULL,
    person_id   INTEGER REFERENCES people(id),
    CHECK (CASE WHEN role = 'district' THEN district_id IS NOT NULL AND branch_id IS NULL
                ELSE branch_id IS NOT NULL AND district_id IS NULL END)
);
INSERT INTO invites_new (id, code, branch_id, district_id, role, uses_left, expires_at,
                         created_by, created_at, person_id)
    SELECT i.id, i.code, i.branch_id, NULL,
           CASE WHEN k.invite_id IS NOT NULL AND k.unit_id IS NULL THEN 'county' ELSE i.role END,
           i.uses_left, i.expires_at, i.created_by, i.created_at, i.person_id
    FROM invites i LEFT JOIN kept_invite_orgs k ON k.invite_id = i.id;
DROP TABLE invites;
ALTER TABLE invites_new RENAME TO invites;
CREATE INDEX invites_person ON invites(person_id) WHERE person_id IS NOT NULL;

-- Which unit organisation a unit contact's invitation is for (county ones no longer here).
CREATE TABLE invite_orgs (
    invite_id   INTEGER PRIMARY KEY REFERENCES invites(id),
    unit_id     INTEGER NOT NULL REFERENCES unit_orgs(id)
);
INSERT INTO invite_orgs (invite_id, unit_id)
    SELECT invite_id, unit_id FROM kept_invite_orgs WHERE unit_id IS NOT NULL;

-- A request is to join a branch, or (the district role) a district.
CREATE TABLE join_requests (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    branch_id    INTEGER REFERENCES branches(id),
    district_id  INTEGER REFERENCES districts(id),
    invite_id    INTEGER REFERENCES invites(id),
    role         TEXT NOT NULL CHECK (role IN ('member', 'cadre', 'unit', 'county', 'district',
                                               'instructor', 'resident_unit', 'patron')),
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at   TEXT NOT NULL,
    decided_at   TEXT,
    decided_by   INTEGER REFERENCES people(id),
    reason       TEXT,
    CHECK (CASE WHEN role = 'district' THEN district_id IS NOT NULL AND branch_id IS NULL
                ELSE branch_id IS NOT NULL AND district_id IS NULL END)
);
INSERT INTO join_requests (id, person_id, branch_id, district_id, invite_id, role, status,
                           created_at, decided_at, decided_by, reason)
    SELECT id, person_id, branch_id, NULL, invite_id, new_role, status,
           created_at, decided_at, decided_by, reason
    FROM kept_join_requests;
CREATE INDEX join_requests_pending ON join_requests(branch_id, status, created_at);
CREATE INDEX join_requests_district ON join_requests(district_id, status)
    WHERE district_id IS NOT NULL;

DROP TABLE kept_invite_orgs;
DROP TABLE kept_join_requests;
