"""Start-up and idle: seconds from launching `partybot run` to its first getUpdates, and the
resident memory of the idle bot a few seconds later.

    .venv/bin/python -m benchmarks.startup [--rounds 5] [--database FILE] [--no-compile]

`--database` starts the bot on a copy of an existing database (e.g. the county data set
that `benchmarks/seed.py` writes); without it the bot starts on an empty one.

"Idle" means idle: the RSS is read once the bot's CPU has stood still for a second. A seeded
set has never run a job, so the first start on it catches up on every branch's missed jobs
(the county's 1x set: ~17 s of CPU, 1,410 slots) and a reading 3 s after start lands in the
middle of that. So the benchmark first starts the bot once on a working copy and lets the
catch-up finish ("first start" in the figures: its CPU after the first poll and its RSS
then), and the measured rounds start on copies of that copy, as a restart of a running
county's bot would. `--no-prime` skips that, to measure first starts.

The program's modules are compiled to bytecode and its catalogs to `.mo` first, as `pip
install` and the image do (the venv's packages already are; tools/hatch_catalogs.py).
`--no-compile` measures the tree as it is: with PYTHONDONTWRITEBYTECODE set and no
__pycache__, each start compiles the program from source, and without a `.mo` each start
parses the catalogs.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks._load import JSON, median, report
from domain.i18n import compile_catalogs
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.fakes.process import ROOT, BotProcess

TOKEN = "123456789:AAHbenchmarkToken_0123456789abcdefgh"
IDLE_SECONDS = 3.0
# Below this much CPU in a second (the heartbeat, a poll) the bot counts as idle.
SETTLED_CPU_S = 0.01
SETTLE_TIMEOUT = 600.0
# At a load of 20 on 2 cores a start took 18-30 s, beyond the first 30 s limit.
FIRST_POLL_TIMEOUT = 120.0
PACKAGES = ("bot", "domain", "handlers", "storage")


async def settle(process: BotProcess) -> None:
    """Until the bot's CPU stands still for a second."""
    waited = 0.0
    before = process.cpu_seconds()
    while waited < SETTLE_TIMEOUT:
        await asyncio.sleep(1.0)
        waited += 1.0
        now = process.cpu_seconds()
        if now - before < SETTLED_CPU_S:
            return
        before = now
    raise TimeoutError(f"the bot was still busy after {SETTLE_TIMEOUT:.0f} s")


async def one_round(data: Path) -> JSON:
    """One start in `data` (a folder holding partybot.db, or nothing for an empty one)."""
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    process = BotProcess(server, data, env={"LOG_LEVEL": "WARNING"})
    started = time.perf_counter()
    await process.start()
    try:
        await asyncio.wait_for(server.polling.wait(), FIRST_POLL_TIMEOUT)
        first_poll = time.perf_counter() - started
        # The bot's own CPU up to its first poll: what the load hardly moves.
        cpu = process.cpu_seconds()
        await asyncio.sleep(IDLE_SECONDS)
        await settle(process)
        idle = process.rss_mb()
        busy = process.cpu_seconds() - cpu
    finally:
        await process.stop()
        await server.stop()
    return {
        "first_get_updates_s": first_poll,
        "cpu_to_first_poll_s": cpu,
        "idle_rss_mb": idle,
        "cpu_after_first_poll_s": busy,
    }


async def copy_round(database: Path | None) -> JSON:
    with tempfile.TemporaryDirectory() as folder:
        if database is not None:
            shutil.copyfile(database, Path(folder) / "partybot.db")
        return await one_round(Path(folder))


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", type=Path)
    parser.add_argument("--no-compile", action="store_true", help="start from the tree as it is")
    parser.add_argument(
        "--no-prime", action="store_true", help="measure first starts on the set (its catch-up)"
    )
    args = parser.parse_args(argv)
    if not args.no_compile:
        for package in PACKAGES:
            compileall.compile_dir(ROOT / package, quiet=1)
        compile_catalogs()
    figures: JSON = {
        "rounds": args.rounds,
        "database": str(args.database or "empty"),
        "compiled": not args.no_compile,
        "primed": args.database is not None and not args.no_prime,
    }
    with tempfile.TemporaryDirectory() as folder:
        database = args.database
        if figures["primed"]:
            database = Path(folder) / "partybot.db"
            shutil.copyfile(args.database, database)
            first = await one_round(Path(folder))
            figures["first_start_cpu_after_first_poll_s"] = round(
                first["cpu_after_first_poll_s"], 2
            )
            figures["first_start_idle_rss_mb"] = round(first["idle_rss_mb"], 1)
        results = [await copy_round(database) for _ in range(args.rounds)]
    for key in results[0]:
        figures[key] = round(median([r[key] for r in results]), 3)
        figures[f"{key}_max"] = round(max(r[key] for r in results), 3)
    rows = [
        ("database", figures["database"]),
        ("rounds", args.rounds),
        (
            "program's bytecode and catalogs",
            "compiled first" if figures["compiled"] else "as the tree is",
        ),
        (
            "first getUpdates, s (median | max)",
            f"{figures['first_get_updates_s']:.3f} | {figures['first_get_updates_s_max']:.3f}",
        ),
        ("bot's CPU to its first poll, s (median)", f"{figures['cpu_to_first_poll_s']:.3f}"),
        ("load average", " ".join(f"{x:.2f}" for x in os.getloadavg())),
        (
            "idle RSS, MiB (median | max), once the CPU stands still",
            f"{figures['idle_rss_mb']:.1f} | {figures['idle_rss_mb_max']:.1f}",
        ),
        (
            "bot's CPU from its first poll to idle, s (median)",
            f"{figures['cpu_after_first_poll_s']:.2f}",
        ),
    ]
    if figures["primed"]:
        rows.append(
            (
                "first start on the set: CPU to idle, s | idle RSS, MiB",
                f"{figures['first_start_cpu_after_first_poll_s']:.2f} | "
                f"{figures['first_start_idle_rss_mb']:.1f}",
            )
        )
    rows.append(("targets", "< 1 s, < 80 MiB"))
    report("startup", figures, rows)


if __name__ == "__main__":
    asyncio.run(main())
