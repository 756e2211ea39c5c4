"""Wrong invitation and certificate codes, by Telegram account and kind of code."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.db import Database, iso, parse_iso


async def since(db: Database, telegram_id: int, kind: str, after: datetime) -> list[datetime]:
    found = await db.fetchall(
        "SELECT at FROM code_failures WHERE telegram_id = ? AND kind = ? AND at > ? ORDER BY at",
        (telegram_id, kind, iso(after)),
    )
    return [parse_iso(r["at"]) for r in found]


async def add(
    conn: aiosqlite.Connection,
    telegram_id: int,
    kind: str,
    at: datetime,
    *,
    forget_before: datetime,
) -> None:
    """A wrong code; the account's older ones, which the limit no longer reads, go."""
    await conn.execute(
        "DELETE FROM code_failures WHERE telegram_id = ? AND kind = ? AND at <= ?",
        (telegram_id, kind, iso(forget_before)),
    )
    await conn.execute(
        "INSERT INTO code_failures (telegram_id, kind, at) VALUES (?, ?, ?)",
        (telegram_id, kind, iso(at)),
    )


async def forget(conn: aiosqlite.Connection, before: datetime) -> None:
    await conn.execute("DELETE FROM code_failures WHERE at <= ?", (iso(before),))
