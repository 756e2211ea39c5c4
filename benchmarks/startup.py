"""Start-up and idle: seconds from launching `partybot run` to its first getUpdates, and the
resident memory of the idle bot a few seconds later.

    .venv/bin/python -m benchmarks.startup [--rounds 5] [--database FILE] [--no-compile]

`--database` starts the bot on a copy of an existing database (e.g. the county data set
that `benchmarks/seed.py` writes); without it the bot starts on an empty one.

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
# At a load of 20 on 2 cores a start took 18-30 s, beyond the first 30 s limit.
FIRST_POLL_TIMEOUT = 120.0
PACKAGES = ("bot", "domain", "handlers", "storage")


async def one_round(database: Path | None) -> JSON:
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        if database is not None:
            shutil.copyfile(database, data / "partybot.db")
        process = BotProcess(server, data, env={"LOG_LEVEL": "WARNING"})
        started = time.perf_counter()
        await process.start()
        try:
            await asyncio.wait_for(server.polling.wait(), FIRST_POLL_TIMEOUT)
            first_poll = time.perf_counter() - started
            # The bot's own CPU up to its first poll: what the load hardly moves.
            cpu = process.cpu_seconds()
            await asyncio.sleep(IDLE_SECONDS)
            idle = process.rss_mb()
        finally:
            await process.stop()
            await server.stop()
    return {"first_get_updates_s": first_poll, "cpu_to_first_poll_s": cpu, "idle_rss_mb": idle}


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", type=Path)
    parser.add_argument("--no-compile", action="store_true", help="start from the tree as it is")
    args = parser.parse_args(argv)
    if not args.no_compile:
        for package in PACKAGES:
            compileall.compile_dir(ROOT / package, quiet=1)
        compile_catalogs()
    results = [await one_round(args.database) for _ in range(args.rounds)]
    figures: JSON = {
        "rounds": args.rounds,
        "database": str(args.database or "empty"),
        "compiled": not args.no_compile,
    }
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
            "idle RSS, MiB (median | max)",
            f"{figures['idle_rss_mb']:.1f} | {figures['idle_rss_mb_max']:.1f}",
        ),
        ("targets", "< 1 s, < 80 MiB"),
    ]
    report("startup", figures, rows)


if __name__ == "__main__":
    asyncio.run(main())
