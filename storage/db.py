"""The embedded SQLite store.

One writer connection serialised by a lock, so every write is a short explicit
`BEGIN IMMEDIATE` transaction (or one statement on its own, `write`); one reader
connection, which in WAL mode sees only committed data and never waits for the writer.

Each call into aiosqlite is a round trip to the connection's thread, and those trips (the
GIL passed back and forth) were the larger part of the bot's database time per update;
so reads take one trip (`execute_fetchall`), not three (execute, fetch, close).

A transaction belongs to the task that opened it: a `transaction()` the same task opens
inside it is a savepoint of it (all-or-nothing on its own, committed with the outer one),
and that task's reads and `write`s go to the writer connection, so it reads what it wrote
(domain.effects wraps a whole domain call, reads and all, in one transaction this way).
Another task waits for the lock as before.

`Database("postgresql://…")` runs the same on PostgreSQL (storage/postgres.py gives its
connections aiosqlite's surface; docs/scaling.md says why and which SQL both engines take):
one writer connection under the same lock, so transactions keep SQLite's one-at-a-time
guarantees within a process, and across the instances sharing the database each write
transaction first takes one advisory lock (`WRITER_LOCK`), as `BEGIN IMMEDIATE` takes SQLite's
write lock; and a few reader connections.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage import migrations, postgres

Params = Sequence[Any] | dict[str, Any]


def placeholders(values: Iterable[object]) -> str:
    """The `?, ?, …` of an `IN (…)` list, one per value. For no values `NULL`: `IN ()` is
    SQLite's alone (a syntax error on PostgreSQL), `IN (NULL)` matches nothing on both."""
    return ", ".join("?" for _ in values) or "NULL"


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Stored form of an instant: UTC, ISO-8601, second precision (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


POSTGRES_READERS = 4
# The two-key advisory lock every PostgreSQL write transaction takes first (the first key is
# storage.leases' namespace, the second one no lease name uses).
WRITER_LOCK = (0x7062, 0)


def is_postgres(target: Path | str) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


class Database:
    def __init__(self, target: Path | str) -> None:
        """`target`: a SQLite file (a path, or `sqlite:///PATH`) or a `postgresql://` URL."""
        self.url = str(target) if is_postgres(target) else None
        self.path = Path(str(target).removeprefix("sqlite:///"))
        self._writer: aiosqlite.Connection | postgres.PgConnection | None = None
        self._reader: aiosqlite.Connection | postgres.PgReader | None = None
        self._write_lock = asyncio.Lock()
        # The task whose transaction is open, and how many savepoints deep it is.
        self._holder: asyncio.Task | None = None
        self._depth = 0

    @property
    def engine(self) -> str:
        return "sqlite" if self.url is None else "postgresql"

    async def open(self, *, migrate: bool = True) -> Database:
        if self.is_open:
            return self
        if self.url is not None:
            return await self._open_postgres(self.url, migrate)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await self._connect()
        try:
            if migrate:
                await migrations.apply(self._writer)
            self._reader = await self._connect()
        except BaseException:
            await self.close()
            raise
        return self

    async def _open_postgres(self, url: str, migrate: bool) -> Database:
        writer = self._writer = await postgres.connect(url)
        try:
            if migrate:
                await migrations.apply(writer)
            await writer.learn_identities()
            self._reader = postgres.PgReader(
                [await postgres.connect(url) for _ in range(POSTGRES_READERS)]
            )
        except BaseException:
            await self.close()
            raise
        return self

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        # WAL lets the reader run beside the writer; NORMAL sync is durable in WAL
        # except for the last commit on power loss, never corrupt.
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        return conn

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def is_open(self) -> bool:
        return self._writer is not None and self._reader is not None

    @property
    def writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise RuntimeError("database is not open")
        return self._writer

    @property
    def reader(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise RuntimeError("database is not open")
        return self._reader

    def _holds(self) -> bool:
        return self._holder is not None and self._holder is asyncio.current_task()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """All-or-nothing: commit on success, roll back on any exception."""
        if self._holds():
            async with self._savepoint() as conn:
                yield conn
            return
        async with self._write_lock:
            conn = self.writer
            if self.url is None:
                await conn.execute("BEGIN IMMEDIATE")
            else:
                # SQLite's BEGIN IMMEDIATE across instances: one write transaction at a time
                # in the whole database, so every check-then-write (a post's last place,
                # certificate serials, a day's 24 hours) stays serial (docs/scaling.md).
                await conn.begin_locked(WRITER_LOCK)
            self._holder = asyncio.current_task()
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")
            finally:
                self._holder = None

    @asynccontextmanager
    async def _savepoint(self) -> AsyncIterator[aiosqlite.Connection]:
        conn = self.writer
        self._depth += 1
        name = f"nested{self._depth}"
        await conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            await conn.execute(f"ROLLBACK TO {name}")
            await conn.execute(f"RELEASE {name}")
            raise
        else:
            await conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1

    async def write(self, sql: str, params: Params = ()) -> int:
        """One statement that is atomic on its own (SQLite's autocommit): one trip to the
        writer's thread instead of three for BEGIN, the statement and COMMIT. Returns the
        number of rows it changed."""
        if self._holds():
            return (await self.writer.execute(sql, params)).rowcount
        async with self._write_lock:
            cur = await self.writer.execute(sql, params)
            return cur.rowcount

    @property
    def reading(self) -> aiosqlite.Connection:
        """The connection this task reads from: the writer inside its own transaction."""
        return self.writer if self._holds() else self.reader

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row; the query's other rows are read too, so ask for one row (a key,
        an aggregate, LIMIT 1)."""
        found = await self.reading.execute_fetchall(sql, params)
        return next(iter(found), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self.reading.execute_fetchall(sql, params))

    async def fetchdicts(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows as plain dicts, for readers that hand them on as they are (/mydata, search)."""
        return [dict(r) for r in await self.fetchall(sql, params)]

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def schema_version(self) -> int:
        return await migrations.current_version(self.writer)

    async def check_integrity(self) -> list[str]:
        """Problems found by SQLite's own checks; empty when the file is sound (PostgreSQL
        checks its own pages and constraints as it goes: nothing to ask it here)."""
        problems: list[str] = []
        if self.url is not None:
            return problems
        async with self.writer.execute("PRAGMA integrity_check") as cur:
            problems += [r[0] for r in await cur.fetchall() if r[0] != "ok"]
        async with self.writer.execute("PRAGMA foreign_key_check") as cur:
            problems += [f"foreign key: {tuple(r)}" for r in await cur.fetchall()]
        return problems

    async def backup(self, target: Path | str) -> Path:
        """A consistent copy through SQLite's online backup API, safe while the bot runs."""
        if self.url is not None:
            raise RuntimeError("a PostgreSQL database is backed up with pg_dump")
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.unlink(missing_ok=True)
        async with self._write_lock:
            dest = await aiosqlite.connect(tmp)
            try:
                await self.writer.backup(dest)
            finally:
                await dest.close()
        tmp.replace(target)
        return target


async def executemany(conn: aiosqlite.Connection, sql: str, rows: Iterable[Params]) -> None:
    await conn.executemany(sql, rows)


async def decide_pending(
    conn: aiosqlite.Connection,
    table: str,
    row_id: int,
    status: str,
    decided_by: int | None,
    reason: str | None,
) -> bool:
    """Decide a pending request kept in `table` (its status, decided_at, decided_by and
    reason columns); False when someone decided it first."""
    cur = await conn.execute(
        f"UPDATE {table} SET status = ?, decided_at = ?, decided_by = ?, reason = ?"
        " WHERE id = ? AND status = 'pending'",
        (status, iso(utcnow()), decided_by, reason, row_id),
    )
    return cur.rowcount == 1


# A query's source: the database (read outside a transaction) or a transaction's
# connection (its own writes seen).
Reader = Database | aiosqlite.Connection | postgres.PgConnection


async def fetch_all(source: Reader, sql: str, params: Params = ()) -> list[sqlite3.Row]:
    if isinstance(source, Database):
        return await source.fetchall(sql, params)
    return list(await source.execute_fetchall(sql, params))


async def fetch_one(source: Reader, sql: str, params: Params = ()) -> sqlite3.Row | None:
    """The first row, as `Database.fetchone` reads it: in a transaction too, one trip to
    the connection's thread (a cursor's execute, fetchone and close were three)."""
    if isinstance(source, Database):
        return await source.fetchone(sql, params)
    return next(iter(await source.execute_fetchall(sql, params)), None)
