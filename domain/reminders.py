"""Who is due a cadre reminder on a given day. Pure: the job that sends (through the
outbox, outside working hours) passes in what it knows and records what it sent.
Working days are the layered calendar (`domain.workdays`), passed in."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TypeVar

import aiosqlite

from domain.periods import (
    Period,
    first_working_day_of_year,
    half,
    quarter_of,
)
from domain.workdays import Calendar
from domain.workdays import load as load_calendar
from storage import cadres as cadre_store
from storage.db import Database

REGISTRATION_REMINDERS_MAX = 6
REMINDER_INTERVAL = timedelta(days=7)
NUDGE_BEFORE_QUARTER_END = timedelta(days=14)
# A day-bound job also runs within this many days after its day, in case the bot was down
# then; the outbox keys keep it to once.
CATCH_UP_DAYS = 7

T = TypeVar("T")


@dataclass(frozen=True)
class CadreState:
    person_id: int
    name: str
    unit_id: int | None
    registered: bool
    on_leave_until: date | None = None

    def on_leave(self, day: date) -> bool:
        return self.on_leave_until is not None and day <= self.on_leave_until


@dataclass(frozen=True)
class RegistrationDue:
    remind: list[int] = field(default_factory=list)
    # unit id → names of its cadres still unregistered after the last reminder
    escalate: dict[int, list[str]] = field(default_factory=dict)
    escalated_people: list[int] = field(default_factory=list)


def registration_due(
    today: date,
    cadres: Iterable[CadreState],
    sent: Mapping[int, list[date]],
    escalated: set[int],
    calendar: Calendar,
) -> RegistrationDue:
    """From the first working day of January, weekly until registered, at most six; a week
    after the sixth the unit contact is told (names only), once. Nobody on leave."""
    due = RegistrationDue()
    if today < first_working_day_of_year(today.year, calendar) or not calendar.is_working_day(
        today
    ):
        return due
    for cadre in cadres:
        if cadre.registered or cadre.on_leave(today):
            continue
        reminders = [d for d in sent.get(cadre.person_id, []) if d.year == today.year]
        last = max(reminders, default=None)
        if last is not None and today - last < REMINDER_INTERVAL:
            continue
        if len(reminders) < REGISTRATION_REMINDERS_MAX:
            due.remind.append(cadre.person_id)
        elif cadre.person_id not in escalated and cadre.unit_id is not None:
            due.escalate.setdefault(cadre.unit_id, []).append(cadre.name)
            due.escalated_people.append(cadre.person_id)
    return due


def quarterly_nudge_due(
    today: date, cadres: Iterable[CadreState], verified_activities: Mapping[int, int]
) -> list[int]:
    """Two weeks before the quarter ends: cadres with no verified activity this quarter."""
    quarter = quarter_of(today)
    if today != quarter.end - NUDGE_BEFORE_QUARTER_END:
        return []
    return [
        c.person_id
        for c in cadres
        if not c.on_leave(today) and verified_activities.get(c.person_id, 0) == 0
    ]


def feedback_due(today: date, calendar: Calendar) -> Period | None:
    """The quarter whose feedback goes out today (first working day after it ended)."""
    previous = quarter_of(today - timedelta(days=today.day))
    if previous.end < today and previous.report_day(calendar) == today:
        return previous
    return None


def recently_due(today: date, due_on: Callable[[date], T | None]) -> tuple[date, T] | None:
    """The day in the last CATCH_UP_DAYS on which something fell due, and what."""
    for back in range(CATCH_UP_DAYS):
        day = today - timedelta(days=back)
        found = due_on(day)
        if found:
            return day, found
    return None


def quarter_due(today: date, calendar: Calendar) -> Period | None:
    """The quarter whose feedback and summaries go out: on its report day (`feedback_due`),
    or within the catch-up after."""
    due = recently_due(today, lambda day: feedback_due(day, calendar))
    return due[1] if due else None


QuarterJob = Callable[[Database, Period, datetime, tzinfo], Awaitable[int]]


def quarterly(
    job: QuarterJob,
) -> Callable[[Database, int | None, datetime, tzinfo], Awaitable[int]]:
    """A daily job (bot/jobs.py's signature) that acts only when a quarter is due
    (`quarter_due` on the local day of `now`, by the stored calendar), for that quarter."""

    @functools.wraps(job)
    async def run(db: Database, branch_id: int | None, now: datetime, tz: tzinfo) -> int:
        quarter = quarter_due(now.astimezone(tz).date(), await load_calendar(db))
        return 0 if quarter is None else await job(db, quarter, now, tz)

    return run


def county_report_due(today: date, calendar: Calendar) -> Period | None:
    """The half-year reported today: after Q2 and Q4, with that quarter's feedback."""
    quarter = feedback_due(today, calendar)
    if quarter is None or quarter.label[-1] not in "24":
        return None
    return half(quarter.year, 1 if quarter.label[-1] == "2" else 2)


async def registration_reminders(db: Database, today: date) -> RegistrationDue:
    """Who is due today, from what the database holds; the sending job calls this, sends
    outside working hours, then `record_sent`."""
    registered = {r.person_id for r in await cadre_store.current(db, today.year)}
    latest = {r.person_id: r for r in await cadre_store.confirmed_up_to(db, today.year)}
    leaves = await cadre_store.leaves(db)
    states = []
    for person in await cadre_store.cadre_people(db):
        known = latest.get(person.id)
        leave = leaves.get(person.id)
        states.append(
            CadreState(
                person.id,
                known.name if known else person.display_name,
                known.unit_id if known else None,
                person.id in registered,
                leave.until if leave else None,
            )
        )
    return registration_due(
        today,
        states,
        await cadre_store.reminders_sent(db, today.year),
        await cadre_store.escalated(db, today.year),
        await load_calendar(db),
    )


async def record_sent(conn: aiosqlite.Connection, due: RegistrationDue, today: date) -> None:
    """Inside the transaction that queues the reminders and escalations."""
    for person_id in due.remind:
        await cadre_store.record_reminder(conn, person_id, today.year, "registration", today)
    for person_id in due.escalated_people:
        await cadre_store.record_reminder(conn, person_id, today.year, "escalation", today)


REMARK_WEEK = timedelta(days=7)


def remark_week(today: date) -> Period | None:
    """The quarter whose remarks secretaries write now: its last week, before feedback."""
    quarter = quarter_of(today)
    return quarter if quarter.end - today < REMARK_WEEK else None


async def remarks_missing(db: Database, branch_id: int, today: date) -> list[str]:
    """For the secretary's digest: names of the branch's registered cadres without a
    remark for the quarter in its remark week (empty outside it)."""
    quarter = remark_week(today)
    if quarter is None:
        return []
    written = await cadre_store.remarks(db, quarter.label)
    return [
        r.name
        for r in await cadre_store.current(db, today.year)
        if r.branch_id == branch_id and r.person_id not in written
    ]
