"""The outbox table: queued notifications and their delivery state."""

from __future__ import annotations

import json
import sqlite3
from contextvars import ContextVar
from datetime import UTC, datetime

import aiosqlite

from domain.notification import Attachment, Kind, Message
from storage.db import Database, iso, placeholders, utcnow
from storage.people import MEMBER_OF

STATUSES = ("pending", "sending", "sent", "unreachable", "dead")
ERROR_MAX = 500

# True in the task (each update is handled in a task of its own) once it queued a message:
# the update's last step wakes the sender only then. Waking it after every update cost a
# fifth of the bot's CPU under load in two idle outbox queries (benchmarks/README.md).
queued_in_task: ContextVar[bool] = ContextVar("queued_in_task", default=False)
# What an update queued for whom (chat, branch, kind, not before), so that whoever acted can
# be told when the others will hear (handlers.common.tell_waits); None outside an update.
queued_for: ContextVar[set[tuple[int, int | None, str, datetime]] | None] = ContextVar(
    "queued_for", default=None
)


def stamp(moment: datetime) -> str:
    """Outbox times keep milliseconds: retries and rate limits work below a second."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


async def insert(
    conn: aiosqlite.Connection,
    *,
    key: str,
    chat_id: int,
    branch_id: int | None,
    kind: str,
    template: str | None,
    text: str | None,
    params: str,
    buttons: str | None,
    attachment: Attachment | None,
    not_before: datetime,
) -> bool:
    file = attachment
    cur = await conn.execute(
        "INSERT INTO outbox (key, chat_id, branch_id, kind, template, text, params, buttons,"
        " file_name, file_content, file_path, file_as_photo, next_attempt_at, not_before,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(key) DO NOTHING",
        (
            key,
            chat_id,
            branch_id,
            kind,
            template,
            text,
            params,
            buttons,
            file and file.filename,
            file and file.content,
            file and file.path,
            int(bool(file and file.photo)),
            stamp(not_before),
            stamp(not_before),
            iso(utcnow()),
        ),
    )
    if cur.rowcount > 0:
        queued_in_task.set(True)
        if (found := queued_for.get()) is not None:
            found.add((chat_id, branch_id, kind, not_before))
    return cur.rowcount > 0


def message(row: sqlite3.Row) -> Message:
    attachment = None
    if row["file_name"]:
        attachment = Attachment(
            row["file_name"],
            content=row["file_content"],
            path=row["file_path"],
            photo=bool(row["file_as_photo"]),
        )
    buttons = json.loads(row["buttons"]) if row["buttons"] else []
    joined = "locale" in row.keys()  # noqa: SIM118 (sqlite3.Row has no __contains__)
    return Message(
        id=row["id"],
        key=row["key"],
        chat_id=row["chat_id"],
        branch_id=row["branch_id"],
        kind=Kind(row["kind"]),
        template=row["template"],
        text=row["text"],
        params=json.loads(row["params"]),
        buttons=[[(label, data) for label, data in line] for line in buttons],
        attachment=attachment,
        attempts=row["attempts"],
        next_attempt_at=datetime.fromisoformat(row["next_attempt_at"]),
        status=row["status"],
        last_error=row["last_error"],
        languages=(row["locale"], row["language_code"]) if joined else (None, None),
    )


async def due(db: Database, now: datetime, limit: int) -> list[Message]:
    """The oldest due message of each chat, oldest first: one chat with a long queue (held
    back by the per-chat limit) cannot hide the others, and each chat's order is kept."""
    found = await db.fetchall(
        "SELECT o.*, u.locale, u.language_code FROM ("
        "  SELECT *, ROW_NUMBER() OVER (PARTITION BY chat_id ORDER BY next_attempt_at, id) AS n"
        "  FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
        ") o LEFT JOIN telegram_users u ON u.telegram_id = o.chat_id"
        " WHERE o.n = 1 ORDER BY o.next_attempt_at, o.id LIMIT ?",
        (stamp(now), limit),
    )
    return [message(r) for r in found]


