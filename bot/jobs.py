"""Jobs the bot runs on its own, per branch, at cron-like times in the branch's time zone.

Each job decides what is due from the database, not from memory, and queues its messages
with idempotency keys, so running it twice sends nothing new. One JobQueue job, the
scheduler's tick, runs every minute: for each job and branch it finds the latest slot of
the job's cron trigger (APScheduler's `CronTrigger`, in the branch's zone) not later than
now, and runs it unless `job_runs` says it has run. So a slot missed while the bot was
down runs once at start-up (only the latest one, within the job's `catch_up`), and a
restart never runs a slot twice; a run cut short by a crash runs again, and a run that
raised runs again with backoff (`RETRY_FIRST`, `MAX_ATTEMPTS`), its error kept for
`partybot job list`. After a change of a branch's zone or a job's schedule, the
catch-up runs what the old schedule missed and nothing of the new schedule from
before the change (`due_slots`).

A branch may move a job to its own crontab line, or switch it off (`partybot job set`).

To add a job: write `async def run(db, branch_id, now, tz) -> int` (messages queued) in
the feature's domain module, add a `Job` to `JOBS` and its description to `WHAT_THEY_DO`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from telegram.error import TelegramError
from telegram.ext import Application

from bot import backups, crontab, sender
from bot.config import Settings
from bot.context import BotContext
from bot.health import Liveness
from domain import (
    appraisal,
    cadre_jobs,
    development,
    digest,
    district_reports,
    events,
    guesses,
    instructors,
    mobile,
    notices,
    workdays,
)
from domain.i18n import N_
from storage import branches, inbox, job_runs
from storage.db import Database, utcnow

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
HEALTH_RECENT = 2 * HEARTBEAT_SECONDS  # a webhook error this fresh: deliveries are failing
TICK_SECONDS = 60
# A slot's record outlives its job's catch-up by this much: room for a clock set back.
PRUNE_MARGIN = timedelta(hours=1)
SCHEDULER = "scheduler"
MAX_SLOTS_SCANNED = 10_000
NOT_PER_BRANCH = 0  # job_runs.branch_id of a job that runs once for the whole bot
# A run that raised runs again after 1, 2, 4 and 8 minutes, then is given up (the slot's
# catch-up, or the next slot, may still run it).
RETRY_FIRST = timedelta(minutes=1)
MAX_ATTEMPTS = 5
JOB_FAILED = N_(
    "The scheduled task “{job}” failed for your branch. It is tried again automatically;"
    " whoever runs the bot sees the error in its log and in `partybot job list`."
)

JobFunction = Callable[[Database, int | None, datetime, ZoneInfo], Awaitable[int]]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction
    cron: dict[str, Any]  # CronTrigger fields: hour, minute, day_of_week, day, month…
    per_branch: bool = True
    catch_up: timedelta = field(default=timedelta(days=1))
    # A Settings attribute (a time of day) that replaces `cron` with "daily at that time".
    settings_time: str | None = None
    # The job's function also takes `settings=` (a folder, a retention to read).
    needs_settings: bool = False

    @property
    def description(self) -> str:
        return WHAT_THEY_DO[self.name]


def daily(hour: int, minute: int) -> dict[str, Any]:
    return {"hour": hour, "minute": minute}


async def prune_runs(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Job: a slot older than its job's catch-up never runs again, so its record is read by
    nothing but `job list` (which wants each latest). The every-minute `events` job alone
    adds 1,440 a branch a day; kept for the longest catch-up (six days) that was 1.7
    million rows at the county's 200 branches, more than the county's own data.
    Handled updates and their effect journal go too (otherwise only at start-up)."""
    before = {name: now - job.catch_up - PRUNE_MARGIN for name, job in JOBS.items()}
    await job_runs.prune(db, before, min(before.values()))
    await inbox.prune(db, now)
    return 0


WHOLE_BOT = False  # per_branch: the job looks at every branch at once

