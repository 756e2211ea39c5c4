"""Broadcasts: who gets one, the record of it, and how far its delivery has come."""

from __future__ import annotations

import sqlite3

import aiosqlite

from storage import audit
from storage.db import Database, iso, utcnow
from storage.people import MEMBER_OF

# (person id, chat) of the members of a branch with Telegram, per audience: contacts and a
# secretary the roster does not list are not members.
_ACTIVE = f"p.branch_id = :branch AND {MEMBER_OF} AND p.telegram_id IS NOT NULL"
_AUDIENCES: dict[str, str] = {
    "all": f"SELECT p.id, p.telegram_id FROM people p WHERE {_ACTIVE}",
    "cadres": (
        "SELECT p.id, p.telegram_id FROM people p WHERE "
        + _ACTIVE
        + " AND (p.category = 'cadre' OR EXISTS (SELECT 1 FROM roles r WHERE r.person_id = p.id"
        " AND r.branch_id = p.branch_id AND r.role = 'cadre'))"
    ),
    "post": (
        "SELECT DISTINCT p.id, p.telegram_id FROM post_claims c JOIN posts po ON po.id = c.post_id"
        " JOIN people p ON p.id = c.person_id WHERE "
        + _ACTIVE
        + " AND po.branch_id = :branch AND po.id = :target AND c.year = :year"
        " AND c.status IN ('approved', 'leaving')"
    ),
    "event": (
        "SELECT p.id, p.telegram_id FROM event_attendance a JOIN events e ON e.id = a.event_id"
        " JOIN people p ON p.id = a.person_id WHERE "
        + _ACTIVE
        + " AND e.branch_id = :branch AND e.id = :target"
    ),
}


async def recipients(
    db: Database, branch_id: int, audience: str, target: int | None, year: int
) -> list[tuple[int, int]]:
    found = await db.fetchall(
        _AUDIENCES[audience] + " ORDER BY p.id",
        {"branch": branch_id, "target": target, "year": year},
    )
    return [(r[0], r[1]) for r in found]


async def record(conn: aiosqlite.Connection, secretary_id: int, branch_id: int, **details) -> int:
    """A broadcast's record is its audit entry; that entry's id names the broadcast."""
    return await audit.record(
        conn,
        action="broadcast.sent",
        subject_type="broadcast",
        subject_id=None,
        actor_id=secretary_id,
        branch_id=branch_id,
        **details,
    )


async def create(
    conn: aiosqlite.Connection,
    broadcast_id: int,
    branch_id: int,
    file_name: str | None,
    content: bytes | None,
    photo: bool,
) -> None:
    await conn.execute(
        "INSERT INTO broadcasts (id, branch_id, file_name, file_content, file_as_photo,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)",
        (broadcast_id, branch_id, file_name, content, int(photo), iso(utcnow())),
    )


async def file_of(db: Database, broadcast_id: int) -> sqlite3.Row | None:
    return await db.fetchone(
        "SELECT file_name, file_content, file_as_photo FROM broadcasts"
        " WHERE id = ? AND file_content IS NOT NULL",
        (broadcast_id,),
    )


async def show_progress(db: Database, broadcast_id: int, chat_id: int, message_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, broadcast_id),
        )


async def get(db: Database, broadcast_id: int) -> sqlite3.Row | None:
    return await db.fetchone(
        "SELECT id, branch_id, progress_chat_id, progress_message_id, finished_at FROM broadcasts"
        " WHERE id = ?",
        (broadcast_id,),
    )


async def unfinished(db: Database) -> list[int]:
    found = await db.fetchall("SELECT id FROM broadcasts WHERE finished_at IS NULL ORDER BY id")
    return [r[0] for r in found]


async def finish(db: Database, broadcast_id: int) -> None:
    """Every message is settled: the file is no longer needed."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE broadcasts SET finished_at = ?, file_content = NULL"
            " WHERE id = ? AND finished_at IS NULL",
            (iso(utcnow()), broadcast_id),
        )


def key_prefix(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:"


async def delivery(db: Database, broadcast_id: int) -> dict[str, int]:
    """Outbox statuses of the broadcast's messages (a range of the unique key's index)."""
    prefix = key_prefix(broadcast_id)
    found = await db.fetchall(
        "SELECT status, COUNT(*) AS n FROM outbox WHERE key >= ? AND key < ? GROUP BY status",
        (prefix, prefix[:-1] + ";"),
    )
    return {r["status"]: r["n"] for r in found}


async def recent_events(db: Database, branch_id: int, limit: int) -> list[sqlite3.Row]:
    return await db.fetchall(
        "SELECT id, title, starts_at FROM events WHERE branch_id = ?"
        " ORDER BY starts_at DESC LIMIT ?",
        (branch_id, limit),
    )
