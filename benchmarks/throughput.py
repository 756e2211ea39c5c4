"""Throughput and latency: N people at once against partybot, and the same load against a
bare python-telegram-bot echo bot, side by side in one run.

    .venv/bin/python -m benchmarks.throughput [--people 1000] [--rounds 3]

Both bots run as processes polling the same kind of FakeBotAPI over HTTP. Figures per bot:
updates handled per second, bot-side latency (first delivery of an update to the bot's
last call for it: p50, p95, p99), CPU seconds and peak RSS of the bot process. Latency is
measured twice: under the full load, where it is mostly queueing behind the other people,
and for people alone (one at a time), which is the bot's own time per update. Medians over
the rounds; the rounds alternate between the bots so that drift hits both.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks._load import JSON, Step, Traffic, Walk, calibrate, median, percentile, report
from benchmarks._load import walk as walk_one
from bot.testing.fake_bot_api import FakeBotAPI
from bot.testing.process import BotProcess
from domain import admin, onboarding
from domain.models import Category, PersonStatus
from storage import people
from storage.db import Database

TOKEN = "123456789:AAHbenchmarkToken_0123456789abcdefgh"
ALONE = 20  # people measured one at a time, before the load


def joining(code: str, n: int) -> list[Step]:
    return [
        Step("text", f"/start {code}"),
        Step("text", f"成员{n:05d}"),
        Step("contact"),
        Step("press", 0),  # the first category
        Step("press", 0),  # submit
    ]


def member(n: int) -> list[Step]:
    return [
        Step("text", "/start"),
        Step("text", "/help"),
        Step("text", "/language"),
        Step("press", 1),  # English
        Step("text", "/help"),
    ]


def flows(code: str, n: int) -> list[Step]:
    """The mix: half the people join through an invitation, half are members at work."""
    return joining(code, n) if n % 2 == 0 else member(n)


async def seed(data: Path, server: FakeBotAPI, users: Sequence[JSON]) -> str:
    async with Database(data / "partybot.db") as db:
        branch = await admin.add_branch(db, "幸福社区党支部", "城关区")
        await admin.add_secretary(db, branch.id, server.new_user("书记")["id"])
        code = (await onboarding.create_invite(db, branch_id=branch.id, uses=len(users))).code
        async with db.transaction() as conn:
            for n, user in enumerate(users):
                if n % 2:
                    await people.insert(
                        conn,
                        telegram_id=user["id"],
                        branch_id=branch.id,
                        name=f"党员{n:05d}",
                        phone=f"1380{n:07d}",
                        category=Category.RESIDENT,
                        status=PersonStatus.ACTIVE,
                    )
    return code


async def one_round(kind: str, people_count: int) -> JSON:
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    traffic = Traffic(server)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        # After the measured people: two who calibrate (one per flow), then those alone.
        users = [server.new_user(f"p{n}") for n in range(people_count + 2 + ALONE)]
        code = await seed(data, server, users)
        command = ("-m", "bot", "run") if kind == "partybot" else ("-m", "benchmarks.echo_bot")
        process = BotProcess(server, data, command=command, env={"LOG_LEVEL": "WARNING"})
        await process.start()
        try:
            await asyncio.wait_for(server.polling.wait(), 30)
            expected = {
                n % 2: await calibrate(traffic, users[n], flows(code, n), n)
                for n in (people_count, people_count + 1)
            }
            alone = Walk()
            for n in range(people_count + 2, len(users)):
                await walk_one(traffic, users[n], flows(code, n), expected[n % 2], n, alone)
            walks = [Walk() for _ in range(people_count)]
            cpu_before = process.cpu_seconds()
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    walk_one(traffic, users[n], flows(code, n), expected[n % 2], n, walks[n])
                    for n in range(people_count)
                )
            )
            elapsed = time.perf_counter() - started
            cpu = process.cpu_seconds() - cpu_before
            peak = process.rss_mb("VmHWM")
        finally:
            await process.stop()
            await server.stop()
    latencies = [x for w in walks for x in w.latencies]
    updates = sum(w.updates for w in walks)
    return {
        "updates": updates,
        "seconds": elapsed,
        "updates_per_s": updates / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "alone_p50_ms": percentile(alone.latencies, 50) * 1000,
        "alone_p99_ms": percentile(alone.latencies, 99) * 1000,
        "cpu_s": cpu,
        "cpu_ms_per_update": cpu / updates * 1000,
        "peak_rss_mb": peak,
    }


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rounds: dict[str, list[JSON]] = {"echo": [], "partybot": []}
    for _ in range(args.rounds):
        for kind in rounds:
            rounds[kind].append(await one_round(kind, args.people))
    figures: JSON = {"people": args.people, "rounds": args.rounds}
    for kind, results in rounds.items():
        for key in results[0]:
            figures[f"{kind}_{key}"] = round(median([r[key] for r in results]), 3)
    ratios = [
        ours["updates_per_s"] / echo["updates_per_s"]
        for ours, echo in zip(rounds["partybot"], rounds["echo"], strict=True)
    ]
    figures["ratio"] = round(median(ratios), 3)
    rows = [("people, rounds", f"{args.people}, {args.rounds}")]
    keys = ("updates_per_s", "p50_ms", "p95_ms", "p99_ms", "alone_p50_ms", "alone_p99_ms")
    for key in (*keys, "cpu_ms_per_update", "peak_rss_mb"):
        rows.append(
            (
                f"{key} (partybot | echo)",
                f"{figures[f'partybot_{key}']:,.2f} | {figures[f'echo_{key}']:,.2f}",
            )
        )
    rows.append(("ratio partybot / echo (median of rounds)", figures["ratio"]))
    rows.append(("targets", "ratio ≥ 0.8, partybot p99 < 20 ms (alone)"))
    report("throughput", figures, rows)


if __name__ == "__main__":
    asyncio.run(main())
