from __future__ import annotations

import aiosqlite

from domain.models import Category, Person, PersonStatus, Role
from storage import rows
from storage.db import Database, fetch_one, iso, utcnow

# domain.access's rule for SQL: the person aliased `p` is a member of their branch.
MEMBER_OF = (
    "(p.status = 'active' AND EXISTS (SELECT 1 FROM roles mr WHERE mr.person_id = p.id"
    " AND mr.branch_id = p.branch_id AND mr.role IN ('member', 'cadre')))"
)


async def by_telegram_id(db: Database, telegram_id: int) -> Person | None:
    return await rows.one(
        db, rows.person, "SELECT * FROM people WHERE telegram_id = ?", (telegram_id,)
    )


async def with_roles_by_telegram_id(
    db: Database, telegram_id: int
) -> tuple[Person, set[tuple[int, Role]], set[tuple[int, Role]]] | None:
    """The person, their roles per branch and their roles per district in one statement:
    every update reads them (its actor)."""
    found = await db.fetchall(
        "SELECT p.*, r.branch_id AS role_branch_id, r.role AS role_name, NULL AS district_id"
        " FROM people p LEFT JOIN roles r ON r.person_id = p.id WHERE p.telegram_id = ?"
        " UNION ALL SELECT p.*, NULL, d.role, d.district_id FROM people p"
        " JOIN district_roles d ON d.person_id = p.id WHERE p.telegram_id = ?",
        (telegram_id, telegram_id),
    )
    if not found:
        return None
    roles, district_roles = set(), set()
    for r in found:
        if r["district_id"] is not None:
            district_roles.add((r["district_id"], Role(r["role_name"])))
        elif r["role_name"]:
            roles.add((r["role_branch_id"], Role(r["role_name"])))
    return rows.person(found[0]), roles, district_roles


async def get(db: Database, person_id: int) -> Person | None:
    return await rows.one(db, rows.person, "SELECT * FROM people WHERE id = ?", (person_id,))


async def get_for_update(conn: aiosqlite.Connection, person_id: int) -> Person | None:
    return await rows.one(conn, rows.person, "SELECT * FROM people WHERE id = ?", (person_id,))


async def by_telegram_id_for_update(conn: aiosqlite.Connection, telegram_id: int) -> Person | None:
    return await rows.one(
        conn, rows.person, "SELECT * FROM people WHERE telegram_id = ?", (telegram_id,)
    )


async def insert(
    conn: aiosqlite.Connection,
    *,
    telegram_id: int | None,
    branch_id: int | None,
    name: str | None,
    phone: str | None = None,
    category: Category | None = None,
    status: PersonStatus = PersonStatus.ACTIVE,
) -> int:
    now = iso(utcnow())
    row = dict(telegram_id=telegram_id, branch_id=branch_id, name=name, phone=phone)
    row |= dict(category=category, status=status, created_at=now, updated_at=now)
    return await rows.insert(conn, "people", row)


