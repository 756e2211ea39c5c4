"""Cadres' annual registrations (versioned), leave settings, remarks and reminders sent."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime

import aiosqlite

from domain.models import CadreRegistration, Leave, Person, RegistrationStatus
from storage import rows
from storage.db import Database, iso, placeholders, utcnow

FACTS = ("unit_id", "unit_name", "name", "position", "rank", "address", "phone")


async def insert(
    conn: aiosqlite.Connection, *, person_id: int, branch_id: int, year: int, facts: dict
) -> int:
    """A new version; earlier ones stay as they were."""
    async with conn.execute(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM cadre_registrations WHERE person_id = ?",
        (person_id,),
    ) as cur:
        version = (await cur.fetchone())[0]
    cur = await conn.execute(
        "INSERT INTO cadre_registrations (person_id, branch_id, year, version,"
        f" {', '.join(FACTS)}, submitted_at) VALUES (?, ?, ?, ?, {', '.join('?' * len(FACTS))}, ?)",
        (person_id, branch_id, year, version, *(facts[f] for f in FACTS), iso(utcnow())),
    )
    return cur.lastrowid


async def get_for_update(
    conn: aiosqlite.Connection, registration_id: int
) -> CadreRegistration | None:
    return await rows.one(
        conn,
        rows.cadre_registration,
        "SELECT * FROM cadre_registrations WHERE id = ?",
        (registration_id,),
    )


async def decide(
    conn: aiosqlite.Connection,
    registration_id: int,
    status: RegistrationStatus,
    decided_by: int,
    unit_id: int | None,
) -> bool:
    """Only a pending version changes (its unit may be filled in when the secretary adds
    a unit that was not listed); False when someone decided it first."""
    cur = await conn.execute(
        "UPDATE cadre_registrations SET status = ?, decided_at = ?, decided_by = ?,"
        " unit_id = COALESCE(unit_id, ?) WHERE id = ? AND status = 'pending'",
        (status, iso(utcnow()), decided_by, unit_id, registration_id),
    )
    return cur.rowcount == 1


async def history(db: Database, person_id: int) -> list[CadreRegistration]:
    found = await db.fetchall(
        "SELECT * FROM cadre_registrations WHERE person_id = ? ORDER BY version", (person_id,)
    )
    return [rows.cadre_registration(r) for r in found]


async def pending_of(conn: aiosqlite.Connection, person_id: int) -> CadreRegistration | None:
    return await rows.one(
        conn,
        rows.cadre_registration,
        "SELECT * FROM cadre_registrations WHERE person_id = ? AND status = 'pending'"
        " ORDER BY version DESC LIMIT 1",
        (person_id,),
    )


# The newest confirmed version per cadre for a year: the registration in force.
_CURRENT = (
    "SELECT r.* FROM cadre_registrations r WHERE r.year = ? AND r.status = 'confirmed'"
    " AND r.version = (SELECT MAX(version) FROM cadre_registrations x"
    " WHERE x.person_id = r.person_id AND x.year = r.year AND x.status = 'confirmed')"
)


async def current(db: Database, year: int, branch_id: int | None = None) -> list[CadreRegistration]:
    """The county's registrations in force, or one branch's (registered with it)."""
    mine = "" if branch_id is None else " AND r.branch_id = ?"
    params = (year,) if branch_id is None else (year, branch_id)
    found = await db.fetchall(_CURRENT + mine + " ORDER BY r.person_id", params)
    return [rows.cadre_registration(r) for r in found]


async def latest_confirmed(db: Database, person_id: int) -> CadreRegistration | None:
    return await rows.one(
        db,
        rows.cadre_registration,
        "SELECT * FROM cadre_registrations WHERE person_id = ? AND status = 'confirmed'"
        " ORDER BY version DESC LIMIT 1",
        (person_id,),
    )


_IS_CADRE = (
    "p.status = 'active' AND (p.category = 'cadre'"
    " OR EXISTS (SELECT 1 FROM roles r WHERE r.person_id = p.id AND r.role = 'cadre')"
    " OR EXISTS (SELECT 1 FROM cadre_registrations c WHERE c.person_id = p.id))"
)


async def cadre_people(db: Database, branch_id: int | None = None) -> list[Person]:
    """Every active person registered or invited as a cadre, or those of one branch."""
    mine, params = ("", ()) if branch_id is None else ("p.branch_id = ? AND ", (branch_id,))
    return await rows.people(
        db, f"SELECT p.* FROM people p WHERE {mine}{_IS_CADRE} ORDER BY p.id", params
    )


async def to_register(db: Database, branch_id: int, year: int) -> list[tuple[Person, bool]]:
    """The branch's cadres with no confirmed registration for `year`, each with whether one
    waits for the secretary's confirmation. One branch's rows: the digest asks per branch,
    and reading the county's cadres each time made 200 digests take 17 s."""
    found = await db.fetchall(
        "SELECT p.*, EXISTS (SELECT 1 FROM cadre_registrations c WHERE c.person_id = p.id"
        " AND c.year = ? AND c.status = 'pending') AS waiting"
        f" FROM people p WHERE p.branch_id = ? AND {_IS_CADRE}"
        " AND NOT EXISTS (SELECT 1 FROM cadre_registrations c WHERE c.person_id = p.id"
        " AND c.year = ? AND c.status = 'confirmed') ORDER BY p.id",
        (year, branch_id, year),
    )
    return [(rows.person(r), bool(r["waiting"])) for r in found]