async def next_due(db: Database, after: datetime) -> datetime | None:
    """When the first pending message due later than `after` is due (those due by then
    were looked at already: what is left of them waits for its chat)."""
    value = await db.fetchval(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND next_attempt_at > ?",
        (stamp(after),),
    )
    return None if value is None else datetime.fromisoformat(value)


async def waiting(db: Database, before: datetime) -> int:
    """Messages pending or in flight that are due before `before`."""
    return await db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE status = 'sending'"
        " OR (status = 'pending' AND next_attempt_at <= ?)",
        (stamp(before),),
    )


async def _update(db: Database, sql: str, params: tuple) -> int:
    async with db.transaction() as conn:
        cur = await conn.execute(sql, params)
        return cur.rowcount


async def claim(
    db: Database,
    message_ids: list[int],
    now: datetime,
    *,
    by: str | None = None,
    lease_until: datetime | None = None,
) -> set[int]:
    """Mark messages in flight, counting the attempt before it is made, so that a message
    whose sending crashes the bot is dead-lettered after the maximum attempts too. `by` (the
    sender) holds them until `lease_until`. On PostgreSQL, rows another instance's claim has
    locked are skipped rather than waited for (`SKIP LOCKED`); what it claimed first is no
    longer pending, so no message is claimed twice."""
    marks = placeholders(message_ids)
    lease = None if lease_until is None else stamp(lease_until)
    chosen = f"status = 'pending' AND id IN ({marks})"
    if db.engine == "postgresql":
        chosen = f"id IN (SELECT id FROM outbox WHERE {chosen} FOR UPDATE SKIP LOCKED)"
    async with db.transaction() as conn:
        cur = await conn.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?,"
            f" claimed_by = ?, lease_until = ? WHERE {chosen} RETURNING id",
            (stamp(now), by, lease, *message_ids),
        )
        return {row[0] for row in await cur.fetchall()}


async def renew(db: Database, by: str, lease_until: datetime) -> int:
    """Extend the leases of what `by` has in flight (the sender, while it sends)."""
    return await _update(
        db,
        "UPDATE outbox SET lease_until = ? WHERE status = 'sending' AND claimed_by = ?",
        (stamp(lease_until), by),
    )


async def mark_sent(db: Database, sent: list[tuple[int, int | None]]) -> None:
    """(outbox id, Telegram message id) of messages Telegram accepted."""
    now = stamp(utcnow())
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, last_error = NULL"
            " WHERE id = ?",
            [(now, telegram_id, message_id) for message_id, telegram_id in sent],
        )


async def retry_at(
    db: Database, message_id: int, when: datetime, error: str, *, counts: bool = True
) -> None:
    """Back to the queue; a rate limit (`counts=False`) does not use up an attempt."""
    await _update(
        db,
        "UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?,"
        " attempts = attempts - ? WHERE id = ?",
        (stamp(when), error[:ERROR_MAX], 0 if counts else 1, message_id),
    )


async def defer(db: Database, until: list[tuple[int, datetime, str]]) -> None:
    """Not yet allowed by the working time: (id, when, why) to wait for, without using an
    attempt; `why` lets a change of the rule release it (`release_held`)."""
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE outbox SET next_attempt_at = ?, held_by = ?"
            " WHERE id = ? AND status = 'pending'",
            [(stamp(when), why, message_id) for message_id, when, why in until],
        )


async def release_held(conn: aiosqlite.Connection, branch_id: int | None, now: datetime) -> int:
    """Inside the transaction that changes a branch's working time (None: the bot-wide
    defaults, every message): what the old rule held is due again from the moment its
    sender allowed, and the sender judges it under the new rule."""
    where = "" if branch_id is None else " AND branch_id = ?"
    cur = await conn.execute(
        "UPDATE outbox SET next_attempt_at = CASE WHEN COALESCE(not_before, next_attempt_at) > ?"
        " THEN COALESCE(not_before, next_attempt_at) ELSE ? END,"
        " held_by = NULL WHERE status = 'pending' AND held_by IS NOT NULL" + where,
        (stamp(now), stamp(now), *(() if branch_id is None else (branch_id,))),
    )
    return cur.rowcount


