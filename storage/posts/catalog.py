"""A branch's posts, its post settings, its members and the year's cycle (stage)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from domain.models import Person
from domain.post_models import Cycle, Post, Stage
from storage import rows
from storage.db import Reader, fetch_all, fetch_one, iso, placeholders
from storage.people import MEMBER_OF
from storage.posts.sql import post_of_row


async def is_seeded(conn: Reader, branch_id: int) -> bool:
    row = await fetch_one(
        conn, "SELECT seeded_at FROM post_settings WHERE branch_id = ?", (branch_id,)
    )
    return row is not None and row["seeded_at"] is not None


async def seed(
    conn: aiosqlite.Connection, branch_id: int, codes: list[str], capacity: int, now: datetime
) -> int:
    """The county posts, once per branch; returns how many were added."""
    added = 0
    for position, code in enumerate(codes, start=1):
        cur = await conn.execute(
            "INSERT INTO posts (branch_id, code, capacity, position, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(branch_id, code) DO NOTHING",
            (branch_id, code, capacity, position, iso(now)),
        )
        added += cur.rowcount
    await conn.execute(
        "INSERT INTO post_settings (branch_id, seeded_at) VALUES (?, ?)"
        " ON CONFLICT(branch_id) DO UPDATE SET seeded_at = excluded.seeded_at",
        (branch_id, iso(now)),
    )
    return added


async def member_limit(conn: Reader, branch_id: int) -> int:
    row = await fetch_one(
        conn, "SELECT member_limit FROM post_settings WHERE branch_id = ?", (branch_id,)
    )
    return row["member_limit"] if row else 3


async def set_member_limit(conn: aiosqlite.Connection, branch_id: int, limit: int) -> None:
    await conn.execute(
        "INSERT INTO post_settings (branch_id, member_limit) VALUES (?, ?)"
        " ON CONFLICT(branch_id) DO UPDATE SET member_limit = excluded.member_limit",
        (branch_id, limit),
    )


async def get_post(conn: Reader, post_id: int) -> Post | None:
    return await rows.one(conn, post_of_row, "SELECT * FROM posts WHERE id = ?", (post_id,))


async def posts_by_id(conn: Reader, post_ids: Iterable[int]) -> dict[int, Post]:
    ids = sorted(set(post_ids))
    if not ids:
        return {}
    found = await fetch_all(conn, f"SELECT * FROM posts WHERE id IN ({placeholders(ids)})", ids)
    return {r["id"]: post_of_row(r) for r in found}


async def branch_posts(conn: Reader, branch_id: int, *, retired: bool = False) -> list[Post]:
    where = "" if retired else " AND retired_at IS NULL"
    found = await fetch_all(
        conn,
        f"SELECT * FROM posts WHERE branch_id = ?{where} ORDER BY position, id",
        (branch_id,),
    )
    return [post_of_row(r) for r in found]


async def add_post(
    conn: aiosqlite.Connection, branch_id: int, name: str, capacity: int, now: datetime
) -> int:
    cur = await conn.execute(
        "INSERT INTO posts (branch_id, name, capacity, position, created_at)"
        " SELECT ?, ?, ?, COALESCE(MAX(position), 0) + 1, ? FROM posts WHERE branch_id = ?",
        (branch_id, name, capacity, iso(now), branch_id),
    )
    return cur.lastrowid


async def update_post(conn: aiosqlite.Connection, post_id: int, **fields: object) -> None:
    allowed = {"duties", "capacity", "retired_at"}
    if set(fields) - allowed:
        raise ValueError(f"unknown post fields {set(fields) - allowed}")
    assignments = ", ".join(f"{name} = ?" for name in fields)
    await conn.execute(f"UPDATE posts SET {assignments} WHERE id = ?", (*fields.values(), post_id))


async def active_members(conn: Reader, branch_id: int) -> list[Person]:
    found = await fetch_all(
        conn,
        f"SELECT * FROM people p WHERE branch_id = ? AND {MEMBER_OF} ORDER BY id",
        (branch_id,),
    )
    return [rows.person(r) for r in found]


# -------------------------------------------------------------------- the cycle


async def latest_cycle(conn: Reader, branch_id: int) -> Cycle | None:
    row = await fetch_one(
        conn,
        "SELECT * FROM post_cycles WHERE branch_id = ? ORDER BY year DESC LIMIT 1",
        (branch_id,),
    )
    return Cycle(row["branch_id"], row["year"], Stage(row["stage"])) if row else None


async def create_cycle(
    conn: aiosqlite.Connection, branch_id: int, year: int, stage: Stage, now: datetime
) -> None:
    cycle = dict(branch_id=branch_id, year=year, stage=stage, changed_at=iso(now))
    await rows.insert_new(conn, "post_cycles", cycle)


async def move_cycle(conn: aiosqlite.Connection, cycle: Cycle, to: Stage, now: datetime) -> bool:
    """False when the stage is no longer the one the caller saw."""
    cur = await conn.execute(
        "UPDATE post_cycles SET stage = ?, changed_at = ?"
        " WHERE branch_id = ? AND year = ? AND stage = ?",
        (to, iso(now), cycle.branch_id, cycle.year, cycle.stage),
    )
    return cur.rowcount == 1
