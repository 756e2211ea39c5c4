"""Co-building (互帮共建) with the resident units: the yearly agreement, the branch's requests
and the units' answers, the units' yearly opinion (征求意见), and the year's record both
sides see. Messages carry ids only: the renderers read the record at send time."""

from __future__ import annotations

from datetime import date

from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict, NotFound
from domain.models import Role
from domain.periods import Period
from domain.resident_units import registry
from domain.resident_units.models import (
    Agreement,
    BranchActivity,
    CobuildRequest,
    Opinion,
    RequestKind,
    RequestStatus,
    ResidentUnit,
    UnitYear,
    answer_text,
    commits,
    opinion_text,
    request_text,
    tally,
    wanted_on,
)
from domain.unit_of_work import UnitOfWork, unit_of_work
from storage import branches, districts
from storage import resident_units as store
from storage.db import Database, iso, utcnow

# Outbox templates; handlers/resident_units/ renders them in the recipient's language.
REQUEST_TEMPLATE = "cobuild.request"
ANSWER_TEMPLATE = "cobuild.answer"
AGREEMENT_TEMPLATE = "cobuild.agreement"
OPINION_TEMPLATE = "cobuild.opinion"


async def _tell_contacts(work: UnitOfWork, unit: ResidentUnit, key: str, **message) -> int:
    told = 0
    for contact in await store.contacts(work.conn, unit.id):
        told += await work.tell(contact.telegram_id, f"{key}:{contact.id}", **message)
    return told


@effect
async def record_agreement(
    db: Database, actor: Actor, unit_id: int, year: int, branch_side: str, unit_side: str
) -> Agreement:
    """The secretary records the year's agreement (again, for a renewed one); the unit's
    contacts are told."""
    branch_side, unit_side = commits(branch_side), commits(unit_side)
    unit = await registry.unit_for_secretary(db, actor, unit_id)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=unit.branch_id) as work:
        agreement_id = await store.save_agreement(
            work.conn,
            unit_id=unit.id,
            year=year,
            branch_commits=branch_side,
            unit_commits=unit_side,
            recorded_by=work.person.id,
        )
        await work.audit("cobuild.agreement", "resident_unit", unit.id, year=year)
        await _tell_contacts(
            work,
            unit,
            f"cobuild-agreement:{agreement_id}:{iso(utcnow())}",
            template=AGREEMENT_TEMPLATE,
            params={"unit": unit.id, "year": year},
        )
        agreement = await store.agreement(work.conn, unit.id, year)
    assert agreement is not None
    return agreement


@effect
async def send_request(
    db: Database,
    actor: Actor,
    unit_id: int,
    kind: RequestKind,
    text: str,
    day: date,
    today: date,
) -> tuple[CobuildRequest, int]:
    """The branch asks a unit; its contacts get the request with the buttons to answer.
    Returns the request and how many contacts were told (0: none has joined yet)."""
    text, day = request_text(text), wanted_on(day, today)
    unit = await registry.unit_for_secretary(db, actor, unit_id)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=unit.branch_id) as work:
        request_id = await store.add_request(
            work.conn,
            unit_id=unit.id,
            branch_id=unit.branch_id,
            kind=RequestKind(kind),
            text=text,
            wanted_on=day,
            created_by=work.person.id,
        )
        await work.audit(
            "cobuild.requested", "cobuild_request", request_id, unit=unit.id, kind=str(kind)
        )
        told = await _tell_contacts(
            work,
            unit,
            f"cobuild-request:{request_id}",
            template=REQUEST_TEMPLATE,
            params={"request": request_id},
        )
        request = await store.get_request(work.conn, request_id)
    assert request is not None
    return request, told


async def pending_request(db: Database, actor: Actor, request_id: int) -> CobuildRequest:
    """A request the actor's unit may still answer: their own unit's, unanswered."""
    request = await store.get_request(db, request_id)
    if request is None:
        raise NotFound("cobuild_request_unknown")
    await registry.unit_for_contact(db, actor, request.resident_unit_id)
    if request.status is not RequestStatus.PENDING:
        raise Conflict("cobuild_answered")
    return request


