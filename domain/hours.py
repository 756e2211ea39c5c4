"""The hours ledger: who did what, for how long, self-reported (attested) or verified.

Hours are counted in whole half-hours everywhere below the user interface, so sums are
exact integers and a total becomes a `Decimal` only when shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

import aiosqlite

from domain import notices, outbox
from domain.access import Actor, require
from domain.activity import ActivityKind, HourRecord, HourSource, HourStatus, as_hours
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.models import Role
from domain.validation import clean_text
from storage import audit, people
from storage import hours as store
from storage.db import Database

MAX_HALF_HOURS_PER_RECORD = 24  # 12 hours
MAX_HALF_HOURS_PER_DAY = 48  # 24 hours, across all records of one day
# The amounts offered as buttons wherever hours are asked: 0.5, 1, 1.5, 2 and 3 hours.
COMMON_HALF_HOURS = (1, 2, 3, 4, 6)
DEFAULT_WINDOW_DAYS = 90
WINDOW_CHOICES = (30, 60, 90, 180, 365)
DESCRIPTION_MAX = 200
REASON_MAX = 200
PAGE_SIZE = 8

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_HOUR_SUFFIXES = ("小时", "hours", "hour", "hrs", "hr", "h")

# Statuses that occupy time on a day: a withdrawn or rejected record frees it again.
COUNTING = (HourStatus.PENDING, HourStatus.VERIFIED)

# Outbox templates, rendered by handlers/hours.py.
REVIEW_TEMPLATE = "hours.review"
DECIDED_TEMPLATE = "hours.decided"


# ---------------------------------------------------------------- rules on input


def parse_hours(text: str) -> int:
    """Typed hours → half-hours: a number in steps of 0.5, above 0, at most 12. The one
    reader of a typed duration: a value it would have to round or cap is refused instead."""
    raw = unicodedata.normalize("NFKC", text or "").strip().lower().replace("，", ".")
    for suffix in _HOUR_SUFFIXES:
        if raw.endswith(suffix):
            raw = raw.removesuffix(suffix).strip()
            break
    if not _NUMBER.fullmatch(raw):
        raise InvalidInput("hours_not_number")
    value = Decimal(raw)
    if value <= 0:
        raise InvalidInput("hours_not_positive")
    if value > as_hours(MAX_HALF_HOURS_PER_RECORD):
        raise InvalidInput("hours_too_many", max=MAX_HALF_HOURS_PER_RECORD // 2)
    doubled = value * 2
    if doubled != doubled.to_integral_value():
        raise InvalidInput("hours_not_step")
    return int(doubled)


def half_hours_of(minutes: int) -> int:
    """Minutes held elsewhere (a duty record) as whole half-hours, by the same limits as a
    typed amount: a value that is not one is refused, never rounded or capped."""
    if minutes <= 0:
        raise InvalidInput("hours_not_positive")
    if minutes > MAX_HALF_HOURS_PER_RECORD * 30:
        raise InvalidInput("hours_too_many", max=MAX_HALF_HOURS_PER_RECORD // 2)
    if minutes % 30:
        raise InvalidInput("hours_not_step")
    return minutes // 30


def common_amount(half_hours: int) -> int:
    """A pressed amount button; its data comes from the client, so it is checked."""
    if half_hours not in COMMON_HALF_HOURS:
        raise InvalidInput("hours_not_step")
    return half_hours


def check_day(day: date, today: date, window_days: int = DEFAULT_WINDOW_DAYS) -> date:
    if day > today:
        raise InvalidInput("date_in_future")
    if (today - day).days > window_days:
        raise InvalidInput("date_too_old", days=window_days)
    return day


def check_day_total(already: int, adding: int) -> None:
    """`already` half-hours are on the day; one day holds at most 24 hours."""
    if already + adding > MAX_HALF_HOURS_PER_DAY:
        left = max(0, MAX_HALF_HOURS_PER_DAY - already)
        raise InvalidInput("hours_day_full", left=as_hours(left))


def description(text: str) -> str:
    value = clean_text(text or "").replace("\n", " ")
    if not value:
        raise InvalidInput("description_empty")
    if len(value) > DESCRIPTION_MAX:
        raise InvalidInput("description_too_long", max=DESCRIPTION_MAX)
    return value


def reason(text: str) -> str:
    value = clean_text(text or "")
    if not value:
        raise InvalidInput("reason_empty")
    if len(value) > REASON_MAX:
        raise InvalidInput("reason_too_long", max=REASON_MAX)
    return value


# ---------------------------------------------------------------- totals


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def period_bounds(period: Period, day: date) -> tuple[date, date]:
    """The first and last day (inclusive) of the period containing `day`; weeks start Monday."""
    if period is Period.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period is Period.YEAR:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    months = 1 if period is Period.MONTH else 3
    first_month = day.month if months == 1 else 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    after = first_month + months
    end = date(day.year + (after > 12), (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class Totals:
    """Hours by activity type: verified, and attested (self-reported, still pending)."""

    verified: dict[ActivityKind, Decimal] = field(default_factory=dict)
    attested: dict[ActivityKind, Decimal] = field(default_factory=dict)

    @property
    def total_verified(self) -> Decimal:
        return sum(self.verified.values(), Decimal(0))

    @property
    def total_attested(self) -> Decimal:
        return sum(self.attested.values(), Decimal(0))

    @property
    def kinds(self) -> list[ActivityKind]:
        return [k for k in ActivityKind if k in self.verified or k in self.attested]


def sum_totals(rows: list[tuple[ActivityKind, HourStatus, int]]) -> Totals:
    """(kind, status, half-hours) rows → exact totals; rejected and withdrawn count nothing."""
    verified: dict[ActivityKind, int] = defaultdict(int)
    attested: dict[ActivityKind, int] = defaultdict(int)
    for kind, status, half_hours in rows:
        if status is HourStatus.VERIFIED:
            verified[kind] += half_hours
        elif status is HourStatus.PENDING:
            attested[kind] += half_hours
    return Totals(
        {k: as_hours(v) for k, v in verified.items()},
        {k: as_hours(v) for k, v in attested.items()},
    )


class Counting(StrEnum):
    """What a branch's summaries count: verified hours only (the default), or attested
    (self-reported, still pending) hours too. Members' own totals always show both."""

    VERIFIED = "verified"
    WITH_ATTESTED = "with_attested"


