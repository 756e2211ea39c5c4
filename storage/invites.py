from __future__ import annotations

from datetime import datetime

import aiosqlite

from domain.models import Invite, InviteRole
from storage import rows
from storage.db import Database, iso, utcnow


async def create(conn: aiosqlite.Connection, invite: Invite, created_by: int | None = None) -> int:
    """Store `invite` (its `id` is not used: the new one is returned); `uses_left` is the
    number of uses it is made with."""
    expires_at = iso(invite.expires_at) if invite.expires_at else None
    row = dict(code=invite.code, branch_id=invite.branch_id, role=stored_role(invite.role))
    row |= dict(uses_left=invite.uses_left, expires_at=expires_at, person_id=invite.person_id)
    invite_id = await rows.insert(
        conn, "invites", row, dict(created_by=created_by, created_at=iso(utcnow()))
    )
    if invite.role is InviteRole.COUNTY or invite.unit_id is not None:
        await rows.insert(conn, "invite_orgs", dict(invite_id=invite_id, unit_id=invite.unit_id))
    return invite_id


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
