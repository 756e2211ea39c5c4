"""Building cadres, units and registrations straight through the domain, for tests."""

from __future__ import annotations

from domain import cadres
from domain.access import actor
from domain.models import Category, PersonStatus, Role
from storage import people
from storage.db import Database

_next_telegram_id = [900_000]


async def member(
    db: Database, branch_id: int, name: str, *, cadre: bool = True, telegram_id: int | None = None
) -> int:
    """An active member of a branch; returns their Telegram id."""
    if telegram_id is None:
        _next_telegram_id[0] += 1
        telegram_id = _next_telegram_id[0]
    async with db.transaction() as conn:
        person_id = await people.insert(
            conn,
            telegram_id=telegram_id,
            branch_id=branch_id,
            name=name,
            phone="13800138000",
            category=Category.CADRE if cadre else Category.RESIDENT,
            status=PersonStatus.ACTIVE,
        )
        await people.grant_role(conn, person_id, branch_id, Role.CADRE if cadre else Role.MEMBER)
    return telegram_id


def facts(name: str, unit_id: int | None, **changes: object) -> cadres.Facts:
    values: dict = dict(
        name=name,
        unit_id=unit_id,
        unit_name=None,
        position="局长",
        rank="division",
        address="幸福路 1 号 2 单元",
        phone="13800138000",
    )
    return cadres.Facts(**(values | changes))


async def registered(
    db: Database,
    telegram_id: int,
    secretary_telegram_id: int,
    unit_id: int | None,
    year: int = 2026,
    **changes: object,
) -> int:
    """Submit and confirm a registration; returns the person id."""
    me = await actor(db, telegram_id)
    submitted = await cadres.submit(db, me, facts(me.person.name, unit_id, **changes), year)
    secretary = await actor(db, secretary_telegram_id)
    await cadres.decide(db, secretary, submitted.registration.id, approve=True)
    return me.person.id
