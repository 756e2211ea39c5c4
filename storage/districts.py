"""Districts (区党工委) and who holds a role in one."""

from __future__ import annotations

import aiosqlite

from domain.models import Branch, Person, Role
from storage import rows
from storage.db import Database, Reader, fetch_one, iso, utcnow


async def create(conn: aiosqlite.Connection, name: str) -> int | None:
    """The new district's id; None when the name is taken."""
    cur = await conn.execute(
        "INSERT INTO districts (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING"
        " RETURNING id",
        (name, iso(utcnow())),
    )
    row = await cur.fetchone()
    return row[0] if row else None


async def all_districts(db: Database) -> list[tuple[int, str]]:
    found = await db.fetchall("SELECT id, name FROM districts ORDER BY id")
    return [(r["id"], r["name"]) for r in found]


async def name_of(db: Database, district_id: int) -> str | None:
    row = await db.fetchone("SELECT name FROM districts WHERE id = ?", (district_id,))
    return row["name"] if row else None


async def district_of_branch(source: Reader, branch_id: int) -> int | None:
    row = await fetch_one(source, "SELECT district_id FROM branches WHERE id = ?", (branch_id,))
    return row["district_id"] if row else None


async def branches_of_district(db: Database, district_id: int) -> list[Branch]:
    found = await db.fetchall(
        "SELECT * FROM branches WHERE district_id = ? ORDER BY id", (district_id,)
    )
    return [rows.branch(r) for r in found]


async def roles_of(db: Database, person_id: int) -> set[tuple[int, Role]]:
    found = await db.fetchall(
        "SELECT district_id, role FROM district_roles WHERE person_id = ?", (person_id,)
    )
    return {(r["district_id"], Role(r["role"])) for r in found}


async def branches_overseen(db: Database, person_id: int) -> set[int]:
    """The branches of the districts where the person holds the district role."""
    found = await db.fetchall(
        "SELECT b.id FROM branches b JOIN district_roles d ON d.district_id = b.district_id"
        " WHERE d.person_id = ? AND d.role = 'district'",
        (person_id,),
    )
    return {r["id"] for r in found}


async def grant_role(
    conn: aiosqlite.Connection,
    person_id: int,
    district_id: int,
    role: Role,
    granted_by: int | None = None,
) -> bool:
    held = dict(person_id=person_id, district_id=district_id, role=role)
    granted = dict(granted_at=iso(utcnow()), granted_by=granted_by)
    return await rows.insert_new(conn, "district_roles", held, granted)


async def contacts(db: Database, district_id: int) -> list[Person]:
    """The active people holding the district role of `district_id`."""
    return await rows.people(
        db,
        "SELECT p.* FROM people p JOIN district_roles d ON d.person_id = p.id"
        " WHERE d.district_id = ? AND d.role = 'district' AND p.status = 'active'"
        " ORDER BY p.id",
        (district_id,),
    )


async def contacts_in(conn: aiosqlite.Connection, district_id: int) -> list[tuple[int, int]]:
    """(person id, telegram id) of the district's contacts, read inside a transaction."""
    async with conn.execute(
        "SELECT p.id, p.telegram_id FROM people p JOIN district_roles d ON d.person_id = p.id"
        " WHERE d.district_id = ? AND d.role = 'district' AND p.status = 'active'"
        " AND p.telegram_id IS NOT NULL ORDER BY p.id",
        (district_id,),
    ) as cur:
        return [(r[0], r[1]) for r in await cur.fetchall()]
