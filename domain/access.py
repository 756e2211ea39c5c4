"""Who is asking, and what their roles allow. Every privileged path goes through here.

Who a person is to a branch is decided here and nowhere else: a *member* holds a member or
cadre role in their branch (granted on joining or by the roster); a *secretary* holds the
secretary role and is a member only if the roster says so; a *contact* (of a unit party
organisation, of the county department) holds a contact role and is never a member by it.
One person may be several of these; each role gives its own rights. storage.people.MEMBER_OF
is the same rule for SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.errors import NotAllowed
from domain.models import Person, PersonStatus, Role
from storage import people
from storage.db import Database

MEMBER_ROLES = frozenset({Role.MEMBER, Role.CADRE})
CONTACT_ROLES = frozenset({Role.UNIT, Role.COUNTY})


@dataclass(frozen=True)
class Actor:
    telegram_id: int
    person: Person | None
    roles: frozenset[tuple[int, Role]] = field(default_factory=frozenset)

    @property
    def active(self) -> bool:
        return self.person is not None and self.person.status is PersonStatus.ACTIVE

    def has(self, role: Role, branch_id: int | None = None) -> bool:
        if not self.active:
            return False
        return any(r == role and (branch_id is None or b == branch_id) for b, r in self.roles)

    def branches_where(self, role: Role) -> list[int]:
        if not self.active:
            return []
        return sorted(b for b, r in self.roles if r == role)

    @property
    def is_secretary(self) -> bool:
        return self.has(Role.SECRETARY)

    @property
    def member(self) -> bool:
        """A member of their branch: what posts, hours, mobile, events and /leave ask for."""
        if not self.active or self.person.branch_id is None:
            return False
        return any(self.has(role, self.person.branch_id) for role in MEMBER_ROLES)

    @property
    def is_contact(self) -> bool:
        return any(self.has(role) for role in CONTACT_ROLES)


async def actor(db: Database, telegram_id: int) -> Actor:
    person = await people.by_telegram_id(db, telegram_id)
    if person is None:
        return Actor(telegram_id, None)
    return Actor(telegram_id, person, frozenset(await people.roles_of(db, person.id)))


def require(actor: Actor, role: Role, branch_id: int | None = None) -> Person:
    """The person behind `actor` if they hold `role` (in `branch_id`), else NotAllowed."""
    if not actor.has(role, branch_id):
        raise NotAllowed("not_allowed")
    assert actor.person is not None
    return actor.person


class Audience(StrEnum):
    """Who a command or a button is for: the menus and the role matrix read it."""

    EVERYONE = "everyone"
    MEMBER = "member"
    SECRETARY = "secretary"
    CADRE = "cadre"
    UNIT = "unit"  # contacts of unit party organisations
    COUNTY = "county"  # contacts of the county organisation department


def audiences_of(actor: Actor) -> set[Audience]:
    """Each from the person's standing: a contact or a secretary is no member by it."""
    found = {Audience.EVERYONE}
    if actor.member:
        found.add(Audience.MEMBER)
    if actor.has(Role.SECRETARY):
        found.add(Audience.SECRETARY)
    if actor.has(Role.CADRE) or (actor.member and actor.person.category == "cadre"):
        found.add(Audience.CADRE)
    if actor.has(Role.UNIT):
        found.add(Audience.UNIT)
    if actor.has(Role.COUNTY):
        found.add(Audience.COUNTY)
    return found
