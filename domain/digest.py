"""The secretary's digest: what needs their attention in the branch, daily or weekly.

A scheduled job (bot/jobs.py); it decides everything from the database, and its key names
the day, so running it twice on a day sends nothing new. The secretary chooses daily or
weekly and the time (`/digest`), kept as the branch's own schedule of the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain import hours, notices, pending, reminders, working_time
from domain.access import Actor
from domain.effects import effect
from domain.errors import InvalidInput
from domain.mobile.certificates import EXPIRING_DAYS
from domain.mobile.models import ListKind
from domain.models import Role
from domain.unit_of_work import unit_of_work
from storage import cadres, job_runs, mobile
from storage import digest as store
from storage import outbox as queued
from storage.db import Database, iso

TEMPLATE = "secretary.digest"
JOB = "secretary-digest"
# Weekdays as crontab counts them: Sunday is 0. Weekly digests come on Mondays unless the
# secretary picks another day.
WEEKDAYS = range(7)
MONDAY = 1
TIMES = tuple(time(h, m) for h, m in ((7, 0), (7, 30), (8, 0), (8, 30), (9, 0), (12, 0), (18, 0)))


class DayPart(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


def day_part(local: time) -> DayPart:
    """What a greeting says at this local time: morning until noon, afternoon until 18:00."""
    if time(4) <= local < time(12):
        return DayPart.MORNING
    if time(12) <= local < time(18):
        return DayPart.AFTERNOON
    return DayPart.EVENING


@dataclass(frozen=True)
class Schedule:
    at: time
    weekday: int | None = None  # crontab's count; None: every day

    @property
    def weekly(self) -> bool:
        return self.weekday is not None

    @property
    def crontab(self) -> str:
        day = "*" if self.weekday is None else self.weekday
        return f"{self.at.minute} {self.at.hour} * * {day}"

    @property
    def period(self) -> timedelta:
        return timedelta(days=7 if self.weekly else 1)


DEFAULT = Schedule(at=time(8, 30))


def parse_schedule(crontab: str | None) -> Schedule:
    """A schedule set by `/digest`; a line an operator wrote by hand reads as daily at its
    first hour and minute (weekly if it names one weekday), or as the default when it has
    no hour and minute."""
    if not crontab:
        return DEFAULT
    minute, hour, _day, _month, weekday = crontab.split()
    if not (minute.isdigit() and hour.isdigit()):
        return DEFAULT
    day = int(weekday) % 7 if weekday.isdigit() and int(weekday) <= 7 else None
    return Schedule(time(int(hour), int(minute)), day)


async def schedule_of(db: Database, branch_id: int) -> Schedule:
    _enabled, crontab = (await job_runs.branch_schedules(db)).get((branch_id, JOB), (True, None))
    return parse_schedule(crontab)


@effect
async def set_schedule(
    db: Database,
    actor: Actor,
    branch_id: int,
    schedule: Schedule,
    defaults: working_time.Defaults,
    today: date,
) -> Schedule:
    """A secretary of the branch picks the digest's rhythm; never inside quiet hours."""
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        policy = await working_time.for_branch(db, branch_id, defaults)
        if policy.in_quiet_hours(datetime.combine(today, schedule.at, tzinfo=policy.tz)):
            raise InvalidInput("digest_quiet_hours")
        await job_runs.set_branch_schedule(
            work.conn, branch_id, JOB, enabled=True, crontab=schedule.crontab
        )
        await work.audit("digest.scheduled", "branch", branch_id, crontab=schedule.crontab)
    return schedule


async def _cadres_to_register(
    db: Database, branch_id: int, year: int
) -> tuple[list[str], list[str]]:
    """The branch's cadres not registered for `year`: those whose registration waits for
    the secretary's confirmation, and those who have not registered at all."""
    unconfirmed, unregistered = [], []
    for person, waiting in await cadres.to_register(db, branch_id, year):
        (unconfirmed if waiting else unregistered).append(person.display_name)
    return unconfirmed, unregistered


async def _mobile_counts(db: Database, branch_id: int, now: datetime, today: date):
    settings = await mobile.settings(db, branch_id)
    overdue = await mobile.count(
        db, branch_id, ListKind.REPORT_OVERDUE, iso(now - timedelta(days=settings.report_days))
    )
    expiring = await mobile.count(
        db, branch_id, ListKind.EXPIRING, (today + timedelta(days=EXPIRING_DAYS)).isoformat()
    )
    return overdue, expiring


async def contents(db: Database, branch_id: int, now: datetime, tz: ZoneInfo) -> dict:
    """Everything the digest says, as plain values (the outbox renders them later)."""
    schedule = await schedule_of(db, branch_id)
    since = now - schedule.period
    today = now.astimezone(tz).date()
    waiting = await pending.counts(db, branch_id)
    overdue, expiring = await _mobile_counts(db, branch_id, now, today)
    counting = await hours.counting_of(db, branch_id)
    attested = await store.attested_half_hours(db, branch_id, since)
    unconfirmed, unregistered = await _cadres_to_register(db, branch_id, today.year)
    return {
        "weekly": schedule.weekly,
        "tz": str(tz),
        "part": str(day_part(now.astimezone(tz).time())),
        "waiting": waiting.pop(pending.Kind.JOIN, 0),
        "pending": {str(kind): n for kind, n in waiting.items()},
        "new": await store.new_registrations(db, branch_id, since),
        "reports_overdue": overdue,
        "expiring": expiring,
        "unconfirmed": unconfirmed,
        "unregistered": unregistered,
        "half_hours": hours.counted(
            await store.verified_half_hours(db, branch_id, since), attested, counting
        ),
        "counting": str(counting),
        "events": await store.upcoming_events(db, branch_id, now, now + schedule.period),
        "unreachable": await queued.unreachable_members(db, branch_id),
        "failed": await queued.failed_since(db, branch_id, since),
        "dead": await store.dead_since(db, branch_id, since),
        "remarks": await reminders.remarks_missing(db, branch_id, today),
    }


def _anything(params: dict) -> bool:
    return any(
        value for key, value in params.items() if key not in ("weekly", "tz", "counting", "part")
    )


async def secretary_digest(db: Database, branch_id: int, now: datetime, tz: ZoneInfo) -> int:
    """Queue the digest for each secretary of the branch, if there is anything in it."""
    params = await contents(db, branch_id, now, tz)
    if not _anything(params):
        return 0
    day = now.astimezone(tz).date().isoformat()
    async with db.transaction() as conn:
        return await notices.to_secretaries(
            conn,
            db,
            branch_id,
            f"digest:{branch_id}:{day}",
            template=TEMPLATE,
            params=params,
            not_before=now,
        )
