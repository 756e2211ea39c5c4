from __future__ import annotations

from datetime import datetime

import aiosqlite

from domain.models import Invite, InviteRole
from storage import rows
from storage.db import Database, iso, utcnow


async def create(
    conn: aiosqlite.Connection,
    *,
    code: str,
    branch_id: int | None,
    role: InviteRole,
    uses: int,
    expires_at: datetime | None,
    created_by: int | None = None,
    unit_id: int | None = None,
    person_id: int | None = None,
    district_id: int | None = None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO invites (code, branch_id, district_id, role, uses_left, expires_at,"
        " created_by, created_at, person_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            code,
            branch_id,
            district_id,
            role,
            uses,
            iso(expires_at) if expires_at else None,
            created_by,
            iso(utcnow()),
            person_id,
        ),
    )
    if unit_id is not None:
        await conn.execute(
            "INSERT INTO invite_orgs (invite_id, unit_id) VALUES (?, ?)", (cur.lastrowid, unit_id)
        )
    return cur.lastrowid


# Joined into every read of invites and join requests: the unit a contact's invitation is for.
WITH_ORG = (
    " o.unit_id AS org_unit_id FROM {table} LEFT JOIN invite_orgs o ON o.invite_id = {table}.{key}"
)


async def by_code(db: Database, code: str) -> Invite | None:
    row = await db.fetchone(
        "SELECT invites.*," + WITH_ORG.format(table="invites", key="id") + " WHERE code = ?",
        (code,),
    )
    return rows.invite(row) if row else None


async def consume(conn: aiosqlite.Connection, invite_id: int, now: datetime) -> bool:
    """Take one use atomically; False when used up or expired meanwhile."""
    cur = await conn.execute(
        "UPDATE invites SET uses_left = uses_left - 1 WHERE id = ? AND uses_left > 0"
        " AND (expires_at IS NULL OR expires_at > ?)",
        (invite_id, iso(now)),
    )
    return cur.rowcount == 1
