"""`partybot job`: the scheduled jobs (bot/jobs.py) per branch, their next and last runs
and failures; a branch's own schedule for one; a run now, as if at another time."""

from __future__ import annotations

import argparse
from datetime import datetime

from bot import crontab, jobs
from bot.cli.outbox import deliveries
from bot.cli.shell import EXIT_FAILED, Commands, Parsers, require_branch
from bot.config import Settings
from domain import workdays
from domain.errors import Conflict, NotFound
from storage import job_runs
from storage.db import Database, utcnow


def add_commands(parsers: Parsers) -> Commands:
    job = parsers["job"].add_subparsers(dest="action")
    job.add_parser("list", help="every job, per branch, with its next run")
    job_set = job.add_parser("set", help="a branch's own schedule for a job, or none")
    job_set.add_argument("name")
    job_set.add_argument("--branch", type=int, required=True)
    schedule = job_set.add_mutually_exclusive_group(required=True)
    schedule.add_argument("--cron", type=_crontab, metavar='"MIN HOUR DAY MONTH WEEKDAY"')
    schedule.add_argument("--off", action="store_true", help="do not run it for the branch")
    schedule.add_argument("--default", action="store_true", help="back to the job's schedule")
    job_run = job.add_parser("run", help="run a job now, as if at --now")
    job_run.add_argument("name")
    job_run.add_argument("--branch", type=int)
    job_run.add_argument("--now", type=datetime.fromisoformat, metavar="ISO-8601")
    return {("job", "list"): _job_list, ("job", "set"): _job_set, ("job", "run"): _job_run}


def _crontab(value: str) -> str:
    try:
        return crontab.check(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a crontab line ({exc})") from None


async def _job_list(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    now = utcnow()
    if warning := await workdays.current_warning(db, settings.tz, now):
        print(warning)
    for target in await jobs.targets(db, settings):
        upcoming = target.next_slot(now)
        last = await job_runs.last(db, target.job.name, target.record_id)
        print(
            f"{target.job.name}\tbranch={target.branch_id or '-'}"
            f"\tnext={upcoming.isoformat() if upcoming else '-'}"
            f"\tlast={last.astimezone(target.tz).isoformat() if last else '-'}"
            f"\t{target.schedule}"
            f"\t{target.job.description}"
        )
        tried = await job_runs.latest(db, target.job.name, target.record_id)
        if tried is not None and tried.error is not None:
            slot = tried.slot.astimezone(target.tz).isoformat()
            state = (
                f"given up after {tried.attempts} attempts"
                if tried.retry_at is None
                else f"attempt {tried.attempts}, retry at "
                f"{tried.retry_at.astimezone(target.tz).isoformat()}"
            )
            print(f"\tFAILED slot={slot} ({state}): {tried.error}")
    return 0


async def _job_set(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    if args.name not in jobs.JOBS:
        raise NotFound("job_unknown", job=args.name)
    await require_branch(db, args.branch)
    async with db.transaction() as conn:
        await job_runs.set_branch_schedule(
            conn, args.branch, args.name, enabled=not args.off, crontab=args.cron
        )
    state = "off" if args.off else (args.cron or "the default schedule")
    print(f"{args.name} for branch {args.branch}: {state}")
    return 0


async def _job_run(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    if args.name not in jobs.JOBS:
        raise NotFound("job_unknown", job=args.name)
    if args.branch is not None:
        await require_branch(db, args.branch)
    now = args.now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=settings.tz)
    if args.branch is not None and not jobs.JOBS[args.name].per_branch:
        # It looks at every branch at once: run as asked, and say it was not just one.
        print(f"{args.name} runs for the whole bot, not per branch: running it for every branch")
    failed, ran = False, False
    started = utcnow()
    for target in await jobs.targets(db, settings, [args.name]):
        if args.branch is None or target.branch_id in (None, args.branch):
            enqueued = await jobs.run_once(db, target, now)
            failed |= enqueued is None
            ran = True
            print(f"job={args.name} branch={target.branch_id or '-'} enqueued={enqueued}")
    if not ran and args.branch is not None:
        raise Conflict("job_off", job=args.name, branch=args.branch)
    if not ran:
        print(f"job={args.name}: no branch runs it, nothing ran")
    for line in await deliveries(settings, db, started):
        print(line)
    return EXIT_FAILED if failed else 0
