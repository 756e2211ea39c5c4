"""Events, answers, attendance and reminders: the SQL."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from domain.activity import Attendance, CheckMethod, Event, EventDraft, Rsvp
from domain.models import Person
from storage import rows
from storage.db import Database, Params, fetch_all, iso, parse_iso, placeholders, utcnow


async def _changed_one(conn: aiosqlite.Connection, sql: str, params: Params) -> bool:
    """Whether the statement changed the one row it is about (none: it was done before)."""
    cur = await conn.execute(sql, params)
    return cur.rowcount == 1


event = rows.mapper(Event)
attendance = rows.mapper(Attendance)


async def insert(
    conn: aiosqlite.Connection, draft: EventDraft, secret: str, created_by: int | None
) -> int:
    when = dict(starts_at=iso(draft.starts_at), ends_at=iso(draft.ends_at))
    flags = dict(open_to_cadres=int(draft.open_to_cadres), open_to_inflow=int(draft.open_to_inflow))
    made = dict(secret=secret, created_by=created_by, created_at=iso(utcnow()))
    return await rows.insert(conn, "events", draft, when, flags, made)


async def get(db: Database | aiosqlite.Connection, event_id: int) -> Event | None:
    found = await fetch_all(db, "SELECT * FROM events WHERE id = ?", (event_id,))
    return event(found[0]) if found else None


async def ending_after(
    db: Database, branch_id: int, moment: datetime, starting_before: datetime
) -> list[Event]:
    """Events of a branch not over at `moment` that start before `starting_before`."""
    found = await db.fetchall(
        "SELECT * FROM events WHERE branch_id = ? AND starts_at < ? AND ends_at > ?"
        " ORDER BY starts_at, id",
        (branch_id, iso(starting_before), iso(moment)),
    )
    return [event(r) for r in found]


async def eligible_people(
    db: Database | aiosqlite.Connection, ev: Event, roles: tuple[str, ...]
) -> list[Person]:
    """Active people of the event's branch holding one of `roles`, as the event is open."""
    marks = placeholders(roles)
    found = await fetch_all(
        db,
        "SELECT DISTINCT p.* FROM people p JOIN roles r ON r.person_id = p.id"
        f" WHERE r.branch_id = ? AND r.role IN ({marks}) AND p.status = 'active'"
        " AND (? = 1 OR p.category IS NULL OR p.category <> 'cadre')"
        " AND (? = 1 OR p.category IS NULL OR p.category <> 'mobile')"
        " ORDER BY p.name, p.id",
        (ev.branch_id, *roles, int(ev.open_to_cadres), int(ev.open_to_inflow)),
    )
    return [rows.person(r) for r in found]


async def answer(db: Database | aiosqlite.Connection, event_id: int, person_id: int) -> Rsvp | None:
    found = await fetch_all(
        db,
        "SELECT answer FROM event_rsvps WHERE event_id = ? AND person_id = ?",
        (event_id, person_id),
    )
    return Rsvp(found[0][0]) if found else None


async def going_count(conn: aiosqlite.Connection, event_id: int, *, besides: int) -> int:
    found = await fetch_all(
        conn,
        "SELECT COUNT(*) FROM event_rsvps WHERE event_id = ? AND answer = 'going'"
        " AND person_id != ?",
        (event_id, besides),
    )
    return found[0][0]


