"""Who is asking, and what their roles allow. Every privileged path goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.errors import NotAllowed
from domain.models import Person, PersonStatus, Role
from storage import people
from storage.db import Database


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
