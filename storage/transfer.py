"""Copy a SQLite database into an empty PostgreSQL one, and prove the copy (`partybot
migrate-to`, docs/scaling.md).

The SQLite file is only read (opened read-only, one snapshot for the whole run, so a copy
taken beside a running writer is still consistent). The target is migrated to the source's
schema version first, then every table is copied parents before children, in batches through
`COPY` (the county data set's million hour records never sit in memory at once), in one
transaction: a copy that fails leaves the target empty, to try again. Identity sequences then
continue after the copied ids, as after a migration.

Verification reads both sides again: per table the row count and a checksum, the sum of a
64-bit hash of each row (order-independent, so neither side's collation or row order
matters), with each value in the form both engines give it back.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage import migrations, postgres

BATCH = 10_000
_MASK = (1 << 64) - 1


class TransferRefused(Exception):
    """What the operator has to fix before a copy can start (one line)."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    # A column referencing the table itself (a parent row), copied parents first.
    parent: tuple[str, str] | None = None


@dataclass(frozen=True)
class Tally:
    rows: int
    checksum: int


def open_source(path: Path) -> sqlite3.Connection:
    """The SQLite file, read-only, inside one read transaction (a snapshot) until closed."""
    if not path.is_file():
        raise TransferRefused(f"no SQLite database at {path}")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
    return conn


def source_version(source: sqlite3.Connection) -> int:
    return int(source.execute("PRAGMA user_version").fetchone()[0])


