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
    branch_id: int,
    role: InviteRole,
    uses: int,
    expires_at: datetime | None,
    created_by: int | None = None,
    unit_id: int | None = None,
    person_id: int | None = None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO invites (code, branch_id, role, uses_left, expires_at, created_by,"
        " created_at, person_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            code,
            branch_id,
            stored_role(role),
            uses,
            iso(expires_at) if expires_at else None,
            created_by,
            iso(utcnow()),
            person_id,
        ),
    )
    if role is InviteRole.COUNTY or unit_id is not None:
        await conn.execute(
            "INSERT INTO invite_orgs (invite_id, unit_id) VALUES (?, ?)", (cur.lastrowid, unit_id)
        )
    return cur.lastrowid


def stored_role(role: InviteRole) -> str:
    """The value the role columns accept; county invitations are told apart in invite_orgs."""
    return InviteRole.UNIT if role is InviteRole.COUNTY else role


# Joined into every read of invites and join requests, see rows.invite.
WITH_ORG = (
    " o.invite_id AS org_invite, o.unit_id AS org_unit_id"
    " FROM {table} LEFT JOIN invite_orgs o ON o.invite_id = {table}.{key}"
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
