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

from bot import __version__, backups, jobs, startup
from bot import health as bot_health
from bot.backups import HEARTBEAT_MAX_AGE
from bot.config import SUPPORTED_LOCALES, ConfigError, Settings, load_settings
from bot.logging import setup_logging
from domain import (
    admin,
    cadre_figures,
    cadre_jobs,
    county_report,
    fonts,
    hours,
    mobile,
    onboarding,
    periods,
    quarterly_feedback,
    units,
    workdays,
)
from domain import worktime as worktime_rules
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

    migrate = sub.add_parser(
        "migrate", help="back up the database, then apply its migrations (also done at start)"
    )
    migrate.add_argument("--dry-run", action="store_true", help="only list what would run")

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
    secretary_add.add_argument("--name", required=True, help="as the roster and /audit show it")
    secretary_list = secretary.add_parser("list", help="every branch's secretaries")
    secretary_list.add_argument("--branch", type=int)
    secretary_remove = secretary.add_parser(
        "remove", help="take the role from an account (never the branch's last secretary)"
    )
    secretary_remove.add_argument("--branch", type=int, required=True)
    secretary_remove.add_argument("--telegram-id", type=int, required=True)
    secretary_replace = secretary.add_parser(
        "replace", help="hand the role to another account (a new phone, a new secretary)"
    )
    secretary_replace.add_argument("--branch", type=int, required=True)
    secretary_replace.add_argument("--from", dest="old", type=int, required=True, metavar="OLD")
    secretary_replace.add_argument("--to", dest="new", type=int, required=True, metavar="NEW")

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

    calendar = sub.add_parser(
        "calendar", help="the official working-day calendar (State Council notice)"
    ).add_subparsers(dest="action")
    calendar_set = calendar.add_parser(
        "set", help="enter a year's published schedule (replaces what was entered for it)"
    )
    calendar_set.add_argument("year", type=int)
    calendar_set.add_argument(
        "--holiday",
        nargs=2,
        action="append",
        default=[],
        metavar=("DATE[..DATE]", "NAME"),
        help="days off, e.g. 2027-02-05..2027-02-12 春节",
    )
    calendar_set.add_argument(
        "--workday",
        action="append",
        default=[],
        metavar="DATE",
        help="a weekend day worked in exchange (调休上班)",
    )
    calendar_import = calendar.add_parser(
        "import", help="enter the schedule from a CSV/XLSX: columns date, kind, name"
    )
    calendar_import.add_argument("file", type=Path)
    calendar_show = calendar.add_parser("show", help="a year month by month, with each source")
    calendar_show.add_argument("year", type=int)
    calendar_show.add_argument("--branch", type=int, help="with the branch's own days")
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
        if command == "migrate":
            return asyncio.run(migrate(settings, args))
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
        "not_secretary": "telegram id {telegram_id} is not a secretary of branch {branch}",
        "last_secretary": "that is the last secretary of branch {branch}; use `partybot"
        " secretary replace --branch {branch} --from OLD --to NEW` to hand the role over",
        "same_account": "--from and --to are the same account",
        "invite_uses": "--uses must be at least 1",
        "invite_expiry": "--expires must be at least 1 day",
        "invite_unit_missing": "--role unit needs --unit ID",
        "unit_unknown": "no unit organisation with id {unit}",
        "unit_exists": "a unit organisation named {name!r} already exists",
        "unit_name_too_short": "the unit name is too short",
        "unit_name_too_long": "the unit name is longer than {max} characters",
        "quarter_invalid": "{value!r} is not a quarter like 2026Q3",
        "half_invalid": "{value!r} is not a half-year like 2026H2",
        "font_missing": "no usable font with Chinese glyphs (tried {tried}); set BOT_FONT"
        " to one, or reinstall partybot (it brings one)",
        "validity_months": "--validity-months must be 1 to 6 (national practice: at most 6)",
        "period_days": "--report-days and --contact-days must be 1 to 366",
        "job_unknown": "no job named {job!r}; see `partybot job list`",
        "job_off": "{job} is switched off for branch {branch}: nothing ran (`partybot job set`)",
        "outbox_not_failed": "message {id} is not dead or unreachable",
        "calendar_date": "{value!r} is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD",
        "calendar_range": "{value!r} is not a range of at most a month, first day first",
        "calendar_twice": "{day} is given twice",
        "calendar_outside": "{day} is not in the year entered",
        "calendar_columns": "the file needs the columns date, kind and name (a header row)",
        "calendar_kind": "row {row}: kind {value!r} is neither holiday nor workday",
        "calendar_empty": "nothing to enter: give --holiday and --workday days",
        "file_too_large": "the file is larger than {max_mb} MB",
        "file_empty": "the file has no rows",
        "file_type": "the file is neither .csv nor .xlsx",
        "file_unreadable": "the file cannot be read as CSV or XLSX",
        "file_encoding": "the CSV file is neither UTF-8 nor GBK",
        "too_many_rows": "the file has more than {max} rows",
    }
    return texts.get(exc.code, exc.code).format(**exc.params)


