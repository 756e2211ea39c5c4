"""What a query layer costs on SQLite: a typical read and a typical write through raw aiosqlite
(as storage.db.Database does them today) beside SQLAlchemy 2's async engine over the same
aiosqlite, with `text()` statements and with Core constructs; medians of alternating rounds.

    .venv/bin/python -m benchmarks.query_layer [--ops 2000] [--rounds 5]

Needs `sqlalchemy[asyncio]` (not a dependency of the bot; `pip install "sqlalchemy[asyncio]"`).
The read is one person by Telegram id (what nearly every update does first); the write is a
short `BEGIN IMMEDIATE` transaction of an INSERT and an UPDATE (an effect with its audit entry);
`concurrent_read` is the same read from 20 tasks at once, as concurrent updates do. Start-up is
the import and first query in a fresh interpreter, median of `--rounds` subprocesses.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import aiosqlite

from benchmarks._load import JSON, report

SCHEMA = """
CREATE TABLE people (id INTEGER PRIMARY KEY, telegram_id INTEGER UNIQUE, name TEXT NOT NULL,
    branch_id INTEGER, status TEXT NOT NULL DEFAULT 'active', updated_at TEXT);
CREATE TABLE audit (id INTEGER PRIMARY KEY, actor_id INTEGER, action TEXT, at TEXT);
"""
PEOPLE = 1000
READ = "SELECT id, name, branch_id, status FROM people WHERE telegram_id = ?"
INSERT = "INSERT INTO audit (actor_id, action, at) VALUES (?, ?, ?)"
UPDATE = "UPDATE people SET updated_at = ? WHERE id = ?"
TASKS = 20
STAMP = "2026-12-02T02:00:00+00:00"

Op = Callable[[int], Awaitable[None]]


def seed(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        conn.executemany(
            "INSERT INTO people (id, telegram_id, name, branch_id) VALUES (?, ?, ?, ?)",
            [(n, 10_000 + n, f"person {n}", n % 7) for n in range(1, PEOPLE + 1)],
        )


async def _pragmas(conn: aiosqlite.Connection) -> None:
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        await conn.execute(f"PRAGMA {pragma}")


class Raw:
    """Today's storage.db: execute_fetchall for reads, explicit BEGIN IMMEDIATE for writes."""

    name = "aiosqlite"

    async def open(self, path: Path) -> None:
        self.writer = await aiosqlite.connect(path, isolation_level=None)
        self.reader = await aiosqlite.connect(path, isolation_level=None)
        for conn in (self.writer, self.reader):
            conn.row_factory = sqlite3.Row
            await _pragmas(conn)

    async def read(self, n: int) -> None:
        rows = await self.reader.execute_fetchall(READ, (10_000 + n % PEOPLE + 1,))
        assert next(iter(rows))["name"]

    async def write(self, n: int) -> None:
        conn = self.writer
        await conn.execute("BEGIN IMMEDIATE")
        await conn.execute(INSERT, (n, "touch", STAMP))
        await conn.execute(UPDATE, (STAMP, n % PEOPLE + 1))
        await conn.execute("COMMIT")

    async def close(self) -> None:
        await self.reader.close()
        await self.writer.close()


def _alchemy_connect(dbapi_connection, _record) -> None:
    # The driver's own transaction handling off: SQLAlchemy's `begin` event says BEGIN.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


