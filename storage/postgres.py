"""PostgreSQL behind the surface storage modules use from aiosqlite (docs/scaling.md).

Storage SQL is written once, with SQLite's `?` (or `:name`) placeholders; here each statement
is translated once to asyncpg's `$1, $2, …` and kept prepared, so a statement costs one round
trip as on SQLite. A connection's `execute` gives a cursor with `rowcount`, `lastrowid`,
`fetchone` and `fetchall`, awaited or used with `async with`, as aiosqlite's does.

`lastrowid` has no PostgreSQL equivalent: an INSERT into a table with an `id` identity column
gets `RETURNING id` added, so code written for SQLite keeps working; new code says
`RETURNING id` itself, which both engines take.

Constraint violations (and the append-only triggers, which raise SQLSTATE 23000) surface as
`sqlite3.IntegrityError` subclasses, so domain code that catches those needs no second
spelling.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import asyncpg

Params = Sequence[Any] | dict[str, Any]

# Statements that take no parameters and return nothing: the simple protocol, no prepare.
_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_DDL = re.compile(r"^\s*(CREATE|ALTER|DROP)\b", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CACHED = 256


class IntegrityError(sqlite3.IntegrityError):
    """A PostgreSQL constraint violation, catchable as SQLite's."""

    def __init__(self, error: asyncpg.PostgresError) -> None:
        super().__init__(str(error))
        self.sqlstate = error.sqlstate


def driver():
    """asyncpg, imported when PostgreSQL is first used: a bot on SQLite never loads it (it
    would add to every start-up). An `except driver().X` costs nothing until something is
    raised."""
    import asyncpg

    return asyncpg


@lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, tuple[str, ...] | int]:
    """`sql` with `?` and `:name` placeholders as `$n`, outside literals and comments; with
    the names in order (`:name`) or how many `?` there were."""
    out: list[str] = []
    names: list[str] = []
    count = 0
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == c:
                    if end + 1 < n and sql[end + 1] == c:  # '' or "" inside
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end])
            i = end
        elif c == "?":
            count += 1
            out.append(f"${count}")
            i += 1
        elif c == ":" and i + 1 < n and sql[i + 1] == ":":  # a PostgreSQL cast
            out.append("::")
            i += 2
        elif c == ":" and (match := _NAME.match(sql, i + 1)):
            name = match.group()
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i = match.end()
        else:
            out.append(c)
            i += 1
    if names and count:
        raise ValueError("a statement mixes ? and :name placeholders")
    return "".join(out), tuple(names) if names else count


class _Plan(NamedTuple):
    """What `_execute` needs to know of a statement, worked out once per text."""

    control: bool  # BEGIN, COMMIT, …: the simple protocol when it has no parameters
    text: str  # with $n placeholders
    shape: tuple[str, ...] | int
    insert_into: str | None  # the table of an INSERT, lower case
    returning_id: str | None  # `text` with RETURNING id, for an INSERT without RETURNING
    ddl: bool  # CREATE, ALTER, DROP: the identity tables may have changed
    changes: bool  # INSERT, UPDATE, DELETE: counted in total_changes


@lru_cache(maxsize=2048)
def _plan(sql: str) -> _Plan:
    text, shape = translate(sql)
    insert = _INSERT.match(sql)
    returning_id = None
    if insert is not None and not _RETURNING.search(sql):
        returning_id = text.rstrip().rstrip(";") + " RETURNING id"
    return _Plan(
        control=_CONTROL.match(sql) is not None,
        text=text,
        shape=shape,
        insert_into=None if insert is None else insert.group(1).lower(),
        returning_id=returning_id,
        ddl=_DDL.match(sql) is not None,
        changes=insert is not None or sql.lstrip()[:6].upper() in ("UPDATE", "DELETE"),
    )


def _arguments(shape: tuple[str, ...] | int, params: Params) -> Sequence[Any]:
    if isinstance(shape, tuple):
        if not isinstance(params, dict):
            raise TypeError("named placeholders need a dict of parameters")
        return [params[name] for name in shape]
    if isinstance(params, dict):
        raise TypeError("? placeholders need a sequence of parameters")
    if len(params) != shape:
        raise sqlite3.ProgrammingError(f"{shape} placeholders, {len(params)} parameters given")
    return params


def _rowcount(status: str | None) -> int:
    """asyncpg's command tag (`INSERT 0 3`, `UPDATE 2`, `SELECT 5`) as DB-API's rowcount."""
    if not status:
        return -1
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


def _number(text: str) -> int | float:
    """`numeric` (what PostgreSQL's SUM of integers gives) as SQLite gives it."""
    return float(text) if any(c in text for c in ".eE") else int(text)


async def _setup(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "numeric", encoder=str, decoder=_number, schema="pg_catalog", format="text"
    )


async def connect(url: str) -> PgConnection:
    conn = await driver().connect(url)
    await _setup(conn)
    return PgConnection(conn)


