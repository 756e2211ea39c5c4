"""What every query of the posts shares: one type for the reader and a writer's
connection, and rows read as posts and claims."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import aiosqlite

from domain.post_models import Claim, ClaimStatus, Post
from storage.db import Database

Conn = aiosqlite.Connection | Database


def post_of_row(row: sqlite3.Row) -> Post:
    return Post(
        id=row["id"],
        branch_id=row["branch_id"],
        code=row["code"],
        name=row["name"],
        duties=row["duties"],
        capacity=row["capacity"],
        retired=row["retired_at"] is not None,
    )


def claim_of_row(row: sqlite3.Row) -> Claim:
    return Claim(
        id=row["id"],
        post_id=row["post_id"],
        person_id=row["person_id"],
        year=row["year"],
        status=ClaimStatus(row["status"]),
        reason=row["reason"],
    )


def placeholders(values: Iterable[object]) -> str:
    return ", ".join("?" for _ in values)


async def fetch_all(conn: Conn, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
    if isinstance(conn, Database):
        return await conn.fetchall(sql, params)
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def fetch_one(conn: Conn, sql: str, params: tuple | list = ()) -> sqlite3.Row | None:
    found = await fetch_all(conn, sql, params)
    return found[0] if found else None