def tables(source: sqlite3.Connection) -> list[Table]:
    """The source's tables, each after every table it references."""
    names = [
        r[0]
        for r in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    found: dict[str, Table] = {}
    needs: dict[str, set[str]] = {}
    for name in names:
        columns = tuple(r[1] for r in source.execute(f'PRAGMA table_info("{name}")'))
        keys = source.execute(f'PRAGMA foreign_key_list("{name}")').fetchall()
        parent = next(((k[3], k[4] or "id") for k in keys if k[2] == name), None)
        found[name] = Table(name, columns, parent)
        needs[name] = {k[2] for k in keys if k[2] != name}
    ordered: list[Table] = []
    done: set[str] = set()
    while len(ordered) < len(found):
        ready = [n for n in names if n not in done and needs[n] <= done]
        if not ready:
            raise TransferRefused(f"foreign keys form a cycle among {sorted(set(names) - done)}")
        for name in ready:
            ordered.append(found[name])
            done.add(name)
    return ordered


def dangling(source: sqlite3.Connection) -> list[str]:
    """Rows whose foreign key points nowhere (PostgreSQL would refuse them)."""
    return sorted({r[0] for r in source.execute("PRAGMA foreign_key_check")})


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{c}"' for c in names)


def source_rows(source: sqlite3.Connection, table: Table) -> Iterator[list[tuple]]:
    """The table's rows in batches; a table referencing itself parents first."""
    columns = _quoted(table.columns)
    if table.parent is None:
        cur = source.execute(f'SELECT {columns} FROM "{table.name}"')
    else:
        child, key = table.parent
        qualified = ", ".join(f't."{c}"' for c in table.columns)
        cur = source.execute(
            f'WITH RECURSIVE tree(k, depth) AS (SELECT "{key}", 0 FROM "{table.name}"'
            f' WHERE "{child}" IS NULL UNION ALL SELECT t."{key}", depth + 1'
            f' FROM "{table.name}" t JOIN tree ON t."{child}" = tree.k)'
            f" SELECT {qualified}"
            f' FROM "{table.name}" t JOIN tree ON t."{key}" = tree.k ORDER BY depth'
        )
    while batch := cur.fetchmany(BATCH):
        yield batch


def _value(value: Any) -> Any:
    # What both drivers give back for one stored value: bytes for a BLOB/BYTEA (asyncpg
    # may give a memoryview-like), the rest as they are.
    return bytes(value) if isinstance(value, bytes | bytearray | memoryview) else value


class Checksum:
    def __init__(self) -> None:
        self.rows = 0
        self.total = 0

    def add(self, row: Any) -> None:
        text = repr(tuple(_value(v) for v in row)).encode()
        digest = hashlib.blake2b(text, digest_size=8).digest()
        self.total = (self.total + int.from_bytes(digest, "big")) & _MASK
        self.rows += 1

    def tally(self) -> Tally:
        return Tally(self.rows, self.total)


def source_tally(source: sqlite3.Connection, table: Table) -> Tally:
    check = Checksum()
    for batch in source_rows(source, table):
        for row in batch:
            check.add(row)
    return check.tally()


async def target_tables(conn: postgres.PgConnection) -> set[str]:
    rows = await conn.raw.fetch(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )
    return {r["table_name"] for r in rows}


async def filled_tables(conn: postgres.PgConnection) -> list[str]:
    """Tables of the target that hold rows (its schema_version row aside)."""
    filled = []
    for name in sorted(await target_tables(conn) - {"schema_version"}):
        if await conn.raw.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{name}")'):
            filled.append(name)
    return filled


async def prepare_target(conn: postgres.PgConnection, version: int) -> list[str]:
    """Refuse a target that holds data or a newer schema; migrate it to `version`."""
    if filled := await filled_tables(conn):
        shown = ", ".join(filled[:5]) + (", …" if len(filled) > 5 else "")
        raise TransferRefused(
            f"the PostgreSQL database is not empty ({len(filled)} tables hold rows: {shown});"
            " migrate-to copies into an empty database only"
        )
    have = await migrations.current_version(conn)
    if have > version:
        raise TransferRefused(
            f"the PostgreSQL database is at schema {have}, the SQLite one at {version}:"
            " run `partybot migrate` on the SQLite database first, or use an empty database"
        )
    return await migrations.apply(conn, target=version)


async def copy(
    source: sqlite3.Connection,
    conn: postgres.PgConnection,
    ordered: list[Table],
    progress: Callable[[Table, int], None],
) -> dict[str, Tally]:
    """Every table's rows into the target, one transaction; the source's tallies."""
    missing = [t.name for t in ordered if t.name not in await target_tables(conn)]
    if missing:
        raise TransferRefused(f"the PostgreSQL schema lacks the tables {missing}")
    tallies: dict[str, Tally] = {}
    async with conn.raw.transaction():
        for table in ordered:
            check = Checksum()
            for batch in source_rows(source, table):
                for row in batch:
                    check.add(row)
                await conn.raw.copy_records_to_table(
                    table.name, records=batch, columns=list(table.columns)
                )
            tallies[table.name] = check.tally()
            progress(table, check.rows)
        await migrations.follow_ids(conn)
    return tallies


async def _target_batches(conn: postgres.PgConnection, table: Table) -> AsyncIterator[Any]:
    async with conn.raw.transaction(readonly=True):
        query = f'SELECT {_quoted(table.columns)} FROM "{table.name}"'
        async for row in conn.raw.cursor(query, prefetch=BATCH):
            yield row


async def target_tally(conn: postgres.PgConnection, table: Table) -> Tally:
    check = Checksum()
    async for row in _target_batches(conn, table):
        check.add(row)
    return check.tally()


async def differences(
    source: dict[str, Tally], conn: postgres.PgConnection, ordered: list[Table]
) -> list[str]:
    """One line per table whose row count or checksum differs between the source's tallies
    and what the target holds now."""
    found = []
    for table in ordered:
        mine, theirs = source[table.name], await target_tally(conn, table)
        if mine.rows != theirs.rows:
            found.append(f"{table.name}: {mine.rows} rows in SQLite, {theirs.rows} in PostgreSQL")
        elif mine.checksum != theirs.checksum:
            found.append(f"{table.name}: same {mine.rows} rows, checksums differ")
    return found
