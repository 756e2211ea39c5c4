from __future__ import annotations

import aiosqlite

from domain.models import Branch
from storage import rows
from storage.db import Database, iso, utcnow


async def get_or_create_district(conn: aiosqlite.Connection, name: str) -> int:
    await conn.execute(
        "INSERT INTO districts (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
        (name, iso(utcnow())),
    )
    async with conn.execute("SELECT id FROM districts WHERE name = ?", (name,)) as cur:
        return (await cur.fetchone())[0]


async def create(
    conn: aiosqlite.Connection, *, name: str, code: str, district_id: int | None
) -> int:
    cur = await conn.execute(
        "INSERT INTO branches (district_id, name, code, created_at) VALUES (?, ?, ?, ?)",
        (district_id, name, code, iso(utcnow())),
    )
    return cur.lastrowid


async def next_code(conn: aiosqlite.Connection) -> str:
    async with conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM branches") as cur:
        return f"B{(await cur.fetchone())[0]:04d}"


async def get(db: Database, branch_id: int) -> Branch | None:
    return await rows.one(db, rows.branch, "SELECT * FROM branches WHERE id = ?", (branch_id,))


async def all_branches(db: Database) -> list[Branch]:
    return [rows.branch(r) for r in await db.fetchall("SELECT * FROM branches ORDER BY id")]