def counted(verified: int, attested: int, counting: Counting) -> int:
    """The half-hours a summary counts, from verified and attested half-hours."""
    return verified + (attested if counting is Counting.WITH_ATTESTED else 0)


def counted_total(totals: Totals, counting: Counting) -> Decimal:
    extra = totals.total_attested if counting is Counting.WITH_ATTESTED else Decimal(0)
    return totals.total_verified + extra


async def person_totals(db: Database, person_id: int, start: date, end: date) -> Totals:
    """A person's verified and attested hours by type from `start` to `end` inclusive.

    For the quarterly feedback to a cadre's unit, which reports verified hours."""
    return sum_totals(await store.sums(db, person_id, start, end))


async def people_totals(
    db: Database, person_ids: Sequence[int], start: date, end: date
) -> dict[int, Totals]:
    """`person_totals` for many people in one statement, whoever has hours counting."""
    found = await store.sums_of(db, person_ids, start, end)
    return {person_id: sum_totals(found[person_id]) for person_id in found}


async def period_totals(db: Database, person_id: int, period: Period, day: date) -> Totals:
    start, end = period_bounds(period, day)
    return await person_totals(db, person_id, start, end)


# ---------------------------------------------------------------- changes


@dataclass(frozen=True)
class Draft:
    """What a member confirmed in /hours."""

    kind: ActivityKind
    day: date
    half_hours: int
    description: str
    photo_file_id: str | None = None


def _member(actor: Actor) -> tuple[int, int]:
    person = actor.person
    if not actor.member:
        raise NotAllowed("members_only")
    return person.id, person.branch_id


async def _room_on_day(
    conn: aiosqlite.Connection, person_id: int, day: date, adding: int, exclude: int | None = None
) -> None:
    check_day_total(await store.day_total(conn, person_id, day, exclude=exclude), adding)


@effect
async def log(
    db: Database, actor: Actor, draft: Draft, *, today: date, evidence: bytes | None = None
) -> HourRecord:
    """Record self-reported hours as attested (pending until a secretary approves); the
    secretaries are asked to review it, with the photo's bytes (`evidence`) if there is one."""
    person_id, branch_id = _member(actor)
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
    check_day(draft.day, today, await _window(conn, branch_id))
    await _room_on_day(conn, person_id, draft.day, draft.half_hours)
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
    return await _fetch(conn, record_id)


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
    return await _fetch(conn, record_id)


async def _fetch(conn: aiosqlite.Connection, record_id: int) -> HourRecord:
    record = await store.get_for_update(conn, record_id)
    if record is None:
        raise NotFound("hours_unknown")
    return record


async def _own_pending(conn: aiosqlite.Connection, actor: Actor, record_id: int) -> HourRecord:
    person_id, _ = _member(actor)
    record = await store.get_for_update(conn, record_id)
    if record is None or record.person_id != person_id:
        raise NotFound("hours_unknown")
    if record.status is not HourStatus.PENDING:
        raise Conflict("hours_not_pending")
    return record


@effect
async def withdraw(db: Database, actor: Actor, record_id: int) -> HourRecord:
    async with db.transaction() as conn:
        record = await _own_pending(conn, actor, record_id)
        await store.set_status(conn, record.id, HourStatus.WITHDRAWN, decided_by=record.person_id)
        await audit.record(
            conn,
            action="hours.withdrawn",
            subject_type="hour_record",
            subject_id=record.id,
            actor_id=record.person_id,
            branch_id=record.branch_id,
        )
        return await _fetch(conn, record.id)


