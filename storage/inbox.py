"""The durable inbox of incoming updates (see bot/inbox.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

import aiosqlite

from storage import effects
from storage.db import Database, fetch_one, iso, placeholders, utcnow

# Stored when no update of that id is: the one statement nearly every update needs.
RECEIVE = (
    "INSERT INTO ptb_inbox (update_id, data, received_at) SELECT ?, ?, ?"
    " WHERE NOT EXISTS (SELECT 1 FROM ptb_inbox WHERE update_id = ?)"
)
INSERT = "INSERT INTO ptb_inbox (update_id, data, received_at) VALUES (?, ?, ?)"

# Wakes the owners of the person's partition (bot/partitions.py) on every instance.
NOTIFY_CHANNEL = "partybot_inbox"
NOTIFY = "SELECT pg_notify(?, ?)"
# PostgreSQL, several instances: the same, and the notification in the same statement.
RECEIVE_AND_NOTIFY = f"WITH stored AS ({RECEIVE} RETURNING 1) SELECT pg_notify(?, ?) FROM stored"


async def receive(
    db: Database,
    update_id: int,
    data: dict,
    person: int | None = None,
    *,
    shared: bool = False,
    as_serialised: Callable[[], dict] | None = None,
) -> bool:
    """Store an update; False when it was stored before (a redelivery: the same id and the
    same update). The same id with another update is a new one from a Bot API server whose
    counter started again. `person`: whose update it is (in the notification). `shared`
    (PostgreSQL, several instances): a redelivery may reach another instance at the same
    moment, so the check and the insert run in a write transaction (storage.db.WRITER_LOCK
    orders them: the second one's check sees the first one's row), and the owners are woken
    by the same statement.

    One update has several JSON forms: as Telegram sent it (stored since the poll keeps it,
    bot/health.py) and as python-telegram-bot serialises it again (`Update.to_dict()`: a
    webhook delivery, a replay, and every row of the versions before), which orders keys
    otherwise and adds false defaults. So a redelivery is judged by `normal_form`; and a
    forgotten update of those versions kept the digest of its serialised text, which
    `as_serialised` (the update as `to_dict()` gives it, asked only then) lets us match."""
    text = json.dumps(data, ensure_ascii=False)
    now = iso(utcnow())
    if not shared:
        if await db.write(RECEIVE, (update_id, text, now, update_id)) == 1:
            return True
        async with db.transaction() as conn:
            if await _stored_before(conn, update_id, data, text, as_serialised):
                return False
            await conn.execute(INSERT, (update_id, text, now))
            return True
    async with db.transaction() as conn:
        notify = (NOTIFY_CHANNEL, str(person or 0))
        cursor = await conn.execute(RECEIVE_AND_NOTIFY, (update_id, text, now, update_id, *notify))
        if cursor.rowcount == 1:
            return True
        if await _stored_before(conn, update_id, data, text, as_serialised):
            return False
        await conn.execute(INSERT, (update_id, text, now))
        await conn.execute(NOTIFY, notify)
        return True


async def _stored_before(
    conn: aiosqlite.Connection,
    update_id: int,
    data: dict,
    text: str,
    as_serialised: Callable[[], dict] | None,
) -> bool:
    cursor = await conn.execute("SELECT data FROM ptb_inbox WHERE update_id = ?", (update_id,))
    stored = [json.loads(row[0]) for row in await cursor.fetchall()]
    normal = normal_form(data)
    digests = {_sha256(normal), _sha256(text)}
    if as_serialised is not None and any(FORGOTTEN in row for row in stored):
        digests.add(_sha256(json.dumps(as_serialised(), ensure_ascii=False)))
    return any(
        row[FORGOTTEN] in digests if FORGOTTEN in row else normal_form(row) == normal
        for row in stored
    )


def normal_form(data: object) -> str:
    """One text for every JSON form of an update: keys sorted, and what is false or empty
    left out (python-telegram-bot writes `"channel_chat_created": false` and the like where
    Telegram writes nothing)."""
    return json.dumps(_pruned(data), ensure_ascii=False, sort_keys=True)


def _pruned(value: object) -> object:
    if isinstance(value, dict):
        kept = {key: _pruned(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if not _empty(item)}
    if isinstance(value, list):
        return [_pruned(item) for item in value]
    return value


def _empty(value: object) -> bool:
    return value is None or value is False or value in ("", [], {})


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


FORGOTTEN = "forgotten"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _digest(stored: str) -> str:
    """What a forgotten update keeps: enough to know a redelivery of it, nothing it said."""
    return json.dumps({FORGOTTEN: _sha256(normal_form(json.loads(stored)))})


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