JOBS: dict[str, Job] = {
    job.name: job
    for job in [
        Job("secretary-digest", digest.secretary_digest, daily(8, 30)),
        Job("mobile-renewals", mobile.remind_renewals, daily(9, 30)),
        Job("mobile-reports", mobile.remind_reports, daily(9, 35)),
        Job("development-reviews", development.remind_reviews, daily(9, 40)),
        # From the 25th: a week to write the month's note before the month ends.
        Job(
            "instructor-notes",
            instructors.remind_notes,
            {"day": 25, "hour": 9, "minute": 45},
            catch_up=timedelta(days=5),
        ),
        Job(
            "events", events.run, {"minute": "*"}, catch_up=timedelta(hours=1), needs_settings=True
        ),
        Job("checkin-codes", guesses.forget_expired, {"minute": "*/10"}, WHOLE_BOT),
        # The cadre jobs look at every cadre and unit of the county at once: units span
        # branches. Reminders are queued in the evening, outside the working day anyway.
        Job("cadre-registration", cadre_jobs.registration_reminders, daily(19, 0), WHOLE_BOT),
        Job("cadre-events", cadre_jobs.event_notices, daily(19, 10), WHOLE_BOT),
        Job("cadre-nudge", cadre_jobs.quarterly_nudge, daily(19, 20), WHOLE_BOT),
        Job("cadre-feedback", cadre_jobs.quarterly_feedback, daily(9, 30), WHOLE_BOT),
        Job(
            "county-report",
            cadre_jobs.county_half_year,
            daily(9, 40),
            WHOLE_BOT,
            needs_settings=True,
        ),
        Job("appraisal-reminders", appraisal.remind, daily(10, 0)),
        Job("appraisal-deadlines", appraisal.deadlines, daily(9, 10)),
        Job("calendar-check", workdays.check, daily(9, 0), WHOLE_BOT),
        Job("district-summary", district_reports.quarterly_summaries, daily(9, 45), WHOLE_BOT),
        Job("job-runs", prune_runs, {"minute": 40}, WHOLE_BOT),
        Job(
            "backup",
            backups.job,
            daily(3, 30),
            WHOLE_BOT,
            settings_time="backup_at",
            needs_settings=True,
        ),
    ]
}

