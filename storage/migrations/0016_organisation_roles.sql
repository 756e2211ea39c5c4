-- STAND-IN for s19-district's foundation (dropped when it lands).
CREATE TABLE roles_new (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    branch_id   INTEGER NOT NULL REFERENCES branches(id),
    role        TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    granted_by  INTEGER REFERENCES people(id),
    PRIMARY KEY (person_id, branch_id, role)
);
INSERT INTO roles_new SELECT * FROM roles;
DROP TABLE roles;
ALTER TABLE roles_new RENAME TO roles;
CREATE INDEX roles_branch ON roles(branch_id, role);
CREATE TABLE district_roles (
    person_id   INTEGER NOT NULL REFERENCES people(id),
    district_id INTEGER NOT NULL REFERENCES districts(id),
    role        TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    granted_by  INTEGER REFERENCES people(id),
    PRIMARY KEY (person_id, district_id, role)
);
