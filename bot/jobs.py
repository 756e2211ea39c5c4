"""Jobs the bot runs on its own, per branch, at cron-like times in the branch's time zone.

Each job decides what is due from the database, not from memory, and queues its messages
with idempotency keys, so running it twice sends nothing new. One JobQueue job, the
scheduler's tick, runs every minute: for each job and branch it finds the latest slot of
the job's cron trigger (APScheduler's `CronTrigger`, in the branch's zone) not later than
now, and runs it unless `job_runs` says it has run. So a slot missed while the bot was
down runs once at start-up (only the latest one, within the job's `catch_up`), and a
restart never runs a slot twice; a run cut short by a crash runs again.

A branch may move a job to its own crontab line, or switch it off (`partybot job set`).

To add a job: write `async def run(db, branch_id, now, tz) -> int` (messages queued) in
the feature's domain module and add a `Job` to `JOBS`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from telegram.ext import Application

from bot import backups, sender
from bot.config import Settings
from bot.context import BotContext
from domain import cadre_jobs, digest, events, mobile
from storage import branches, job_runs
from storage.db import Database, utcnow

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
TICK_SECONDS = 60
SCHEDULER = "scheduler"
MAX_SLOTS_SCANNED = 10_000
NOT_PER_BRANCH = 0  # job_runs.branch_id of a job that runs once for the whole bot

JobFunction = Callable[[Database, int | None, datetime, ZoneInfo], Awaitable[int]]


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    run: JobFunction
    cron: dict[str, Any]  # CronTrigger fields: hour, minute, day_of_week, day, month…
    per_branch: bool = True
    catch_up: timedelta = field(default=timedelta(days=1))
    # A Settings attribute (a time of day) that replaces `cron` with "daily at that time".
    settings_time: str | None = None
    # The job's function also takes `settings=` (a folder, a retention to read).
    needs_settings: bool = False


async def prune_runs(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Job: slots older than any job's catch-up are read by nothing but `job list` (which
    wants each latest); the every-minute `events` job alone adds 1,440 a branch a day."""
    oldest = max(job.catch_up for job in JOBS.values()) + timedelta(days=1)
    await job_runs.prune(db, now - oldest)
    return 0


JOBS: dict[str, Job] = {
    job.name: job
    for job in [
        Job(
            "secretary-digest",
            "each morning: waiting applications, unreachable members, failed notifications",
            digest.secretary_digest,
            cron={"hour": 8, "minute": 30},
        ),
        Job(
            "mobile-renewals",
            "each morning: activity certificates ending within a month, to holder and secretaries",
            mobile.remind_renewals,
            cron={"hour": 9, "minute": 30},
        ),
        Job(
            "mobile-reports",
            "each morning: members whose status report is due, reminded (weekly, four times)",
            mobile.remind_reports,
            cron={"hour": 9, "minute": 35},
        ),
        Job(
            "events",
            "every minute: event reminders at each member's lead time; closing attendance",
            events.run,
            cron={"minute": "*"},
            catch_up=timedelta(hours=1),
            needs_settings=True,
        ),
        Job(
            "checkin-codes",
            "every ten minutes: the times of wrong check-in codes the limit no longer reads",
            events.forget_wrong_codes,
            cron={"minute": "*/10"},
            per_branch=False,
        ),
        # The cadre jobs look at every cadre and unit of the county at once: units span
        # branches. Reminders are queued in the evening, outside the working day anyway.
        Job(
            "cadre-registration",
            "January on: weekly registration reminders to cadres (at most 6), then the unit",
            cadre_jobs.registration_reminders,
            cron={"hour": 19, "minute": 0},
            per_branch=False,
        ),
        Job(
            "cadre-events",
            "events open to cadres in the next days, to cadres who have not answered",
            cadre_jobs.event_notices,
            cron={"hour": 19, "minute": 10},
            per_branch=False,
        ),
        Job(
            "cadre-nudge",
            "two weeks before quarter end: cadres with no verified activity this quarter",
            cadre_jobs.quarterly_nudge,
            cron={"hour": 19, "minute": 20},
            per_branch=False,
        ),
        Job(
            "cadre-feedback",
            "first working day after a quarter: each unit's summary with its XLSX",
            cadre_jobs.quarterly_feedback,
            cron={"hour": 9, "minute": 30},
            per_branch=False,
        ),
        Job(
            "county-report",
            "after Q2 and Q4: the half-year report (XLSX and chart) to the county",
            cadre_jobs.county_half_year,
            cron={"hour": 9, "minute": 40},
            per_branch=False,
            needs_settings=True,
        ),
        Job(
            "job-runs",
            "daily: the scheduler's record of slots older than any catch-up, but each latest",
            prune_runs,
            cron={"hour": 3, "minute": 40},
            per_branch=False,
        ),
        Job(
            "backup",
            "daily: a backup of the database, the rotation, names past the archive period erased",
            backups.job,
            cron={"hour": 3, "minute": 30},
            per_branch=False,
            settings_time="backup_at",
            needs_settings=True,
        ),
    ]
}


