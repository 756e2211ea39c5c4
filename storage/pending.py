"""Everything waiting for a secretary's decision, read across the features' tables.

Each part selects the same columns: kind, id, branch_id, person_id, name, since (the
instant the item started waiting), detail (what it is about) and amount (hours records:
half-hours). Every part is served by an index on (branch, status) of its table.
"""

from __future__ import annotations

import sqlite3

import aiosqlite

from storage.db import Database
from storage.join_requests import NOT_THE_SECRETARYS

# kind → (the column naming the item, the part; `{where}` narrows it to a branch or an item)
_PARTS: dict[str, tuple[str, str]] = {
    "join": (
        "j.id",
        "SELECT 'join' AS kind, j.id, j.branch_id, j.person_id, p.name, j.created_at AS since,"
        " j.role AS detail, CAST(NULL AS INTEGER) AS amount"
        " FROM join_requests j JOIN people p ON p.id = j.person_id"
        " WHERE {where} AND j.status = 'pending' AND j." + NOT_THE_SECRETARYS,
    ),
    "mobile": (
        "r.id",
        "SELECT 'mobile' AS kind, r.id, r.branch_id, r.person_id, p.name, r.created_at AS since,"
        " r.direction AS detail, CAST(NULL AS INTEGER) AS amount"
        " FROM mobile_registrations r JOIN people p ON p.id = r.person_id"
        " WHERE {where} AND r.status = 'pending'",
    ),
    "change": (
        "c.id",
        "SELECT 'change' AS kind, c.id, r.branch_id, r.person_id, p.name, c.created_at AS since,"
        " c.changes AS detail, r.id AS amount"
        " FROM mobile_changes c JOIN mobile_registrations r ON r.id = c.registration_id"
        " JOIN people p ON p.id = r.person_id"
        " WHERE {where} AND c.status = 'pending'",
    ),
    "claim": (
        "c.id",
        "SELECT CASE c.status WHEN 'pending' THEN 'claim' ELSE 'leave' END AS kind, c.id,"
        " po.branch_id, c.person_id, p.name, CASE c.status WHEN 'pending' THEN c.created_at"
        " ELSE COALESCE(c.decided_at, c.created_at) END AS since,"
        " COALESCE(po.name, po.code) AS detail, po.id AS amount"
        " FROM post_claims c JOIN posts po ON po.id = c.post_id JOIN people p ON p.id = c.person_id"
        " WHERE {where} AND c.status IN ('pending', 'leaving')",
    ),
    "hours": (
        "h.id",
        "SELECT 'hours' AS kind, h.id, h.branch_id, h.person_id, p.name, h.created_at AS since,"
        " h.kind AS detail, h.half_hours AS amount"
        " FROM hour_records h JOIN people p ON p.id = h.person_id"
        " WHERE {where} AND h.status = 'pending'",
    ),
    "cadre": (
        "c.id",
        "SELECT 'cadre' AS kind, c.id, c.branch_id, c.person_id, c.name, c.submitted_at AS since,"
        " c.position AS detail, c.year AS amount FROM cadre_registrations c"
        " WHERE {where} AND c.status = 'pending'",
    ),
}
# Where each part's branch is read from.
_BRANCH = {"join": "j", "mobile": "r", "change": "r", "claim": "po", "hours": "h", "cadre": "c"}

_ALL = " UNION ALL ".join(
    sql.format(where=f"{_BRANCH[kind]}.branch_id = :branch") for kind, (_, sql) in _PARTS.items()
)


async def in_branch(db: Database, branch_id: int) -> list[sqlite3.Row]:
    """All of the branch's waiting items, oldest first."""
    return await db.fetchall(
        f"SELECT * FROM ({_ALL}) AS p ORDER BY since, kind, id", {"branch": branch_id}
    )


async def one(db: Database, kind: str, item_id: int) -> sqlite3.Row | None:
    """One waiting item of any branch, or None (unknown, or decided meanwhile)."""
    found = _PARTS.get("claim" if kind == "leave" else kind)
    if found is None:
        return None
    column, sql = found
    return await db.fetchone(
        f"SELECT * FROM ({sql.format(where=f'{column} = :id')}) AS p WHERE kind = :kind",
        {"kind": kind, "id": item_id},
    )


async def counts(db: Database, branch_id: int) -> dict[str, int]:
    found = await db.fetchall(
        f"SELECT kind, COUNT(*) AS n FROM ({_ALL}) AS p GROUP BY kind", {"branch": branch_id}
    )
    return {r["kind"]: r["n"] for r in found}


async def hours_up_to(
    conn: aiosqlite.Connection, branch_id: int, last_id: int
) -> list[sqlite3.Row]:
    """The branch's pending hours records up to `last_id`: id and person."""
    cur = await conn.execute(
        "SELECT id, person_id FROM hour_records"
        " WHERE branch_id = ? AND status = 'pending' AND id <= ? ORDER BY id",
        (branch_id, last_id),
    )
    return list(await cur.fetchall())
