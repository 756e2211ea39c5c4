"""Cadres under dual management (双重管理): the annual registration (年度注册) with the
branch where they live, its yearly renewal, leave, and the secretary's remarks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.access import Actor, require
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.i18n import N_, Translator
from domain.models import (
    Branch,
    CadreRegistration,
    Leave,
    Person,
    RegistrationStatus,
    Role,
    UnitOrg,
)
from domain.periods import Period
from domain.unit_of_work import unit_of_work
from domain.units import insert_unit, unit_name
from domain.validation import mainland_phone, one_line, person_name
from storage import branches, cadres, people, units
from storage.db import Database


class Rank(StrEnum):
    """Ranks of the cadres the policy covers (副科级以上); the values are stored."""

    DEPUTY_SECTION = "deputy_section"
    SECTION = "section"
    DEPUTY_DIVISION = "deputy_division"
    DIVISION = "division"
    BUREAU = "bureau"


RANK_LABELS = {
    Rank.DEPUTY_SECTION: N_("Deputy section level"),
    Rank.SECTION: N_("Section level"),
    Rank.DEPUTY_DIVISION: N_("Deputy division level"),
    Rank.DIVISION: N_("Division level"),
    Rank.BUREAU: N_("Bureau level and above"),
}
RANKS = tuple(rank.value for rank in Rank)
POSITION_MAX = 40
ADDRESS_MAX = 100
REMARK_MAX = 300
LEAVE_MAX_DAYS = 366

# The secretary's copy of a registration, with its buttons, in the secretary's language.
TO_CONFIRM_TEMPLATE = "cadre.to_confirm"
CONFIRMED = N_("Your cadre registration for {year} has been confirmed. Send /cadre to see it.")
REJECTED = N_(
    "Your cadre registration for {year} was not confirmed. Please contact your branch secretary."
)


def position(value: str) -> str:
    return one_line(value, "position", 2, POSITION_MAX)


def address(value: str) -> str:
    return one_line(value, "address", 4, ADDRESS_MAX)


def remark(value: str) -> str:
    return one_line(value, "remark", 2, REMARK_MAX)


def rank(value: str) -> str:
    if value not in RANKS:
        raise InvalidInput("rank_invalid")
    return value


def rank_label(t: Translator, rank: str) -> str:
    # Never gettext(""): that is the catalog's header.
    return t.gettext(RANK_LABELS[rank]) if rank in RANK_LABELS else rank


@dataclass(frozen=True)
class Facts:
    """What a cadre registers; `unit_name` instead of `unit_id` when the unit was not listed."""

    name: str
    unit_id: int | None
    unit_name: str | None
    position: str
    rank: str
    address: str
    phone: str

    def checked(self) -> Facts:
        if (self.unit_id is None) == (self.unit_name is None):
            raise InvalidInput("unit_missing")
        return Facts(
            name=person_name(self.name),
            unit_id=self.unit_id,
            unit_name=unit_name(self.unit_name) if self.unit_name is not None else None,
            position=position(self.position),
            rank=rank(self.rank),
            address=address(self.address),
            phone=mainland_phone(self.phone),
        )

    @classmethod
    def of(cls, registration: CadreRegistration) -> Facts:
        return cls(
            name=registration.name,
            unit_id=registration.unit_id,
            unit_name=None if registration.unit_id else registration.unit_name,
            position=registration.position,
            rank=registration.rank,
            address=registration.address,
            phone=registration.phone,
        )


@dataclass(frozen=True)
class Submitted:
    registration: CadreRegistration
    branch: Branch
    secretaries: list[Person]
    unit: UnitOrg | None


def _registrant(actor: Actor) -> Person:
    if not actor.member:
        raise NotAllowed("cadre_not_member")
    return actor.person


@effect
async def submit(db: Database, actor: Actor, facts: Facts, year: int) -> Submitted:
    """A new version of the cadre's registration for `year`, waiting for the secretary."""
    person = _registrant(actor)
    facts = facts.checked()
    if facts.unit_id is not None and await units.get(db, facts.unit_id) is None:
        raise NotFound("unit_unknown", unit=facts.unit_id)
    async with unit_of_work(db, actor, branch_id=person.branch_id) as work:
        if await cadres.pending_of(work.conn, person.id) is not None:
            raise Conflict("registration_pending")
        registration_id = await cadres.insert(
            work.conn,
            person_id=person.id,
            branch_id=person.branch_id,
            year=year,
            facts=asdict(facts),
        )
        await work.audit(
            "cadre.registration_submitted", "cadre_registration", registration_id, year=year
        )
        await work.tell_secretaries(
            f"cadre-to-confirm:{registration_id}",
            template=TO_CONFIRM_TEMPLATE,
            params={"registration": registration_id},
        )
        registration = await cadres.get_for_update(work.conn, registration_id)
    assert registration is not None
    return await _submitted(db, registration)


async def _submitted(db: Database, registration: CadreRegistration) -> Submitted:
    branch = await branches.get(db, registration.branch_id)
    assert branch is not None
    unit = await units.get(db, registration.unit_id) if registration.unit_id else None
    return Submitted(registration, branch, await people.secretaries(db, branch.id), unit)


