"""A secretary's decisions on hour records: approve, reject with a reason, or correct the
amount; nobody verifies their own hours. The member is told each decision."""

from __future__ import annotations

import aiosqlite

from domain import notices
from domain.access import Actor, require
from domain.activity import HourRecord, HourStatus
from domain.effects import effect
from domain.errors import Conflict, NotAllowed, NotFound
from domain.hours.records import fetch, room_on_day
from domain.hours.rules import COUNTING, reason
from domain.models import Role
from domain.unit_of_work import UnitOfWork, unit_of_work
from storage import hours as store
from storage import people
from storage.db import Database

# Outbox template, rendered by handlers/hours.
DECIDED_TEMPLATE = "hours.decided"


async def refuse_own(db: Database, secretary_id: int, branch_id: int, count: int = 1) -> None:
    """Nobody verifies their own hours: another secretary of the branch must. The refusal
    says whether the branch has one."""
    others = [p for p in await people.secretaries(db, branch_id) if p.id != secretary_id]
    raise NotAllowed("hours_own" if others else "hours_own_no_other", n=count)


async def _for_secretary(work: UnitOfWork, record_id: int) -> HourRecord:
    """The record, still counting, for a secretary of its branch (the work's acting person
    from here on)."""
    record = await store.get_for_update(work.conn, record_id)
    if record is None:
        raise NotFound("hours_unknown")
    work.require(Role.SECRETARY, record.branch_id)
    if record.status not in COUNTING:
        raise Conflict("hours_decided")
    return record


async def _to_verify(work: UnitOfWork, record_id: int) -> HourRecord:
    """Approving or correcting verifies: refused on one's own record (rejecting one's own
    stays possible, as a member may withdraw it)."""
    record = await _for_secretary(work, record_id)
    if record.person_id == work.person.id:
        await refuse_own(work.db, work.person.id, record.branch_id)
    return record


@effect
async def approve(db: Database, actor: Actor, record_id: int) -> HourRecord:
    async with unit_of_work(db, actor) as work:
        record = await _to_verify(work, record_id)
        if record.status is not HourStatus.PENDING:
            raise Conflict("hours_decided")
        await store.set_status(work.conn, record.id, HourStatus.VERIFIED, decided_by=work.person.id)
        await work.audit("hours.approved", "hour_record", record.id)
        return await tell_decision(work.conn, record.id)


@effect
async def reject(db: Database, actor: Actor, record_id: int, why: str) -> HourRecord:
    """Pending or verified hours are rejected with a reason the member reads; kept, not deleted."""
    text = reason(why)
    async with unit_of_work(db, actor) as work:
        record = await _for_secretary(work, record_id)
        await store.set_status(
            work.conn, record.id, HourStatus.REJECTED, decided_by=work.person.id, reason=text
        )
        await work.audit(
            "hours.rejected", "hour_record", record.id, reason=text, was=str(record.status)
        )
        return await tell_decision(work.conn, record.id)


@effect
async def correct(db: Database, actor: Actor, record_id: int, half_hours: int) -> HourRecord:
    """The secretary sets the right hours; the record becomes verified with them."""
    async with unit_of_work(db, actor) as work:
        record = await _to_verify(work, record_id)
        await room_on_day(work.conn, record.person_id, record.day, half_hours, exclude=record.id)
        await store.set_half_hours(work.conn, record.id, half_hours)
        await store.set_status(work.conn, record.id, HourStatus.VERIFIED, decided_by=work.person.id)
        await work.audit(
            "hours.corrected", "hour_record", record.id, before=record.half_hours, after=half_hours
        )
        return await tell_decision(work.conn, record.id)


async def tell_decision(conn: aiosqlite.Connection, record_id: int) -> HourRecord:
    """The member learns each decision; the key names the outcome, so a repeat is not sent."""
    record = await fetch(conn, record_id)
    member = await people.get_for_update(conn, record.person_id)
    await notices.to_person(
        conn,
        member and member.telegram_id,
        f"hours-decided:{record.id}:{record.status}:{record.half_hours}",
        template=DECIDED_TEMPLATE,
        params={
            "record": record.id,
            "status": str(record.status),
            "half_hours": record.half_hours,
            "reason": record.reason,
        },
        branch_id=record.branch_id,
    )
    return record


# ---------------------------------------------------------------- reading


async def pending_for(db: Database, actor: Actor) -> list[HourRecord]:
    """Records waiting for `actor` in the branches where they are secretary, oldest first;
    not their own, which another secretary approves."""
    own = actor.person.id if actor.person else None
    found: list[HourRecord] = []
    for branch_id in actor.branches_where(Role.SECRETARY):
        found += [r for r in await store.pending_in_branch(db, branch_id) if r.person_id != own]
    return found


async def record_for_secretary(
    db: Database, actor: Actor, record_id: int, *, verifying: bool = False, deciding: bool = False
) -> HourRecord:
    """The record for a decision; `verifying` (a correction) refuses one's own at once,
    `deciding` one already decided (early answers: the decision checks again)."""
    record = await store.get(db, record_id)
    if record is None:
        raise NotFound("hours_unknown")
    secretary = require(actor, Role.SECRETARY, record.branch_id)
    if verifying and record.person_id == secretary.id:
        await refuse_own(db, secretary.id, record.branch_id)
    if deciding and record.status not in COUNTING:
        raise Conflict("hours_decided")
    return record


async def member_name(db: Database, record: HourRecord) -> str | None:
    """Whose record it is, for the secretary deciding it (None once they are gone)."""
    person = await people.get(db, record.person_id)
    return person.display_name if person else None
