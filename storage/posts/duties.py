"""Duty records and residents' requests noted against a post."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime

import aiosqlite

from domain.post_models import DutyRecord
from storage import rows
from storage.db import Reader, fetch_all, iso, placeholders


async def link_ledger_entry(conn: aiosqlite.Connection, duty_id: int, entry_id: int) -> None:
    await conn.execute(
        "UPDATE duty_records SET ledger_entry_id = ? WHERE id = ?", (entry_id, duty_id)
    )


async def insert_duty(conn: aiosqlite.Connection, record: DutyRecord, now: datetime) -> int:
    stored = dict(done_on=record.done_on.isoformat(), created_at=iso(now))
    return await rows.insert(conn, "duty_records", record, stored)


async def duties_of(conn: Reader, person_id: int, year: int) -> list[DutyRecord]:
    found = await fetch_all(
        conn,
        "SELECT * FROM duty_records WHERE person_id = ? AND year = ? ORDER BY done_on, id",
        (person_id, year),
    )
    return [_duty(r) for r in found]


async def duties_done(
    conn: Reader, person_ids: Sequence[int], years: range, start: date, end: date
) -> list[DutyRecord]:
    """The people's duty records of cycles in `years` done from `start` to `end`."""
    found = await fetch_all(
        conn,
        f"SELECT * FROM duty_records WHERE person_id IN ({placeholders(person_ids)})"
        " AND year BETWEEN ? AND ? AND done_on BETWEEN ? AND ?"
        " ORDER BY person_id, done_on, id",
        (*person_ids, years.start, years.stop - 1, start.isoformat(), end.isoformat()),
    )
    return [_duty(r) for r in found]


_duty = rows.mapper(DutyRecord)


async def requests_in(conn: Reader, branch_id: int, year: int) -> list[sqlite3.Row]:
    return await fetch_all(
        conn,
        "SELECT r.* FROM resident_requests r JOIN posts p ON p.id = r.post_id"
        " WHERE p.branch_id = ? AND r.year = ? ORDER BY r.id",
        (branch_id, year),
    )


async def insert_request(
    conn: aiosqlite.Connection, post_id: int, noted_by: int, year: int, text: str, now: datetime
) -> int:
    noted = dict(post_id=post_id, noted_by=noted_by, year=year, text=text, created_at=iso(now))
    return await rows.insert(conn, "resident_requests", noted)
