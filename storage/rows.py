"""Row → domain dataclass conversions, kept in one place so queries stay short."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from functools import partial
from typing import Any, TypeVar, get_args, get_type_hints

import aiosqlite

from domain.models import Branch, CadreRegistration, Invite, JoinRequest, Person, UnitOrg
from storage.db import Database, Params, Reader, fetch_one, parse_iso, placeholders

T = TypeVar("T")


def build(cls: type[T], row: sqlite3.Row, **converted: Any) -> T:
    """A `cls` whose fields are the row's columns of the same names.

    A column is made into its field's type as the migrations store it: an enum from its
    value (an optional one None for NULL or ''), a `datetime` from ISO text (`parse_iso`),
    a `date` from an ISO day, a `bool` from 0/1. `converted` gives the fields that are made
    some other way or are not a column; every other field must be a column, so a renamed
    column fails loudly here.
    """
    plan = _PLANS.get(cls) or _plan(cls)
    plain = {
        name: row[name] if convert is None else convert(row[name])
        for name, convert in plan
        if name not in converted
    }
    return cls(**plain, **converted)


def mapper(cls: type[T]) -> Callable[[sqlite3.Row], T]:
    """`build` of `cls` from a row alone, for `one` and the lists a query makes."""
    return partial(build, cls)


_PLANS: dict[type, list[tuple[str, Callable[[Any], Any] | None]]] = {}


def _plan(cls: type) -> list[tuple[str, Callable[[Any], Any] | None]]:
    hints = get_type_hints(cls)
    plan = _PLANS[cls] = [(f.name, _converter(hints[f.name])) for f in fields(cls)]
    return plan


def _converter(kind: Any) -> Callable[[Any], Any] | None:
    """How a stored column becomes a field of type `kind`; None: as it is stored."""
    optional = type(None) in get_args(kind)
    if optional:
        inner = [a for a in get_args(kind) if a is not type(None)]
        if len(inner) != 1:
            return None
        kind = inner[0]
    if isinstance(kind, type) and issubclass(kind, Enum):
        return (lambda value: kind(value) if value else None) if optional else kind
    if kind is datetime:
        return parse_iso
    if kind is date:
        return lambda value: date.fromisoformat(value) if value else None
    if kind is bool:
        return (lambda value: None if value is None else bool(value)) if optional else bool
    return None


def columns(*parts: object) -> dict[str, Any]:
    """A row's columns from dataclasses (a column per field but `id`, which the database
    gives) and mappings; a later part's column replaces an earlier one's (a date stored as
    text, say)."""
    values: dict[str, Any] = {}
    for part in parts:
        if is_dataclass(part):
            values |= {k: v for k, v in asdict(part).items() if k != "id"}
        else:
            values |= dict(part)
    return values


async def insert(conn: aiosqlite.Connection, table: str, *parts: object) -> int:
    """Insert one row of `columns(*parts)`; its id. `table` is always a literal of the caller."""
    values = columns(*parts)
    cur = await conn.execute(
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({placeholders(values)})",
        tuple(values.values()),
    )
    return cur.lastrowid


async def insert_new(conn: aiosqlite.Connection, table: str, *parts: object) -> bool:
    """Insert the row of `columns(*parts)` unless one with its key is there already (a role
    held, a reminder sent); whether it was new."""
    values = columns(*parts)
    cur = await conn.execute(
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({placeholders(values)})"
        " ON CONFLICT DO NOTHING",
        tuple(values.values()),
    )
    return cur.rowcount > 0


async def one(
    source: Reader, mapper: Callable[[sqlite3.Row], T], sql: str, params: Params = ()
) -> T | None:
    """The first row `sql` finds, made into what `mapper` makes of it; None when none is."""
    row = await fetch_one(source, sql, params)
    return mapper(row) if row else None


branch = mapper(Branch)
person = mapper(Person)


async def people(db: Database, sql: str, params: Params = ()) -> list[Person]:
    """The people a `SELECT p.* …` query finds, read outside a transaction."""
    return [person(r) for r in await db.fetchall(sql, params)]


def _joined(row: sqlite3.Row, column: str) -> object:
    # `in` on a Row looks at its values, so the column names are asked for explicitly.
    names = row.keys()
    return row[column] if column in names else None


def _org_unit(row: sqlite3.Row) -> int | None:
    return _joined(row, "org_unit_id")


def invite(row: sqlite3.Row) -> Invite:
    return build(Invite, row, unit_id=_org_unit(row))


def join_request(row: sqlite3.Row) -> JoinRequest:
    return build(JoinRequest, row, unit_id=_org_unit(row))


unit_org = mapper(UnitOrg)
cadre_registration = mapper(CadreRegistration)