@effect
async def edit_hours(db: Database, actor: Actor, record_id: int, half_hours: int) -> HourRecord:
    """The member changes the hours of their own record while it is still pending; hours
    from an event are the secretary's to correct."""
    async with db.transaction() as conn:
        record = await _own_pending(conn, actor, record_id)
        if record.source is not HourSource.SELF:
            raise Conflict("hours_from_event")
        await _room_on_day(conn, record.person_id, record.day, half_hours, exclude=record.id)
        await store.set_half_hours(conn, record.id, half_hours)
        await audit.record(
            conn,
            action="hours.edited",
            subject_type="hour_record",
            subject_id=record.id,
            actor_id=record.person_id,
            branch_id=record.branch_id,
            before=record.half_hours,
            after=half_hours,
        )
        return await _fetch(conn, record.id)


async def refuse_own(db: Database, secretary_id: int, branch_id: int, count: int = 1) -> None:
    """Nobody verifies their own hours: another secretary of the branch must. The refusal
    says whether the branch has one."""
    others = [p for p in await people.secretaries(db, branch_id) if p.id != secretary_id]
    raise NotAllowed("hours_own" if others else "hours_own_no_other", n=count)


async def _for_secretary(
    conn: aiosqlite.Connection, actor: Actor, record_id: int
) -> tuple[HourRecord, int]:
    record = await store.get_for_update(conn, record_id)
    if record is None:
        raise NotFound("hours_unknown")
    secretary = require(actor, Role.SECRETARY, record.branch_id)
    if record.status not in COUNTING:
        raise Conflict("hours_decided")
    return record, secretary.id


async def _to_verify(
    conn: aiosqlite.Connection, db: Database, actor: Actor, record_id: int
) -> tuple[HourRecord, int]:
    """Approving or correcting verifies: refused on one's own record (rejecting one's own
    stays possible, as a member may withdraw it)."""
    record, secretary_id = await _for_secretary(conn, actor, record_id)
    if record.person_id == secretary_id:
        await refuse_own(db, secretary_id, record.branch_id)
    return record, secretary_id


@effect
async def approve(db: Database, actor: Actor, record_id: int) -> HourRecord:
    async with db.transaction() as conn:
        record, secretary_id = await _to_verify(conn, db, actor, record_id)
        if record.status is not HourStatus.PENDING:
            raise Conflict("hours_decided")
        await store.set_status(conn, record.id, HourStatus.VERIFIED, decided_by=secretary_id)
        await audit.record(
            conn,
            action="hours.approved",
            subject_type="hour_record",
            subject_id=record.id,
            actor_id=secretary_id,
            branch_id=record.branch_id,
        )
        return await tell_decision(conn, record.id)


@effect
async def reject(db: Database, actor: Actor, record_id: int, why: str) -> HourRecord:
    """Pending or verified hours are rejected with a reason the member reads; kept, not deleted."""
    text = reason(why)
    async with db.transaction() as conn:
        record, secretary_id = await _for_secretary(conn, actor, record_id)
        await store.set_status(
            conn, record.id, HourStatus.REJECTED, decided_by=secretary_id, reason=text
        )
        await audit.record(
            conn,
            action="hours.rejected",
            subject_type="hour_record",
            subject_id=record.id,
            actor_id=secretary_id,
            branch_id=record.branch_id,
            reason=text,
            was=str(record.status),
        )
        return await tell_decision(conn, record.id)


@effect
async def correct(db: Database, actor: Actor, record_id: int, half_hours: int) -> HourRecord:
    """The secretary sets the right hours; the record becomes verified with them."""
    async with db.transaction() as conn:
        record, secretary_id = await _to_verify(conn, db, actor, record_id)
        await _room_on_day(conn, record.person_id, record.day, half_hours, exclude=record.id)
        await store.set_half_hours(conn, record.id, half_hours)
        await store.set_status(conn, record.id, HourStatus.VERIFIED, decided_by=secretary_id)
        await audit.record(
            conn,
            action="hours.corrected",
            subject_type="hour_record",
            subject_id=record.id,
            actor_id=secretary_id,
            branch_id=record.branch_id,
            before=record.half_hours,
            after=half_hours,
        )
        return await tell_decision(conn, record.id)


async def tell_decision(conn: aiosqlite.Connection, record_id: int) -> HourRecord:
    """The member learns each decision; the key names the outcome, so a repeat is not sent."""
    record = await _fetch(conn, record_id)
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


