"""A branch's creation targets (创建目标) and responsibility pledge (党建工作责任状) of a
year, recorded by its district at the start of the year."""

from __future__ import annotations

from datetime import date

from domain.access import Actor
from domain.assessment.common import require_district
from domain.assessment.models import Targets
from domain.effects import effect
from domain.errors import InvalidInput
from domain.models import Role
from domain.unit_of_work import unit_of_work
from domain.validation import free_text
from storage import assessments as store
from storage.db import Database, utcnow

TARGETS_MAX = 1500
FILE_KINDS = ("photo", "document")


def targets_text(value: str) -> str:
    return free_text(value, "targets", TARGETS_MAX, 4)


def pledge_day(day: date, year: int) -> date:
    """The pledge of `year` is signed in that year (or late in the one before)."""
    if not (date(year - 1, 10, 1) <= day <= date(year, 12, 31)):
        raise InvalidInput("pledge_day_outside", year=year)
    return day


@effect
async def set_targets(db: Database, actor: Actor, branch_id: int, year: int, text: str) -> Targets:
    text = targets_text(text)
    await require_district(db, actor, branch_id)
    async with unit_of_work(db, actor, branch_id=branch_id) as work:
        await store.set_targets(work.conn, branch_id, year, actor.person.id, utcnow(), targets=text)
        await work.audit("targets.set", "branch", branch_id, year=year)
        found = await store.targets_of(work.conn, branch_id, year)
    assert found is not None
    return found


@effect
async def record_pledge(
    db: Database, actor: Actor, branch_id: int, year: int, signed_on: date, file_id: str, kind: str
) -> Targets:
    """The signed paper is kept as Telegram's file_id: the bot stores no copy of it."""
    pledge_day(signed_on, year)
    if kind not in FILE_KINDS or not file_id:
        raise InvalidInput("pledge_file_missing")
    await require_district(db, actor, branch_id)
    async with unit_of_work(db, actor, branch_id=branch_id) as work:
        await store.set_targets(
            work.conn,
            branch_id,
            year,
            actor.person.id,
            utcnow(),
            pledge_signed_on=signed_on.isoformat(),
            pledge_file_id=file_id,
            pledge_file_kind=kind,
        )
        await work.audit("pledge.recorded", "branch", branch_id, year=year, signed_on=signed_on)
        found = await store.targets_of(work.conn, branch_id, year)
    assert found is not None
    return found


async def targets_of(db: Database, actor: Actor, branch_id: int, year: int) -> Targets | None:
    """For the district, and for the branch's own secretaries and patrons."""
    if not (actor.has(Role.SECRETARY, branch_id) or actor.has(Role.PATRON, branch_id)):
        await require_district(db, actor, branch_id)
    return await store.targets_of(db, branch_id, year)
