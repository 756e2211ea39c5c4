from __future__ import annotations

from datetime import datetime

import aiosqlite

from domain.models import Invite
from storage import rows
from storage.db import Database, iso, utcnow


async def create(conn: aiosqlite.Connection, invite: Invite, created_by: int | None = None) -> int:
    """Store `invite` (its `id` is not used: the new one is returned); `uses_left` is the
    number of uses it is made with."""
    expires_at = iso(invite.expires_at) if invite.expires_at else None
    row = dict(code=invite.code, branch_id=invite.branch_id, district_id=invite.district_id)
    row |= dict(role=invite.role, uses_left=invite.uses_left, expires_at=expires_at)
    made = dict(person_id=invite.person_id, created_by=created_by, created_at=iso(utcnow()))
    invite_id = await rows.insert(conn, "invites", row, made)
    if invite.unit_id is not None:
        await rows.insert(conn, "invite_orgs", dict(invite_id=invite_id, unit_id=invite.unit_id))
    return invite_id


# Joined into every read of invites and join requests: the unit a contact's invitation is for.
WITH_ORG = (
    " o.unit_id AS org_unit_id FROM {table} LEFT JOIN invite_orgs o ON o.invite_id = {table}.{key}"
)


async def by_code(db: Database, code: str) -> Invite | None:
    return await rows.one(
        db,
        rows.invite,
        "SELECT invites.*," + WITH_ORG.format(table="invites", key="id") + " WHERE code = ?",
        (code,),
    )


async def consume(conn: aiosqlite.Connection, invite_id: int, now: datetime) -> bool:
    """Take one use atomically; False when used up or expired meanwhile."""
    cur = await conn.execute(
        "UPDATE invites SET uses_left = uses_left - 1 WHERE id = ? AND uses_left > 0"
        " AND (expires_at IS NULL OR expires_at > ?)",
        (invite_id, iso(now)),
    )
    return cur.rowcount == 1