class Alchemy:
    """SQLAlchemy 2 async engine over aiosqlite; one held connection each for writes and reads
    (as today), BEGIN IMMEDIATE through the documented `begin` event."""

    name = "sqlalchemy_text"

    async def open(self, path: Path) -> None:
        from sqlalchemy import event, text
        from sqlalchemy.ext.asyncio import create_async_engine

        url = f"sqlite+aiosqlite:///{path}"
        self.engine = create_async_engine(url)
        # The reader never opens a transaction (as today's reader, in autocommit).
        self.read_engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        for engine in (self.engine, self.read_engine):
            event.listen(engine.sync_engine, "connect", _alchemy_connect)

        @event.listens_for(self.engine.sync_engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        self.writer = await self.engine.connect()
        self.reader = await self.read_engine.connect()
        self.read_sql = text(READ.replace("?", ":tid"))
        self.insert_sql = text(INSERT.replace("?, ?, ?", ":actor, :action, :at"))
        self.update_sql = text(UPDATE.replace("= ? WHERE id = ?", "= :at WHERE id = :id"))

    async def read(self, n: int) -> None:
        row = (await self.reader.execute(self.read_sql, {"tid": 10_000 + n % PEOPLE + 1})).first()
        assert row._mapping["name"]

    async def write(self, n: int) -> None:
        async with self.writer.begin():
            await self.writer.execute(self.insert_sql, {"actor": n, "action": "touch", "at": STAMP})
            await self.writer.execute(self.update_sql, {"at": STAMP, "id": n % PEOPLE + 1})

    async def close(self) -> None:
        await self.reader.close()
        await self.writer.close()
        await self.engine.dispose()
        await self.read_engine.dispose()


class Core(Alchemy):
    """The same engine with Core constructs (compiled once, then from SQLAlchemy's cache),
    on the tables of SCHEMA as the seeded database holds them (reflected once at open)."""

    name = "sqlalchemy_core"

    async def open(self, path: Path) -> None:
        await super().open(path)
        from sqlalchemy import MetaData, bindparam, insert, select, update

        meta = MetaData()
        await self.reader.run_sync(meta.reflect, only=["people", "audit"])
        people, audit = meta.tables["people"], meta.tables["audit"]
        c = people.c
        self.read_sql = select(c.id, c.name, c.branch_id, c.status).where(
            c.telegram_id == bindparam("tid")
        )
        self.insert_sql = insert(audit).values(
            actor_id=bindparam("actor"), action=bindparam("action"), at=bindparam("at")
        )
        self.update_sql = (
            update(people).where(c.id == bindparam("pid")).values(updated_at=bindparam("at"))
        )

    async def write(self, n: int) -> None:
        async with self.writer.begin():
            await self.writer.execute(self.insert_sql, {"actor": n, "action": "touch", "at": STAMP})
            await self.writer.execute(self.update_sql, {"at": STAMP, "pid": n % PEOPLE + 1})


async def _timed(op: Op, ops: int) -> float:
    """Microseconds per operation."""
    started = time.perf_counter()
    for n in range(ops):
        await op(n)
    return (time.perf_counter() - started) / ops * 1e6


async def _timed_concurrent(op: Op, ops: int) -> float:
    async def task(offset: int) -> None:
        for n in range(offset, ops, TASKS):
            await op(n)

    started = time.perf_counter()
    await asyncio.gather(*(task(k) for k in range(TASKS)))
    return (time.perf_counter() - started) / ops * 1e6


STARTUP = {
    "aiosqlite": (
        "import asyncio, aiosqlite\n"
        "async def main():\n"
        "    async with aiosqlite.connect({path!r}) as c:\n"
        "        await c.execute_fetchall('SELECT count(*) FROM people')\n"
        "asyncio.run(main())\n"
    ),
    "sqlalchemy": (
        "import asyncio\n"
        "from sqlalchemy import text\n"
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        "async def main():\n"
        "    engine = create_async_engine('sqlite+aiosqlite:///' + {path!r})\n"
        "    async with engine.connect() as c:\n"
        "        (await c.execute(text('SELECT count(*) FROM people'))).scalar()\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
    ),
}


def _startup_seconds(script: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script], check=True)
    return time.perf_counter() - started


async def main(argv: Sequence[str] | None = None) -> JSON:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    layers = [Raw(), Alchemy(), Core()]
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        seed(path)
        for layer in layers:
            await layer.open(path)
        try:
            for _ in range(args.rounds):
                # Alternate the layers within each round so drift hits all of them alike.
                for layer in layers:
                    for what, timer, op in (
                        ("read", _timed, layer.read),
                        ("write", _timed, layer.write),
                        ("concurrent_read", _timed_concurrent, layer.read),
                    ):
                        key = f"{layer.name}_{what}_us"
                        samples.setdefault(key, []).append(await timer(op, args.ops))
        finally:
            for layer in layers:
                await layer.close()
        for name, script in STARTUP.items():
            key = f"{name}_startup_s"
            samples[key] = [
                _startup_seconds(script.format(path=str(path))) for _ in range(args.rounds)
            ]
    figures: JSON = {"ops": args.ops, "rounds": args.rounds}
    figures |= {key: round(statistics.median(values), 4) for key, values in samples.items()}
    for what in ("read", "write", "concurrent_read"):
        base = figures[f"aiosqlite_{what}_us"]
        for layer in layers[1:]:
            figures[f"{layer.name}_{what}_ratio"] = round(
                figures[f"{layer.name}_{what}_us"] / base, 2
            )
    figures["sqlalchemy_startup_extra_s"] = round(
        figures["sqlalchemy_startup_s"] - figures["aiosqlite_startup_s"], 3
    )
    report("query_layer", figures, list(figures.items()))
    return figures


if __name__ == "__main__":
    asyncio.run(main())
