"""STAND-IN for s19-district's storage (dropped when the foundation lands)."""

from __future__ import annotations

import aiosqlite

from domain.models import Branch, Role
from storage import rows
from storage.db import Database, Reader, fetch_one, iso, utcnow


async def district_of_branch(source: Reader, branch_id: int) -> int | None:
    row = await fetch_one(source, "SELECT district_id FROM branches WHERE id = ?", (branch_id,))
    return row["district_id"] if row else None


async def branches_of_district(db: Database, district_id: int) -> list[Branch]:
    found = await db.fetchall(
        "SELECT * FROM branches WHERE district_id = ? ORDER BY id", (district_id,)
    )
    return [rows.branch(r) for r in found]


async def grant_role(
    conn: aiosqlite.Connection,
    person_id: int,
    district_id: int,
    role: Role,
    granted_by: int | None = None,
) -> bool:
    cur = await conn.execute(
        "INSERT INTO district_roles (person_id, district_id, role, granted_at, granted_by)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (person_id, district_id, role, iso(utcnow()), granted_by),
    )
    return cur.rowcount > 0


async def contacts_in(conn: aiosqlite.Connection, district_id: int) -> list[tuple[int, int]]:
    async with conn.execute(
        "SELECT p.id, p.telegram_id FROM people p JOIN district_roles d ON d.person_id = p.id"
        " WHERE d.district_id = ? AND d.role = 'district' AND p.status = 'active'"
        " AND p.telegram_id IS NOT NULL ORDER BY p.id",
        (district_id,),
    ) as cur:
        return [(r[0], r[1]) for r in await cur.fetchall()]
