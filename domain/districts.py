"""STAND-IN for s19-district's reads (dropped when the foundation lands)."""

from __future__ import annotations

from storage.db import Database


async def district_of_branch(db: Database, branch_id: int) -> int | None:
    return await db.fetchval("SELECT district_id FROM branches WHERE id = ?", (branch_id,))


async def branches_of_district(db: Database, district_id: int) -> list[int]:
    found = await db.fetchall(
        "SELECT id FROM branches WHERE district_id = ? ORDER BY id", (district_id,)
    )
    return [r[0] for r in found]
