"""Reports on the county data set: the quarterly feedback for every unit (text and XLSX),
the half-year county report (XLSX and chart) and the quarterly district summary (every
branch's figures, the message and the XLSX with a sheet per branch, as a district contact
receives it), timed, with the query plans they use.

    .venv/bin/python -m benchmarks.seed county.db          # once: the data set
    .venv/bin/python -m benchmarks.reports county.db [--rounds 3] [--quarter 2026Q3]
                                                     [--half 2026H2] [--plans]
                                                     [--old-writer] [--check]
                                                     [--digest] [--postgresql URL]

`DATABASE` may be a `postgresql://` URL (load it with `partybot migrate-to`); `--postgresql
URL` runs the same rounds there too, after SQLite, in a process of its own (each engine's
peak RSS its own), so both engines' figures come from one run. Query plans and the
statement trace are SQLite's only.

Runs in this process, as `partybot report feedback|county` would. Figures: seconds for each
report (median of the rounds) and the process's peak RSS. Every SQL statement the reports run
is traced; `--plans` prints its EXPLAIN QUERY PLAN, and the figures list the tables read by a
full scan (`SCAN t` without an index).

`--old-writer` also times each round with the XLSX written by openpyxl, as before
`domain.xlsx_writer` (`tests/xlsx_reference.py`), alternating with the new writer, and gives
the ratio. `--check` then compares what both wrote for every unit and the county, cell by
cell as openpyxl reads them back (values, types, styles; `xlsx_reference.cells`, with what
differs only in encoding made one by `xlsx_reference.shown`), and fails on the first
difference.

`--digest` adds `figures_sha256`, a checksum of everything the three reports tell their
readers (every message, every workbook as read back, the chart), after the timed rounds:
the same checksum from two versions of the code on the same data set means the same
figures ("byte-identical figures before and after", issue 21), whatever encodes them.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import resource
import sqlite3
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from benchmarks._load import JSON, median, report
from bot.config import load_settings
from domain import (
    cadre_figures,
    county_report,
    district_figures,
    district_reports,
    fonts,
    periods,
    quarterly_feedback,
)
from domain.fonts import FontMissing
from domain.i18n import translator
from storage import districts
from storage.db import Database, is_postgres
from tests import xlsx_reference


def peak_rss_mb() -> float:
    """This process's peak RSS: /proc's VmHWM, which starts again at exec (ru_maxrss keeps
    the parent's, so the --postgresql child would show SQLite's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def feedback_round(db: Database, quarter: periods.Period, tz) -> tuple[float, float, int]:
    """Wall and CPU seconds (the process's, the database thread's included), bytes."""
    started, cpu = time.perf_counter(), time.process_time()
    summaries = await quarterly_feedback.unit_feedback(db, quarter, tz)
    size = sum(len(s.xlsx) for s in summaries)
    return time.perf_counter() - started, time.process_time() - cpu, size


async def county_round(
    db: Database, half: periods.Period, tz, font: Path | None
) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    figures = await cadre_figures.gather(db, half, tz)
    county_report.workbook(half, figures)
    if font is not None:
        county_report.chart_png(half, figures, font)
    return time.perf_counter() - started, time.process_time() - cpu


async def district_summaries(db: Database, quarter: periods.Period, tz):
    """Each district's summary as its contact receives it (the figures of each branch, the
    message and the XLSX with one sheet per branch): (branches, text, xlsx) per district."""
    t = translator("zh_Hans")
    now = datetime.combine(quarter.end + timedelta(days=8), datetime.min.time(), tzinfo=tz)
    for district_id, name in await districts.all_districts(db):
        branch_list = await districts.branches_of_district(db, district_id)
        figures = await district_figures.figures_of(db, branch_list, quarter, now, tz)
        text = district_reports.summary_text(t, name, figures)
        yield len(figures), text, district_reports.workbook(t, figures)


async def district_round(db: Database, quarter: periods.Period, tz) -> tuple[float, float, int]:
    """Every district's summary: wall and CPU seconds, branches."""
    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    async for branches, _, _ in district_summaries(db, quarter, tz):
        count += branches
    return time.perf_counter() - started, time.process_time() - cpu, count


async def digest(
    db: Database, quarter: periods.Period, half: periods.Period, tz, font: Path | None
) -> str:
    """A checksum of what the three reports tell their readers: every unit's message and
    workbook, the county workbook and chart, every district's message and workbook, each
    workbook as openpyxl reads it back (`xlsx_reference.shown`: values, types, styles,
    layout). Two versions of the code that give the same checksum on the same data set
    report the same figures, whatever writer encodes them."""
    found = hashlib.sha256()

    def add(*parts: object) -> None:
        found.update(repr(parts).encode())

    def seen(xlsx: bytes) -> list[tuple]:
        return xlsx_reference.shown(xlsx_reference.cells(xlsx))

    for summary in await quarterly_feedback.unit_feedback(db, quarter, tz):
        add(summary.file_name, summary.text, seen(summary.xlsx))
    figures = await cadre_figures.gather(db, half, tz)
    add(seen(county_report.workbook(half, figures)))
    if font is not None:
        add(county_report.chart_png(half, figures, font))
    async for _, text, xlsx in district_summaries(db, quarter, tz):
        add(text, seen(xlsx))
    return found.hexdigest()


async def check(db: Database, quarter: periods.Period, half: periods.Period, tz) -> int:
    """Files compared between the new and the old writer; raises on a difference."""
    compared = 0
    new = await quarterly_feedback.unit_feedback(db, quarter, tz)
    with xlsx_reference.old_writer():
        old = await quarterly_feedback.unit_feedback(db, quarter, tz)
    figures = await cadre_figures.gather(db, half, tz)
    new_county = county_report.workbook(half, figures)
    with xlsx_reference.old_writer():
        old_county = county_report.workbook(half, figures)
    pairs = [(a.xlsx, b.xlsx, a.file_name) for a, b in zip(new, old, strict=True)]
    for a, b, name in [*pairs, (new_county, old_county, "county")]:
        if xlsx_reference.shown(xlsx_reference.cells(a)) != xlsx_reference.shown(
            xlsx_reference.cells(b)
        ):
            raise SystemExit(f"{name}: the new writer's cells differ from openpyxl's")
        compared += 1
    return compared


def plans(path: Path, statements: Sequence[str]) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of each distinct statement, on a connection of its own."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = {}
    for sql in statements:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        found[sql] = [row[3] for row in rows]
    conn.close()
    return found


def full_scans(found: dict[str, list[str]]) -> list[str]:
    scans = set()
    for lines in found.values():
        for line in lines:
            if line.startswith("SCAN ") and " USING " not in line:
                scans.add(line.split()[1])
    return sorted(scans)


def _pair(figures: JSON, name: str) -> str:
    if f"{name}_s" not in figures:
        return "not run"
    return f"{figures[f'{name}_s']:.2f} | {figures[f'{name}_cpu_s']:.2f}"


async def main(argv: Sequence[str] | None = None) -> None:
    year = date.today().year
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="a SQLite file or a postgresql:// URL")
    parser.add_argument("--postgresql", metavar="URL", help="the same rounds there, after")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quarter", default=f"{year}Q3")
    parser.add_argument("--half", default=f"{year}H2")
    parser.add_argument("--plans", action="store_true", help="print every query plan")
    parser.add_argument(
        "--district-only", action="store_true", help="the district summary alone (its own RSS)"
    )
    parser.add_argument("--old-writer", action="store_true", help="also time openpyxl's XLSX")
    parser.add_argument("--check", action="store_true", help="compare both writers' cells")
    parser.add_argument(
        "--digest", action="store_true", help="a checksum of every report's figures, as read"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    quarter, half = periods.parse_quarter(args.quarter), periods.parse_half(args.half)
    try:
        font: Path | None = fonts.find(settings.bot_font)
    except FontMissing:
        font = None  # the chart needs a CJK font; the workbook is timed all the same
    rss_before = peak_rss_mb()
    statements: dict[str, None] = {}

    run = 0

    def trace(sql: str) -> None:
        nonlocal run
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            statements[sql] = None
            run += 1

    results: dict[str, list[float]] = {
        "feedback_s": [],
        "feedback_cpu_s": [],
        "county_s": [],
        "county_cpu_s": [],
        "district_s": [],
        "district_cpu_s": [],
    }
    if args.old_writer:
        results |= {f"old_{key}": [] for key in list(results)}
    async with Database(args.database) as db:
        units = await db.fetchval("SELECT COUNT(*) FROM unit_orgs")
        cadres = await db.fetchval("SELECT COUNT(*) FROM cadre_registrations")
        hours = await db.fetchval("SELECT COUNT(*) FROM hour_records")
        for conn in (db.reader, db.writer) if db.engine == "sqlite" else ():
            await conn.set_trace_callback(trace)

        async def workbooks(label: str) -> int:
            """A feedback and a county round, timed under `label` (`old_`: the old writer);
            the feedback's size in bytes."""
            seconds, cpu, written = await feedback_round(db, quarter, settings.tz)
            results[f"{label}feedback_s"].append(seconds)
            results[f"{label}feedback_cpu_s"].append(cpu)
            seconds, cpu = await county_round(db, half, settings.tz, font)
            results[f"{label}county_s"].append(seconds)
            results[f"{label}county_cpu_s"].append(cpu)
            return written

        xlsx_bytes = 0
        for _ in range(args.rounds):
            if not args.district_only:
                xlsx_bytes = await workbooks("")
                if args.old_writer:
                    with xlsx_reference.old_writer():
                        await workbooks("old_")
            seconds, cpu, district_branches = await district_round(db, quarter, settings.tz)
            results["district_s"].append(seconds)
            results["district_cpu_s"].append(cpu)
        compared = await check(db, quarter, half, settings.tz) if args.check else 0
        figures_sha256 = await digest(db, quarter, half, settings.tz, font) if args.digest else None
    found = {} if is_postgres(args.database) else plans(Path(args.database), list(statements))
    if args.plans:
        for sql, lines in found.items():
            print(sql[:300])
            for line in lines:
                print(f"    {line}")
    figures: JSON = {
        "database": str(args.database),
        "units": units,
        "cadre_registrations": cadres,
        "hour_records": hours,
        "rounds": args.rounds,
        **{key: round(median(values), 3) for key, values in results.items() if values},
        "feedback_xlsx_bytes": xlsx_bytes,
        "district_branches": district_branches,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "county_chart": font is not None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_before_mb": round(rss_before, 1),
        "statements": len(found),
        "statements_run": run,
        "full_scans": full_scans(found),
        "files_identical_to_openpyxl": compared,
        **({"figures_sha256": figures_sha256} if figures_sha256 else {}),
    }
    for name in ("feedback", "county") if args.old_writer else ():
        figures[f"{name}_cpu_ratio_old_new"] = round(
            median(
                [
                    old / new
                    for old, new in zip(
                        results[f"old_{name}_cpu_s"], results[f"{name}_cpu_s"], strict=True
                    )
                ]
            ),
            2,
        )
    shown = "PostgreSQL" if is_postgres(args.database) else args.database
    rows = [
        ("database", f"{shown} ({units} units, {cadres} registrations, {hours} hours)"),
        (
            f"quarterly feedback, all units, s wall | CPU (median of {args.rounds})",
            _pair(figures, "feedback"),
        ),
        (
            "half-year county report, s wall | CPU",
            _pair(figures, "county"),
        ),
        (
            f"quarterly district summary, {district_branches} branches, s wall | CPU",
            _pair(figures, "district"),
        ),
        *(
            [
                (
                    "old writer (openpyxl): feedback | county, s wall, CPU",
                    f"{figures['old_feedback_s']:.2f}, {figures['old_feedback_cpu_s']:.2f} | "
                    f"{figures['old_county_s']:.2f}, {figures['old_county_cpu_s']:.2f}",
                ),
                (
                    "CPU old / new (median of rounds): feedback | county",
                    f"{figures['feedback_cpu_ratio_old_new']} | "
                    f"{figures['county_cpu_ratio_old_new']}",
                ),
            ]
            if args.old_writer
            else []
        ),
        ("files compared with openpyxl's, cell for cell, identical", compared),
        ("checksum of the figures as read (--digest)", figures_sha256 or "not run"),
        ("peak RSS, MiB (before the reports)", f"{figures['peak_rss_mb']} ({rss_before:.1f})"),
        ("distinct queries, tables fully scanned", f"{len(found)}, {figures['full_scans']}"),
        (f"queries run in {args.rounds} rounds", run),
        ("load average", figures["load"]),
        ("targets", "< 2 s each, < 200 MiB, queries on indexes; district < 10 s, < 300 MiB"),
    ]
    if is_postgres(args.database):
        figures["database"] = "postgresql"
    report("reports", figures, rows)
    if args.postgresql:
        again = [a for a in (argv or sys.argv[1:]) if a not in (args.database, args.postgresql)]
        again.remove("--postgresql")
        sys.stdout.flush()
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.reports", args.postgresql, *again
        )
        if await child.wait() != 0:
            raise SystemExit("the PostgreSQL run failed")


if __name__ == "__main__":
    asyncio.run(main())
