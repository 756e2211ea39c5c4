from __future__ import annotations

import aiosqlite

from domain.models import Invite, JoinRequest, RequestStatus
from storage import rows
from storage.db import Database, decide_pending, fetch_one, iso, utcnow
from storage.invites import WITH_ORG, stored_role

_SELECT = "SELECT join_requests.*," + WITH_ORG.format(table="join_requests", key="invite_id")


async def create(conn: aiosqlite.Connection, person_id: int, invite: Invite) -> int:
    """The person's request to join the branch of `invite`, with the role it was made for."""
    cur = await conn.execute(
        "INSERT INTO join_requests (person_id, branch_id, invite_id, role, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (person_id, invite.branch_id, invite.id, stored_role(invite.role), iso(utcnow())),
    )
    return cur.lastrowid


async def get_for_update(conn: aiosqlite.Connection, request_id: int) -> JoinRequest | None:
    row = await fetch_one(conn, _SELECT + " WHERE id = ?", (request_id,))
    return rows.join_request(row) if row else None


async def decide(
    conn: aiosqlite.Connection,
    request_id: int,
    status: RequestStatus,
    decided_by: int,
    reason: str | None = None,
) -> bool:
    """Only a pending request changes; False when someone decided it first."""
    return await decide_pending(conn, "join_requests", request_id, status, decided_by, reason)


async def pending_for_person(db: Database, person_id: int) -> JoinRequest | None:
    row = await db.fetchone(
        _SELECT + " WHERE person_id = ? AND status = 'pending' ORDER BY id DESC LIMIT 1",
        (person_id,),
    )
    return rows.join_request(row) if row else None


async def pending_in_branch(db: Database, branch_id: int) -> list[JoinRequest]:
    found = await db.fetchall(
        _SELECT + " WHERE branch_id = ? AND status = 'pending' ORDER BY created_at, id",
        (branch_id,),
    )
    return [rows.join_request(r) for r in found]
