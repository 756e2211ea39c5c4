"""Attendance: the hours a presence earns (the 60 % rule), the secretary marking people
present, attendance closed once the check-out window has passed, and who came."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import aiosqlite

from domain import hours
from domain.access import Actor
from domain.activity import Attendance, CheckMethod, Event, HourRecord, HourStatus, Rsvp
from domain.effects import effect
from domain.errors import Conflict, NotFound
from domain.events.codes import CHECK_OUT_CLOSES
from domain.events.listing import ATTENDING_ROLES, event_for_secretary, known
from domain.models import Person, Role
from domain.unit_of_work import unit_of_work
from storage import events as store
from storage.db import Database, parse_iso

MIN_PRESENCE = (3, 5)  # 60 %: below it, presence earns no verified hours

# Outbox template, rendered by handlers/events.
CHECKED_OUT_TEMPLATE = "events.checked_out"


def presence(event: Event, checked_in: datetime, checked_out: datetime) -> timedelta:
    """Time present during the event itself: before the start and after the end do not count."""
    return max(timedelta(0), min(checked_out, event.ends_at) - max(checked_in, event.starts_at))


def credited_half_hours(event: Event, checked_in: datetime, checked_out: datetime) -> int:
    """Verified half-hours for a presence: none under 60 % of the event, never beyond it."""
    length = event.ends_at - event.starts_at
    present = presence(event, checked_in, checked_out)
    share, whole = MIN_PRESENCE
    if present * whole < length * share:
        return 0
    return hours.minutes_to_half_hours(present.total_seconds() / 60)


@dataclass(frozen=True)
class CheckedOut:
    event: Event
    attendance: Attendance
    present: timedelta
    record: HourRecord | None


async def finish(
    conn: aiosqlite.Connection,
    event: Event,
    person_id: int,
    checked_in: datetime,
    checked_out: datetime,
    actor_id: int | None,
    tz: tzinfo,
    status: HourStatus = HourStatus.VERIFIED,
) -> CheckedOut:
    """Credit hours for a completed attendance, in the caller's transaction."""
    half_hours = credited_half_hours(event, checked_in, checked_out)
    record = None
    if half_hours:
        day = event.starts_at.astimezone(tz).date()
        earned = hours.Draft(event.kind, day, half_hours, event.title, event_id=event.id)
        record = await hours.credit_event(
            conn, event, person_id, earned, by=actor_id, status=status
        )
    found = await store.attendance_of(conn, event.id, person_id)
    assert found is not None
    return CheckedOut(event, found, presence(event, checked_in, checked_out), record)


def checked_out_params(done: CheckedOut) -> dict[str, object]:
    """What a check-out message says: the minutes present and the hours verified, or why none
    (`full_day`: the presence earned hours, but the day already has 24)."""
    attendance = done.attendance
    earned = credited_half_hours(
        done.event, attendance.checked_in_at, attendance.checked_out_at or attendance.checked_in_at
    )
    return {
        "title": done.event.title,
        "minutes": int(done.present.total_seconds() // 60),
        "half_hours": done.record.half_hours if done.record else None,
        "full_day": done.record is None and bool(earned),
    }


@effect
async def mark_present(
    db: Database, actor: Actor, event_id: int, person_id: int, now: datetime, tz: tzinfo
) -> CheckedOut:
    """The secretary records attendance afterwards: from the check-in (or the start) to the end."""
    event = await known(db, event_id)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=event.branch_id) as work:
        if now < event.starts_at:
            raise Conflict("event_not_started")
        conn, secretary = work.conn, work.person
        eligible = await store.eligible_people(conn, event, ATTENDING_ROLES)
        if person_id not in {p.id for p in eligible}:
            raise NotFound("event_person_unknown")
        await store.check_in(conn, event.id, person_id, event.starts_at, CheckMethod.SECRETARY)
        present = await store.attendance_of(conn, event.id, person_id)
        assert present is not None
        if not await store.check_out(
            conn, event.id, person_id, event.ends_at, CheckMethod.SECRETARY, secretary.id
        ):
            raise Conflict("already_checked_out")
        await work.audit("event.marked_present", "event", event.id, person=person_id)
        return await finish(
            conn, event, person_id, present.checked_in_at, event.ends_at, secretary.id, tz
        )


