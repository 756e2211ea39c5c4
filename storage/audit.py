"""The append-only audit log. Writers call `record` inside their own transaction."""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from storage.db import Database, iso, utcnow


async def record(
    conn: aiosqlite.Connection,
    *,
    action: str,
    subject_type: str,
    subject_id: int | None,
    actor_id: int | None = None,
    branch_id: int | None = None,
    **details: Any,
) -> int:
    """The new entry's id."""
    cur = await conn.execute(
        "INSERT INTO audit_log (at, actor_id, branch_id, action, subject_type, subject_id, details)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            iso(utcnow()),
            actor_id,
            branch_id,
            action,
            subject_type,
            subject_id,
            json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        ),
    )
    return cur.lastrowid


async def entries(db: Database, *, branch_id: int | None = None, limit: int = 100) -> list[dict]:
    where, params = ("WHERE branch_id = ?", [branch_id]) if branch_id is not None else ("", [])
    rows = await db.fetchall(
        f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", [*params, limit]
    )
    return [dict(r) | {"details": json.loads(r["details"])} for r in rows]
