"""Departures, and erasing what the retention rule says goes (docs/data-retention.md)."""

from __future__ import annotations

from datetime import date

import aiosqlite

from domain.models import Category
from storage.db import Database, iso, utcnow


async def create(
    conn: aiosqlite.Connection,
    *,
    person_id: int,
    branch_id: int,
    kind: str,
    category: Category | None,
    left_on: date,
    recorded_by: int | None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO departures (person_id, branch_id, kind, category, left_on, recorded_by,"
        " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (person_id, branch_id, kind, category, left_on.isoformat(), recorded_by, iso(utcnow())),
    )
    return cur.lastrowid


async def erase_contact(
    conn: aiosqlite.Connection, person_id: int, telegram_id: int | None
) -> None:
    """What goes at once: the phone, the link to the Telegram account, the language
    choice, unfinished drafts, roles and unused personal invitations."""
    await conn.execute(
        "UPDATE people SET phone = NULL, telegram_id = NULL, status = 'left', updated_at = ?"
        " WHERE id = ?",
        (iso(utcnow()), person_id),
    )
    await conn.execute("DELETE FROM roles WHERE person_id = ?", (person_id,))
    await conn.execute("UPDATE invites SET uses_left = 0 WHERE person_id = ?", (person_id,))
    if telegram_id is not None:
        await conn.execute("DELETE FROM telegram_users WHERE telegram_id = ?", (telegram_id,))
        await conn.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (telegram_id,))


async def erase_expired(conn: aiosqlite.Connection, before: date) -> list[int]:
    """Names of people who left before `before`; returns whose were erased."""
    async with conn.execute(
        "SELECT p.id FROM people p JOIN departures d ON d.person_id = p.id"
        " WHERE p.status = 'left' AND p.erased_at IS NULL AND d.left_on < ?",
        (before.isoformat(),),
    ) as cur:
        found = [r[0] for r in await cur.fetchall()]
    now = iso(utcnow())
    for person_id in found:
        await conn.execute(
            "UPDATE people SET name = NULL, erased_at = ?, updated_at = ? WHERE id = ?",
            (now, now, person_id),
        )
    return found


async def of_person(db: Database, person_id: int) -> list[dict]:
    found = await db.fetchall(
        "SELECT kind, category, left_on, recorded_at FROM departures WHERE person_id = ?"
        " ORDER BY id",
        (person_id,),
    )
    return [dict(r) for r in found]


async def find_members(db: Database, branch_id: int, text: str) -> list[dict]:
    found = await db.fetchall(
        "SELECT id FROM people WHERE branch_id = ? AND status = 'active'"
        " AND (phone = ? OR name = ?) ORDER BY id LIMIT 5",
        (branch_id, text, text),
    )
    return [dict(r) for r in found]
