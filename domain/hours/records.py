"""A member's hour records: logging them (attested, pending until a secretary decides),
hours credited from an event, the member's own edits and withdrawals, and their history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import aiosqlite

from domain import notices, outbox
from domain.access import Actor
from domain.activity import ActivityKind, Draft, Event, HourRecord, HourSource, HourStatus
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.hours import settings
from domain.hours.rules import (
    MAX_HALF_HOURS_PER_DAY,
    MAX_HALF_HOURS_PER_RECORD,
    PAGE_SIZE,
    check_day,
    check_day_total,
    description,
)
from domain.unit_of_work import UnitOfWork, unit_of_work
from storage import hours as store
from storage.db import Database

# Outbox templates, rendered by handlers/hours.
REVIEW_TEMPLATE = "hours.review"


def member(actor: Actor) -> tuple[int, int]:
    """The member's person and branch; hours are logged by members only."""
    person = actor.person
    if not actor.member:
        raise NotAllowed("members_only")
    return person.id, person.branch_id


async def room_on_day(
    conn: aiosqlite.Connection, person_id: int, day: date, adding: int, exclude: int | None = None
) -> None:
    check_day_total(await store.day_total(conn, person_id, day, exclude=exclude), adding)


@effect
async def log(
    db: Database, actor: Actor, draft: Draft, *, today: date, evidence: bytes | None = None
) -> HourRecord:
    """Record self-reported hours as attested (pending until a secretary approves); the
    secretaries are asked to review it, with the photo's bytes (`evidence`) if there is one."""
    _, branch_id = member(actor)
    # What a member logs here belongs to no event and no post: those bring their own hours.
    draft = replace(draft, event_id=None, post_id=None)
    async with unit_of_work(db, actor, branch_id=branch_id) as work:
        return await log_in(work, draft, today=today, evidence=evidence)


