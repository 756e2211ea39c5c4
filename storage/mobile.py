"""SQL of mobile members: registrations, their versions, reported changes and events, the
branch settings and the secretary's lists (certificates: storage/mobile_certificates.py)."""

from __future__ import annotations

import json
import sqlite3

import aiosqlite

from domain.mobile.models import (
    Change,
    Direction,
    Event,
    ListKind,
    MobileSettings,
    Registration,
    RegStatus,
    Version,
)
from storage import rows
from storage.db import (
    Database,
    Reader,
    decide_pending,
    fetch_one,
    iso,
    parse_iso,
    placeholders,
    utcnow,
)

_CURRENT = (
    "SELECT r.*, p.name AS person_name, p.telegram_id AS person_telegram_id,"
    " v.version, v.details FROM mobile_registrations r"
    " JOIN people p ON p.id = r.person_id"
    " JOIN mobile_versions v ON v.registration_id = r.id AND v.version ="
    " (SELECT MAX(version) FROM mobile_versions WHERE registration_id = r.id)"
)


def _registration(row: sqlite3.Row) -> Registration:
    return rows.build(
        Registration,
        row,
        person_name=row["person_name"] or f"#{row['person_id']}",
        details=json.loads(row["details"]),
    )


async def get(source: Reader, registration_id: int) -> Registration | None:
    return await rows.one(source, _registration, f"{_CURRENT} WHERE r.id = ?", (registration_id,))


async def open_for_person(source: Reader, person_id: int) -> Registration | None:
    return await rows.one(
        source,
        _registration,
        f"{_CURRENT} WHERE r.person_id = ? AND r.status IN ('pending', 'active', 'returning')",
        (person_id,),
    )


async def create(
    conn: aiosqlite.Connection,
    *,
    person_id: int,
    branch_id: int,
    direction: Direction,
    details: dict[str, str],
) -> int:
    cur = await conn.execute(
        "INSERT INTO mobile_registrations (person_id, branch_id, direction, created_at)"
        " VALUES (?, ?, ?, ?)",
        (person_id, branch_id, direction, iso(utcnow())),
    )
    await add_version(conn, cur.lastrowid, 1, details, None, person_id)
    return cur.lastrowid


async def add_version(
    conn: aiosqlite.Connection,
    registration_id: int,
    version: int,
    details: dict[str, str],
    report: dict[str, str] | None,
    created_by: int | None,
) -> None:
    await conn.execute(
        "INSERT INTO mobile_versions (registration_id, version, details, report, created_at,"
        " created_by) VALUES (?, ?, ?, ?, ?, ?)",
        (
            registration_id,
            version,
            json.dumps(details, ensure_ascii=False, sort_keys=True),
            json.dumps(report, ensure_ascii=False, sort_keys=True) if report else None,
            iso(utcnow()),
            created_by,
        ),
    )


async def set_status(
    conn: aiosqlite.Connection,
    registration_id: int,
    expected: tuple[RegStatus, ...],
    status: RegStatus,
    **fields: object,
) -> bool:
    """Change the status only from one of `expected`; False when someone was first."""
    allowed = {"decided_at", "decided_by", "reason", "closed_at"}
    if set(fields) - allowed:
        raise ValueError(f"unknown registration fields {set(fields) - allowed}")
    assignments = "".join(f", {name} = ?" for name in fields)
    marks = placeholders(expected)
    cur = await conn.execute(
        f"UPDATE mobile_registrations SET status = ?{assignments}"
        f" WHERE id = ? AND status IN ({marks})",
        (status, *fields.values(), registration_id, *expected),
    )
    return cur.rowcount == 1


async def touch(conn: aiosqlite.Connection, registration_id: int, column: str) -> None:
    if column not in ("last_report_at", "last_contact_at"):
        raise ValueError(column)
    await conn.execute(
        f"UPDATE mobile_registrations SET {column} = ? WHERE id = ?",
        (iso(utcnow()), registration_id),
    )


async def add_event(
    conn: aiosqlite.Connection,
    registration_id: int,
    kind: str,
    actor_id: int | None,
    note: str | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO mobile_events (registration_id, at, actor_id, kind, note)"
        " VALUES (?, ?, ?, ?, ?)",
        (registration_id, iso(utcnow()), actor_id, kind, note),
    )


def _change(row: sqlite3.Row) -> Change:
    return Change(
        row["id"], row["registration_id"], json.loads(row["changes"]), row["status"], row["reason"]
    )


