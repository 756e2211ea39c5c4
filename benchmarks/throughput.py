"""Throughput and latency: N people at once against partybot, and the same load against
two bare python-telegram-bot echo bots, side by side in one run.

    .venv/bin/python -m benchmarks.throughput [--people 1000] [--rounds 3]

The echo bots are python-telegram-bot's default (sequential) application, the headline
ratio, and the same with `concurrent_updates(True)` (`benchmarks/echo_bot.py`). All run as
processes polling the same kind of FakeBotAPI over HTTP. Figures per bot:
updates handled per second, bot-side latency (first delivery of an update to the bot's
last call for it: p50, p95, p99), CPU seconds and peak RSS of the bot process. Latency is
measured twice: under the full load, where it is mostly queueing behind the other people,
and for people alone (one at a time), which is the bot's own time per update. Medians over
the rounds; the rounds alternate between the bots so that drift hits both.

    .venv/bin/python -m benchmarks.throughput --engines sqlite,pg1,pg2 [--people 300]

instead compares the bot with itself on the two engines (issue 20): `sqlite` is one polling
process on a SQLite file, `pg1` one instance and `pg2` two instances by webhook on a
throwaway PostgreSQL (tests/postgres.py: fsync off, 127.0.0.1), the fake Bot API delivering
round robin to the instances. CPU per update counts the bot processes and, on PostgreSQL,
the server's backends too (the query work moves there). Ratios are to `sqlite`, per round.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks._load import JSON, Step, Traffic, Walk, calibrate, median, percentile, report
from benchmarks._load import walk as walk_one
from bot.config import load_settings
from domain import admin, mobile, onboarding, posts
from domain.access import actor
from domain.mobile.models import Direction
from domain.models import Category, PersonStatus, Role
from storage import people
from storage.db import Database
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.fakes.process import BotProcess
from tests.postgres import Server, binaries
from tests.world import outflow_details

TOKEN = "123456789:AAHbenchmarkToken_0123456789abcdefgh"
ALONE = 20  # people measured one at a time, before the load
HOOK = "https://bot.example.org/tg/hook"
ENGINES = {"sqlite": 0, "pg1": 1, "pg2": 2}  # engine: PostgreSQL instances (0: SQLite)
_TICKS = os.sysconf("SC_CLK_TCK")
COMMANDS = {
    "echo": ("-m", "benchmarks.echo_bot"),
    "echo_concurrent": ("-m", "benchmarks.echo_bot", "--concurrent"),
    "partybot": ("-m", "bot", "run"),
}


def joining(code: str, n: int) -> list[Step]:
    return [
        Step("text", f"/start {code}"),
        Step("text", "成员" + "".join("零一二三四五六七八九"[int(d)] for d in f"{n:05d}")),
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


def logging_hours(n: int) -> list[Step]:
    return [
        Step("text", "/hours"),
        Step("press", "➕ 登记时长"),
        Step("press", "党课"),
        Step("press", "今天"),
        Step("text", f"{1 + n % 4}"),
        Step("text", f"学习党章第{n % 11 + 1}章"),
        Step("press", "跳过"),  # no photo
        Step("press", "✅ 提交"),
        Step("text", "/hours"),
        Step("press", "📊 我的统计"),
    ]


def claiming_a_post(n: int) -> list[Step]:
    return [
        Step("text", "/posts"),
        Step("press", "🙋 认领岗位"),
        Step("press", n % POSTS),
        Step("press", "🙋 认领此岗"),
    ]


def reporting_status(n: int) -> list[Step]:
    return [
        Step("text", "/mobile"),
        Step("press", "📝 动态报告"),
        Step("text", f"在杭州，第{n}号工地"),
        Step("text", "学习了党章"),
        Step("text", "参加了流入地支部的主题党日"),
        Step("press", "✅ 提交报告"),
    ]


# Person n walks FLOWS[n % len(FLOWS)]; everyone but the joiners is seeded as a member.
FLOWS = ("joining", "member", "hours", "post", "mobile")
POSTS = 10  # the county's posts every branch starts with


def flows(code: str, n: int) -> list[Step]:
    """The mix: joining through an invitation, members at work, logging hours and reading
    the totals, claiming a post, a mobile member's status report; deterministic per person."""
    kind = FLOWS[n % len(FLOWS)]
    if kind == "joining":
        return joining(code, n)
    steps = {"member": member, "hours": logging_hours, "post": claiming_a_post}
    return steps.get(kind, reporting_status)(n)


