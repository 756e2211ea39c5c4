-- Who is who in a branch (domain/access.py): a member holds a 'member' or 'cadre' role in
-- their branch. Until now every active person of a branch counted as a member, so contacts
-- of unit organisations and of the county department, and secretaries added at the command
-- line, were listed, counted and messaged as members.

-- Membership becomes explicit for everyone the old rule counted and the roster describes
-- (the roster import gives a category, joining as a contact or as secretary does not): a
-- contact or a secretary the roster lists stays a member; one it does not becomes only a
-- contact, or only the secretary.
INSERT INTO roles (person_id, branch_id, role, granted_at, granted_by)
SELECT p.id, p.branch_id, CASE WHEN p.category = 'cadre' THEN 'cadre' ELSE 'member' END,
       strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), NULL
FROM people p
WHERE p.status = 'active' AND p.branch_id IS NOT NULL AND p.category IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.person_id = p.id AND r.branch_id = p.branch_id
                  AND r.role IN ('member', 'cadre'));

-- People whose command menu must be published again: a role was granted or removed (by the
-- bot or by `partybot` in another process). The running bot polls this table, publishes
-- each menu and deletes the mark it published (bot/app.py).
CREATE TABLE menu_refresh (
    telegram_id  INTEGER PRIMARY KEY,
    marked_at    TEXT NOT NULL
);

-- Contacts and secretaries had the members' menu (the default one); everyone with a role
-- gets their own now, so that the default menu can be the strangers' (MENUS_PER_POLL at a
-- time, well within the Bot API's limits).
INSERT INTO menu_refresh (telegram_id, marked_at)
SELECT DISTINCT p.telegram_id, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
FROM people p JOIN roles r ON r.person_id = p.id
WHERE p.status = 'active' AND p.telegram_id IS NOT NULL;