async def add_change(
    conn: aiosqlite.Connection, registration_id: int, changes: dict[str, str], created_by: int
) -> int:
    cur = await conn.execute(
        "INSERT INTO mobile_changes (registration_id, changes, created_at, created_by)"
        " VALUES (?, ?, ?, ?)",
        (
            registration_id,
            json.dumps(changes, ensure_ascii=False, sort_keys=True),
            iso(utcnow()),
            created_by,
        ),
    )
    return cur.lastrowid


async def get_change(source: Reader, change_id: int) -> Change | None:
    return await rows.one(
        source, _change, "SELECT * FROM mobile_changes WHERE id = ?", (change_id,)
    )


async def decide_change(
    conn: aiosqlite.Connection, change_id: int, status: str, decided_by: int, reason: str | None
) -> bool:
    return await decide_pending(conn, "mobile_changes", change_id, status, decided_by, reason)


async def pending_changes(db: Database, registration_id: int) -> list[Change]:
    found = await db.fetchall(
        "SELECT * FROM mobile_changes WHERE registration_id = ? AND status = 'pending' ORDER BY id",
        (registration_id,),
    )
    return [_change(r) for r in found]


async def versions(db: Database, registration_id: int) -> list[Version]:
    found = await db.fetchall(
        "SELECT * FROM mobile_versions WHERE registration_id = ? ORDER BY version",
        (registration_id,),
    )
    return [
        Version(
            version=r["version"],
            details=json.loads(r["details"]),
            report=json.loads(r["report"]) if r["report"] else None,
            created_at=parse_iso(r["created_at"]),
        )
        for r in found
    ]


async def events(db: Database, registration_id: int) -> list[Event]:
    found = await db.fetchall(
        "SELECT e.*, p.name AS actor_name FROM mobile_events e"
        " LEFT JOIN people p ON p.id = e.actor_id WHERE e.registration_id = ? ORDER BY e.id",
        (registration_id,),
    )
    return [Event(parse_iso(r["at"]), r["kind"], r["actor_name"], r["note"]) for r in found]


async def settings(source: Reader, branch_id: int) -> MobileSettings:
    row = await fetch_one(source, "SELECT * FROM mobile_settings WHERE branch_id = ?", (branch_id,))
    if row is None:
        return MobileSettings()
    return MobileSettings(row["validity_months"], row["report_days"], row["contact_days"])


async def save_settings(conn: aiosqlite.Connection, branch_id: int, chosen: MobileSettings) -> None:
    await conn.execute(
        "INSERT INTO mobile_settings (branch_id, validity_months, report_days, contact_days,"
        " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(branch_id) DO UPDATE SET"
        " validity_months = excluded.validity_months, report_days = excluded.report_days,"
        " contact_days = excluded.contact_days, updated_at = excluded.updated_at",
        (
            branch_id,
            chosen.validity_months,
            chosen.report_days,
            chosen.contact_days,
            iso(utcnow()),
        ),
    )


# Each list's condition; `:cutoff` is an instant or a date the caller computes.
_LISTS: dict[ListKind, str] = {
    ListKind.PENDING: "r.status = 'pending'",
    ListKind.OUTFLOW: "r.direction = 'outflow' AND r.status IN ('active', 'returning')",
    ListKind.INFLOW: "r.direction = 'inflow' AND r.status = 'active'",
    ListKind.REPORT_OVERDUE: "r.status = 'active'"
    " AND COALESCE(r.last_report_at, r.decided_at) < :cutoff",
    ListKind.CONTACT_OVERDUE: "r.status = 'active'"
    " AND COALESCE(r.last_contact_at, r.decided_at) < :cutoff",
    ListKind.EXPIRING: "r.status IN ('active', 'returning') AND EXISTS (SELECT 1"
    " FROM mobile_certificates c WHERE c.registration_id = r.id AND c.status = 'valid'"
    " AND c.valid_until <= :cutoff)",
}


async def count(db: Database, branch_id: int, kind: ListKind, cutoff: str) -> int:
    return await db.fetchval(
        f"SELECT COUNT(*) FROM mobile_registrations r WHERE r.branch_id = :branch"
        f" AND {_LISTS[kind]}",
        {"branch": branch_id, "cutoff": cutoff},
    )


async def page(
    db: Database, branch_id: int, kind: ListKind, cutoff: str, *, limit: int, offset: int
) -> list[Registration]:
    found = await db.fetchall(
        f"{_CURRENT} WHERE r.branch_id = :branch AND {_LISTS[kind]}"
        " ORDER BY r.created_at, r.id LIMIT :limit OFFSET :offset",
        {"branch": branch_id, "cutoff": cutoff, "limit": limit, "offset": offset},
    )
    return [_registration(r) for r in found]