async def to_confirm(
    db: Database, registration_id: int
) -> tuple[CadreRegistration, UnitOrg | None] | None:
    """A registration with its unit, as the secretary's card shows it; None once gone."""
    registration = await cadres.get(db, registration_id)
    if registration is None:
        return None
    unit = await units.get(db, registration.unit_id) if registration.unit_id else None
    return registration, unit


async def renew(db: Database, actor: Actor, year: int) -> Submitted:
    """Re-confirm last registration's facts for `year`: a new version, the old one kept."""
    person = _registrant(actor)
    latest = await cadres.latest_confirmed(db, person.id)
    if latest is None:
        raise NotFound("registration_none")
    if latest.year >= year:
        raise Conflict("already_registered", year=year)
    return await submit(db, actor, Facts.of(latest), year)


@dataclass(frozen=True)
class Decided:
    registration: CadreRegistration
    person: Person
    unit: UnitOrg | None


@effect
async def decide(db: Database, actor: Actor, registration_id: int, *, approve: bool) -> Decided:
    """The secretary of the cadre's branch confirms or rejects a pending version, once. A
    unit the cadre found not listed is added on confirmation."""
    async with unit_of_work(db, actor) as work:
        registration = await cadres.get_for_update(work.conn, registration_id)
        if registration is None:
            raise NotFound("cadre_registration_unknown")
        secretary = work.require(Role.SECRETARY, registration.branch_id)
        if registration.status is not RegistrationStatus.PENDING:
            raise Conflict("already_decided")
        unit_id = registration.unit_id
        if approve and unit_id is None:
            existing = await units.by_name(work.conn, registration.unit_name or "")
            unit_id = existing.id if existing else None
            if unit_id is None:
                unit_id = await insert_unit(work, registration.unit_name, None)
        status = RegistrationStatus.CONFIRMED if approve else RegistrationStatus.REJECTED
        if not await cadres.decide(work.conn, registration.id, status, secretary.id, unit_id):
            raise Conflict("already_decided")
        if approve:
            await people.grant_role(
                work.conn, registration.person_id, registration.branch_id, Role.CADRE, secretary.id
            )
        await work.audit(f"cadre.registration_{status}", "cadre_registration", registration.id)
        decided = await cadres.get_for_update(work.conn, registration.id)
        person = await people.get_for_update(work.conn, registration.person_id)
        if person is not None:
            await work.tell(
                person.telegram_id,
                f"cadre-decided:{registration.id}",
                text=CONFIRMED if approve else REJECTED,
                params={"year": registration.year},
            )
    assert decided is not None and person is not None
    unit = await units.get(db, decided.unit_id) if decided.unit_id else None
    return Decided(decided, person, unit)


@dataclass(frozen=True)
class MyCadre:
    """What /cadre shows: this year's registration, anything waiting, and leave."""

    year: int
    current: CadreRegistration | None
    pending: CadreRegistration | None
    previous: CadreRegistration | None
    unit: UnitOrg | None
    leave: Leave | None


async def mine(db: Database, actor: Actor, today: date) -> MyCadre:
    person = _registrant(actor)
    history = await cadres.history(db, person.id)
    confirmed = [r for r in history if r.status is RegistrationStatus.CONFIRMED]
    current = next((r for r in reversed(confirmed) if r.year == today.year), None)
    pending = next((r for r in reversed(history) if r.status is RegistrationStatus.PENDING), None)
    previous = confirmed[-1] if confirmed and current is None else None
    shown = current or pending or previous
    unit = await units.get(db, shown.unit_id) if shown and shown.unit_id else None
    leave = (await cadres.leaves(db)).get(person.id)
    if leave is not None and leave.until < today:
        leave = None
    return MyCadre(today.year, current, pending, previous, unit, leave)


@effect
async def set_leave(
    db: Database, actor: Actor, until: date | None, note: str | None, today: date
) -> None:
    """On leave until `until` (None: back now); reminders pause, summaries say so."""
    person = _registrant(actor)
    if until is not None and not today <= until <= today + timedelta(days=LEAVE_MAX_DAYS):
        raise InvalidInput("leave_date_invalid")
    note = one_line(note, "leave_note", 0, 100) if note else None
    async with unit_of_work(db, actor, branch_id=person.branch_id) as work:
        await cadres.set_leave(work.conn, person.id, until, note)
        await work.audit("cadre.leave", "person", person.id, until=until)


async def branch_cadres(db: Database, actor: Actor, branch_id: int, year: int):
    """The registrations in force in a secretary's branch, for choosing whom to remark on."""
    require(actor, Role.SECRETARY, branch_id)
    return await cadres.current(db, year, branch_id)


@effect
async def add_remark(
    db: Database, actor: Actor, person_id: int, period: Period, text: str
) -> CadreRegistration:
    """A secretary's remark on a cadre of their branch for a quarter's feedback."""
    latest = await cadres.latest_confirmed(db, person_id)
    if latest is None:
        raise NotFound("cadre_registration_unknown")
    async with unit_of_work(db, actor) as work:
        secretary = work.require(Role.SECRETARY, latest.branch_id)
        text = remark(text)
        await cadres.add_remark(
            work.conn,
            person_id=person_id,
            quarter=period.label,
            remark=text,
            author_id=secretary.id,
        )
        await work.audit("cadre.remark", "person", person_id, quarter=period.label)
    return latest