class Cursor:
    """What a statement left: its rows, rowcount and (for an INSERT) the new row's id."""

    def __init__(self, rows: list[asyncpg.Record], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> asyncpg.Record | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchall(self) -> list[asyncpg.Record]:
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    async def close(self) -> None:
        pass

    def __aiter__(self):
        return self

    async def __anext__(self) -> asyncpg.Record:
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class _Pending:
    """`conn.execute(...)`: awaited, a cursor; `async with`, the same cursor."""

    def __init__(self, coro) -> None:
        self._coro = coro

    def __await__(self):
        return self._coro.__await__()

    async def __aenter__(self) -> Cursor:
        return await self._coro

    async def __aexit__(self, *exc: object) -> None:
        pass


class PgConnection:
    """One asyncpg connection with aiosqlite's surface (as storage modules use it)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.raw = conn
        self.total_changes = 0
        # Tables whose INSERTs get `RETURNING id` for `lastrowid` (set after migrations).
        self.identity_tables: frozenset[str] = frozenset()
        self._prepared: dict[str, asyncpg.prepared_stmt.PreparedStatement] = {}

    @property
    def in_transaction(self) -> bool:
        return self.raw.is_in_transaction()

    async def learn_identities(self) -> None:
        rows = await self.raw.fetch(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'id'"
            " AND is_identity = 'YES'"
        )
        self.identity_tables = frozenset(r["table_name"] for r in rows)

    async def _statement(self, sql: str) -> asyncpg.prepared_stmt.PreparedStatement:
        stmt = self._prepared.get(sql)
        if stmt is None:
            if len(self._prepared) >= _CACHED:
                self._prepared.pop(next(iter(self._prepared)))
            stmt = self._prepared[sql] = await self.raw.prepare(sql)
        return stmt

    async def begin_locked(self, lock: tuple[int, int]) -> None:
        """BEGIN, then wait for the transaction-level advisory lock `lock`: one round trip
        (the simple protocol takes both statements in one message)."""
        first, second = (int(key) for key in lock)
        await self.raw.execute(f"BEGIN; SELECT pg_advisory_xact_lock({first}, {second})")

    def execute(self, sql: str, params: Params = ()) -> _Pending:
        return _Pending(self._execute(sql, params))

    async def _execute(self, sql: str, params: Params) -> Cursor:
        plan = _plan(sql)
        if plan.control and not params:
            try:
                await self.raw.execute(sql)
            except driver().IntegrityConstraintViolationError as error:
                raise IntegrityError(error) from error
            return Cursor([], -1, None)
        returning = plan.returning_id is not None and plan.insert_into in self.identity_tables
        text = plan.returning_id if returning else plan.text
        args = _arguments(plan.shape, params)
        try:
            stmt = await self._statement(text)
            rows = await stmt.fetch(*args)
        except driver().InvalidCachedStatementError:
            # The schema changed under a prepared statement (a migration): prepare again.
            self._prepared.pop(text, None)
            stmt = await self._statement(text)
            rows = await stmt.fetch(*args)
        except driver().IntegrityConstraintViolationError as error:
            raise IntegrityError(error) from error
        count = _rowcount(stmt.get_statusmsg())
        if plan.ddl:
            await self.learn_identities()
        if plan.changes:
            self.total_changes += max(count, 0)
        if returning:
            return Cursor([], count, rows[-1]["id"] if rows else None)
        return Cursor(rows, count, None)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        return await (await self._execute(sql, params)).fetchall()

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        text, shape = translate(sql)
        try:
            stmt = await self._statement(text)
            await stmt.executemany([_arguments(shape, row) for row in rows])
        except driver().IntegrityConstraintViolationError as error:
            raise IntegrityError(error) from error

    async def executescript(self, script: str) -> None:
        """Several statements, no parameters (migrations): the simple protocol."""
        try:
            await self.raw.execute(script)
        except driver().IntegrityConstraintViolationError as error:
            raise IntegrityError(error) from error
        self._prepared.clear()

    async def close(self) -> None:
        await self.raw.close()


class PgReader:
    """Reads outside a transaction: a few connections of their own, each keeping its prepared
    statements, one round trip a read; a read waits only when all of them are busy."""

    def __init__(self, connections: list[PgConnection]) -> None:
        self._all = connections
        self._free: asyncio.Queue[PgConnection] = asyncio.Queue()
        for conn in connections:
            self._free.put_nowait(conn)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        conn = await self._free.get()
        try:
            return await conn.execute_fetchall(sql, params)
        finally:
            self._free.put_nowait(conn)

    def execute(self, sql: str, params: Params = ()) -> _Pending:
        return _Pending(self._cursor(sql, params))

    async def _cursor(self, sql: str, params: Params) -> Cursor:
        rows = await self.execute_fetchall(sql, params)
        return Cursor(rows, len(rows), None)

    async def close(self) -> None:
        for conn in self._all:
            await conn.close()