def kind_of(n: int) -> str:
    return FLOWS[n % len(FLOWS)]


async def seed(target: Path | str, server: FakeBotAPI, users: Sequence[JSON]) -> str:
    """`target`: the data folder (SQLite) or a PostgreSQL URL."""
    today = datetime.now(ZoneInfo(load_settings().bot_timezone)).date()
    async with Database(target / "partybot.db" if isinstance(target, Path) else target) as db:
        branch = await admin.add_branch(db, "幸福社区党支部", "城关区")
        secretary = server.new_user("书记")["id"]
        await admin.add_secretary(db, branch.id, secretary)
        code = (await onboarding.create_invite(db, branch_id=branch.id, uses=len(users))).code
        async with db.transaction() as conn:
            for n, user in enumerate(users):
                if kind_of(n) != "joining":
                    person_id = await people.insert(
                        conn,
                        telegram_id=user["id"],
                        branch_id=branch.id,
                        name=f"党员{n:05d}",
                        phone=f"1380{n:07d}",
                        category=Category.MOBILE if kind_of(n) == "mobile" else Category.RESIDENT,
                        status=PersonStatus.ACTIVE,
                    )
                    await people.grant_role(conn, person_id, branch.id, Role.MEMBER)
        await seed_posts(db, branch.id, today, len(users))
        await seed_outflows(
            db, secretary, [u for n, u in enumerate(users) if kind_of(n) == "mobile"], today
        )
    return code


async def seed_posts(db: Database, branch_id: int, today: date, people_count: int) -> None:
    """Claims are open (stage 'apply') and no post fills up, so every claim is alike."""
    await posts.cycle_of(db, branch_id, today)
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE post_cycles SET stage = 'apply' WHERE branch_id = ?", (branch_id,)
        )
        await conn.execute(
            "UPDATE posts SET capacity = ? WHERE branch_id = ?", (people_count, branch_id)
        )


async def seed_outflows(
    db: Database, secretary: int, reporters: Sequence[JSON], today: date
) -> None:
    """An approved outflow for each reporter; the notices that caused are not sent."""
    details = outflow_details(today)
    approver = await actor(db, secretary)
    for user in reporters:
        submitted = await mobile.submit(
            db, await actor(db, user["id"]), Direction.OUTFLOW, details, today
        )
        await mobile.decide(db, approver, submitted.registration.id, approve=True, today=today)
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM outbox")


