-- PostgreSQL's spelling of 0021_activists.sql (storage/migrations/__init__.py): the same change,
-- with the moment as PostgreSQL writes it.

-- 入党积极分子 (people of category 'activist') are candidates for membership, not party
-- members (DOMAIN.md). Joining and the roster import gave them the member role, so they were
-- counted, listed and messaged as members, and took part in the democratic appraisal. They
-- keep everything else (their development file, any contact or secretary role); only the
-- member role goes, and their command menu is published again.
INSERT INTO menu_refresh (telegram_id, marked_at)
SELECT DISTINCT p.telegram_id, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
FROM people p JOIN roles r ON r.person_id = p.id
WHERE p.category = 'activist' AND r.role = 'member' AND p.telegram_id IS NOT NULL
ON CONFLICT (telegram_id) DO UPDATE SET marked_at = excluded.marked_at;

DELETE FROM roles
WHERE role = 'member' AND person_id IN (SELECT id FROM people WHERE category = 'activist');
