"""A member's hour records: logging them (attested, pending until a secretary decides),
hours credited from an event, the member's own edits and withdrawals, and their history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import aiosqlite

from domain import notices, outbox
from domain.access import Actor
from domain.activity import ActivityKind, HourRecord, HourSource, HourStatus
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
from storage import audit
from storage import hours as store
from storage.db import Database

# Outbox templates, rendered by handlers/hours.
REVIEW_TEMPLATE = "hours.review"


@dataclass(frozen=True)
class Draft:
    """What a member confirmed in /hours."""

    kind: ActivityKind
    day: date
    half_hours: int
    description: str
    photo_file_id: str | None = None


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
    person_id, branch_id = member(actor)
    async with db.transaction() as conn:
        return await log_in(conn, db, person_id, branch_id, draft, today=today, evidence=evidence)


async def log_in(
    conn: aiosqlite.Connection,
    db: Database,
    person_id: int,
    branch_id: int,
    draft: Draft,
    *,
    today: date,
    evidence: bytes | None = None,
    post_id: int | None = None,
) -> HourRecord:
    """`log` inside the caller's transaction: a post's duty record brings its hours here
    (with `post_id`), so the two are written together or not at all."""
    kind = ActivityKind(draft.kind)
    if kind is ActivityKind.POST_DUTY and post_id is None:
        # Post-duty hours belong to a post: they come with the duty record in /posts.
        raise InvalidInput("post_duty_via_posts")
    if not 0 < draft.half_hours <= MAX_HALF_HOURS_PER_RECORD:
        raise InvalidInput("hours_too_many", max=MAX_HALF_HOURS_PER_RECORD // 2)
    text = description(draft.description)
    check_day(draft.day, today, await settings.window(conn, branch_id))
    await room_on_day(conn, person_id, draft.day, draft.half_hours)
    record_id = await store.insert(
        conn,
        person_id=person_id,
        branch_id=branch_id,
        kind=kind,
        day=draft.day,
        half_hours=draft.half_hours,
        description=text,
        photo_file_id=draft.photo_file_id,
        status=HourStatus.PENDING,
        source=HourSource.SELF,
        post_id=post_id,
    )
    await ask_review(
        conn,
        db,
        branch_id,
        record_id,
        person_id,
        evidence and outbox.Attachment(f"hours-{record_id}.jpg", content=evidence, photo=True),
    )
    await audit.record(
        conn,
        action="hours.logged",
        subject_type="hour_record",
        subject_id=record_id,
        actor_id=person_id,
        branch_id=branch_id,
        kind=str(kind),
        day=draft.day.isoformat(),
        half_hours=draft.half_hours,
        post=post_id,
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
    *,
    person_id: int,
    branch_id: int,
    event_id: int,
    kind: ActivityKind,
    day: date,
    half_hours: int,
    title: str,
    actor_id: int | None,
    status: HourStatus = HourStatus.VERIFIED,
) -> HourRecord | None:
    """Verified hours from an event's attendance, in the caller's transaction; trimmed to
    what still fits in the day's 24 hours (None when nothing does). `PENDING` when the
    attendance does not show how long the person stayed: a secretary decides."""
    room = MAX_HALF_HOURS_PER_DAY - await store.day_total(conn, person_id, day)
    half_hours = min(half_hours, room)
    if half_hours <= 0:
        return None
    record_id = await store.insert(
        conn,
        person_id=person_id,
        branch_id=branch_id,
        kind=kind,
        day=day,
        half_hours=half_hours,
        description=title,
        photo_file_id=None,
        status=status,
        source=HourSource.EVENT,
        event_id=event_id,
    )
    await audit.record(
        conn,
        action="hours.credited",
        subject_type="hour_record",
        subject_id=record_id,
        actor_id=actor_id,
        branch_id=branch_id,
        event=event_id,
        half_hours=half_hours,
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


async def own_record(db: Database, actor: Actor, record_id: int) -> HourRecord:
    person_id, _ = member(actor)
    record = await store.get(db, record_id)
    if record is None or record.person_id != person_id:
        raise NotFound("hours_unknown")
    return record


async def check_room(db: Database, actor: Actor, day: date, half_hours: int) -> None:
    """Early answer while typing; `log` checks again in its transaction."""
    person_id, _ = member(actor)
    check_day_total(await store.day_total(db.reader, person_id, day), half_hours)


async def check_member_day(db: Database, actor: Actor, day: date, today: date) -> date:
    """The day rules with the member's branch window, for an early answer while typing."""
    _, branch_id = member(actor)
    return check_day(day, today, await settings.window(db, branch_id))
