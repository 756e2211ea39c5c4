"""`partybot unit add` and `report`: the county's unit party organisations, and the cadre
reports written to files (each unit's quarterly feedback, the half-year county report)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.outbox import deliveries
from bot.cli.shell import EXIT_FAILED, Commands, Parsers, describe, print_invite
from bot.config import SUPPORTED_LOCALES, Settings
from domain import (
    cadre_figures,
    cadre_jobs,
    county_report,
    fonts,
    periods,
    quarterly_feedback,
    units,
)
from domain.errors import NotFound
from domain.resident_units import cobuild
from storage import units as unit_store
from storage.db import Database, utcnow


def add_commands(parsers: Parsers) -> Commands:
    unit = parsers["unit"].add_subparsers(dest="action")
    unit_add = unit.add_parser("add", help="create a unit party organisation; prints its id")
    unit_add.add_argument("name")
    unit_add.add_argument("--parent", type=int, help="id of the parent unit organisation")
    unit_add.add_argument(
        "--branch", type=int, help="also invite the unit's contact, approved by this branch"
    )
    unit_add.add_argument("--locale", choices=SUPPORTED_LOCALES, help="language of summaries")

    report = parsers["report"].add_subparsers(dest="action")
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
    return {
        ("unit", "add"): _unit_add,
        ("report", "feedback"): _report_feedback,
        ("report", "county"): _report_county,
    }


async def _unit_add(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    unit = await units.add_unit(db, None, args.name, args.parent, args.locale)
    print(unit.id)
    if args.branch is not None:
        await print_invite(settings, await units.invite_contact(db, None, unit.id, args.branch))
    return 0


async def _report_feedback(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    quarter = periods.parse_quarter(args.quarter)
    if args.unit is not None and await unit_store.get(db, args.unit) is None:
        raise NotFound("unit_unknown", unit=args.unit)
    if args.resend:
        started = utcnow()
        queued = await cadre_jobs.resend_feedback(db, quarter, settings.tz, started, args.unit)
        print(f"queued={queued}")
        for line in await deliveries(settings, db, started):
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
    cobuilding = await cobuild.activity(db, half)
    (args.out / xlsx_name).write_bytes(county_report.workbook(half, figures, cobuilding))
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
