-- PostgreSQL's statements of 0001_foundation.sql where the engines differ
-- (storage/migrations/__init__.py): the append-only trigger as PL/pgSQL, whose function
-- every later append-only table's trigger calls.

-- instead of: CREATE TRIGGER audit_log_no_update
-- SQLSTATE 23000, so the violation reads as SQLite's RAISE(ABORT) does: an integrity error.
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION append_only();
