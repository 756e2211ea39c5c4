"""What every query of the posts shares: one type for the reader and a writer's
connection, and rows read as posts and claims."""

from __future__ import annotations

import sqlite3

import aiosqlite

from domain.post_models import Claim, ClaimStatus, Post
from storage import rows
from storage.db import Database

Conn = aiosqlite.Connection | Database


def post_of_row(row: sqlite3.Row) -> Post:
    return rows.build(Post, row, retired=row["retired_at"] is not None)


def claim_of_row(row: sqlite3.Row) -> Claim:
    return rows.build(Claim, row, status=ClaimStatus(row["status"]))


async def fetch_all(conn: Conn, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
    if isinstance(conn, Database):
        return await conn.fetchall(sql, params)
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def fetch_one(conn: Conn, sql: str, params: tuple | list = ()) -> sqlite3.Row | None:
    found = await fetch_all(conn, sql, params)
    return found[0] if found else None