@dataclass(frozen=True)
class Target:
    """One (job, branch) pair: the zone its times are read in, and the branch's own
    schedule (a crontab line) if it set one."""

    job: Job
    branch_id: int | None
    tz: ZoneInfo
    crontab: str | None = None
    settings: Settings | None = None

    @property
    def record_id(self) -> int:
        return NOT_PER_BRANCH if self.branch_id is None else self.branch_id

    @property
    def schedule(self) -> str:
        return self.crontab or " ".join(f"{k}={v}" for k, v in self.job.cron.items())

    def trigger(self) -> CronTrigger:
        if self.crontab:
            return crontab_trigger(self.crontab, self.tz)
        return CronTrigger(timezone=self.tz, **self.job.cron)

    def latest_slot(self, now: datetime) -> datetime | None:
        """The last scheduled time in (now - catch_up, now], if any."""
        trigger = self.trigger()
        found = None
        moment = trigger.get_next_fire_time(None, now - self.job.catch_up)
        for _ in range(MAX_SLOTS_SCANNED):
            if moment is None or moment > now:
                break
            found = moment
            moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
        return found

    def next_slot(self, now: datetime) -> datetime | None:
        return self.trigger().get_next_fire_time(None, now + timedelta(seconds=1))


async def targets(db: Database, settings: Settings, names: list[str] | None = None) -> list[Target]:
    """Every job per branch, without the ones a branch switched off."""
    found = []
    all_branches = await branches.all_branches(db)
    own = await job_runs.branch_schedules(db)
    for job in JOBS.values():
        if names is not None and job.name not in names:
            continue
        if not job.per_branch:
            crontab = None
            if job.settings_time is not None:
                at = getattr(settings, job.settings_time)
                crontab = f"{at.minute} {at.hour} * * *"
            found.append(Target(job, None, settings.tz, crontab, settings))
            continue
        for branch in all_branches:
            enabled, crontab = own.get((branch.id, job.name), (True, None))
            if enabled:
                zone = ZoneInfo(branch.timezone or settings.bot_timezone)
                found.append(Target(job, branch.id, zone, crontab, settings))
    return found


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NUMBER = re.compile(r"(?<![/\d])([0-7])(?!\d)")


def crontab_trigger(line: str, tz: ZoneInfo) -> CronTrigger:
    """A crontab line as cron means it. APScheduler counts weekdays from Monday = 0, cron
    from Sunday = 0 (or 7), so weekday numbers become names first."""
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    minute, hour, day, month, weekday = fields
    weekday = _WEEKDAY_NUMBER.sub(lambda m: _WEEKDAYS[int(m.group(1))], weekday)
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=tz
    )


def check_crontab(line: str) -> str:
    """ValueError unless `line` is a five-field crontab line."""
    crontab_trigger(line, ZoneInfo("UTC"))
    return line


async def run_once(db: Database, target: Target, now: datetime) -> int | None:
    """Run a job for one branch as if at `now`; the number of messages queued (None: failed)."""
    try:
        extra = {"settings": target.settings} if target.job.needs_settings else {}
        enqueued = await target.job.run(db, target.branch_id, now, target.tz, **extra)
    except Exception:
        log.exception("job=%s branch=%s failed", target.job.name, target.branch_id)
        return None
    log.info(
        "job=%s branch=%s at=%s enqueued=%d",
        target.job.name,
        target.branch_id,
        now.isoformat(),
        enqueued,
    )
    return enqueued


async def run_due(
    db: Database, settings: Settings, now: datetime, stopping: Callable[[], bool] = lambda: False
) -> int:
    """Run every slot that is due and has not run, until `stopping()`; the number of runs."""
    runs = 0
    # Branches on a job's default schedule in one zone share its slot: walking the cron
    # once per (job, schedule, zone) instead of per branch (200 branches: ~0.7 s a tick).
    slots: dict[tuple[str, str, str], datetime | None] = {}
    for target in await targets(db, settings):
        if stopping():
            break
        same = (target.job.name, target.schedule, target.tz.key)
        if same not in slots:
            slots[same] = target.latest_slot(now)
        slot = slots[same]
        if slot is None or not await job_runs.claim(db, target.job.name, target.record_id, slot):
            continue
        enqueued = await run_once(db, target, slot)
        await job_runs.finish(db, target.job.name, target.record_id, slot, enqueued)
        runs += 1
    return runs


async def tick(context: BotContext) -> None:
    # A stop waits for the running tick: after a long outage the first one catches up on
    # every branch (the county's 200 digests take ~20 s), so it gives up between jobs and
    # the rest runs at the next start, as after a crash.
    app = context.application
    if await run_due(context.db, context.settings, utcnow(), lambda: not app.running):
        sender.wake(context.application)


async def heartbeat(context: BotContext) -> None:
    """Touch a file that `partybot health` (the container's HEALTHCHECK) reads."""
    context.settings.heartbeat_path.touch()


def schedule(app: Application) -> None:
    app.job_queue.run_repeating(heartbeat, interval=HEARTBEAT_SECONDS, first=1, name="heartbeat")
    # The first tick right after start-up runs what was missed while the bot was down
    # (`first=0` would be dropped by APScheduler as a misfire).
    app.job_queue.run_repeating(
        tick,
        interval=TICK_SECONDS,
        first=1,
        name=SCHEDULER,
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )
