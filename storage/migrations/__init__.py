"""Versioned schema migrations: `NNNN_name.sql` files applied in order.

The version is SQLite's `user_version`; each file runs in one transaction together with
the version bump, so a failed migration leaves the database at the previous version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import aiosqlite

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    found = []
    for entry in resources.files(__package__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration numbering has a gap or duplicate at {migration.name}")
    return found


def latest_version() -> int:
    return len(available())


async def current_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0])


async def apply(conn: aiosqlite.Connection, *, target: int | None = None) -> list[str]:
    """Bring the schema to `target` (default: latest); returns the names applied."""
    done = []
    version = await current_version(conn)
    for migration in available():
        if migration.version <= version or (target is not None and migration.version > target):
            continue
        script = f"BEGIN IMMEDIATE;\n{migration.sql}\nPRAGMA user_version = {migration.version};"
        try:
            await conn.executescript(script + "\nCOMMIT;")
        except Exception:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        done.append(migration.name)
    if version > latest_version():
        raise RuntimeError(
            f"database schema {version} is newer than this program ({latest_version()})"
        )
    return done