async def set_leave(
    conn: aiosqlite.Connection, person_id: int, until: date | None, note: str | None
) -> None:
    await conn.execute(
        "INSERT INTO cadre_settings (person_id, leave_until, leave_note, updated_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET"
        " leave_until = excluded.leave_until, leave_note = excluded.leave_note,"
        " updated_at = excluded.updated_at",
        (person_id, until.isoformat() if until else None, note, iso(utcnow())),
    )


async def leaves(db: Database) -> dict[int, Leave]:
    found = await db.fetchall(
        "SELECT person_id, leave_until, leave_note FROM cadre_settings"
        " WHERE leave_until IS NOT NULL"
    )
    return {r[0]: Leave(date.fromisoformat(r[1]), r[2]) for r in found}


async def add_remark(
    conn: aiosqlite.Connection, *, person_id: int, quarter: str, remark: str, author_id: int
) -> None:
    await conn.execute(
        "INSERT INTO cadre_remarks (person_id, quarter, remark, author_id, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (person_id, quarter, remark, author_id, iso(utcnow())),
    )


async def remarks(db: Database, quarter: str) -> dict[int, str]:
    found = await db.fetchall(
        "SELECT person_id, remark FROM cadre_remarks WHERE quarter = ? ORDER BY id", (quarter,)
    )
    return {r[0]: r[1] for r in found}  # later rows win: the newest remark


async def reminders_sent(db: Database, year: int) -> dict[int, list[date]]:
    found = await db.fetchall(
        "SELECT person_id, sent_on FROM cadre_reminders WHERE year = ? AND kind = 'registration'"
        " ORDER BY sent_on",
        (year,),
    )
    sent: dict[int, list[date]] = {}
    for person_id, day in found:
        sent.setdefault(person_id, []).append(date.fromisoformat(day))
    return sent


async def escalated(db: Database, year: int) -> set[int]:
    found = await db.fetchall(
        "SELECT person_id FROM cadre_reminders WHERE year = ? AND kind = 'escalation'", (year,)
    )
    return {r[0] for r in found}


async def record_reminder(
    conn: aiosqlite.Connection, person_id: int, year: int, kind: str, day: date
) -> None:
    sent = dict(person_id=person_id, year=year, kind=kind, sent_on=day.isoformat())
    await rows.insert_new(conn, "cadre_reminders", sent)


async def confirmed_up_to(db: Database, year: int) -> list[CadreRegistration]:
    found = await db.fetchall(
        "SELECT * FROM cadre_registrations WHERE status = 'confirmed' AND year <= ?"
        " ORDER BY person_id, version",
        (year,),
    )
    return [rows.cadre_registration(r) for r in found]


async def events_attended(
    db: Database, person_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, int]:
    """Events attended (checked in) by each person among those starting in [start, end)."""
    if not person_ids:
        return {}
    marks = placeholders(person_ids)
    found = await db.fetchall(
        "SELECT a.person_id, COUNT(*) FROM event_attendance a"
        " JOIN events e ON e.id = a.event_id"
        f" WHERE a.person_id IN ({marks}) AND e.starts_at >= ? AND e.starts_at < ?"
        " GROUP BY a.person_id",
        (*person_ids, iso(start), iso(end)),
    )
    return {r[0]: r[1] for r in found}


async def cadre_invitations(db: Database, start: datetime, end: datetime) -> list[sqlite3.Row]:
    """Events open to cadres starting in [start, end), with each active cadre of the
    event's branch who has not answered yet."""
    return await db.fetchall(
        "SELECT e.id AS event_id, e.title, e.starts_at, e.place, e.branch_id,"
        " p.id AS person_id, p.telegram_id"
        " FROM events e"
        " JOIN roles r ON r.branch_id = e.branch_id AND r.role = 'cadre'"
        " JOIN people p ON p.id = r.person_id AND p.status = 'active'"
        "  AND p.branch_id = e.branch_id AND p.telegram_id IS NOT NULL"
        " LEFT JOIN event_rsvps a ON a.event_id = e.id AND a.person_id = p.id"
        " WHERE e.open_to_cadres = 1 AND e.starts_at >= ? AND e.starts_at < ?"
        "  AND a.event_id IS NULL"
        " ORDER BY e.starts_at, p.id",
        (iso(start), iso(end)),
    )


async def get(db: Database, registration_id: int) -> CadreRegistration | None:
    return await get_for_update(db.reading, registration_id)