async def log_in(
    work: UnitOfWork, draft: Draft, *, today: date, evidence: bytes | None = None
) -> HourRecord:
    """`log` inside the caller's unit of work, for its person and branch: a post's duty
    record brings its hours here (the draft names the post), so the two are written
    together or not at all."""
    conn, person_id, branch_id = work.conn, work.person.id, work.branch_id
    kind = ActivityKind(draft.kind)
    if kind is ActivityKind.POST_DUTY and draft.post_id is None:
        # Post-duty hours belong to a post: they come with the duty record in /posts.
        raise InvalidInput("post_duty_via_posts")
    if not 0 < draft.half_hours <= MAX_HALF_HOURS_PER_RECORD:
        raise InvalidInput("hours_too_many", max=MAX_HALF_HOURS_PER_RECORD // 2)
    draft = replace(draft, kind=kind, description=description(draft.description))
    check_day(draft.day, today, await settings.window(conn, branch_id))
    await room_on_day(conn, person_id, draft.day, draft.half_hours)
    record_id = await store.insert(
        conn, person_id, branch_id, draft, HourStatus.PENDING, HourSource.SELF
    )
    attachment = evidence and outbox.Attachment(
        f"hours-{record_id}.jpg", content=evidence, photo=True
    )
    await ask_review(conn, work.db, branch_id, record_id, person_id, attachment)
    await work.audit(
        "hours.logged",
        "hour_record",
        record_id,
        kind=str(kind),
        day=draft.day.isoformat(),
        half_hours=draft.half_hours,
        post=draft.post_id,
    )
    return await fetch(conn, record_id)


async def ask_review(
    conn: aiosqlite.Connection,
    db: Database,
    branch_id: int,
    record_id: int,
    person_id: int,
    attachment: outbox.Attachment | None = None,
) -> None:
    """Ask the branch's secretaries to decide a pending record; not its own member, who may
    not verify it (it still shows in their /pending)."""
    await notices.to_secretaries(
        conn,
        db,
        branch_id,
        f"hours-review:{record_id}",
        skip=person_id,
        template=REVIEW_TEMPLATE,
        params={"record": record_id},
        attachment=attachment,
    )


async def credit_event(
    conn: aiosqlite.Connection,
    event: Event,
    person_id: int,
    earned: Draft,
    *,
    by: int | None,
    status: HourStatus = HourStatus.VERIFIED,
) -> HourRecord | None:
    """Verified hours from an event's attendance (`earned`: its kind, day, half-hours, title
    and id), in the caller's transaction; trimmed to what still fits in the day's 24 hours
    (None when nothing does). `PENDING` when the attendance does not show how long the
    person stayed: a secretary decides. `by` is who marked the attendance, if anyone."""
    room = MAX_HALF_HOURS_PER_DAY - await store.day_total(conn, person_id, earned.day)
    earned = replace(earned, half_hours=min(earned.half_hours, room))
    if earned.half_hours <= 0:
        return None
    record_id = await store.insert(
        conn, person_id, event.branch_id, earned, status, HourSource.EVENT
    )
    work = UnitOfWork.joining(conn, by=by, branch_id=event.branch_id)
    await work.audit(
        "hours.credited",
        "hour_record",
        record_id,
        event=earned.event_id,
        half_hours=earned.half_hours,
        status=str(status),
    )
    return await fetch(conn, record_id)


async def fetch(conn: aiosqlite.Connection, record_id: int) -> HourRecord:
    """The record inside a transaction, as it is now."""
    record = await store.get_for_update(conn, record_id)
    if record is None:
        raise NotFound("hours_unknown")
    return record


async def _own_pending(work: UnitOfWork, record_id: int) -> HourRecord:
    """The member's own record, still pending; the work is then in its branch."""
    person_id, _ = member(work.actor)
    record = await store.get_for_update(work.conn, record_id)
    if record is None or record.person_id != person_id:
        raise NotFound("hours_unknown")
    if record.status is not HourStatus.PENDING:
        raise Conflict("hours_not_pending")
    work.branch_id = record.branch_id
    return record


@effect
async def withdraw(db: Database, actor: Actor, record_id: int) -> HourRecord:
    async with unit_of_work(db, actor) as work:
        record = await _own_pending(work, record_id)
        await store.set_status(
            work.conn, record.id, HourStatus.WITHDRAWN, decided_by=record.person_id
        )
        await work.audit("hours.withdrawn", "hour_record", record.id)
        return await fetch(work.conn, record.id)


@effect
async def edit_hours(db: Database, actor: Actor, record_id: int, half_hours: int) -> HourRecord:
    """The member changes the hours of their own record while it is still pending; hours
    from an event are the secretary's to correct."""
    async with unit_of_work(db, actor) as work:
        record = await _own_pending(work, record_id)
        if record.source is not HourSource.SELF:
            raise Conflict("hours_from_event")
        await room_on_day(work.conn, record.person_id, record.day, half_hours, exclude=record.id)
        await store.set_half_hours(work.conn, record.id, half_hours)
        await work.audit(
            "hours.edited", "hour_record", record.id, before=record.half_hours, after=half_hours
        )
        return await fetch(work.conn, record.id)


# ---------------------------------------------------------------- reading


async def history(db: Database, actor: Actor, page: int) -> tuple[list[HourRecord], bool]:
    """One page of the member's own records, newest first, and whether more follow."""
    person_id, _ = member(actor)
    page = max(page, 0)
    found = await store.by_person(db, person_id, offset=page * PAGE_SIZE, limit=PAGE_SIZE + 1)
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


async def find(db: Database, record_id: int) -> HourRecord | None:
    """A record as it is now, for rendering a notification queued about it."""
    return await store.get(db, record_id)


async def own_record(
    db: Database, actor: Actor, record_id: int, *, editable: bool = False
) -> HourRecord:
    """The member's own record; with `editable`, refused unless they may still change it
    (an early answer: `edit_hours` checks again in its transaction)."""
    person_id, _ = member(actor)
    record = await store.get(db, record_id)
    if record is None or record.person_id != person_id:
        raise NotFound("hours_unknown")
    if editable and record.status is not HourStatus.PENDING:
        raise Conflict("hours_not_pending")
    if editable and record.source is not HourSource.SELF:
        raise Conflict("hours_from_event")
    return record


async def check_room(db: Database, actor: Actor, day: date, half_hours: int) -> None:
    """Early answer while typing; `log` checks again in its transaction."""
    person_id, _ = member(actor)
    check_day_total(await store.day_total(db.reader, person_id, day), half_hours)


async def check_member_day(db: Database, actor: Actor, day: date, today: date) -> date:
    """The day rules with the member's branch window, for an early answer while typing."""
    _, branch_id = member(actor)
    return check_day(day, today, await settings.window(db, branch_id))