async def _with_db(
    settings: Settings,
    action: Callable[[Settings, Database, argparse.Namespace], Coroutine[Any, Any, int]],
    args: argparse.Namespace,
) -> int:
    await backups.upgrade(settings, log.info)
    async with Database(settings.database_path) as db:
        return await action(settings, db, args)


async def migrate(settings: Settings, args: argparse.Namespace) -> int:
    applied = await backups.upgrade(settings, print, dry_run=args.dry_run)
    if not applied:
        print("nothing to apply")
    if not args.dry_run:
        async with Database(settings.database_path) as db:
            print(f"database at schema version {await db.schema_version()}")
    return 0


async def _branch_add(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    branch = await admin.add_branch(db, args.name, args.district)
    print(branch.id)
    return 0


async def _secretary_add(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    person = await admin.add_secretary(db, args.branch, args.telegram_id, args.name)
    print(
        f"telegram id {args.telegram_id} is secretary of branch {args.branch} (person {person.id})"
    )
    return 0


async def _secretary_list(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    found = await admin.list_secretaries(db, args.branch)
    for s in found:
        print(f"{s.branch.id}\t{s.branch.name}\t{s.person.telegram_id}\t{s.person.name or ''}")
    if not found:
        print("no secretaries")
    return 0


async def _secretary_remove(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    await admin.remove_secretary(db, args.branch, args.telegram_id)
    print(f"telegram id {args.telegram_id} is no longer secretary of branch {args.branch}")
    return 0


async def _secretary_replace(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    await admin.replace_secretary(db, args.branch, args.old, args.new)
    print(
        f"telegram id {args.new} is secretary of branch {args.branch} in place of {args.old};"
        " what waits for a decision was sent to the new account"
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
        started = utcnow()
        queued = await cadre_jobs.resend_feedback(db, quarter, settings.tz, started, args.unit)
        print(f"queued={queued}")
        for line in await _deliveries(settings, db, started):
            print(line)  # office-hours messages: outside them, when they will go
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    summaries = await quarterly_feedback.unit_feedback(
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
    figures = await cadre_figures.gather(db, half, settings.tz)
    args.out.mkdir(parents=True, exist_ok=True)
    xlsx_name, png_name = county_report.file_names(half)
    (args.out / xlsx_name).write_bytes(county_report.workbook(half, figures))
    print(args.out / xlsx_name)
    try:
        font = fonts.find(settings.bot_font)
    except fonts.FontMissing as exc:
        # The spreadsheet is written all the same: it needs no font.
        print(f"partybot: the chart was not drawn: {describe(exc)}", file=sys.stderr)
        return EXIT_FAILED
    (args.out / png_name).write_bytes(county_report.chart_png(half, figures, font))
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


def _read(path: Path) -> bytes | None:
    """The file's bytes; None after one line on stderr when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        print(f"partybot: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return None


async def _import(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    from datetime import datetime

    import handlers.console  # noqa: F401  (registers the roster's wording)
    from domain import roster, spreadsheets
    from domain.i18n import translator
    from handlers.common import error_text

    content = _read(args.file)
    if content is None:
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
    for line in await _deliveries(settings, db, started):
        print(line)
    return EXIT_FAILED if failed else 0


async def _deliveries(settings: Settings, db: Database, since: datetime) -> list[str]:
    """When what a run queued will be delivered: held by a --now in the future, or by the
    branch's working time (quiet hours, the working day, office hours)."""
    found: dict[tuple[str, str], int] = {}
    policies: dict[int | None, worktime_rules.WorkTime] = {}
    current = utcnow()
    for message in await outbox.queued_since(db, since):
        if message.branch_id not in policies:
            policies[message.branch_id] = await worktime_rules.for_branch(
                db, message.branch_id, settings.worktime_defaults
            )
        policy = policies[message.branch_id]
        moment = max(message.next_attempt_at, current)
        wait = policy.wait(message.kind, moment)
        until = wait.until if wait else moment
        if until <= current:
            key = ("at once", "")
        else:
            why = str(wait.why).replace("_", " ") if wait else "as --now asked"
            key = ("from " + until.astimezone(policy.tz).isoformat(timespec="minutes"), why)
        found[key] = found.get(key, 0) + 1
    return [
        f"delivery: {n} {'message' if n == 1 else 'messages'} {when}" + (f" ({why})" if why else "")
        for (when, why), n in sorted(found.items())
    ]


async def _calendar_set(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    days = workdays.entries(args.holiday, [(day, "") for day in args.workday])
    if not days:
        raise InvalidInput("calendar_empty")
    await workdays.enter(db, [args.year], days)
    print(f"{args.year}: {len(days)} days entered; see `partybot calendar show {args.year}`")
    return 0


async def _calendar_import(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    content = _read(args.file)
    if content is None:
        return EXIT_FAILED
    days = workdays.read_file(args.file.name, content)
    years = sorted({day.year for day, _, _ in days})
    await workdays.enter(db, years, days)
    print(f"{', '.join(map(str, years))}: {len(days)} days entered from {args.file}")
    return 0


async def _calendar_show(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    calendar = await workdays.load(db)
    own = {}
    if args.branch is not None:
        if await branches.get(db, args.branch) is None:
            raise NotFound("branch_unknown", branch=args.branch)
        own = (await worktime.load(db, args.branch)).exceptions
    for line in workdays.year_lines(calendar, args.year, own):
        print(line)
    return 0


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
    ("branch", "add"): _branch_add,
    ("secretary", "add"): _secretary_add,
    ("secretary", "list"): _secretary_list,
    ("secretary", "remove"): _secretary_remove,
    ("secretary", "replace"): _secretary_replace,
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
    ("calendar", "set"): _calendar_set,
    ("calendar", "import"): _calendar_import,
    ("calendar", "show"): _calendar_show,
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
    asyncio.run(backups.upgrade(settings, log.info))
    startup.report(settings)
    asyncio.run(startup.wait_for_telegram(settings))
    app = build_application(settings)
    # What start-up loaded (modules, handlers, catalogs) lives as long as the process;
    # frozen out of the cyclic collector's sight, a full collection no longer walks it
    # (one took 50-60 ms in the middle of an update; benchmarks/README.md).
    gc.freeze()
    if args.webhook:
        if not args.url:
            raise ConfigError("--webhook needs --url (the public HTTPS address)")
        app.bot_data["liveness"].webhook = True
        app.run_webhook(
            listen=args.listen,
            port=args.port,
            url_path=urlparse(args.url).path.lstrip("/"),
            webhook_url=args.url,
            secret_token=args.secret_token,
            allowed_updates=ALLOWED_UPDATES,
            bootstrap_retries=-1,
        )
    else:
        # Should the network drop again between the check above and here, python-telegram-bot
        # waits for it rather than stopping.
        app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)
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
    problems = bot_health.problems(
        beat.read_text(encoding="utf-8"), time.time(), settings.health_max_silence
    )
    for problem in problems:
        print(f"partybot: {problem}", file=sys.stderr)
    if problems:
        return EXIT_FAILED
    print(f"ok ({age:.0f}s)")
    # Still healthy: the bot works, but the operator has a calendar to enter.
    if warning := asyncio.run(_health_calendar(settings)):
        print(warning)
    return 0


async def _health_calendar(settings: Settings) -> str | None:
    try:
        async with Database(settings.database_path) as db:
            return await workdays.current_warning(db, settings.tz, utcnow())
    except Exception as exc:  # the heartbeat decides health; this line is advice only
        log.debug("calendar check skipped: %s", exc)
        return None
