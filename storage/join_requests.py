from __future__ import annotations

import aiosqlite

from domain.models import Invite, JoinRequest, RequestStatus
from storage import rows
from storage.db import Database, decide_pending, iso, utcnow
from storage.invites import WITH_ORG

_SELECT = "SELECT join_requests.*," + WITH_ORG.format(table="join_requests", key="invite_id")


async def create(conn: aiosqlite.Connection, person_id: int, invite: Invite) -> int:
    """The person's request for the role `invite` was made for, in its branch or district."""
    cur = await conn.execute(
        "INSERT INTO join_requests (person_id, branch_id, district_id, invite_id, role,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (person_id, invite.branch_id, invite.district_id, invite.id, invite.role, iso(utcnow())),
    )
    return cur.lastrowid


async def get_for_update(conn: aiosqlite.Connection, request_id: int) -> JoinRequest | None:
    return await rows.one(conn, rows.join_request, _SELECT + " WHERE id = ?", (request_id,))


async def decide(
    conn: aiosqlite.Connection,
    request_id: int,
    status: RequestStatus,
    decided_by: int | None,
    reason: str | None = None,
) -> bool:
    """Only a pending request changes; False when someone decided it first."""
    return await decide_pending(conn, "join_requests", request_id, status, decided_by, reason)


async def pending_for_person(db: Database, person_id: int) -> JoinRequest | None:
    return await rows.one(
        db,
        rows.join_request,
        _SELECT + " WHERE person_id = ? AND status = 'pending' ORDER BY id DESC LIMIT 1",
        (person_id,),
    )


# The requests no secretary decides (domain.onboarding): a branch's instructors and patrons
# (its district decides them) and a district's contacts (the county; they name no branch).
NOT_THE_SECRETARYS = "role NOT IN ('instructor', 'patron', 'district')"


async def pending_in_branch(db: Database, branch_id: int) -> list[JoinRequest]:
    """The branch's pending requests its secretary decides."""
    found = await db.fetchall(
        _SELECT
        + " WHERE branch_id = ? AND status = 'pending' AND "
        + NOT_THE_SECRETARYS
        + " ORDER BY created_at, id",
        (branch_id,),
    )
    return [rows.join_request(r) for r in found]


async def pending_for_district(db: Database, district_id: int) -> list[JoinRequest]:
    """What a district contact decides: the instructors and patrons of its branches."""
    found = await db.fetchall(
        _SELECT + " WHERE status = 'pending' AND role IN ('instructor', 'patron')"
        " AND branch_id IN (SELECT id FROM branches WHERE district_id = ?)"
        " ORDER BY created_at, id",
        (district_id,),
    )
    return [rows.join_request(r) for r in found]


async def pending_everywhere(db: Database) -> list[JoinRequest]:
    """Every pending request, for the operator."""
    found = await db.fetchall(_SELECT + " WHERE status = 'pending' ORDER BY created_at, id")
    return [rows.join_request(r) for r in found]


async def pending_district_contacts(db: Database) -> list[JoinRequest]:
    """What a county contact decides: the district role's requests."""
    found = await db.fetchall(
        _SELECT + " WHERE status = 'pending' AND role = 'district' ORDER BY created_at, id"
    )
    return [rows.join_request(r) for r in found]
