"""The effect journal's table (see domain/effects.py)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.db import Database, iso, utcnow


async def find(db: Database, key: str) -> bytes | None:
    return await db.fetchval("SELECT result FROM update_effects WHERE key = ?", (key,))


async def record(conn: aiosqlite.Connection, key: str, update_id: int, result: bytes) -> None:
    await conn.execute(
        "INSERT INTO update_effects (key, update_id, result, created_at) VALUES (?, ?, ?, ?)",
        (key, update_id, result, iso(utcnow())),
    )


async def forget(conn: aiosqlite.Connection, update_id: int) -> None:
    await conn.execute("DELETE FROM update_effects WHERE update_id = ?", (update_id,))


async def prune(conn: aiosqlite.Connection, before: datetime) -> None:
    """Entries older than `before` whose update is done (normally `forget` dropped them
    as it was marked handled). An update still waiting in the inbox keeps its entries."""
    await conn.execute(
        "DELETE FROM update_effects WHERE created_at < ? AND update_id NOT IN"
        " (SELECT update_id FROM ptb_inbox WHERE handled_at IS NULL)",
        (iso(before),),
    )
