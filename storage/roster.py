"""Queries of the roster import: matching rows to stored people, roster-only fields."""

from __future__ import annotations

import aiosqlite

from domain.models import Category, Person
from storage import rows
from storage.db import iso, utcnow


async def match(
    conn: aiosqlite.Connection, branch_id: int, phone: str, telegram_id: int | None
) -> Person | None:
    """The stored person a roster row describes: same Telegram id anywhere, else the same
    phone among the branch's current members and applicants."""
    if telegram_id is not None:
        async with conn.execute("SELECT * FROM people WHERE telegram_id = ?", (telegram_id,)) as c:
            row = await c.fetchone()
        if row is not None:
            return rows.person(row)
    return await rows.one(
        conn,
        rows.person,
        "SELECT * FROM people WHERE branch_id = ? AND phone = ? AND status IN ('active', 'pending')"
        " ORDER BY id LIMIT 1",
        (branch_id, phone),
    )


async def refresh(
    conn: aiosqlite.Connection, person_id: int, category: Category, joined_on: str | None
) -> None:
    await conn.execute(
        "UPDATE people SET category = ?, joined_on = COALESCE(?, joined_on), updated_at = ?"
        " WHERE id = ?",
        (category, joined_on, iso(utcnow()), person_id),
    )