# What `partybot job list` says of each job.
WHAT_THEY_DO = {
    "secretary-digest": "each morning: waiting applications, unreachable members,"
    " failed notifications",
    "mobile-renewals": "each morning: activity certificates ending within a month,"
    " to holder and secretaries",
    "instructor-notes": "on the 25th: instructors without the month's note on a branch,"
    " reminded once",
    "mobile-reports": "each morning: members whose status report is due, reminded"
    " (weekly, four times)",
    "development-reviews": "each morning: the half-yearly assessment note (考察) due within"
    " two weeks or late, to each contact for cultivation, once per due date",
    "events": "every minute: event reminders at each member's lead time; closing attendance",
    "checkin-codes": "every ten minutes: the times of wrong check-in, invitation and"
    " certificate codes the limit no longer reads",
    "cadre-registration": "January on: weekly registration reminders to cadres (at most 6),"
    " then the unit",
    "cadre-events": "events open to cadres in the next days, to cadres who have not answered",
    "cadre-nudge": "two weeks before quarter end: cadres with no verified activity this quarter",
    "cadre-feedback": "first working day after a quarter: each unit's summary with its XLSX",
    "county-report": "after Q2 and Q4: the half-year report (XLSX and chart) to the county",
    "appraisal-reminders": "each morning: participants who have not submitted their"
    " summary or cast their ratings, reminded (every three days, three times a stage)",
    "appraisal-deadlines": "each morning: a 限期改正 deadline that has come, to the"
    " secretaries (once)",
    "district-summary": "first working day after a quarter: each district's summary (XLSX, a"
    " sheet per branch) to its contacts, each branch's to its patrons",
    "calendar-check": "daily from November: warns while next year's official holiday"
    " schedule is missing",
    "job-runs": "hourly: the scheduler's record of slots past their job's catch-up, but each"
    " latest; handled updates and their effect journal",
    "backup": "daily: a backup of the database, the rotation, names past the archive period erased",
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
            return crontab.trigger(self.crontab, self.tz)
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

    def before(self, change: job_runs.Change, default_zone: str) -> Target | None:
        """The target as it was before `change` (None: the job was off for the branch)."""
        if change.job == job_runs.ZONE:
            return replace(self, tz=ZoneInfo(change.old_timezone or default_zone))
        if not change.old_enabled:
            return None
        return replace(self, crontab=change.old_crontab)


def due_slots(
    target: Target, slot: datetime | None, now: datetime, change: job_runs.Change | None
) -> list[datetime]:
    """The slots to run at `now`: the latest one of the schedule, and, shortly after a
    change of the branch's zone or the job's schedule, a slot the old schedule missed.
    A slot of the new schedule that fell before the change was never due: running it at
    the next start would run the job early (the 08:30 New York digest at 13:33 Shanghai,
    hours after Shanghai's 08:30 one)."""
    if change is None or change.changed_at <= now - target.job.catch_up:
        return [slot] if slot is not None else []
    found = []
    old = target.before(change, target.settings.bot_timezone if target.settings else "UTC")
    if old is not None:
        missed = old.latest_slot(min(change.changed_at, now))
        if missed is not None and missed > now - target.job.catch_up:
            found.append(missed)
    if slot is not None and slot >= change.changed_at:
        found.append(slot)
    return found


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


async def _call(db: Database, target: Target, now: datetime) -> int:
    extra = {"settings": target.settings} if target.job.needs_settings else {}
    enqueued = await target.job.run(db, target.branch_id, now, target.tz, **extra)
    # Quiet when nothing was due: the every-minute jobs would write a line per branch a minute.
    log.log(
        logging.INFO if enqueued else logging.DEBUG,
        "job=%s branch=%s at=%s enqueued=%d",
        target.job.name,
        target.branch_id,
        now.isoformat(),
        enqueued,
    )
    return enqueued


async def run_once(db: Database, target: Target, now: datetime) -> int | None:
    """Run a job for one branch as if at `now`; the number of messages queued (None: failed)."""
    try:
        return await _call(db, target, now)
    except Exception:
        log.exception("job=%s branch=%s failed", target.job.name, target.branch_id)
        return None


def retry_delay(attempts: int) -> timedelta:
    return RETRY_FIRST * 2 ** (attempts - 1)


async def _failed(
    db: Database, target: Target, slot: datetime, error: Exception, now: datetime
) -> None:
    """A run that raised: retried with backoff (its keys keep it from sending twice) up to
    MAX_ATTEMPTS. The operator reads it in the log and `job list`; the branch's secretaries
    hear of it once, when the job starts failing."""
    name, text = target.job.name, f"{type(error).__name__}: {error}"[:500]

    def retry_at(attempts: int) -> datetime | None:
        return now + retry_delay(attempts) if attempts < MAX_ATTEMPTS else None

    async with db.transaction() as conn:
        failure = await job_runs.fail(conn, name, target.record_id, slot, text, retry_at)
        first = failure.attempts == 1 and not failure.earlier_failed
        if first and target.branch_id is not None:
            await notices.to_secretaries(
                conn,
                db,
                target.branch_id,
                f"job-failed:{name}:{slot.isoformat()}",
                text=JOB_FAILED,
                params={"job": name},
                # Due from the run's own moment, which the tests (and a catch-up) set.
                not_before=now,
            )
    where = f"job={name} branch={target.branch_id} slot={slot.isoformat()}"
    if first:
        log.error("%s failed; retrying in %s", where, retry_delay(1), exc_info=error)
    elif failure.retry_at is not None:
        log.warning("%s failed again (attempt %d): %s", where, failure.attempts, text)
    else:
        log.error("%s failed %d times; given up: %s", where, failure.attempts, text)


async def run_due(
    db: Database, settings: Settings, now: datetime, stopping: Callable[[], bool] = lambda: False
) -> int:
    """Run every slot that is due and has not run, until `stopping()`; the number of runs."""
    runs = 0
    # Branches on a job's default schedule in one zone share its slot: walking the cron
    # once per (job, schedule, zone) instead of per branch (200 branches: ~0.7 s a tick).
    slots: dict[tuple[str, str, str], datetime | None] = {}
    changes = await job_runs.schedule_changes(db)
    for target in await targets(db, settings):
        if stopping():
            break
        same = (target.job.name, target.schedule, target.tz.key)
        if same not in slots:
            slots[same] = target.latest_slot(now)
        for slot in due_slots(target, slots[same], now, _latest_change(changes, target)):
            if not await job_runs.claim(db, target.job.name, target.record_id, slot, now):
                continue
            try:
                enqueued = await _call(db, target, slot)
            except Exception as exc:
                await _failed(db, target, slot, exc, now)
            else:
                await job_runs.finish(db, target.job.name, target.record_id, slot, enqueued)
            runs += 1
    return runs


def _latest_change(
    changes: dict[tuple[int, str], job_runs.Change], target: Target
) -> job_runs.Change | None:
    if target.branch_id is None:
        return None
    found = [
        c
        for c in (
            changes.get((target.branch_id, target.job.name)),
            changes.get((target.branch_id, job_runs.ZONE)),
        )
        if c is not None
    ]
    return max(found, key=lambda c: c.changed_at, default=None)


async def tick(context: BotContext) -> None:
    # A stop waits for the running tick: after a long outage the first one catches up on
    # every branch (the county's 200 digests take ~20 s), so it gives up between jobs and
    # the rest runs at the next start, as after a crash.
    app = context.application
    app.bot_data["liveness"].scheduler = time.time()
    leader = app.bot_data.get("leader")  # bot/leader.py: gone, another instance runs them

    def stopping() -> bool:
        return not app.running or (leader is not None and not leader.leading)

    if await run_due(context.db, context.settings, utcnow(), stopping):
        sender.wake(context.application)


async def heartbeat(context: BotContext) -> None:
    """Write the file `partybot health` (the container's HEALTHCHECK) reads: bot/health.py."""
    liveness: Liveness = context.bot_data["liveness"]
    leader = context.bot_data.get("leader")
    liveness.standby = leader is not None and not leader.leading
    outbox_sender = sender.sender_of(context.application)
    if outbox_sender is not None:
        liveness.sender = outbox_sender.last_pass
        liveness.sender_failing_since = outbox_sender.failing_since
    if liveness.webhook:
        # No update may come for hours; Telegram's own word on the webhook tells instead.
        try:
            info = await context.bot.get_webhook_info()
        except TelegramError as exc:
            log.warning("getWebhookInfo failed: %s", exc)
        else:
            failed = info.last_error_date
            recent = failed is not None and (utcnow() - failed).total_seconds() < HEALTH_RECENT
            liveness.webhook_error = info.last_error_message if recent else None
            if not recent:
                liveness.heard_from_telegram()
    liveness.write(context.settings.heartbeat_path)


def schedule(app: Application) -> None:
    """Every instance's jobs."""
    app.job_queue.run_repeating(heartbeat, interval=HEARTBEAT_SECONDS, first=1, name="heartbeat")


def schedule_leader(app: Application) -> None:
    """The scheduler: only the instance holding the leader lease runs it (bot/app.py's
    `lead`), so each slot is claimed by one tick at a time."""
    # The first tick right after start-up runs what was missed while the bot was down
    # (`first=0` would be dropped by APScheduler as a misfire).
    app.job_queue.run_repeating(
        tick,
        interval=TICK_SECONDS,
        first=1,
        name=SCHEDULER,
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )
