"""The hours ledger's SQL. Hours are integer half-hours; days are local YYYY-MM-DD."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import aiosqlite

from domain.activity import ActivityKind, Draft, HourRecord, HourSource, HourStatus
from storage import rows
from storage.db import Database, fetch_one, iso, placeholders, utcnow

_COUNTING = "('pending', 'verified')"


record = rows.mapper(HourRecord)


async def insert(
    conn: aiosqlite.Connection,
    person_id: int,
    branch_id: int,
    draft: Draft,
    status: HourStatus,
    source: HourSource,
) -> int:
    now = iso(utcnow())
    return await rows.insert(
        conn,
        "hour_records",
        draft,
        dict(person_id=person_id, branch_id=branch_id, day=draft.day.isoformat(), status=status),
        dict(source=source, created_at=now, updated_at=now),
    )


async def get(db: Database, record_id: int) -> HourRecord | None:
    return await rows.one(db, record, "SELECT * FROM hour_records WHERE id = ?", (record_id,))


async def get_for_update(conn: aiosqlite.Connection, record_id: int) -> HourRecord | None:
    return await rows.one(conn, record, "SELECT * FROM hour_records WHERE id = ?", (record_id,))


async def day_total(
    conn: aiosqlite.Connection, person_id: int, day: date, *, exclude: int | None = None
) -> int:
    """Half-hours a person already has on a day (pending or verified)."""
    async with conn.execute(
        "SELECT COALESCE(SUM(half_hours), 0) FROM hour_records"
        f" WHERE person_id = ? AND day = ? AND status IN {_COUNTING} AND id <> COALESCE(?, 0)",
        (person_id, day.isoformat(), exclude),
    ) as cur:
        return (await cur.fetchone())[0]


async def set_status(
    conn: aiosqlite.Connection,
    record_id: int,
    status: HourStatus,
    *,
    decided_by: int,
    reason: str | None = None,
) -> None:
    now = iso(utcnow())
    await conn.execute(
        "UPDATE hour_records SET status = ?, reason = ?, decided_by = ?, decided_at = ?,"
        " updated_at = ? WHERE id = ?",
        (status, reason, decided_by, now, now, record_id),
    )


async def set_half_hours(conn: aiosqlite.Connection, record_id: int, half_hours: int) -> None:
    await conn.execute(
        "UPDATE hour_records SET half_hours = ?, updated_at = ? WHERE id = ?",
        (half_hours, iso(utcnow()), record_id),
    )


async def sums(
    db: Database, person_id: int, start: date, end: date
) -> list[tuple[ActivityKind, HourStatus, int]]:
    return (await sums_of(db, [person_id], start, end)).get(person_id, [])


async def sums_of(
    db: Database, person_ids: Sequence[int], start: date, end: date
) -> dict[int, list[tuple[ActivityKind, HourStatus, int]]]:
    """`sums` for many people in one statement (the quarterly feedback's cadres)."""
    if not person_ids:
        return {}
    found = await db.fetchall(
        "SELECT person_id, kind, status, SUM(half_hours) AS total FROM hour_records"
        f" WHERE person_id IN ({', '.join('?' * len(person_ids))}) AND day BETWEEN ? AND ?"
        f" AND status IN {_COUNTING} GROUP BY person_id, kind, status",
        (*person_ids, start.isoformat(), end.isoformat()),
    )
    by_person: dict[int, list[tuple[ActivityKind, HourStatus, int]]] = {}
    for r in found:
        by_person.setdefault(r["person_id"], []).append(
            (ActivityKind(r["kind"]), HourStatus(r["status"]), r["total"])
        )
    return by_person


async def by_person(db: Database, person_id: int, *, offset: int, limit: int) -> list[HourRecord]:
    found = await db.fetchall(
        "SELECT * FROM hour_records WHERE person_id = ? ORDER BY day DESC, id DESC"
        " LIMIT ? OFFSET ?",
        (person_id, limit, offset),
    )
    return [record(r) for r in found]


async def pending_in_branch(db: Database, branch_id: int) -> list[HourRecord]:
    found = await db.fetchall(
        "SELECT * FROM hour_records WHERE branch_id = ? AND status = 'pending'"
        " ORDER BY created_at, id",
        (branch_id,),
    )
    return [record(r) for r in found]


async def verified_in_branch(db: Database, branch_id: int, start: date, end: date) -> int:
    """Half-hours verified in the branch from `start` to `end`, of the people it has now:
    read through each person's days (hour_records_person_day; the unary + and the `|| ''`
    keep SQLite off the (branch, status) index, which would read the branch's every year;
    PostgreSQL has no unary + for text, hence the concatenation there)."""
    return await db.fetchval(
        "SELECT COALESCE(SUM(h.half_hours), 0) FROM people p"
        " JOIN hour_records h ON h.person_id = p.id AND h.day BETWEEN ? AND ?"
        " WHERE p.branch_id = ? AND +h.branch_id = p.branch_id AND h.status || '' = 'verified'",
        (start.isoformat(), end.isoformat(), branch_id),
    )


async def branch_sums(
    db: Database, branch_id: int, start: date, end: date
) -> list[tuple[int, str | None, ActivityKind | None, HourStatus | None, int]]:
    """Per member of the branch (members without hours too): kind, status, half-hours."""
    found = await db.fetchall(
        "SELECT p.id, p.name, h.kind, h.status, COALESCE(SUM(h.half_hours), 0) AS total"
        " FROM people p"
        " LEFT JOIN hour_records h ON h.person_id = p.id AND h.day BETWEEN ? AND ?"
        f"   AND h.status IN {_COUNTING}"
        " WHERE p.status = 'active' AND EXISTS (SELECT 1 FROM roles r WHERE r.person_id = p.id"
        "   AND r.branch_id = ? AND r.role IN ('member', 'cadre'))"
        " GROUP BY p.id, h.kind, h.status ORDER BY p.name, p.id",
        (start.isoformat(), end.isoformat(), branch_id),
    )
    return [
        (
            r["id"],
            r["name"],
            ActivityKind(r["kind"]) if r["kind"] else None,
            HourStatus(r["status"]) if r["status"] else None,
            r["total"],
        )
        for r in found
    ]


async def window_days(db: Database | aiosqlite.Connection, branch_id: int) -> int | None:
    row = await fetch_one(
        db, "SELECT window_days FROM branch_hour_settings WHERE branch_id = ?", (branch_id,)
    )
    return row[0] if row else None


async def set_window_days(conn: aiosqlite.Connection, branch_id: int, days: int) -> None:
    await conn.execute(
        "INSERT INTO branch_hour_settings (branch_id, window_days) VALUES (?, ?)"
        " ON CONFLICT(branch_id) DO UPDATE SET window_days = excluded.window_days",
        (branch_id, days),
    )


async def count_attested(db: Database, branch_id: int) -> bool:
    found = await db.fetchval(
        "SELECT count_attested FROM branch_hour_counting WHERE branch_id = ?", (branch_id,)
    )
    return bool(found)


async def branches_counting_attested(db: Database) -> set[int]:
    found = await db.fetchall("SELECT branch_id FROM branch_hour_counting WHERE count_attested = 1")
    return {r[0] for r in found}


async def set_count_attested(conn: aiosqlite.Connection, branch_id: int, value: bool) -> None:
    await conn.execute(
        "INSERT INTO branch_hour_counting (branch_id, count_attested) VALUES (?, ?)"
        " ON CONFLICT(branch_id) DO UPDATE SET count_attested = excluded.count_attested",
        (branch_id, int(value)),
    )


async def attested_where_counted(
    db: Database, person_ids: list[int], start: date, end: date
) -> dict[int, int]:
    """Per person, pending half-hours on days in [start, end] logged in branches whose
    summaries count attested hours (a person who moved counts per branch)."""
    marks = placeholders(person_ids)
    found = await db.fetchall(
        "SELECT h.person_id, SUM(h.half_hours) FROM hour_records h"
        " JOIN branch_hour_counting c ON c.branch_id = h.branch_id AND c.count_attested = 1"
        f" WHERE h.person_id IN ({marks}) AND h.status = 'pending' AND h.day BETWEEN ? AND ?"
        " GROUP BY h.person_id",
        (*person_ids, start.isoformat(), end.isoformat()),
    )
    return {r[0]: r[1] for r in found}
