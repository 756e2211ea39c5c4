"""Databases, people and branches set up straight through storage and the domain, for the
tests that need something to act on without walking through the chat."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import aiosqlite

from domain import admin, outbox
from domain.access import Actor, actor
from domain.models import Category, PersonStatus, Role
from storage import migrations, people
from storage.db import Database


async def active_person(
    conn: aiosqlite.Connection,
    branch_id: int,
    telegram_id: int,
    name: str,
    *,
    category: Category | None = Category.RESIDENT,
    role: Role = Role.MEMBER,
    phone: str | None = None,
) -> int:
    """An active person of the branch holding `role`, as the roster would make them;
    returns their person id. `conn` is an open transaction, so a crowd costs one."""
    person_id = await people.insert(
        conn,
        telegram_id=telegram_id,
        branch_id=branch_id,
        name=name,
        phone=phone,
        category=category,
        status=PersonStatus.ACTIVE,
    )
    await people.grant_role(conn, person_id, branch_id, role)
    return person_id


async def member_actor(
    db: Database,
    branch_id: int,
    telegram_id: int,
    name: str,
    *,
    category: Category | None = Category.RESIDENT,
) -> Actor:
    """An active member of the branch, as the domain sees them acting."""
    async with db.transaction() as conn:
        await active_person(conn, branch_id, telegram_id, name, category=category)
    return await actor(db, telegram_id)


async def branch_with_member(db: Database) -> tuple[Actor, Actor]:
    """幸福社区党支部 with its secretary (Telegram id 1) and one resident member, 李明
    (Telegram id 2): the two of them as actors."""
    branch = await admin.add_branch(db, "幸福社区党支部")
    await admin.add_secretary(db, branch.id, 1)
    member = await member_actor(db, branch.id, 2, "李明")
    return await actor(db, 1), member


async def database_at(path: Path, version: int) -> Database:
    """An open database migrated only up to `version`: what an older bot left behind, for a
    test of the upgrade after it."""
    db = Database(path)
    await db.open(migrate=False)
    await migrations.apply(db.writer, target=version)
    return db


async def database_before(tmp_path: Path, migration: str, script: str) -> Path:
    """The file of a closed database migrated up to just before `migration` (the end of its
    file name, `_contacts.sql`), holding what `script` (SQL) writes: what the older bot left.
    Found by name, so a migration renumbered in a merge keeps its upgrade test; opening the
    file upgrades it. Written through the database's own connection, so that the upgrade is
    tested on either engine (`--engine postgresql`, tests/postgres.py)."""
    path = tmp_path / "old.db"
    mine = next(m.version for m in migrations.available() if m.name.endswith(migration))
    db = await database_at(path, mine - 1)
    try:
        await db.writer.executescript(script)
    finally:
        await db.close()
    return path


async def thank_each(conn: aiosqlite.Connection, chat_ids: list[int], key_prefix: str) -> None:
    """An urgent "Thank you." queued for each chat, keyed `key_prefix` and the chat id."""
    for chat_id in chat_ids:
        await outbox.enqueue(
            conn,
            key=f"{key_prefix}{chat_id}",
            chat_id=chat_id,
            text="Thank you.",
            kind=outbox.Kind.URGENT,
        )


def outflow_details(departure: date, **answers: str) -> dict[str, str]:
    """A member's answers when registering an outflow, as domain.mobile.submit takes them:
    to 浙江省杭州市 for work (务工) from `departure`, back 90 days later; `answers`
    replace any of them."""
    return {
        "destination": "浙江省杭州市",
        "address": "西湖区文三路1号",
        "employer": "杭州某建筑公司",
        "departure": departure.isoformat(),
        "expected_return": (departure + timedelta(days=90)).isoformat(),
        "reason": "务工",
        "phone": "13800138000",
    } | answers
