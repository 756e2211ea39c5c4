"""Queueing a feature's notification to a person or to a branch's secretaries, in the
caller's transaction (see domain/outbox.py for what a message is made of)."""

from __future__ import annotations

from typing import Any

import aiosqlite

from domain import outbox
from storage import people
from storage.db import Database


async def to_person(
    conn: aiosqlite.Connection, chat_id: int | None, key: str, **message: Any
) -> int:
    """Queue for one chat (nothing when the person has no chat with the bot); 1 if queued."""
    if chat_id is None:
        return 0
    return int(await outbox.enqueue(conn, key=key, chat_id=chat_id, **message))


async def to_secretaries(
    conn: aiosqlite.Connection,
    db: Database,
    branch_id: int,
    key: str,
    *,
    skip: int | None = None,
    **message: Any,
) -> int:
    """Queue one copy per secretary of the branch but `skip` (a person id), keyed
    `{key}:{secretary id}`. The list is read as committed before the caller's change."""
    queued = 0
    for secretary in await people.secretaries(db, branch_id):
        if secretary.id == skip:
            continue
        queued += await to_person(
            conn, secretary.telegram_id, f"{key}:{secretary.id}", branch_id=branch_id, **message
        )
    return queued
