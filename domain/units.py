"""Unit party organisations (单位党组织): creating them, inviting their contacts, and
linking a unit's group chat."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import onboarding
from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict, NotAllowed, NotFound
from domain.models import Invite, InviteRole, Role, UnitOrg
from domain.unit_of_work import UnitOfWork, unit_of_work
from domain.validation import one_line
from storage import units
from storage.db import Database, utcnow

UNIT_NAME_MAX = 60
LINK_CODE_DAYS = 2


def unit_name(value: str) -> str:
    return one_line(value, "unit_name", 2, UNIT_NAME_MAX)


def _may_manage_units(actor: Actor | None) -> int | None:
    """The person id acting; None for the operator at the command line (actor None)."""
    if actor is None:
        return None
    if actor.has(Role.SECRETARY) or actor.has(Role.COUNTY):
        assert actor.person is not None
        return actor.person.id
    raise NotAllowed("not_allowed")


async def all_units(db: Database) -> list[UnitOrg]:
    """Every unit party organisation, oldest first: what a registering cadre chooses from."""
    return await units.all_units(db)


async def get(db: Database, unit_id: int) -> UnitOrg | None:
    return await units.get(db, unit_id)


async def contact_units(db: Database, actor: Actor) -> list[int]:
    """The units whose contact the actor is; none for anyone else."""
    if actor.person is None:
        return []
    return await units.units_of_contact(db, actor.person.id)


async def insert_unit(
    work: UnitOfWork, name: str, parent_id: int | None, locale: str | None = None
) -> int:
    """Within the caller's work, so a secretary confirming a cadre whose unit was not
    listed adds the unit and confirms at once."""
    created_by = work.person.id if work.person else None
    try:
        unit_id = await units.create(
            work.conn, name=name, parent_id=parent_id, created_by=created_by, locale=locale
        )
    except sqlite3.IntegrityError:
        raise Conflict("unit_exists", name=name) from None
    await work.audit("unit.created", "unit_org", unit_id, name=name, parent=parent_id)
    return unit_id


@effect
async def add_unit(
    db: Database,
    actor: Actor | None,
    name: str,
    parent_id: int | None = None,
    locale: str | None = None,
) -> UnitOrg:
    """`locale`: the language of the unit's summaries (None: the bot's default)."""
    _may_manage_units(actor)
    name = unit_name(name)
    if parent_id is not None and await units.get(db, parent_id) is None:
        raise NotFound("unit_unknown", unit=parent_id)
    async with unit_of_work(db, actor) as work:
        unit_id = await insert_unit(work, name, parent_id, locale)
    unit = await units.get(db, unit_id)
    assert unit is not None
    return unit


async def invite_contact(db: Database, actor: Actor | None, unit_id: int, branch_id: int) -> Invite:
    """An invitation for the unit's contact; the secretary of `branch_id` approves them."""
    created_by = _may_manage_units(actor)
    if actor is not None and not actor.has(Role.SECRETARY, branch_id):
        raise NotAllowed("not_allowed")
    if await units.get(db, unit_id) is None:
        raise NotFound("unit_unknown", unit=unit_id)
    return await onboarding.create_invite(
        db, branch_id=branch_id, role=InviteRole.UNIT, created_by=created_by, unit_id=unit_id
    )


@dataclass(frozen=True)
class LinkCode:
    code: str
    unit: UnitOrg
    expires_at: datetime


@effect
async def new_link_code(db: Database, actor: Actor, unit_id: int) -> LinkCode:
    """A unit contact asks for a code to send in the unit's group chat."""
    if not actor.active:
        raise NotAllowed("not_allowed")
    assert actor.person is not None
    if unit_id not in await units.units_of_contact(db, actor.person.id):
        raise NotAllowed("not_unit_contact")
    unit = await units.get(db, unit_id)
    assert unit is not None
    code = onboarding.new_code()
    expires_at = utcnow() + timedelta(days=LINK_CODE_DAYS)
    async with unit_of_work(db, actor) as work:
        await units.add_link_code(
            work.conn, code=code, unit_id=unit_id, created_by=actor.person.id, expires_at=expires_at
        )
    return LinkCode(code, unit, expires_at)


@effect
async def link_chat(db: Database, code: str, chat_id: int, now: datetime | None = None) -> UnitOrg:
    """A code sent in a group links that group to the code's unit; codes work once."""
    code = code.strip().upper()
    if not code.isalnum() or len(code) > 64:
        raise NotFound("link_code_unknown")
    async with unit_of_work(db, None) as work:
        unit_id = await units.use_link_code(work.conn, code, now or utcnow())
        if unit_id is None:
            raise NotFound("link_code_unknown")
        await units.set_chat(work.conn, unit_id, chat_id)
        await work.audit("unit.chat_linked", "unit_org", unit_id, chat=chat_id)
    unit = await units.get(db, unit_id)
    assert unit is not None
    return unit
