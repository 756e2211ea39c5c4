"""What the secretary's digest counts, and the digest's schedule (the branch's own crontab
line for the `secretary-digest` job)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, iso


async def new_registrations(db: Database, branch_id: int, since: datetime) -> int:
    """Applications, mobile-member and cadre registrations made since `since`."""
    return await db.fetchval(
        "SELECT (SELECT COUNT(*) FROM join_requests WHERE branch_id = :b AND created_at >= :s)"
        " + (SELECT COUNT(*) FROM mobile_registrations WHERE branch_id = :b AND created_at >= :s)"
        " + (SELECT COUNT(*) FROM cadre_registrations WHERE branch_id = :b"
        " AND submitted_at >= :s)",
        {"b": branch_id, "s": iso(since)},
    )


async def verified_half_hours(db: Database, branch_id: int, since: datetime) -> int:
    return await db.fetchval(
        "SELECT COALESCE(SUM(half_hours), 0) FROM hour_records"
        " WHERE branch_id = ? AND status = 'verified' AND decided_at >= ?",
        (branch_id, iso(since)),
    )


async def attested_half_hours(db: Database, branch_id: int, since: datetime) -> int:
    """Self-reported hours logged since `since` and still waiting for a decision."""
    return await db.fetchval(
        "SELECT COALESCE(SUM(half_hours), 0) FROM hour_records"
        " WHERE branch_id = ? AND status = 'pending' AND created_at >= ?",
        (branch_id, iso(since)),
    )


async def upcoming_events(
    db: Database, branch_id: int, start: datetime, end: datetime
) -> list[tuple[str, str]]:
    """(title, starts_at) of the branch's events starting in [start, end)."""
    found = await db.fetchall(
        "SELECT title, starts_at FROM events WHERE branch_id = ? AND starts_at >= ?"
        " AND starts_at < ? ORDER BY starts_at",
        (branch_id, iso(start), iso(end)),
    )
    return [(r["title"], r["starts_at"]) for r in found]


async def dead_since(db: Database, branch_id: int, since: datetime) -> int:
    return await db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE branch_id = ? AND status = 'dead' AND created_at >= ?",
        (branch_id, iso(since)),
    )