async def done(target: Path | str) -> JSON:
    """What the people's flows left in the database: proof that the mix did its work."""
    async with Database(target / "partybot.db" if isinstance(target, Path) else target) as db:
        return {
            "joined": await db.fetchval("SELECT COUNT(*) FROM join_requests"),
            "hours_logged": await db.fetchval("SELECT COUNT(*) FROM hour_records"),
            "posts_claimed": await db.fetchval("SELECT COUNT(*) FROM post_claims"),
            "status_reports": await db.fetchval(
                "SELECT COUNT(*) FROM mobile_versions WHERE report IS NOT NULL"
            ),
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_cpu_seconds(postgres: Server | None) -> float:
    """User plus system CPU of the PostgreSQL server's processes now alive (the postmaster
    and its backends, Linux /proc); 0 on SQLite."""
    if postgres is None:
        return 0.0
    master = int((postgres.folder / "data" / "postmaster.pid").read_text().split()[0])
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == master or int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


# The load asks for more sends a second than Telegram's 30, and this fake server does not
# hold the bot to them: told the real limit, partybot's replies would wait for places
# (bot.throttle.SharedBudget) and the figures would measure the limit, against echo bots
# that keep none. The fan-out benchmark measures the limit.
BOT_ENV = {"LOG_LEVEL": "WARNING", "OUTBOX_PER_SECOND": "1000"}


def processes(kind: str, server: FakeBotAPI, data: Path, url: str | None) -> list[BotProcess]:
    """The bot as processes: one polling one (the echo bots, partybot on SQLite), or
    `ENGINES[kind]` partybot instances by webhook on the PostgreSQL database `url`."""
    env = BOT_ENV
    if url is None:
        return [BotProcess(server, data, command=COMMANDS.get(kind, COMMANDS["partybot"]), env=env)]
    server.webhook_retry_seconds = 0.05
    bots = []
    for n in range(ENGINES[kind]):
        port = free_port()
        server.webhook_addresses.append(f"http://127.0.0.1:{port}")
        folder = data / f"instance{n}"
        folder.mkdir()
        command = ("-m", "bot", "run", "--webhook", "--listen", "127.0.0.1", "--port",
                   str(port), "--url", HOOK)  # fmt: skip
        bots.append(
            BotProcess(server, folder, command=command,
                       env=env | {"DATABASE_URL": url, "DATA_DIR": str(folder)})
        )  # fmt: skip
    return bots


async def ready(server: FakeBotAPI, webhook: bool) -> None:
    if not webhook:  # as long as the webhook's below: a loaded machine starts slowly
        await asyncio.wait_for(server.polling.wait(), 60)
        return
    for _ in range(600):
        if server._webhook_url:
            break
        await asyncio.sleep(0.1)
    else:
        raise TimeoutError("no instance set the webhook in 60 s")
    await asyncio.sleep(3)  # every instance has taken its partitions


async def one_round(kind: str, people_count: int, postgres: Server | None = None) -> JSON:
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    traffic = Traffic(server)
    url = None if postgres is None or not ENGINES.get(kind) else await postgres.new_database()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        # After the measured people: those who calibrate (one per flow), then those alone.
        kinds = len(FLOWS)
        users = [server.new_user(f"p{n}") for n in range(people_count + kinds + ALONE)]
        code = await seed(data if url is None else url, server, users)
        bots = processes(kind, server, data, url)
        for bot in bots:
            await bot.start()
        try:
            await ready(server, url is not None)
            expected = {
                n % kinds: await calibrate(traffic, users[n], flows(code, n), n)
                for n in range(people_count, people_count + kinds)
            }
            alone = Walk()
            for n in range(people_count + kinds, len(users)):
                await walk_one(traffic, users[n], flows(code, n), expected[n % kinds], n, alone)
            walks = [Walk() for _ in range(people_count)]
            db_server = postgres if url is not None else None
            cpu_before = sum(bot.cpu_seconds() for bot in bots)
            db_before = server_cpu_seconds(db_server)
            calls_before = len(server.calls)
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    walk_one(traffic, users[n], flows(code, n), expected[n % kinds], n, walks[n])
                    for n in range(people_count)
                )
            )
            elapsed = time.perf_counter() - started
            cpu = sum(bot.cpu_seconds() for bot in bots) - cpu_before
            db_cpu = server_cpu_seconds(db_server) - db_before
            calls = sum(1 for method, _ in server.calls[calls_before:] if method != "getUpdates")
            peak = max(bot.rss_mb("VmHWM") for bot in bots)
        finally:
            for bot in bots:
                await bot.stop()
            await server.stop()
        left = await done(data if url is None else url)
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
        # The PostgreSQL server's share (0 on SQLite), and bot plus server.
        "server_cpu_ms_per_update": db_cpu / updates * 1000,
        "total_cpu_ms_per_update": (cpu + db_cpu) / updates * 1000,
        # Bot API calls the bot made for the measured updates (polling not counted).
        "api_calls_per_update": calls / updates,
        "peak_rss_mb": peak,
        **left,
    }


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--engines",
        help="compare partybot on these instead of against the echo bots: sqlite,pg1,pg2",
    )
    args = parser.parse_args(argv)
    if args.engines:
        await engines(args.engines.split(","), args.people, args.rounds)
        return
    # Side by side in every round: the default echo bot (the headline), the concurrent one.
    rounds: dict[str, list[JSON]] = {kind: [] for kind in COMMANDS}
    for _ in range(args.rounds):
        for kind in rounds:
            rounds[kind].append(await one_round(kind, args.people))
    figures: JSON = {"people": args.people, "rounds": args.rounds}
    for kind, results in rounds.items():
        for key in results[0]:
            figures[f"{kind}_{key}"] = round(median([r[key] for r in results]), 3)
    for echo, name in (("echo", "ratio"), ("echo_concurrent", "ratio_concurrent")):
        ratios = [
            ours["updates_per_s"] / theirs["updates_per_s"]
            for ours, theirs in zip(rounds["partybot"], rounds[echo], strict=True)
        ]
        figures[name] = round(median(ratios), 3)
        cpu = [
            ours["cpu_ms_per_update"] / theirs["cpu_ms_per_update"]
            for ours, theirs in zip(rounds["partybot"], rounds[echo], strict=True)
        ]
        figures[f"cpu_{name}"] = round(median(cpu), 3)
    rows = [("people, rounds", f"{args.people}, {args.rounds}")]
    keys = ("updates_per_s", "p50_ms", "p95_ms", "p99_ms", "alone_p50_ms", "alone_p99_ms")
    for key in (*keys, "cpu_ms_per_update", "api_calls_per_update", "peak_rss_mb"):
        shown = " | ".join(f"{figures[f'{kind}_{key}']:,.2f}" for kind in COMMANDS)
        rows.append((f"{key} ({' | '.join(COMMANDS)})", shown))
    rows.append(("ratio partybot / default echo (median of rounds)", figures["ratio"]))
    rows.append(("ratio partybot / concurrent echo", figures["ratio_concurrent"]))
    rows.append(("CPU per update partybot / default echo", figures["cpu_ratio"]))
    rows.append(("targets", "ratio ≥ 0.8; CPU ≤ 2× default echo; p99 alone < 10 ms"))
    report("throughput", figures, rows)


