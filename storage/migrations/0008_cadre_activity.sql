-- Dual management of cadres, second part: the quarterly feedback counts each cadre's
-- events attended, so attendance is looked up by person as well as by event.
CREATE INDEX event_attendance_person ON event_attendance(person_id, event_id);
