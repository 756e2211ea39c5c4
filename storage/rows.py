"""Row → domain dataclass conversions, kept in one place so queries stay short."""

from __future__ import annotations

import sqlite3

from domain.models import (
    Branch,
    Category,
    Invite,
    InviteRole,
    JoinRequest,
    Person,
    PersonStatus,
    RequestStatus,
)
from storage.db import parse_iso


def branch(row: sqlite3.Row) -> Branch:
    return Branch(row["id"], row["name"], row["code"], row["district_id"], row["timezone"])


def person(row: sqlite3.Row) -> Person:
    return Person(
        id=row["id"],
        telegram_id=row["telegram_id"],
        branch_id=row["branch_id"],
        name=row["name"],
        phone=row["phone"],
        category=Category(row["category"]) if row["category"] else None,
        status=PersonStatus(row["status"]),
    )


def invite(row: sqlite3.Row) -> Invite:
    return Invite(
        id=row["id"],
        code=row["code"],
        branch_id=row["branch_id"],
        role=InviteRole(row["role"]),
        uses_left=row["uses_left"],
        expires_at=parse_iso(row["expires_at"]),
        person_id=row["person_id"],
    )


def join_request(row: sqlite3.Row) -> JoinRequest:
    return JoinRequest(
        id=row["id"],
        person_id=row["person_id"],
        branch_id=row["branch_id"],
        role=InviteRole(row["role"]),
        status=RequestStatus(row["status"]),
        created_at=parse_iso(row["created_at"]),
        reason=row["reason"],
    )
