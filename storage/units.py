"""Unit party organisations, their contacts and group chats, and county contacts."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from domain.models import InviteRole, JoinRequest, Person, UnitOrg
from storage import rows
from storage.db import Database, fetch_one, iso, utcnow


async def create(
    conn: aiosqlite.Connection,
    *,
    name: str,
    parent_id: int | None,
    created_by: int | None,
    locale: str | None = None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO unit_orgs (name, parent_id, locale, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (name, parent_id, locale, created_by, iso(utcnow())),
    )
    return cur.lastrowid


async def get(db: Database, unit_id: int) -> UnitOrg | None:
    return await rows.one(db, rows.unit_org, "SELECT * FROM unit_orgs WHERE id = ?", (unit_id,))


async def by_name(conn: aiosqlite.Connection, name: str) -> UnitOrg | None:
    return await rows.one(conn, rows.unit_org, "SELECT * FROM unit_orgs WHERE name = ?", (name,))


async def all_units(db: Database) -> list[UnitOrg]:
    return [rows.unit_org(r) for r in await db.fetchall("SELECT * FROM unit_orgs ORDER BY id")]


async def attach_contact(conn: aiosqlite.Connection, request: JoinRequest) -> None:
    """An approved contact's invitation names their organisation; record them there."""
    if request.role is InviteRole.COUNTY:
        await conn.execute(
            "INSERT INTO county_contacts (person_id, since) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (request.person_id, iso(utcnow())),
        )
    elif request.role is InviteRole.UNIT and request.unit_id is not None:
        await conn.execute(
            "INSERT INTO unit_contacts (unit_id, person_id, since) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (request.unit_id, request.person_id, iso(utcnow())),
        )


async def units_of_contact(db: Database, person_id: int) -> list[int]:
    found = await db.fetchall(
        "SELECT unit_id FROM unit_contacts WHERE person_id = ? ORDER BY unit_id", (person_id,)
    )
    return [r[0] for r in found]


async def is_county_contact(db: Database, person_id: int) -> bool:
    found = await db.fetchone("SELECT 1 FROM county_contacts WHERE person_id = ?", (person_id,))
    return found is not None


async def contacts(db: Database, unit_id: int) -> list[Person]:
    return await rows.people(
        db,
        "SELECT p.* FROM people p JOIN unit_contacts c ON c.person_id = p.id"
        " WHERE c.unit_id = ? AND p.status = 'active' ORDER BY p.id",
        (unit_id,),
    )


async def county_contacts(db: Database) -> list[Person]:
    return await rows.people(
        db,
        "SELECT p.* FROM people p JOIN county_contacts c ON c.person_id = p.id"
        " WHERE p.status = 'active' ORDER BY p.id",
    )


async def add_link_code(
    conn: aiosqlite.Connection, *, code: str, unit_id: int, created_by: int, expires_at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO unit_link_codes (code, unit_id, created_by, expires_at) VALUES (?, ?, ?, ?)",
        (code, unit_id, created_by, iso(expires_at)),
    )


async def use_link_code(conn: aiosqlite.Connection, code: str, now: datetime) -> int | None:
    """The unit of a fresh, unused code, marking it used; None otherwise."""
    row = await fetch_one(
        conn,
        "UPDATE unit_link_codes SET used_at = ? WHERE code = ? AND used_at IS NULL"
        " AND expires_at > ? RETURNING unit_id",
        (iso(now), code, iso(now)),
    )
    return row[0] if row else None


async def set_chat(conn: aiosqlite.Connection, unit_id: int, chat_id: int) -> None:
    await conn.execute("UPDATE unit_orgs SET chat_id = ? WHERE id = ?", (chat_id, unit_id))
