"""What every query of the posts shares: one type for the reader and a writer's
connection, and rows read as posts and claims."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable
from typing import Any, TypeVar

import aiosqlite

from domain.post_models import Claim, ClaimStatus, Post
from storage.db import Database

Conn = aiosqlite.Connection | Database
T = TypeVar("T")


def record(kind: type[T], row: sqlite3.Row, **read: Any) -> T:
    """A dataclass from a row: each field from the column of its name, unless `read` gives
    it (a column that needs converting)."""
    return kind(
        **{
            f.name: read[f.name] if f.name in read else row[f.name]
            for f in dataclasses.fields(kind)
        }
    )


def post_of_row(row: sqlite3.Row) -> Post:
    return record(Post, row, retired=row["retired_at"] is not None)


def claim_of_row(row: sqlite3.Row) -> Claim:
    return record(Claim, row, status=ClaimStatus(row["status"]))


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
