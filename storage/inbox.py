"""The durable inbox of incoming updates (see bot/inbox.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import aiosqlite

from storage import effects
from storage.db import Database, fetch_one, iso, placeholders, utcnow

RECEIVE = (
    "INSERT INTO ptb_inbox (update_id, data, received_at) SELECT ?, ?, ?"
    " WHERE NOT EXISTS (SELECT 1 FROM ptb_inbox WHERE update_id = ? AND data IN (?, ?))"
)

# Wakes the owners of the person's partition (bot/partitions.py) on every instance.
NOTIFY_CHANNEL = "partybot_inbox"
# PostgreSQL, several instances: the same, and the notification in the same statement.
RECEIVE_AND_NOTIFY = f"WITH stored AS ({RECEIVE} RETURNING 1) SELECT pg_notify(?, ?) FROM stored"


async def receive(
    db: Database, update_id: int, data: dict, person: int | None = None, *, shared: bool = False
) -> bool:
    """Store an update; False when it was stored before (a redelivery: the same id and the
    same content). The same id with other content is a new update from a Bot API server
    whose counter started again. `person`: whose update it is (in the notification). `shared`
    (PostgreSQL, several instances): a redelivery may reach another instance at the same
    moment, so the check and the insert run in a write transaction (storage.db.WRITER_LOCK
    orders them: the second one's check sees the first one's row), and the owners are woken
    by the same statement."""
    text = json.dumps(data, ensure_ascii=False)
    params = (update_id, text, iso(utcnow()), update_id, text, _digest(text))
    if not shared:
        return await db.write(RECEIVE, params) == 1
    async with db.transaction() as conn:
        cursor = await conn.execute(RECEIVE_AND_NOTIFY, (*params, NOTIFY_CHANNEL, str(person or 0)))
        return cursor.rowcount == 1


def partition_of(person: int | None, partitions: int) -> int:
    return abs(person or 0) % partitions


async def unhandled_ids(db: Database) -> list[int]:
    """The inbox rows not handled yet, in update order (the partial index's rows)."""
    found = await db.fetchall(
        "SELECT id FROM ptb_inbox WHERE handled_at IS NULL ORDER BY update_id, id"
    )
    return [row["id"] for row in found]


async def contents(db: Database, ids: list[int]) -> dict[int, dict]:
    found = await db.fetchall(
        f"SELECT id, data FROM ptb_inbox WHERE id IN ({placeholders(ids)})", tuple(ids)
    )
    return {row["id"]: json.loads(row["data"]) for row in found}


# The oldest unhandled one of that id: after a counter restart the id may have an older,
# handled namesake.
MARK_HANDLED = (
    "UPDATE ptb_inbox SET handled_at = ? WHERE id = (SELECT MIN(id) FROM ptb_inbox"
    " WHERE update_id = ? AND handled_at IS NULL)"
)


def _digest(text: str) -> str:
    """What a forgotten update keeps: enough to know a redelivery of it, nothing it said."""
    return json.dumps({"forgotten": hashlib.sha256(text.encode()).hexdigest()})


async def mark_handled(
    conn: aiosqlite.Connection | Database, update_id: int, *, forget: bool = False
) -> None:
    """In the caller's transaction, or (a Database) as a statement of its own. With
    `forget` (in a transaction), the update's content is replaced by its digest."""
    if forget:
        row = await fetch_one(
            conn,
            "SELECT id, data FROM ptb_inbox WHERE update_id = ? AND handled_at IS NULL"
            " ORDER BY id LIMIT 1",
            (update_id,),
        )
        if row is not None:
            await conn.execute(
                "UPDATE ptb_inbox SET handled_at = ?, data = ? WHERE id = ?",
                (iso(utcnow()), _digest(row["data"]), row["id"]),
            )
        return
    params = (iso(utcnow()), update_id)
    if isinstance(conn, Database):
        await conn.write(MARK_HANDLED, params)
    else:
        await conn.execute(MARK_HANDLED, params)


async def unhandled(db: Database) -> list[dict]:
    found = await db.fetchall("SELECT data FROM ptb_inbox WHERE handled_at IS NULL ORDER BY id")
    return [json.loads(row["data"]) for row in found]


async def prune(db: Database, now: datetime | None = None, keep: timedelta = timedelta(days=1)):
    """Handled updates older than `keep`, and the effect journal of those: a redelivery
    comes within seconds, a replay only of an update not handled."""
    before = (now or utcnow()) - keep
    async with db.transaction() as conn:
        await conn.execute(
            "DELETE FROM ptb_inbox WHERE handled_at IS NOT NULL AND handled_at < ?",
            (iso(before),),
        )
        await effects.prune(conn, before)
