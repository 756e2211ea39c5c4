"""Which branches a district contact acts on: those of their own district, read from the
branch the record belongs to, never from what a button named."""

from __future__ import annotations

from domain import districts
from domain.access import Actor
from domain.errors import NotAllowed
from domain.models import Branch, Role
from storage import branches
from storage.db import Database


async def require_district(db: Database, actor: Actor, branch_id: int) -> Branch:
    """The branch, if `actor` is a contact of its district; NotAllowed otherwise (a branch
    that does not exist is refused the same way, so a forged id tells nothing)."""
    branch = await branches.get(db, branch_id)
    if branch is None or branch.district_id is None or not actor.has_district(branch.district_id):
        raise NotAllowed("district_only")
    return branch


async def district_branches(db: Database, actor: Actor) -> list[Branch]:
    """Every branch of the districts the actor is a contact of, by district and id."""
    found = []
    for district_id in actor.districts_where(Role.DISTRICT):
        found += await districts.branches_of_district(db, district_id)
    return found
