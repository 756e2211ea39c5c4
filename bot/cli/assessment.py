"""`partybot assessment export`: the year-end "五个好" assessments as the county's table
(XLSX), of one district or of every branch."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.shell import Commands, Parsers
from bot.config import Settings
from domain import assessment
from storage.db import Database


def add_commands(parsers: Parsers) -> Commands:
    group = parsers["assessment"]
    actions = group.add_subparsers(dest="action")
    export = actions.add_parser("export", help="write the year's table as XLSX")
    export.add_argument("--year", type=int, required=True)
    export.add_argument("--district", type=int, help="only this district's branches")
    export.add_argument("--out", type=Path, help="default: assessment-YEAR.xlsx")
    return {("assessment", "export"): _export}


async def _export(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    content = await assessment.county_table(db, None, args.year, args.district)
    out = args.out or Path(f"assessment-{args.year}.xlsx")
    out.write_bytes(content)
    print(f"wrote {out} ({len(content)} bytes)")
    return 0
