"""Row → domain dataclass conversions, kept in one place so queries stay short."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, fields, is_dataclass
from typing import Any, TypeVar

import aiosqlite

from domain.models import (
    Branch,
    CadreRegistration,
    Category,
    Invite,
    InviteRole,
    JoinRequest,
    Person,
    PersonStatus,
    RegistrationStatus,
    RequestStatus,
    UnitOrg,
)
from storage.db import Database, Params, Reader, fetch_one, parse_iso, placeholders

T = TypeVar("T")


def build(cls: type[T], row: sqlite3.Row, **converted: Any) -> T:
    """A `cls` whose fields are the row's columns of the same names.

    `converted` gives the fields that are not a column as stored (enums, dates, flags);
    every other field must be a column, so a renamed column fails loudly here.
    """
    plain = {f.name: row[f.name] for f in fields(cls) if f.name not in converted}
    return cls(**plain, **converted)


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


def branch(row: sqlite3.Row) -> Branch:
    return build(Branch, row)


def person(row: sqlite3.Row) -> Person:
    return build(
        Person,
        row,
        category=Category(row["category"]) if row["category"] else None,
        status=PersonStatus(row["status"]),
    )


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
    return Invite(
        id=row["id"],
        code=row["code"],
        branch_id=row["branch_id"],
        role=InviteRole(row["role"]),
        uses_left=row["uses_left"],
        expires_at=parse_iso(row["expires_at"]),
        unit_id=_org_unit(row),
        person_id=row["person_id"],
        district_id=row["district_id"],
    )


def join_request(row: sqlite3.Row) -> JoinRequest:
    return build(
        JoinRequest,
        row,
        role=InviteRole(row["role"]),
        status=RequestStatus(row["status"]),
        created_at=parse_iso(row["created_at"]),
        unit_id=_org_unit(row),
    )


def unit_org(row: sqlite3.Row) -> UnitOrg:
    return build(UnitOrg, row)


def cadre_registration(row: sqlite3.Row) -> CadreRegistration:
    return build(
        CadreRegistration,
        row,
        status=RegistrationStatus(row["status"]),
        submitted_at=parse_iso(row["submitted_at"]),
        decided_at=parse_iso(row["decided_at"]),
    )
