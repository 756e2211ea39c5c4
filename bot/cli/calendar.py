"""`partybot calendar`: the official working-day calendar (the State Council's yearly
notice of holidays and swapped working days), entered, imported and shown."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.shell import EXIT_FAILED, Commands, Parsers, read, require_branch
from bot.config import Settings
from domain import workdays
from domain.errors import InvalidInput
from storage import working_time
from storage.db import Database


def add_commands(parsers: Parsers) -> Commands:
    calendar = parsers["calendar"].add_subparsers(dest="action")
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
    return {
        ("calendar", "set"): _calendar_set,
        ("calendar", "import"): _calendar_import,
        ("calendar", "show"): _calendar_show,
    }


async def _calendar_set(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    days = workdays.entries(args.holiday, [(day, "") for day in args.workday])
    if not days:
        raise InvalidInput("calendar_empty")
    await workdays.enter(db, [args.year], days)
    print(f"{args.year}: {len(days)} days entered; see `partybot calendar show {args.year}`")
    return 0


async def _calendar_import(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    content = read(args.file)
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
        await require_branch(db, args.branch)
        own = (await working_time.load(db, args.branch)).exceptions
    for line in workdays.year_lines(calendar, args.year, own):
        print(line)
    return 0