async def history(db: Database, actor: Actor, page: int) -> tuple[list[HourRecord], bool]:
    """One page of the member's own records, newest first, and whether more follow."""
    person_id, _ = _member(actor)
    page = max(page, 0)
    found = await store.by_person(db, person_id, offset=page * PAGE_SIZE, limit=PAGE_SIZE + 1)
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


async def own_record(db: Database, actor: Actor, record_id: int) -> HourRecord:
    person_id, _ = _member(actor)
    record = await store.get(db, record_id)
    if record is None or record.person_id != person_id:
        raise NotFound("hours_unknown")
    return record


async def pending_for(db: Database, actor: Actor) -> list[HourRecord]:
    """Records waiting for `actor` in the branches where they are secretary, oldest first;
    not their own, which another secretary approves."""
    own = actor.person.id if actor.person else None
    found: list[HourRecord] = []
    for branch_id in actor.branches_where(Role.SECRETARY):
        found += [r for r in await store.pending_in_branch(db, branch_id) if r.person_id != own]
    return found


async def record_for_secretary(
    db: Database, actor: Actor, record_id: int, *, verifying: bool = False
) -> HourRecord:
    """The record for a decision; `verifying` (a correction) refuses one's own at once."""
    record = await store.get(db, record_id)
    if record is None:
        raise NotFound("hours_unknown")
    secretary = require(actor, Role.SECRETARY, record.branch_id)
    if verifying and record.person_id == secretary.id:
        await refuse_own(db, secretary.id, record.branch_id)
    return record


def minutes_to_half_hours(minutes: float) -> int:
    """Presence is credited in whole half-hours, rounding down."""
    return int(minutes // 30)


async def check_room(db: Database, actor: Actor, day: date, half_hours: int) -> None:
    """Early answer while typing; `log` checks again in its transaction."""
    person_id, _ = _member(actor)
    check_day_total(await store.day_total(db.reader, person_id, day), half_hours)


@dataclass(frozen=True)
class MemberTotals:
    person_id: int
    name: str
    totals: Totals


async def branch_totals(
    db: Database, actor: Actor, branch_id: int, start: date, end: date
) -> list[MemberTotals]:
    """Every member's totals for the secretary, in name order: a register, not a ranking."""
    require(actor, Role.SECRETARY, branch_id)
    grouped: dict[int, tuple[str, list]] = {}
    for person_id, name, kind, status, total in await store.branch_sums(db, branch_id, start, end):
        entry = grouped.setdefault(person_id, (name or f"#{person_id}", []))
        if kind is not None and status is not None:
            entry[1].append((kind, status, total))
    return [MemberTotals(pid, name, sum_totals(rows)) for pid, (name, rows) in grouped.items()]


async def _window(db: Database | aiosqlite.Connection, branch_id: int) -> int:
    found = await store.window_days(db, branch_id)
    return DEFAULT_WINDOW_DAYS if found is None else found


async def check_member_day(db: Database, actor: Actor, day: date, today: date) -> date:
    """The day rules with the member's branch window, for an early answer while typing."""
    _, branch_id = _member(actor)
    return check_day(day, today, await _window(db, branch_id))


async def window_of(db: Database, actor: Actor, branch_id: int) -> int:
    require(actor, Role.SECRETARY, branch_id)
    return await _window(db, branch_id)


@effect
async def set_window(db: Database, actor: Actor, branch_id: int, days: int) -> int:
    """How many days back the branch's members may log hours."""
    secretary = require(actor, Role.SECRETARY, branch_id)
    if days not in WINDOW_CHOICES:
        raise InvalidInput("window_invalid")
    async with db.transaction() as conn:
        await store.set_window_days(conn, branch_id, days)
        await audit.record(
            conn,
            action="hours.window_set",
            subject_type="branch",
            subject_id=branch_id,
            actor_id=secretary.id,
            branch_id=branch_id,
            days=days,
        )
    return days


async def counting_of(db: Database, branch_id: int) -> Counting:
    counts = await store.count_attested(db, branch_id)
    return Counting.WITH_ATTESTED if counts else Counting.VERIFIED


async def counting_branches(db: Database) -> set[int]:
    """The branches whose summaries count attested hours too."""
    return await store.branches_counting_attested(db)


@effect
async def set_counting(
    db: Database, actor: Actor | None, branch_id: int, counting: Counting
) -> Counting:
    """What the branch's summaries count; a secretary of the branch decides (`actor`), or
    the operator from the command line (no actor)."""
    actor_id = None if actor is None else require(actor, Role.SECRETARY, branch_id).id
    counting = Counting(counting)
    async with db.transaction() as conn:
        await store.set_count_attested(conn, branch_id, counting is Counting.WITH_ATTESTED)
        await audit.record(
            conn,
            action="hours.counting_set",
            subject_type="branch",
            subject_id=branch_id,
            actor_id=actor_id,
            branch_id=branch_id,
            counting=str(counting),
        )
    return counting
