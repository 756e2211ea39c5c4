"""Queries behind /mydata: one person's rows, as plain dicts."""

from __future__ import annotations

import json
from typing import Any

from storage import rows
from storage.db import Database


async def telegram_user(db: Database, telegram_id: int) -> dict | None:
    return await rows.one(
        db,
        dict,
        "SELECT locale, language_code, first_seen_at, unreachable_at FROM telegram_users"
        " WHERE telegram_id = ?",
        (telegram_id,),
    )


async def profile(db: Database, person_id: int) -> dict | None:
    return await rows.one(
        db,
        dict,
        "SELECT p.id, p.name, p.phone, p.category, p.status, p.joined_on, p.created_at,"
        " p.updated_at, b.name AS branch FROM people p LEFT JOIN branches b ON b.id = p.branch_id"
        " WHERE p.id = ?",
        (person_id,),
    )


# One person's rows in each section of /mydata that holds several: (section, query), with
# `:p` the person's id.
PERSONAL: dict[str, str] = {
    "roles": (
        "SELECT b.name AS branch, r.role, r.granted_at FROM roles r"
        " JOIN branches b ON b.id = r.branch_id WHERE r.person_id = :p ORDER BY r.granted_at"
    ),
    "district_roles": (
        "SELECT d.name AS district, r.role, r.granted_at FROM district_roles r"
        " JOIN districts d ON d.id = r.district_id WHERE r.person_id = :p ORDER BY r.granted_at"
    ),
    "join_requests": (
        "SELECT j.id, b.name AS branch, j.role, j.status, j.created_at, j.decided_at, j.reason"
        " FROM join_requests j JOIN branches b ON b.id = j.branch_id WHERE j.person_id = :p"
        " ORDER BY j.id"
    ),
}


async def personal(db: Database, person_id: int, section: str) -> list[dict]:
    return await db.fetchdicts(PERSONAL[section], {"p": person_id})


async def drafts(db: Database, telegram_id: int) -> Any:
    row = await db.fetchone("SELECT data FROM ptb_user_data WHERE user_id = ?", (telegram_id,))
    return json.loads(row["data"]) if row else None


async def audit_about(db: Database, person_id: int) -> list[dict]:
    """What was recorded about the person or done by them (not who else did what). A
    secretary's appraisal decisions about others (grades, disposals) are theirs alone: they
    stay out of the secretary's copy."""
    found = await db.fetchall(
        "SELECT at, action, subject_type, subject_id, details FROM audit_log"
        " WHERE (actor_id = ? OR (subject_type = 'person' AND subject_id = ?)"
        " OR (subject_type = 'join_request' AND subject_id IN"
        " (SELECT id FROM join_requests WHERE person_id = ?)))"
        " AND NOT (action LIKE 'appraisal.%' AND subject_type = 'person' AND subject_id <> ?)"
        # Another person's development file is never in one's data, even one's own
        # actions on it (storage/development.py gives the person their own file's).
        " AND subject_type NOT IN ('development_file', 'development_notice') ORDER BY id",
        (person_id, person_id, person_id, person_id),
    )
    return [dict(r) | {"details": json.loads(r["details"])} for r in found]
