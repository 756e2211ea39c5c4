"""Districts (区党工委): the working committee over a number of branches, and its contacts."""

from __future__ import annotations

from domain import onboarding
from domain.access import Actor
from domain.errors import Conflict, InvalidInput, NotAllowed
from domain.models import Branch, Invite, InviteRole, Role
from domain.unit_of_work import unit_of_work
from domain.validation import NAME_MAX, clean_text
from storage import districts
from storage.db import Database


async def add_district(db: Database, name: str) -> int:
    """The operator's `partybot district add`: the new district's id."""
    name = clean_text(name).replace("\n", " ")
    if not name or len(name) > NAME_MAX:
        raise InvalidInput("district_name_invalid", max=NAME_MAX)
    async with unit_of_work(db, None) as work:
        district_id = await districts.create(work.conn, name)
        if district_id is None:
            raise Conflict("district_exists", name=name)
        await work.audit("district.created", "district", district_id, name=name)
    return district_id


async def all_districts(db: Database) -> list[tuple[int, str]]:
    return await districts.all_districts(db)


async def name_of(db: Database, district_id: int) -> str | None:
    return await districts.name_of(db, district_id)


async def district_of_branch(db: Database, branch_id: int) -> int | None:
    return await districts.district_of_branch(db, branch_id)


async def branches_of_district(db: Database, district_id: int) -> list[Branch]:
    return await districts.branches_of_district(db, district_id)


async def invite_for_branch(db: Database, actor: Actor, branch_id: int, role: InviteRole) -> Invite:
    """A district contact invites an instructor or a patron of one of its branches; they
    decide the request that follows (domain/onboarding.py)."""
    if role not in onboarding.DECIDED_BY_DISTRICT:
        raise InvalidInput("invite_role")
    if not actor.has(Role.DISTRICT, branch_id):
        raise NotAllowed("not_district")
    assert actor.person is not None
    return await onboarding.create_invite(
        db, branch_id=branch_id, role=role, created_by=actor.person.id
    )
