"""Instructors' assignments and monthly notes (domain/instructors.py)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from domain.instructor_models import Note
from storage import rows
from storage.db import Reader, fetch_all, fetch_one, iso, placeholders


def _note(row: sqlite3.Row) -> Note:
    return Note(
        row["id"],
        row["branch_id"],
        row["person_id"],
        row["month"],
        row["guided"],
        row["problems"],
        datetime.fromisoformat(row["filed_at"]),
    )


async def instructors_of(conn: Reader, branch_ids: list[int]) -> list[tuple[int, int, str]]:
    """(branch id, person id, name) of the active instructors of these branches."""
    if not branch_ids:
        return []
    found = await fetch_all(
        conn,
        "SELECT r.branch_id, p.id, COALESCE(p.name, '#' || p.id) AS name FROM roles r"
        " JOIN people p ON p.id = r.person_id WHERE r.role = 'instructor'"
        f" AND p.status = 'active' AND r.branch_id IN ({placeholders(branch_ids)})"
        " ORDER BY r.branch_id, p.name, p.id",
        tuple(branch_ids),
    )
    return [(r[0], r[1], r[2]) for r in found]


async def telegram_of(conn: Reader, person_id: int) -> int | None:
    row = await fetch_one(
        conn, "SELECT telegram_id FROM people WHERE id = ? AND status = 'active'", (person_id,)
    )
    return row[0] if row else None


async def insert_note(
    conn: aiosqlite.Connection,
    branch_id: int,
    person_id: int,
    month: str,
    guided: str,
    problems: str,
    at: datetime,
) -> int | None:
    """The new note's id; None when the instructor filed this month's note already."""
    row = await fetch_one(
        conn,
        "INSERT INTO instructor_notes (branch_id, person_id, month, guided, problems, filed_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (branch_id, person_id, month) DO NOTHING"
        " RETURNING id",
        (branch_id, person_id, month, guided, problems, iso(at)),
    )
    return row[0] if row else None


async def note_of(conn: Reader, branch_id: int, person_id: int, month: str) -> Note | None:
    return await rows.one(
        conn,
        _note,
        "SELECT * FROM instructor_notes WHERE branch_id = ? AND person_id = ? AND month = ?",
        (branch_id, person_id, month),
    )


async def notes_of_branches(conn: Reader, branch_ids: list[int], month: str) -> list[Note]:
    if not branch_ids:
        return []
    found = await fetch_all(
        conn,
        f"SELECT * FROM instructor_notes WHERE month = ?"
        f" AND branch_id IN ({placeholders(branch_ids)}) ORDER BY branch_id, filed_at",
        (month, *branch_ids),
    )
    return [_note(r) for r in found]


async def without_note(conn: Reader, branch_id: int, month: str) -> list[tuple[int, int | None]]:
    """(person id, Telegram id) of the branch's instructors with no note for `month`."""
    found = await fetch_all(
        conn,
        "SELECT p.id, p.telegram_id FROM roles r JOIN people p ON p.id = r.person_id"
        " WHERE r.branch_id = ? AND r.role = 'instructor' AND p.status = 'active'"
        " AND NOT EXISTS (SELECT 1 FROM instructor_notes n WHERE n.branch_id = r.branch_id"
        "   AND n.person_id = p.id AND n.month = ?) ORDER BY p.id",
        (branch_id, month),
    )
    return [(r[0], r[1]) for r in found]
