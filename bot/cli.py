"""`partybot`: run the bot and do the operator's chores from a shell.

Every failure the operator can cause (missing token, unknown branch, bad id) ends with one
line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
import time
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import __version__, backups, jobs
from bot.backups import HEARTBEAT_MAX_AGE
from bot.config import SUPPORTED_LOCALES, ConfigError, Settings, load_settings
from bot.logging import setup_logging
from domain import (
    admin,
    cadre_jobs,
    county_report,
    feedback,
    fonts,
    hours,
    mobile,
    onboarding,
    periods,
    units,
)
from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.models import Invite, InviteRole
from domain.worktime import parse_spans
from storage import branches, job_runs, outbox, worktime
from storage import units as unit_store
from storage.db import Database, utcnow

EXIT_USAGE = 2
EXIT_FAILED = 1

log = logging.getLogger("partybot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="partybot", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"partybot {__version__}")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="run the bot (long polling unless --webhook)")
    run.add_argument("--webhook", action="store_true", help="receive updates by webhook")
    run.add_argument("--listen", default="0.0.0.0", help="webhook: address to listen on")
    run.add_argument("--port", type=int, default=8443, help="webhook: port to listen on")
    run.add_argument("--url", help="webhook: the public HTTPS URL Telegram calls")
    run.add_argument("--secret-token", help="webhook: secret Telegram sends in a header")

    sub.add_parser("migrate", help="apply database migrations")

    branch = sub.add_parser("branch", help="manage branches").add_subparsers(dest="action")
    branch_add = branch.add_parser("add", help="create a branch; prints its id")
    branch_add.add_argument("name")
    branch_add.add_argument("--district")
    branch_day = branch.add_parser(
        "day", help="a day the branch works or rests, unlike the calendar"
    )
    branch_day.add_argument("--branch", type=int, required=True)
    branch_day.add_argument("day", type=date.fromisoformat, metavar="YYYY-MM-DD")
    working = branch_day.add_mutually_exclusive_group(required=True)
    working.add_argument("--working", action="store_true", help="a working day")
    working.add_argument("--off", action="store_true", help="a day off")
    branch_day.add_argument("--note", default="")
    branch_time = branch.add_parser("time", help="the branch's time zone and hours")
    branch_time.add_argument("--branch", type=int, required=True)
    branch_time.add_argument("--timezone", type=_zone, help="IANA zone, e.g. Asia/Urumqi")
    branch_time.add_argument("--working-hours", type=_spans, metavar="HH:MM-HH:MM,...")
    branch_time.add_argument("--quiet-hours", type=_spans, metavar="HH:MM-HH:MM,...")
    branch_hours = branch.add_parser(
        "hours", help="show or change whether the branch's summaries count attested hours"
    )
    branch_hours.add_argument("--branch", type=int, required=True)
    branch_hours.add_argument(
        "--counting", choices=[str(c) for c in hours.Counting], help="default: verified"
    )

    secretary = sub.add_parser("secretary", help="manage secretaries").add_subparsers(dest="action")
    secretary_add = secretary.add_parser("add", help="make a Telegram account a secretary")
    secretary_add.add_argument("--branch", type=int, required=True)
    secretary_add.add_argument("--telegram-id", type=int, required=True)

    invite = sub.add_parser("invite", help="manage invitations").add_subparsers(dest="action")
    invite_create = invite.add_parser("create", help="create an invitation link")
    invite_create.add_argument("--branch", type=int, required=True)
    invite_create.add_argument("--role", choices=[r.value for r in InviteRole], default="member")
    invite_create.add_argument("--uses", type=int, default=1)
    invite_create.add_argument("--expires", type=int, default=14, metavar="DAYS")
    invite_create.add_argument("--unit", type=int, help="unit organisation (role unit)")

    unit = sub.add_parser("unit", help="manage unit party organisations").add_subparsers(
        dest="action"
    )
    unit_add = unit.add_parser("add", help="create a unit party organisation; prints its id")
    unit_add.add_argument("name")
    unit_add.add_argument("--parent", type=int, help="id of the parent unit organisation")
    unit_add.add_argument(
        "--branch", type=int, help="also invite the unit's contact, approved by this branch"
    )
    unit_add.add_argument("--locale", choices=SUPPORTED_LOCALES, help="language of summaries")

    report = sub.add_parser("report", help="write cadre reports to files").add_subparsers(
        dest="action"
    )
    feedback = report.add_parser("feedback", help="quarterly feedback per unit (XLSX + text)")
    feedback.add_argument("--quarter", required=True, help="e.g. 2026Q3")
    feedback.add_argument("--unit", type=int)
    feedback.add_argument("--out", type=Path, default=Path("."))
    feedback.add_argument(
        "--resend",
        action="store_true",
        help="queue the summaries again to the units (audited) instead of writing files",
    )
    county = report.add_parser("county", help="half-year county report (XLSX + PNG chart)")
    county.add_argument("--half", required=True, help="e.g. 2026H2")
    county.add_argument("--out", type=Path, required=True)

    mobile_cmd = sub.add_parser("mobile", help="mobile members (流动党员)").add_subparsers(
        dest="action"
    )
    settings = mobile_cmd.add_parser(
        "settings", help="show or change a branch's certificate validity and periods"
    )
    settings.add_argument("--branch", type=int, required=True)
    settings.add_argument("--validity-months", type=int, help="certificate validity, 1 to 6")
    settings.add_argument("--report-days", type=int, help="a status report is due every N days")
    settings.add_argument("--contact-days", type=int, help="contact is overdue after N days")

    roster = sub.add_parser("import", help="import members from an XLSX or CSV roster")
    roster.add_argument("file", type=Path)
    roster.add_argument("--branch", type=int, required=True)

    job = sub.add_parser("job", help="scheduled jobs").add_subparsers(dest="action")
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

    queue = sub.add_parser("outbox", help="notifications: counts and failures")
    queue_actions = queue.add_subparsers(dest="action")
    queue_retry = queue_actions.add_parser("retry", help="send a failed message again")
    queue_retry.add_argument("id", type=int)

    backup = sub.add_parser("backup", help="copy the database safely, even while running")
    backup.add_argument(
        "path", type=Path, nargs="?", help="default: a dated file in BACKUP_DIR, rotated"
    )

    restore = sub.add_parser("restore", help="put a backup in place of the database")
    restore.add_argument("file", type=Path)
    restore.add_argument("--force", action="store_true", help="skip the is-it-running check")

    sub.add_parser("health", help="exit 0 when the running bot's heartbeat is fresh")
    return parser


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown IANA time zone {value!r}") from None
    return value


def _crontab(value: str) -> str:
    try:
        return jobs.check_crontab(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a crontab line ({exc})") from None


def _spans(value: str) -> str:
    try:
        parse_spans(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        setup_logging(settings)
        if command == "run":
            return run(settings, args)
        if command == "health":
            return health(settings)
        if command == "restore":
            return restore(settings, args)
        action = COMMANDS.get((command, getattr(args, "action", None)))
        if action is None:
            _parser().parse_args([command, "--help"])
            return EXIT_USAGE
        return asyncio.run(_with_db(settings, action, args))
    except ConfigError as exc:
        print(f"partybot: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DomainError as exc:
        print(f"partybot: {describe(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def describe(exc: DomainError) -> str:
    texts = {
        "branch_unknown": "no branch with id {branch}",
        "branch_exists": "a branch named {name!r} already exists in that district",
        "branch_name_empty": "the branch name is empty",
        "telegram_id_invalid": "a Telegram id is a positive number",
        "invite_uses": "--uses must be at least 1",
        "invite_expiry": "--expires must be at least 1 day",
        "invite_unit_missing": "--role unit needs --unit ID",
        "unit_unknown": "no unit organisation with id {unit}",
        "unit_exists": "a unit organisation named {name!r} already exists",
        "unit_name_too_short": "the unit name is too short",
        "unit_name_too_long": "the unit name is longer than {max} characters",
        "quarter_invalid": "{value!r} is not a quarter like 2026Q3",
        "half_invalid": "{value!r} is not a half-year like 2026H2",
        "font_missing": "no CJK font found (tried {tried}); install fonts-wqy-microhei"
        " or set BOT_FONT",
        "validity_months": "--validity-months must be 1 to 6 (national practice: at most 6)",
        "period_days": "--report-days and --contact-days must be 1 to 366",
        "job_unknown": "no job named {job!r}; see `partybot job list`",
        "job_off": "{job} is switched off for branch {branch}: nothing ran (`partybot job set`)",
        "outbox_not_failed": "message {id} is not dead or unreachable",
    }
    return texts.get(exc.code, exc.code).format(**exc.params)


async def _with_db(
    settings: Settings,
    action: Callable[[Settings, Database, argparse.Namespace], Coroutine[Any, Any, int]],
    args: argparse.Namespace,
) -> int:
    async with Database(settings.database_path) as db:
        return await action(settings, db, args)


async def _migrate(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    print(f"database at schema version {await db.schema_version()}")
    return 0


async def _branch_add(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    branch = await admin.add_branch(db, args.name, args.district)
    print(branch.id)
    return 0


async def _secretary_add(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    person = await admin.add_secretary(db, args.branch, args.telegram_id)
    print(
        f"telegram id {args.telegram_id} is secretary of branch {args.branch} (person {person.id})"
    )
    return 0


async def _invite_create(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    role = InviteRole(args.role)
    if role is InviteRole.UNIT:
        if args.unit is None:
            raise InvalidInput("invite_unit_missing")
        invite = await units.invite_contact(db, None, args.unit, args.branch)
    else:
        invite = await onboarding.create_invite(
            db,
            branch_id=args.branch,
            role=role,
            uses=args.uses,
            expires_in_days=args.expires,
        )
    await _print_invite(settings, invite)
    return 0


async def _print_invite(settings: Settings, invite: Invite) -> None:
    username = await bot_username(settings)
    print(
        f"https://t.me/{username}?start={invite.code}"
        if username
        else "(link: set TELEGRAM_BOT_USERNAME or TELEGRAM_BOT_TOKEN to print the link)"
    )
    print(invite.code)


async def _unit_add(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    unit = await units.add_unit(db, None, args.name, args.parent, args.locale)
    print(unit.id)
    if args.branch is not None:
        await _print_invite(settings, await units.invite_contact(db, None, unit.id, args.branch))
    return 0


async def _report_feedback(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    quarter = periods.parse_quarter(args.quarter)
    if args.unit is not None and await unit_store.get(db, args.unit) is None:
        raise NotFound("unit_unknown", unit=args.unit)
    if args.resend:
        queued = await cadre_jobs.resend_feedback(db, quarter, settings.tz, utcnow(), args.unit)
        print(f"queued={queued}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    summaries = await feedback.unit_feedback(
        db, quarter, settings.tz, unit_id=args.unit, default_locale=settings.bot_default_locale
    )
    for summary in summaries:
        xlsx = args.out / summary.file_name
        xlsx.write_bytes(summary.xlsx)
        xlsx.with_suffix(".txt").write_text(summary.text + "\n", encoding="utf-8")
        print(f"{xlsx}\t{summary.unit.name}\t{len(summary.figures)} cadres")
    return 0


async def _report_county(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    half = periods.parse_half(args.half)
    font = fonts.find(settings.bot_font)
    figures = await feedback.gather(db, half, settings.tz)
    args.out.mkdir(parents=True, exist_ok=True)
    xlsx_name, png_name = county_report.file_names(half)
    (args.out / xlsx_name).write_bytes(county_report.workbook(half, figures))
    (args.out / png_name).write_bytes(county_report.chart_png(half, figures, font))
    print(args.out / xlsx_name)
    print(args.out / png_name)
    return 0


async def _mobile_settings(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    changes = {
        name: value
        for name in ("validity_months", "report_days", "contact_days")
        if (value := getattr(args, name)) is not None
    }
    chosen = (
        await mobile.change_settings(db, args.branch, **changes)
        if changes
        else await mobile.branch_settings(db, args.branch)
    )
    print(
        f"branch {args.branch}: certificates valid {chosen.validity_months} months, "
        f"report every {chosen.report_days} days, contact overdue after {chosen.contact_days} days"
    )
    return 0


async def _import(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    from datetime import datetime

    import handlers.console  # noqa: F401  (registers the roster's wording)
    from bot.i18n import translator
    from domain import roster, spreadsheets
    from handlers.common import error_text

    try:
        content = args.file.read_bytes()
    except OSError as exc:
        print(f"partybot: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    t = translator("en")
    try:
        table = spreadsheets.read_table(args.file.name, content)
    except DomainError as exc:
        print(f"partybot: {error_text(t, exc)}", file=sys.stderr)
        return EXIT_FAILED
    today = datetime.now(settings.tz).date()
    result = await roster.import_roster(db, None, args.branch, table, today=today)
    for error in result.errors:
        column = roster.COLUMN_HEADERS.get(error.column or "", "")
        reason = error_text(t, DomainError(error.code, **error.params))
        print(f"row {error.row} {column}: {reason}", file=sys.stderr)
    if not result.ok:
        print(f"partybot: {len(result.errors)} problem(s); nothing imported", file=sys.stderr)
        return EXIT_FAILED
    username = await bot_username(settings)
    for item in result.imported:
        if item.invite_code:
            link = f"https://t.me/{username}?start={item.invite_code}" if username else ""
            print(f"{item.name}\t{item.phone}\t{item.invite_code}\t{link}".rstrip())
    print(f"imported {result.created} new, {result.matched} already known")
    return 0


async def _branch_day(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    if await branches.get(db, args.branch) is None:
        raise NotFound("branch_unknown", branch=args.branch)
    await worktime.set_day(db, args.branch, args.day, args.working, args.note)
    kind = "a working day" if args.working else "a day off"
    print(f"{args.day} is {kind} for branch {args.branch}")
    return 0


async def _branch_time(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    if await branches.get(db, args.branch) is None:
        raise NotFound("branch_unknown", branch=args.branch)
    await worktime.set_times(
        db,
        args.branch,
        timezone=args.timezone,
        working_hours=args.working_hours,
        quiet_hours=args.quiet_hours,
    )
    own = await worktime.load(db, args.branch)
    print(
        f"branch {args.branch}: timezone={own.timezone or settings.bot_timezone}"
        f" working={own.working_hours or settings.bot_working_hours}"
        f" quiet={own.quiet_hours if own.quiet_hours is not None else settings.bot_quiet_hours}"
    )
    return 0


async def _branch_hours(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    if await branches.get(db, args.branch) is None:
        raise NotFound("branch_unknown", branch=args.branch)
    if args.counting is not None:
        await hours.set_counting(db, None, args.branch, hours.Counting(args.counting))
    counting = await hours.counting_of(db, args.branch)
    print(f"branch {args.branch}: summaries count {counting} hours")
    return 0


async def _job_list(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    now = utcnow()
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
    return 0


async def _job_set(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    if args.name not in jobs.JOBS:
        raise NotFound("job_unknown", job=args.name)
    if await branches.get(db, args.branch) is None:
        raise NotFound("branch_unknown", branch=args.branch)
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
    if args.branch is not None and await branches.get(db, args.branch) is None:
        raise NotFound("branch_unknown", branch=args.branch)
    now = args.now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=settings.tz)
    if args.branch is not None and not jobs.JOBS[args.name].per_branch:
        # It looks at every branch at once: run as asked, and say it was not just one.
        print(f"{args.name} runs for the whole bot, not per branch: running it for every branch")
    failed, ran = False, False
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
    return EXIT_FAILED if failed else 0


async def _outbox(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    counts = await outbox.counts(db)
    print(" ".join(f"{status}={counts.get(status, 0)}" for status in outbox.STATUSES))
    for message in await outbox.failed(db):
        print(
            f"#{message.id}\t{message.status}\tchat={message.chat_id}\t{message.key}"
            f"\tattempts={message.attempts}\t{message.last_error or ''}"
        )
    return 0


async def _outbox_retry(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    if not await outbox.requeue(db, args.id):
        raise Conflict("outbox_not_failed", id=args.id)
    print(f"message {args.id} queued again")
    return 0


async def _backup(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    if args.path is not None:
        target = await db.backup(args.path)
    else:
        now = utcnow()
        target = await backups.take(db, settings.backups_path, now)
        for old in backups.rotate(settings.backups_path, settings.backup_keep_days, now):
            print(f"removed {old} (older than {settings.backup_keep_days} days)")
    print(f"backup written to {target}")
    return 0


def restore(settings: Settings, args: argparse.Namespace) -> int:
    try:
        kept = backups.restore(settings, args.file, force=args.force)
    except backups.RestoreRefused as exc:
        print(f"partybot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"restored {args.file} to {settings.database_path}")
    if kept is not None:
        print(f"the replaced database was kept as {kept}")
    print("start the bot now; it applies any newer migrations on start")
    return 0


COMMANDS = {
    ("migrate", None): _migrate,
    ("branch", "add"): _branch_add,
    ("secretary", "add"): _secretary_add,
    ("invite", "create"): _invite_create,
    ("unit", "add"): _unit_add,
    ("report", "feedback"): _report_feedback,
    ("report", "county"): _report_county,
    ("mobile", "settings"): _mobile_settings,
    ("import", None): _import,
    ("branch", "day"): _branch_day,
    ("branch", "time"): _branch_time,
    ("branch", "hours"): _branch_hours,
    ("job", "list"): _job_list,
    ("job", "set"): _job_set,
    ("job", "run"): _job_run,
    ("outbox", None): _outbox,
    ("outbox", "retry"): _outbox_retry,
    ("backup", None): _backup,
}


async def bot_username(settings: Settings) -> str | None:
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    if settings.telegram_bot_token is None:
        return None
    from telegram import Bot
    from telegram.error import TelegramError

    try:
        async with Bot(settings.token(), base_url=settings.telegram_base_url) as bot:
            return bot.username
    except (TelegramError, ConfigError) as exc:
        log.warning("could not ask Telegram for the bot's name: %s", exc)
        return None


def run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import ALLOWED_UPDATES, build_application

    settings.token()  # a clear error before anything else starts
    log.info("starting partybot %s with %s", __version__, settings.describe())
    app = build_application(settings)
    # What start-up loaded (modules, handlers, catalogs) lives as long as the process;
    # frozen out of the cyclic collector's sight, a full collection no longer walks it
    # (one took 50-60 ms in the middle of an update; benchmarks/README.md).
    gc.freeze()
    if args.webhook:
        if not args.url:
            raise ConfigError("--webhook needs --url (the public HTTPS address)")
        app.run_webhook(
            listen=args.listen,
            port=args.port,
            url_path=urlparse(args.url).path.lstrip("/"),
            webhook_url=args.url,
            secret_token=args.secret_token,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


def health(settings: Settings) -> int:
    beat = settings.heartbeat_path
    if not beat.exists():
        print("partybot: no heartbeat yet", file=sys.stderr)
        return EXIT_FAILED
    age = time.time() - beat.stat().st_mtime
    if age > HEARTBEAT_MAX_AGE:
        print(f"partybot: heartbeat is {age:.0f}s old", file=sys.stderr)
        return EXIT_FAILED
    print(f"ok ({age:.0f}s)")
    return 0