async def engines(kinds: Sequence[str], people_count: int, rounds_count: int) -> None:
    unknown = set(kinds) - set(ENGINES)
    if unknown or "sqlite" not in kinds:
        raise SystemExit(f"--engines: sqlite and any of {', '.join(ENGINES)} ({unknown or ''})")
    postgres = None
    if any(ENGINES[kind] for kind in kinds):
        bin_dir = binaries()
        if bin_dir is None:
            raise SystemExit("PostgreSQL is not installed (Debian: apt-get install postgresql)")
        postgres = Server(bin_dir)
        postgres.start()
    rounds: dict[str, list[JSON]] = {kind: [] for kind in kinds}
    try:
        for _ in range(rounds_count):
            for kind in kinds:
                rounds[kind].append(await one_round(kind, people_count, postgres))
    finally:
        if postgres is not None:
            postgres.stop()
    figures: JSON = {"people": people_count, "rounds": rounds_count, "engines": list(kinds)}
    for kind, results in rounds.items():
        for key in results[0]:
            figures[f"{kind}_{key}"] = round(median([r[key] for r in results]), 3)
    for kind in kinds:
        for key in ("updates_per_s", "cpu_ms_per_update", "total_cpu_ms_per_update"):
            ratios = [
                theirs[key] / ours[key]
                for theirs, ours in zip(rounds[kind], rounds["sqlite"], strict=True)
            ]
            figures[f"{kind}_{key}_ratio"] = round(median(ratios), 3)
    rows = [("people, rounds", f"{people_count}, {rounds_count}")]
    keys = ("updates_per_s", "p50_ms", "p99_ms", "alone_p50_ms", "alone_p99_ms")
    cpu = ("cpu_ms_per_update", "server_cpu_ms_per_update", "total_cpu_ms_per_update")
    for key in (*keys, *cpu, "peak_rss_mb"):
        shown = " | ".join(f"{figures[f'{kind}_{key}']:,.2f}" for kind in kinds)
        rows.append((f"{key} ({' | '.join(kinds)})", shown))
    for key in ("updates_per_s", "cpu_ms_per_update", "total_cpu_ms_per_update"):
        shown = " | ".join(f"{figures[f'{kind}_{key}_ratio']:.2f}" for kind in kinds)
        rows.append((f"{key} / sqlite, median of rounds", shown))
    report("throughput-engines", figures, rows)


if __name__ == "__main__":
    asyncio.run(main())
