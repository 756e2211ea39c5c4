"""SQL of the appraisal's disposals: what the branch decided for a participant graded
不合格 (限期改正 with its deadline and follow-up, 劝退, 除名) and the deadline reminders."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import aiosqlite

from domain.appraisal.models import Disposal, DisposalRecord
from storage import rows
from storage.db import Reader, fetch_all, iso

_disposal = rows.mapper(DisposalRecord)


async def add_disposal(
    conn: aiosqlite.Connection,
    round_id: int,
    person_id: int,
    kind: Disposal,
    decided_on: date,
    deadline: date | None,
    by: int,
) -> int | None:
    """None when the person's disposal was recorded before."""
    cur = await conn.execute(
        "INSERT INTO appraisal_disposals (round_id, person_id, kind, decided_on, deadline,"
        " decided_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, person_id) DO NOTHING"
        " RETURNING id",
        (
            round_id,
            person_id,
            kind,
            decided_on.isoformat(),
            deadline.isoformat() if deadline else None,
            by,
        ),
    )
    row = await cur.fetchone()
    await cur.close()
    return row[0] if row else None


async def disposals(source: Reader, round_id: int) -> dict[int, DisposalRecord]:
    found = await fetch_all(
        source, "SELECT * FROM appraisal_disposals WHERE round_id = ?", (round_id,)
    )
    return {r["person_id"]: _disposal(r) for r in found}


async def record_follow_up(
    conn: aiosqlite.Connection, disposal_id: int, text: str, on: date
) -> bool:
    cur = await conn.execute(
        "UPDATE appraisal_disposals SET follow_up = ?, followed_up_on = ?"
        " WHERE id = ? AND kind = 'correct'",
        (text, on.isoformat(), disposal_id),
    )
    return cur.rowcount == 1


async def deadlines_due(source: Reader, branch_id: int, today: date) -> list[sqlite3.Row]:
    """限期改正 whose deadline has come and whose secretaries were not yet reminded."""
    return await fetch_all(
        source,
        "SELECT d.id, d.person_id, d.deadline, r.year, p.name FROM appraisal_disposals d"
        " JOIN appraisal_rounds r ON r.id = d.round_id JOIN people p ON p.id = d.person_id"
        " WHERE r.branch_id = ? AND d.kind = 'correct' AND d.reminded_at IS NULL"
        " AND d.deadline <= ? ORDER BY d.id",
        (branch_id, today.isoformat()),
    )


async def mark_deadline_reminded(
    conn: aiosqlite.Connection, disposal_id: int, now: datetime
) -> None:
    await conn.execute(
        "UPDATE appraisal_disposals SET reminded_at = ? WHERE id = ?", (iso(now), disposal_id)
    )