async def update(conn: aiosqlite.Connection, person_id: int, **fields: object) -> None:
    allowed = {"branch_id", "name", "phone", "category", "status", "telegram_id"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown person fields {unknown}")
    assignments = ", ".join(f"{name} = ?" for name in fields)
    await conn.execute(
        f"UPDATE people SET {assignments}, updated_at = ? WHERE id = ?",
        (*fields.values(), iso(utcnow()), person_id),
    )


async def grant_role(
    conn: aiosqlite.Connection,
    person_id: int,
    branch_id: int,
    role: Role,
    granted_by: int | None = None,
) -> bool:
    granted = dict(granted_at=iso(utcnow()), granted_by=granted_by)
    held = dict(person_id=person_id, branch_id=branch_id, role=role)
    if not await rows.insert_new(conn, "roles", held, granted):
        return False
    await mark_menu(conn, person_id)
    return True


async def revoke_role(
    conn: aiosqlite.Connection, person_id: int, branch_id: int, role: Role
) -> bool:
    cur = await conn.execute(
        "DELETE FROM roles WHERE person_id = ? AND branch_id = ? AND role = ?",
        (person_id, branch_id, role),
    )
    if cur.rowcount > 0:
        await mark_menu(conn, person_id)
    return cur.rowcount > 0


async def mark_menu(conn: aiosqlite.Connection, person_id: int) -> None:
    """The person's command menu is out of date; the running bot republishes it."""
    row = await fetch_one(conn, "SELECT telegram_id FROM people WHERE id = ?", (person_id,))
    if row is not None and row[0] is not None:
        await mark_menu_of_chat(conn, row[0])


async def mark_menu_of_chat(conn: aiosqlite.Connection, telegram_id: int) -> None:
    # Microseconds: a mark made while the previous one is being published must differ.
    await conn.execute(
        "INSERT INTO menu_refresh (telegram_id, marked_at) VALUES (?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET marked_at = excluded.marked_at",
        (telegram_id, utcnow().isoformat()),
    )


async def menus_to_refresh(db: Database, limit: int) -> list[tuple[int, str]]:
    found = await db.fetchall(
        "SELECT telegram_id, marked_at FROM menu_refresh ORDER BY marked_at LIMIT ?", (limit,)
    )
    return [(r[0], r[1]) for r in found]


async def menu_refreshed(conn: aiosqlite.Connection, telegram_id: int, marked_at: str) -> None:
    """A mark made again meanwhile stays, so that newer change is published too."""
    await conn.execute(
        "DELETE FROM menu_refresh WHERE telegram_id = ? AND marked_at = ?",
        (telegram_id, marked_at),
    )


async def roles_of(db: Database, person_id: int) -> set[tuple[int, Role]]:
    found = await db.fetchall("SELECT branch_id, role FROM roles WHERE person_id = ?", (person_id,))
    return {(r["branch_id"], Role(r["role"])) for r in found}


async def has_role(db: Database, person_id: int, branch_id: int, role: Role) -> bool:
    row = await db.fetchone(
        "SELECT 1 FROM roles WHERE person_id = ? AND branch_id = ? AND role = ?",
        (person_id, branch_id, role),
    )
    return row is not None


async def has_role_in(
    conn: aiosqlite.Connection, person_id: int, branch_id: int, role: Role
) -> bool:
    async with conn.execute(
        "SELECT 1 FROM roles WHERE person_id = ? AND branch_id = ? AND role = ?",
        (person_id, branch_id, role),
    ) as cur:
        return await cur.fetchone() is not None


async def secretary_count(conn: aiosqlite.Connection, branch_id: int) -> int:
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM roles r JOIN people p ON p.id = r.person_id"
        " WHERE r.branch_id = ? AND r.role = 'secretary' AND p.status = 'active'",
        (branch_id,),
    )
    return row[0]


async def secretaries(db: Database, branch_id: int) -> list[Person]:
    return await rows.people(
        db,
        "SELECT p.* FROM people p JOIN roles r ON r.person_id = p.id"
        " WHERE r.branch_id = ? AND r.role = 'secretary' AND p.status = 'active'"
        " ORDER BY p.id",
        (branch_id,),
    )


async def all_secretary_telegram_ids(db: Database) -> list[int]:
    found = await db.fetchall(
        "SELECT DISTINCT p.telegram_id FROM people p JOIN roles r ON r.person_id = p.id"
        " WHERE r.role = 'secretary' AND p.status = 'active' AND p.telegram_id IS NOT NULL"
    )
    return [r[0] for r in found]


async def member_count(db: Database, branch_id: int) -> int:
    """The branch's members (MEMBER_OF): contacts and secretaries not on the roster are none."""
    return await db.fetchval(
        f"SELECT COUNT(*) FROM people p WHERE p.branch_id = ? AND {MEMBER_OF}", (branch_id,)
    )


async def holders(db: Database, branch_id: int, role: Role) -> list[Person]:
    """The active people holding `role` in the branch who have a chat with the bot."""
    return await rows.people(
        db,
        "SELECT p.* FROM people p JOIN roles r ON r.person_id = p.id"
        " WHERE r.branch_id = ? AND r.role = ? AND p.status = 'active'"
        " AND p.telegram_id IS NOT NULL ORDER BY p.id",
        (branch_id, role),
    )
