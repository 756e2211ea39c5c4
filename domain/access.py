"""Who is asking, and what their roles allow. Every privileged path goes through here.

Who a person is to a branch is decided here and nowhere else: a *member* holds a member or
cadre role in their branch (granted on joining or by the roster); a *secretary* holds the
secretary role and is a member only if the roster says so; a *contact* (of a unit party
organisation, of the county department) holds a contact role and is never a member by it.
One person may be several of these; each role gives its own rights. storage.people.MEMBER_OF
is the same rule for SQL.

The district role (区党工委) is held per district, every other role per branch: a district
contact `has(Role.DISTRICT, branch_id)` for each branch of their districts.

A role is checked against the branch of what is acted on (a person, a request, a record).
Where that branch is missing (None: an organisation's contact, a district contact's
request) no role holds: a target of no branch is no secretary's. "In any branch" is said
only on purpose, with ANY_BRANCH (the default), never by a None read from a record."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum

from domain.errors import NotAllowed
from domain.models import Person, PersonStatus, Role
from storage import districts, people
from storage.db import Database

MEMBER_ROLES = frozenset({Role.MEMBER, Role.CADRE})
CONTACT_ROLES = frozenset(
    {Role.UNIT, Role.COUNTY, Role.DISTRICT, Role.INSTRUCTOR, Role.RESIDENT_UNIT, Role.PATRON}
)


class Anywhere(Enum):
    ANY_BRANCH = "any branch"


#: The role held in some branch, whichever: `has(role)` and `require(actor, role)` mean it.
ANY_BRANCH = Anywhere.ANY_BRANCH
#: What a role check takes: a branch id, ANY_BRANCH, or None (a target of no branch).
Where = int | Anywhere | None


@dataclass(frozen=True)
class Actor:
    telegram_id: int
    person: Person | None
    roles: frozenset[tuple[int, Role]] = field(default_factory=frozenset)
    #: (district id, role) held per district; and the branches of those districts.
    district_roles: frozenset[tuple[int, Role]] = field(default_factory=frozenset)
    district_branches: frozenset[int] = field(default_factory=frozenset)

    @property
    def active(self) -> bool:
        return self.person is not None and self.person.status is PersonStatus.ACTIVE

    def has(self, role: Role, branch_id: Where = ANY_BRANCH) -> bool:
        """`role` in `branch_id`; in some branch for ANY_BRANCH; nowhere for None."""
        if not self.active or branch_id is None:
            return False
        anywhere = branch_id is ANY_BRANCH
        if role is Role.DISTRICT:
            return bool(self.district_roles) if anywhere else branch_id in self.district_branches
        return any(r == role and (anywhere or b == branch_id) for b, r in self.roles)

    def branches_where(self, role: Role) -> list[int]:
        if not self.active:
            return []
        if role is Role.DISTRICT:
            return sorted(self.district_branches)
        return sorted(b for b, r in self.roles if r == role)

    def districts_where(self, role: Role) -> list[int]:
        if not self.active:
            return []
        return sorted(d for d, r in self.district_roles if r == role)

    def has_district(self, district_id: int) -> bool:
        """A contact of that district's working committee."""
        return district_id in self.districts_where(Role.DISTRICT)

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
    found = await people.with_roles_by_telegram_id(db, telegram_id)
    if found is None:
        return Actor(telegram_id, None)
    person, roles, district_roles = found
    # A district contact's branches are one more trip; nobody else has any.
    overseen = set()
    if any(role is Role.DISTRICT for _, role in district_roles):
        overseen = await districts.branches_overseen(db, person.id)
    return Actor(
        telegram_id, person, frozenset(roles), frozenset(district_roles), frozenset(overseen)
    )


def require(actor: Actor, role: Role, branch_id: Where = ANY_BRANCH) -> Person:
    """The person behind `actor` if they hold `role` in `branch_id` (see `Actor.has`: None,
    a target of no branch, is refused), else NotAllowed."""
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
    DISTRICT = "district"  # contacts of a district working committee (区党工委)
    INSTRUCTOR = "instructor"  # party-building instructors (党建工作指导员)
    RESIDENT_UNIT = "resident_unit"  # contacts of units located in the community (驻区单位)
    PATRON = "patron"  # county standing-committee members patroning a community (包扶)
    APPLICANT = "applicant"  # known to a branch with no role: applying for membership (发展党员)


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
    for role in (Role.COUNTY, Role.DISTRICT, Role.INSTRUCTOR, Role.RESIDENT_UNIT, Role.PATRON):
        if actor.has(role):
            found.add(Audience(role.value))
    if actor.active and actor.person.branch_id is not None and not actor.roles:
        found.add(Audience.APPLICANT)
    return found
