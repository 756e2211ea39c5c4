-- PostgreSQL's statements of 0010_departure_erasure.sql where the engines differ
-- (storage/migrations/__init__.py): the erasure-only triggers as PL/pgSQL. PostgreSQL takes
-- no subquery in a trigger's WHEN: the condition is the function's.

-- instead of: DROP TRIGGER mobile_versions_no_update
DROP TRIGGER mobile_versions_no_update ON mobile_versions;

-- instead of: CREATE TRIGGER mobile_versions_no_update
CREATE FUNCTION mobile_versions_erasure_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (
        NEW.id = OLD.id AND NEW.registration_id = OLD.registration_id
        AND NEW.version = OLD.version AND NEW.created_at = OLD.created_at
        AND NEW.created_by IS NOT DISTINCT FROM OLD.created_by
        AND NEW.details = '{}' AND NEW.report IS NULL
        AND EXISTS (SELECT 1 FROM mobile_registrations r JOIN people p ON p.id = r.person_id
                    WHERE r.id = OLD.registration_id AND p.status = 'left')
    ) THEN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER mobile_versions_no_update BEFORE UPDATE ON mobile_versions
FOR EACH ROW EXECUTE FUNCTION mobile_versions_erasure_only();

-- instead of: DROP TRIGGER mobile_events_no_update
DROP TRIGGER mobile_events_no_update ON mobile_events;

-- instead of: CREATE TRIGGER mobile_events_no_update
CREATE FUNCTION mobile_events_erasure_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (
        NEW.id = OLD.id AND NEW.registration_id = OLD.registration_id AND NEW.at = OLD.at
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.kind = OLD.kind
        AND NEW.note IS NULL
        AND EXISTS (SELECT 1 FROM mobile_registrations r JOIN people p ON p.id = r.person_id
                    WHERE r.id = OLD.registration_id AND p.status = 'left')
    ) THEN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER mobile_events_no_update BEFORE UPDATE ON mobile_events
FOR EACH ROW EXECUTE FUNCTION mobile_events_erasure_only();
