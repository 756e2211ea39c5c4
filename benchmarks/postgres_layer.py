"""What storage.db's PostgreSQL layer (storage/postgres.py: `?` translated, statements kept
prepared, aiosqlite's surface) costs over raw asyncpg: the read and write of
benchmarks/query_layer.py, medians of alternating rounds.

    .venv/bin/python -m benchmarks.postgres_layer [--url postgresql://…] [--ops 2000] [--rounds 5]

Without `--url` it starts a throwaway PostgreSQL as the tests do (tests/postgres.py).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from collections.abc import Sequence

import asyncpg

from benchmarks._load import JSON, report
from benchmarks.query_layer import INSERT, PEOPLE, READ, STAMP, UPDATE, _timed, _timed_concurrent
from storage.db import Database
from storage.migrations import to_postgresql
from storage.postgres import translate

SCHEMA = [
    "CREATE TABLE people (id INTEGER PRIMARY KEY, telegram_id INTEGER UNIQUE, name TEXT NOT"
    " NULL, branch_id INTEGER, status TEXT NOT NULL DEFAULT 'active', updated_at TEXT)",
    "CREATE TABLE audit (id INTEGER PRIMARY KEY, actor_id INTEGER, action TEXT, at TEXT)",
]


class Raw:
    name = "asyncpg"

    async def open(self, url: str) -> None:
        self.writer = await asyncpg.connect(url)
        self.readers = asyncio.Queue()
        for _ in range(4):
            self.readers.put_nowait(await asyncpg.connect(url))
        self.sql = {s: translate(s)[0] for s in (READ, INSERT, UPDATE)}

    async def read(self, n: int) -> None:
        conn = await self.readers.get()
        try:
            row = await conn.fetchrow(self.sql[READ], 10_000 + n % PEOPLE + 1)
        finally:
            self.readers.put_nowait(conn)
        assert row["name"]

    async def write(self, n: int) -> None:
        async with self.writer.transaction():
            await self.writer.execute(self.sql[INSERT], n, "touch", STAMP)
            await self.writer.execute(self.sql[UPDATE], STAMP, n % PEOPLE + 1)

    async def close(self) -> None:
        await self.writer.close()
        while not self.readers.empty():
            await self.readers.get_nowait().close()


class Layer:
    name = "storage_db"

    async def open(self, url: str) -> None:
        self.db = await Database(url).open(migrate=False)

    async def read(self, n: int) -> None:
        row = await self.db.fetchone(READ, (10_000 + n % PEOPLE + 1,))
        assert row["name"]

    async def write(self, n: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(INSERT, (n, "touch", STAMP))
            await conn.execute(UPDATE, (STAMP, n % PEOPLE + 1))

    async def close(self) -> None:
        await self.db.close()


async def measure(url: str, ops: int, rounds: int) -> JSON:
    conn = await asyncpg.connect(url)
    try:
        for statement in SCHEMA:
            await conn.execute(to_postgresql(statement))
        await conn.executemany(
            "INSERT INTO people (id, telegram_id, name, branch_id) VALUES ($1, $2, $3, $4)",
            [(n, 10_000 + n, f"person {n}", n % 7) for n in range(1, PEOPLE + 1)],
        )
    finally:
        await conn.close()
    layers = [Raw(), Layer()]
    samples: dict[str, list[float]] = {}
    for layer in layers:
        await layer.open(url)
    try:
        for _ in range(rounds):
            for layer in layers:
                for what, timer, op in (
                    ("read", _timed, layer.read),
                    ("write", _timed, layer.write),
                    ("concurrent_read", _timed_concurrent, layer.read),
                ):
                    samples.setdefault(f"{layer.name}_{what}_us", []).append(await timer(op, ops))
    finally:
        for layer in layers:
            await layer.close()
    figures: JSON = {"ops": ops, "rounds": rounds}
    figures |= {key: round(statistics.median(values), 1) for key, values in samples.items()}
    for what in ("read", "write", "concurrent_read"):
        figures[f"{what}_ratio"] = round(
            figures[f"storage_db_{what}_us"] / figures[f"asyncpg_{what}_us"], 2
        )
    return figures


async def main(argv: Sequence[str] | None = None) -> JSON:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url")
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if args.url:
        figures = await measure(args.url, args.ops, args.rounds)
    else:
        from tests.postgres import Server, binaries

        bin_dir = binaries()
        if bin_dir is None:
            raise SystemExit("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        server = Server(bin_dir)
        server.start()
        try:
            figures = await measure(await server.new_database(), args.ops, args.rounds)
        finally:
            server.stop()
    report("postgres_layer", figures, list(figures.items()))
    return figures


if __name__ == "__main__":
    asyncio.run(main())