@effect
async def answer(
    db: Database, actor: Actor, request_id: int, *, accept: bool, text: str
) -> CobuildRequest:
    """The unit's contact accepts (with the details) or declines (with the reason), once
    for the unit; the branch's secretaries are told."""
    text = answer_text(text)
    request = await store.get_request(db, request_id)
    if request is None:
        raise NotFound("cobuild_request_unknown")
    unit = await registry.unit_for_contact(db, actor, request.resident_unit_id)
    async with unit_of_work(db, actor, branch_id=unit.branch_id) as work:
        work.require(Role.RESIDENT_UNIT, unit.branch_id)
        status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
        if not await store.answer_request(
            work.conn, request.id, status, text, work.person.id, utcnow()
        ):
            raise Conflict("cobuild_answered")
        await work.audit("cobuild.answered", "cobuild_request", request.id, status=str(status))
        await work.tell_secretaries(
            f"cobuild-answer:{request.id}",
            template=ANSWER_TEMPLATE,
            params={"request": request.id},
        )
        answered = await store.get_request(work.conn, request.id)
    assert answered is not None
    return answered


@effect
async def give_opinion(
    db: Database, actor: Actor, unit_id: int, year: int, text: str
) -> tuple[Opinion, int]:
    """The unit's yearly opinion on the branch's party building, once a year: to the
    branch's secretaries and the district working committee's contacts. Returns it and how
    many district contacts were told."""
    text = opinion_text(text)
    unit = await registry.unit_for_contact(db, actor, unit_id)
    async with unit_of_work(db, actor, branch_id=unit.branch_id) as work:
        work.require(Role.RESIDENT_UNIT, unit.branch_id)
        opinion_id = await store.add_opinion(
            work.conn, unit_id=unit.id, year=year, text=text, given_by=work.person.id
        )
        if opinion_id is None:
            raise Conflict("cobuild_opinion_given", year=year)
        await work.audit("cobuild.opinion", "resident_unit", unit.id, year=year)
        message = {"template": OPINION_TEMPLATE, "params": {"opinion": opinion_id}}
        await work.tell_secretaries(f"cobuild-opinion:{opinion_id}", **message)
        district = 0
        district_id = await districts.district_of_branch(work.conn, unit.branch_id)
        for person_id, chat_id in await districts.contacts_in(work.conn, district_id or 0):
            district += await work.tell(
                chat_id, f"cobuild-opinion:{opinion_id}:district:{person_id}", **message
            )
        opinion = await store.opinion(work.conn, unit.id, year)
    assert opinion is not None
    return opinion, district


async def unit_year(db: Database, unit: ResidentUnit, year: int) -> UnitYear:
    return UnitYear(
        unit=unit,
        year=year,
        agreement=await store.agreement(db, unit.id, year),
        requests=tuple(await store.requests_of(db, unit.id, date(year, 1, 1), date(year, 12, 31))),
        opinion=await store.opinion(db, unit.id, year),
    )


async def year_record(db: Database, actor: Actor, year: int) -> list[UnitYear]:
    """What /cobuild shows: a secretary, every unit of their branches; a unit's contact,
    their own unit only; anyone else nothing."""
    units: list[ResidentUnit] = []
    for branch_id in actor.branches_where(Role.SECRETARY):
        units += await store.of_branch(db, branch_id)
    seen = {u.id for u in units}
    units += [u for u in await registry.contact_units(db, actor) if u.id not in seen]
    return [await unit_year(db, unit, year) for unit in units]


async def opinion_by_id(db: Database, opinion_id: int) -> tuple[Opinion, ResidentUnit] | None:
    """For the renderer of the opinion's message."""
    found = await store.opinion_by_id(db, opinion_id)
    if found is None:
        return None
    unit = await store.get(db, found.resident_unit_id)
    return (found, unit) if unit else None


async def request_by_id(
    db: Database, request_id: int
) -> tuple[CobuildRequest, ResidentUnit] | None:
    request = await store.get_request(db, request_id)
    if request is None:
        return None
    unit = await store.get(db, request.resident_unit_id)
    return (request, unit) if unit else None


async def activity(db: Database, half: Period) -> list[BranchActivity]:
    """The county's sheet: per branch with units, the half-year's co-building."""
    found = []
    for branch_id, name in await store.branches_with_units(db):
        years = []
        for unit in await store.of_branch(db, branch_id):
            requests = await store.requests_of(db, unit.id, half.start, half.end)
            years.append(
                UnitYear(
                    unit=unit,
                    year=half.year,
                    agreement=await store.agreement(db, unit.id, half.year),
                    requests=tuple(requests),
                    opinion=await store.opinion(db, unit.id, half.year),
                )
            )
        found.append(tally(branch_id, name, years, await store.units_with_contact(db, branch_id)))
    return found


async def branch_name(db: Database, branch_id: int) -> str:
    branch = await branches.get(db, branch_id)
    return branch.name if branch else f"#{branch_id}"
