"""`partybot branch` and `mobile settings`: create a branch and set what is its own (its
days off and working days, time zone and hours, how it counts hours, the mobile members'
certificate validity and report periods)."""

from __future__ import annotations

import argparse
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cli.shell import Commands, Parsers, require_branch
from bot.config import Settings
from domain import admin, hours, mobile
from domain.working_time import parse_spans
from storage import working_time
from storage.db import Database


def add_commands(parsers: Parsers) -> Commands:
    branch = parsers["branch"].add_subparsers(dest="action")
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

    mobile_cmd = parsers["mobile"].add_subparsers(dest="action")
    settings = mobile_cmd.add_parser(
        "settings", help="show or change a branch's certificate validity and periods"
    )
    settings.add_argument("--branch", type=int, required=True)
    settings.add_argument("--validity-months", type=int, help="certificate validity, 1 to 6")
    settings.add_argument("--report-days", type=int, help="a status report is due every N days")
    settings.add_argument("--contact-days", type=int, help="contact is overdue after N days")
    return {
        ("branch", "add"): _branch_add,
        ("branch", "day"): _branch_day,
        ("branch", "time"): _branch_time,
        ("branch", "hours"): _branch_hours,
        ("mobile", "settings"): _mobile_settings,
    }


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown IANA time zone {value!r}") from None
    return value


def _spans(value: str) -> str:
    try:
        parse_spans(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


async def _branch_add(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    branch = await admin.add_branch(db, args.name, args.district)
    print(branch.id)
    return 0


async def _branch_day(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    await require_branch(db, args.branch)
    await working_time.set_day(db, args.branch, args.day, args.working, args.note)
    kind = "a working day" if args.working else "a day off"
    print(f"{args.day} is {kind} for branch {args.branch}")
    return 0


async def _branch_time(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    await require_branch(db, args.branch)
    await working_time.set_times(
        db,
        args.branch,
        timezone=args.timezone,
        working_hours=args.working_hours,
        quiet_hours=args.quiet_hours,
    )
    own = await working_time.load(db, args.branch)
    print(
        f"branch {args.branch}: timezone={own.timezone or settings.bot_timezone}"
        f" working={own.working_hours or settings.bot_working_hours}"
        f" quiet={own.quiet_hours if own.quiet_hours is not None else settings.bot_quiet_hours}"
    )
    return 0


async def _branch_hours(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    await require_branch(db, args.branch)
    if args.counting is not None:
        await hours.set_counting(db, None, args.branch, hours.Counting(args.counting))
    counting = await hours.counting_of(db, args.branch)
    print(f"branch {args.branch}: summaries count {counting} hours")
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
