"""Leaving the branch: a member or the secretary records it; personal fields go or stay by
the retention rule in docs/data-retention.md, and the history stays countable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain import posts
from domain.access import Actor, require
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.i18n import N_
from domain.models import Person, PersonStatus, Role
from domain.unit_of_work import UnitOfWork, unit_of_work
from storage import (
    audit,  # noqa: F401 - tests/test_mydata.py makes the audit write fail
    departures,
    people,
)
from storage.db import Database, utcnow

# Names of people who left are kept this long for the branch's records, then erased.
ARCHIVE_YEARS = 5

# Outbox template (rendered by handlers/mydata.py): a msgid with {name} and {kind}.
TEMPLATE = "departure"


class DepartureKind(StrEnum):
    TRANSFER_OUT = "transfer_out"  # 组织关系转出
    DEATH = "death"  # 去世
    REMOVED = "removed"  # 除名 / 出党
    WITHDREW = "withdrew"  # 退党
    OTHER = "other"


# What a member may record about themselves; the rest only a secretary records.
SELF_KINDS = frozenset({DepartureKind.TRANSFER_OUT, DepartureKind.OTHER})


@dataclass(frozen=True)
class Departed:
    person: Person
    former_telegram_id: int | None
    by_self: bool
    secretaries: list[Person]


async def check(db: Database, actor: Actor, person_id: int | None, kind: DepartureKind) -> Person:
    """The person whose departure `actor` may record with this kind, or a refusal.
    `person_id` None means the actor's own departure."""
    person = await people.get(db, _target(actor, person_id))
    return _allowed(actor, person, kind, own=person_id is None)


def _target(actor: Actor, person_id: int | None) -> int:
    if person_id is not None:
        return person_id
    if actor.person is None:
        raise NotAllowed("not_allowed")
    return actor.person.id


def _allowed(actor: Actor, person: Person | None, kind: DepartureKind, *, own: bool) -> Person:
    if person is None or person.branch_id is None:
        # A contact of an organisation (district, unit, county) belongs to no branch: no
        # secretary records their departure, whatever a forged button names.
        raise NotFound("person_unknown")
    if own:
        if not actor.member or kind not in SELF_KINDS:
            raise NotAllowed("not_allowed")
    else:
        secretary = require(actor, Role.SECRETARY, person.branch_id)
        if secretary.id == person.id:
            # One's own departure goes through /leave, with its own choices.
            raise InvalidInput("depart_self")
    if person.status is not PersonStatus.ACTIVE:
        raise Conflict("already_left")
    return person


@effect
async def record(
    db: Database, actor: Actor, person_id: int | None, kind: DepartureKind, today: date
) -> Departed:
    """`person_id` None records the actor's own departure."""
    async with unit_of_work(db, actor) as work:
        conn = work.conn
        person = await people.get_for_update(conn, _target(actor, person_id))
        person = _allowed(actor, person, kind, own=person_id is None)
        assert actor.person is not None and person.branch_id is not None  # by _allowed
        work.branch_id = person.branch_id
        await departures.create(
            conn,
            person_id=person.id,
            branch_id=person.branch_id,
            kind=kind,
            category=person.category,
            left_on=today,
            recorded_by=actor.person.id,
        )
        await departures.erase_contact(conn, person.id, person.telegram_id)
        await departures.erase_features(conn, person.id, person.telegram_id, person.phone)
        await posts.free_places_of(conn, person, utcnow())
        await work.audit("person.departed", "person", person.id, kind=str(kind))
        left = await people.get_for_update(conn, person.id)
        await _tell(work, person, kind, by_self=actor.person.id == person.id)
    assert left is not None
    return Departed(
        left,
        person.telegram_id,
        actor.person.id == person.id,
        await people.secretaries(db, person.branch_id),
    )


async def erase_expired(db: Database, today: date) -> int:
    """The daily job's part of the retention rule: erase names past the archive period."""
    before = today - timedelta(days=365 * ARCHIVE_YEARS)
    async with unit_of_work(db, None) as work:
        erased = await departures.erase_expired(work.conn, before)
        for person_id in erased:
            await work.audit("person.erased", "person", person_id)
    return len(erased)


async def find(db: Database, actor: Actor, branch_id: int, text: str) -> list[Person]:
    """Active members of the branch with this exact phone or name, and people with an open
    development file (an applicant is no member, and may leave too)."""
    require(actor, Role.SECRETARY, branch_id)
    found = []
    for row in await departures.find_members(db, branch_id, text.strip()):
        person = await people.get(db, row["id"])
        if person is not None:
            found.append(person)
    return found


async def _tell(work: UnitOfWork, person: Person, kind: DepartureKind, *, by_self: bool) -> None:
    """Who recorded it tells the other side: the secretaries, or the member (not the dead)."""
    key = f"departure:{person.id}"
    params = {"name": person.display_name, "kind": str(kind)}
    if by_self:
        params["text"] = N_("{name} has recorded leaving the branch: {kind}.")
        await work.tell_secretaries(key, skip=person.id, template=TEMPLATE, params=params)
    elif kind is not DepartureKind.DEATH:
        params["text"] = N_("Your branch secretary has recorded that you left the branch ({kind}).")
        await work.tell(person.telegram_id, key, template=TEMPLATE, params=params)
