"""Which group chat belongs to an owner (a branch's chat for the posts' publication)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.db import Reader, fetch_one, iso


async def link_chat(
    conn: aiosqlite.Connection,
    owner_kind: str,
    owner_id: int,
    chat_id: int,
    title: str | None,
    linked_by: int | None,
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO chat_links (owner_kind, owner_id, chat_id, title, linked_by, linked_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(owner_kind, owner_id) DO UPDATE SET"
        " chat_id = excluded.chat_id, title = excluded.title, linked_by = excluded.linked_by,"
        " linked_at = excluded.linked_at",
        (owner_kind, owner_id, chat_id, title, linked_by, iso(now)),
    )


async def linked_chat(conn: Reader, owner_kind: str, owner_id: int) -> int | None:
    row = await fetch_one(
        conn,
        "SELECT chat_id FROM chat_links WHERE owner_kind = ? AND owner_id = ?",
        (owner_kind, owner_id),
    )
    return row["chat_id"] if row else None