async def close_attendance(db: Database, branch_id: int | None, now: datetime, tz: tzinfo) -> int:
    """Once the check-out window has closed, nobody stays checked in, and each is told:

    - checked in by live location: checked out at the last moment their location was seen
      near the place, with verified hours as at any check-out;
    - otherwise (a code; nothing says when they left): checked out at the event's end and
      marked auto-closed; hours by the same 60 % rule from the check-in to the end, but
      attested, not verified: a secretary approves, corrects or rejects them (the review
      request and /pending), and the attendance view lists them.

    Only open attendances are closed, so running the job again changes nothing."""
    queued = 0
    async with unit_of_work(db, None, branch_id=branch_id) as work:
        conn = work.conn
        for row in await store.open_after_window(conn, now - CHECK_OUT_CLOSES):
            event = await known(conn, row["event_id"])
            if event.branch_id != branch_id:
                continue
            person_id, last_seen = row["person_id"], parse_iso(row["last_seen_at"])
            if last_seen is not None:
                closed = await store.check_out(
                    conn, event.id, person_id, last_seen, CheckMethod.LOCATION
                )
            else:
                closed = await store.auto_close(conn, event.id, person_id, event.ends_at)
            if not closed:
                continue
            await work.audit(
                "event.checked_out",
                "event",
                event.id,
                person=person_id,
                method=str(CheckMethod.LOCATION) if last_seen else None,
                automatic=True,
            )
            left = last_seen or event.ends_at
            status = HourStatus.VERIFIED if last_seen else HourStatus.PENDING
            checked_in = parse_iso(row["checked_in_at"])
            done = await finish(conn, event, person_id, checked_in, left, None, tz, status)
            if status is HourStatus.PENDING and done.record is not None:
                await hours.ask_review(conn, db, event.branch_id, done.record.id, person_id)
            queued += await work.tell(
                row["telegram_id"],
                f"event-checked-out:{event.id}:{person_id}",
                template=CHECKED_OUT_TEMPLATE,
                params={**checked_out_params(done), "auto_closed": last_seen is None},
            )
    return queued


@dataclass(frozen=True)
class Line:
    person_id: int
    name: str
    answer: Rsvp | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    method: CheckMethod | None
    half_hours: int | None
    auto_closed: bool = False


@dataclass(frozen=True)
class Roster:
    event: Event
    lines: list[Line]
    eligible: list[Person]

    @property
    def going(self) -> list[Line]:
        return [line for line in self.lines if line.answer is Rsvp.GOING]

    @property
    def checked_in(self) -> list[Line]:
        return [line for line in self.lines if line.checked_in_at is not None]

    @property
    def auto_closed(self) -> list[Line]:
        """Never checked out: closed at the end, their hours waiting for a secretary."""
        return [line for line in self.lines if line.auto_closed]

    @property
    def missing(self) -> list[Line]:
        """Said Going and have not checked in."""
        return [line for line in self.going if line.checked_in_at is None]


async def roster(db: Database, actor: Actor, event_id: int) -> Roster:
    """Who is going, who checked in, who is missing: for the secretary only."""
    event = await event_for_secretary(db, actor, event_id)
    lines = [
        Line(
            person_id=r["person_id"],
            name=r["name"] or f"#{r['person_id']}",
            answer=Rsvp(r["answer"]) if r["answer"] else None,
            checked_in_at=parse_iso(r["checked_in_at"]),
            checked_out_at=parse_iso(r["checked_out_at"]),
            method=CheckMethod(r["method_in"]) if r["method_in"] else None,
            half_hours=r["half_hours"],
            auto_closed=bool(r["auto_closed"]),
        )
        for r in await store.roster(db, event.id)
    ]
    return Roster(event, lines, await store.eligible_people(db, event, ATTENDING_ROLES))
