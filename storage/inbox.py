"""The durable inbox of incoming updates (see bot/inbox.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import aiosqlite

from storage.db import Database, iso, utcnow


async def receive(db: Database, update_id: int, data: dict) -> bool:
    """Store an update; False when it was stored before (a redelivery)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO ptb_inbox (update_id, data, received_at) VALUES (?, ?, ?)"
            " ON CONFLICT(update_id) DO NOTHING",
            (update_id, json.dumps(data, ensure_ascii=False), iso(utcnow())),
        )
    return cur.rowcount == 1


async def mark_handled(conn: aiosqlite.Connection, update_id: int) -> None:
    await conn.execute(
        "UPDATE ptb_inbox SET handled_at = ? WHERE update_id = ?", (iso(utcnow()), update_id)
    )


async def unhandled(db: Database) -> list[dict]:
    found = await db.fetchall(
        "SELECT data FROM ptb_inbox WHERE handled_at IS NULL ORDER BY update_id"
    )
    return [json.loads(row["data"]) for row in found]


async def prune(db: Database, now: datetime | None = None, keep: timedelta = timedelta(days=1)):
    cutoff = iso((now or utcnow()) - keep)
    async with db.transaction() as conn:
        await conn.execute(
            "DELETE FROM ptb_inbox WHERE handled_at IS NOT NULL AND handled_at < ?", (cutoff,)
        )