async def set_answer(
    conn: aiosqlite.Connection, event_id: int, person_id: int, value: Rsvp, at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO event_rsvps (event_id, person_id, answer, answered_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(event_id, person_id) DO UPDATE"
        " SET answer = excluded.answer, answered_at = excluded.answered_at",
        (event_id, person_id, value, iso(at)),
    )


async def attendance_of(
    conn: aiosqlite.Connection, event_id: int, person_id: int
) -> Attendance | None:
    found = await fetch_all(
        conn,
        "SELECT * FROM event_attendance WHERE event_id = ? AND person_id = ?",
        (event_id, person_id),
    )
    return attendance(found[0]) if found else None


async def check_in(
    conn: aiosqlite.Connection, event_id: int, person_id: int, at: datetime, method: CheckMethod
) -> bool:
    """False when the person was already checked in (the row is never overwritten). A
    secretary who marks someone present is recorded by the check-out (`marked_by`)."""
    return await _changed_one(
        conn,
        "INSERT INTO event_attendance (event_id, person_id, checked_in_at, method_in)"
        " VALUES (?, ?, ?, ?) ON CONFLICT(event_id, person_id) DO NOTHING",
        (event_id, person_id, iso(at), method),
    )


async def _while_open(
    conn: aiosqlite.Connection, event_id: int, person_id: int, changes: str, *values: object
) -> bool:
    """`changes` (an UPDATE's SET list) to the person's attendance while it is open: False
    once they are checked out, so a late or repeated step changes nothing."""
    return await _changed_one(
        conn,
        f"UPDATE event_attendance SET {changes}"
        " WHERE event_id = ? AND person_id = ? AND checked_out_at IS NULL",
        (*values, event_id, person_id),
    )


async def seen(conn: aiosqlite.Connection, event_id: int, person_id: int, at: datetime) -> bool:
    return await _while_open(conn, event_id, person_id, "last_seen_at = ?", iso(at))


async def open_after_window(
    conn: aiosqlite.Connection, closed_before: datetime
) -> list[sqlite3.Row]:
    """Attendances still open at events whose check-out window has closed."""
    return await fetch_all(
        conn,
        "SELECT a.event_id, a.person_id, a.checked_in_at, a.last_seen_at, p.telegram_id"
        " FROM event_attendance a JOIN events e ON e.id = a.event_id"
        " JOIN people p ON p.id = a.person_id"
        " WHERE a.checked_out_at IS NULL AND e.ends_at < ?",
        (iso(closed_before),),
    )


async def auto_close(
    conn: aiosqlite.Connection, event_id: int, person_id: int, at: datetime
) -> bool:
    """Closed by the events job, with no check-out method: nobody checked out."""
    changes = "checked_out_at = ?, auto_closed = 1"
    return await _while_open(conn, event_id, person_id, changes, iso(at))


async def check_out(
    conn: aiosqlite.Connection,
    event_id: int,
    person_id: int,
    at: datetime,
    method: CheckMethod,
    marked_by: int | None = None,
) -> bool:
    changes = "checked_out_at = ?, method_out = ?, marked_by = COALESCE(?, marked_by)"
    return await _while_open(conn, event_id, person_id, changes, iso(at), method, marked_by)


async def wrong_codes_since(db: Database, person_id: int, since: datetime) -> list[datetime]:
    found = await db.fetchall(
        "SELECT at FROM checkin_failures WHERE person_id = ? AND at > ? ORDER BY at",
        (person_id, iso(since)),
    )
    return [parse_iso(r["at"]) for r in found]


async def add_wrong_code(
    conn: aiosqlite.Connection, person_id: int, at: datetime, *, forget_before: datetime
) -> None:
    """A wrong code, kept only while the limit looks back: older ones are deleted."""
    await forget_wrong_codes(conn, forget_before, person_id)
    await conn.execute(
        "INSERT INTO checkin_failures (person_id, at) VALUES (?, ?)", (person_id, iso(at))
    )


async def forget_wrong_codes(
    conn: aiosqlite.Connection, before: datetime, person_id: int | None = None
) -> None:
    """Wrong codes up to `before`, of one person or of everybody."""
    await conn.execute(
        "DELETE FROM checkin_failures"
        " WHERE at <= ? AND (CAST(? AS BIGINT) IS NULL OR person_id = ?)",
        (iso(before), person_id, person_id),
    )


async def roster(db: Database, event_id: int) -> list[sqlite3.Row]:
    """Everyone who answered or attended: answer, attendance and verified half-hours."""
    return await db.fetchall(
        "SELECT p.id AS person_id, p.name, p.telegram_id, r.answer, a.checked_in_at,"
        " a.checked_out_at, a.method_in, a.method_out, a.auto_closed, h.half_hours"
        " FROM people p"
        " LEFT JOIN event_rsvps r ON r.person_id = p.id AND r.event_id = :event"
        " LEFT JOIN event_attendance a ON a.person_id = p.id AND a.event_id = :event"
        " LEFT JOIN hour_records h ON h.person_id = p.id AND h.event_id = :event"
        "   AND h.status = 'verified'"
        " WHERE r.answer IS NOT NULL OR a.person_id IS NOT NULL"
        " ORDER BY p.name, p.id",
        {"event": event_id},
    )


async def lead_minutes(db: Database, person_id: int) -> int | None:
    return await db.fetchval(
        "SELECT lead_minutes FROM reminder_leads WHERE person_id = ?", (person_id,)
    )


async def set_lead_minutes(conn: aiosqlite.Connection, person_id: int, minutes: int) -> None:
    await conn.execute(
        "INSERT INTO reminder_leads (person_id, lead_minutes) VALUES (?, ?)"
        " ON CONFLICT(person_id) DO UPDATE SET lead_minutes = excluded.lead_minutes",
        (person_id, minutes),
    )


async def reminder_candidates(
    conn: aiosqlite.Connection, now: datetime, horizon: datetime, default_lead: int
) -> list[sqlite3.Row]:
    """Going answers to events starting within the horizon that have had no reminder."""
    return await fetch_all(
        conn,
        "SELECT e.id AS event_id, p.id AS person_id, p.telegram_id, p.category, e.starts_at,"
        " COALESCE(l.lead_minutes, ?) AS lead"
        " FROM events e"
        " JOIN event_rsvps r ON r.event_id = e.id AND r.answer = 'going'"
        " JOIN people p ON p.id = r.person_id AND p.status = 'active'"
        " LEFT JOIN reminder_leads l ON l.person_id = p.id"
        " LEFT JOIN event_reminders s ON s.event_id = e.id AND s.person_id = p.id"
        " WHERE s.event_id IS NULL AND e.starts_at > ? AND e.starts_at <= ?",
        (default_lead, iso(now), iso(horizon)),
    )


async def claim_reminder(
    conn: aiosqlite.Connection, event_id: int, person_id: int, at: datetime
) -> bool:
    return await _changed_one(
        conn,
        "INSERT INTO event_reminders (event_id, person_id, sent_at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (event_id, person_id, iso(at)),
    )
