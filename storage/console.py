"""Read queries of the secretary's console: branch listings and the audit log by period."""

from __future__ import annotations

import json
import sqlite3

from storage.db import Database
from storage.people import MEMBER_OF

_AUDIT = (
    "SELECT a.*, p.name AS actor_name FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id"
    " WHERE a.branch_id = ?"
)


def _entry(row: sqlite3.Row) -> dict:
    return dict(row) | {"details": json.loads(row["details"])}


async def members(db: Database, branch_id: int) -> list[sqlite3.Row]:
    """The roster: members, members who left, and applicants to membership; never the
    branch's contacts, nor a secretary the roster does not list."""
    return await db.fetchall(
        f"SELECT * FROM people p WHERE branch_id = ? AND ({MEMBER_OF}"
        " OR EXISTS (SELECT 1 FROM departures d WHERE d.person_id = p.id)"
        " OR (p.status = 'pending' AND EXISTS (SELECT 1 FROM join_requests j"
        "   WHERE j.person_id = p.id AND j.status = 'pending' AND j.role IN ('member', 'cadre'))))"
        " ORDER BY id",
        (branch_id,),
    )


async def audit_between(db: Database, branch_id: int, start: str, end: str) -> list[dict]:
    """Entries of a branch with start <= at < end (UTC ISO), oldest first."""
    found = await db.fetchall(
        f"{_AUDIT} AND a.at >= ? AND a.at < ? ORDER BY a.at, a.id", (branch_id, start, end)
    )
    return [_entry(r) for r in found]


async def audit_page(db: Database, branch_id: int, offset: int, limit: int) -> list[dict]:
    """Newest first; one more than `limit` tells the caller there is another page."""
    found = await db.fetchall(
        f"{_AUDIT} ORDER BY a.at DESC, a.id DESC LIMIT ? OFFSET ?", (branch_id, limit, offset)
    )
    return [_entry(r) for r in found]