async def queued_since(db: Database, since: datetime) -> list[Message]:
    """Pending messages queued at or after `since` (`partybot job run` reports on them)."""
    rows = await db.fetchall(
        "SELECT o.*, NULL AS locale, NULL AS language_code FROM outbox o"
        " WHERE status = 'pending' AND created_at >= ? ORDER BY id",
        (iso(since),),
    )
    return [message(r) for r in rows]


async def mark_dead(db: Database, message_id: int, error: str) -> None:
    await _update(
        db,
        "UPDATE outbox SET status = 'dead', last_error = ? WHERE id = ?",
        (error[:ERROR_MAX], message_id),
    )


async def mark_unreachable(db: Database, message_id: int, chat_id: int, error: str) -> None:
    """The recipient blocked the bot or never started it: this message and the person."""
    now = iso(utcnow())
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET status = 'unreachable', last_error = ? WHERE id = ?",
            (error[:ERROR_MAX], message_id),
        )
        await conn.execute(
            "INSERT INTO telegram_users (telegram_id, first_seen_at, unreachable_at)"
            " VALUES (?, ?, ?) ON CONFLICT(telegram_id) DO UPDATE"
            " SET unreachable_at = excluded.unreachable_at",
            (chat_id, now, now),
        )


async def recover(db: Database, max_attempts: int, now: datetime | None = None) -> int:
    """Messages in flight when their sender stopped are sent again, unless they have used up
    their attempts (one that crashes the bot each time ends dead). With `now`, only those
    whose lease has passed (several instances: another one may be sending the rest); without,
    every one (at start-up on SQLite, where this process is the only sender)."""
    expired, params = "", (max_attempts,)
    if now is not None:
        expired, params = (
            " AND (lease_until IS NULL OR lease_until < ?)",
            (max_attempts, stamp(now)),
        )
    return await _update(
        db,
        "UPDATE outbox SET last_error = 'in flight at a restart', claimed_by = NULL,"
        " lease_until = NULL, status = CASE WHEN attempts >= ? THEN 'dead' ELSE 'pending' END"
        " WHERE status = 'sending'" + expired,
        params,
    )


async def requeue(db: Database, message_id: int) -> bool:
    """An operator's second chance for a dead or unreachable message."""
    return bool(
        await _update(
            db,
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?"
            " WHERE id = ? AND status IN ('dead', 'unreachable')",
            (stamp(utcnow()), message_id),
        )
    )


async def counts(db: Database) -> dict[str, int]:
    found = await db.fetchall("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
    return {r["status"]: r["n"] for r in found}


async def failed(db: Database, *, branch_id: int | None = None, limit: int = 50) -> list[Message]:
    """Dead and unreachable messages, newest first."""
    where = "status IN ('dead', 'unreachable')"
    params: tuple = ()
    if branch_id is not None:
        where += " AND branch_id = ?"
        params = (branch_id,)
    found = await db.fetchall(
        f"SELECT * FROM outbox WHERE {where} ORDER BY id DESC LIMIT ?", (*params, limit)
    )
    return [message(r) for r in found]


async def unreachable_members(db: Database, branch_id: int) -> list[str]:
    """Names of the branch's active people the bot cannot write to."""
    found = await db.fetchall(
        "SELECT p.name FROM people p JOIN telegram_users u ON u.telegram_id = p.telegram_id"
        f" WHERE p.branch_id = ? AND {MEMBER_OF} AND u.unreachable_at IS NOT NULL"
        " ORDER BY p.id",
        (branch_id,),
    )
    return [r["name"] or "?" for r in found]


async def failed_since(db: Database, branch_id: int, since: datetime) -> int:
    """The branch's messages queued since `since` that failed for good."""
    return await db.fetchval(
        "SELECT COUNT(*) FROM outbox WHERE branch_id = ? AND status IN ('dead', 'unreachable')"
        " AND created_at >= ?",
        (branch_id, iso(since)),
    )
