"""Fan-out: the outbox delivering a broadcast against a fake Bot API that enforces Telegram's
limits, while a member keeps asking the bot something.

    .venv/bin/python -m benchmarks.fanout [--messages 20000] [--limit 300]
                                          [--real-messages 1000] [--inject-429 0.0]
                                          [--share 0.8333]

Two runs of the bot as a process (`python -m bot run`): `--messages` at a scaled-up limit
of `--limit` messages/s (so that 20,000 take a minute, not ten), then `--real-messages` at
Telegram's real ~30/s. The server answers 429 with retry_after whenever a send would exceed
the overall limit, one message a second per chat or 20 a minute per group; the sender's own
budget is its default share of the limit (`OUTBOX_PER_SECOND` 25 of 30), the rest being
left for replies. A few recipients get two messages and a few groups ten, so the per-chat
and per-group limits are exercised too.

Figures per run: achieved rate / the server's limit and / the sender's budget, 429 answers,
duplicates and lost messages (counted at the server, and the outbox rows not `sent`), and
the bot-side latency of the member's `/help` (one every 1.1 s) while the broadcast drains.
`--inject-429 P` makes the server answer 429 to a fraction P of sends on top of the limits.
`--share S` gives the sender S of the limit as its budget instead (1.0: all of it, to see
whether the sender itself could reach the limit); `--messages 0` skips the scaled run.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmarks._load import JSON, Step, Traffic, Walk, calibrate, percentile, report
from benchmarks._load import walk as walk_one
from domain import outbox
from storage.db import Database
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.fakes.process import BotProcess

TOKEN = "123456789:AAHbenchmarkToken_0123456789abcdefgh"
TELEGRAM_LIMIT = 30
BUDGET_SHARE = 25 / 30  # the sender's default OUTBOX_PER_SECOND of Telegram's limit
TEXT = "broadcast {n}"  # not a msgid: passes through gettext as it is
HELP = [Step("text", "/help")]


def recipients(server: FakeBotAPI, messages: int) -> list[int]:
    """Chat per message: mostly one each, every 50th person twice, and 1 % in groups of 10."""
    in_groups = (messages // 100) // 10 * 10
    chats: list[int] = []
    for g in range(in_groups // 10):
        chats += [server.new_group(f"g{g}")["id"]] * 10
    while len(chats) < messages:
        chat = server.new_user(f"u{len(chats)}")["id"]
        chats += [chat] * (2 if len(chats) % 50 == 0 and len(chats) + 1 < messages else 1)
    return chats


async def enqueue(data: Path, chats: Sequence[int]) -> None:
    async with Database(data / "partybot.db") as db, db.transaction() as conn:
        for n, chat in enumerate(chats):
            await outbox.enqueue(
                conn,
                key=f"bench:{n}",
                chat_id=chat,
                text=TEXT,
                params={"n": n},
                kind=outbox.Kind.URGENT,
            )


class Deliveries:
    """Every broadcast message the server accepted, with when."""

    def __init__(self, server: FakeBotAPI) -> None:
        self.texts: Counter[str] = Counter()
        self.stamps: list[float] = []
        server.observers.append(self._observe)

    def _observe(self, method: str, params: JSON, result: object) -> None:
        text = str(params.get("text", ""))
        if method == "sendMessage" and text.startswith("broadcast "):
            self.texts[text] += 1
            self.stamps.append(time.perf_counter())


async def one_run(messages: int, limit: float, inject: float, share: float) -> JSON:
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    server.enforce_limits(global_per_second=limit)
    if inject:
        server.inject("sendMessage", status=429, retry_after=1, times=None, probability=inject)
    traffic = Traffic(server)
    deliveries = Deliveries(server)
    budget = limit * share
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        async with Database(data / "partybot.db"):
            pass  # migrated before the bot starts, so both may write at once
        member = server.new_user("成员")
        chats = recipients(server, messages)
        env = {
            "LOG_LEVEL": "WARNING",
            "OUTBOX_PER_SECOND": str(budget),
            "OUTBOX_POLL_SECONDS": "0.2",
        }
        process = BotProcess(server, data, env=env)
        await process.start()
        try:
            await asyncio.wait_for(server.polling.wait(), 30)
            expected = await calibrate(traffic, member, HELP, 0)
            await enqueue(data, chats)
            asked = Walk()
            unanswered = 0
            deadline = time.perf_counter() + messages / budget * 3 + 60
            while len(deliveries.texts) < messages and time.perf_counter() < deadline:
                await asyncio.sleep(1.1)  # one message a second per chat, the member's too
                try:
                    await asyncio.wait_for(walk_one(traffic, member, HELP, expected, 0, asked), 5)
                except TimeoutError:  # a reply Telegram refused with 429: lost to the member
                    unanswered += 1
            await asyncio.sleep(2)  # a late duplicate would arrive now
        finally:
            await process.stop()
            await server.stop()
        async with Database(data / "partybot.db") as db:
            rows = await db.fetchall("SELECT status, COUNT(*) FROM outbox GROUP BY status")
    statuses = {status: count for status, count in rows}
    stamps = deliveries.stamps
    seconds = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    rate = (len(stamps) - 1) / seconds if len(stamps) > 1 else 0.0
    return {
        "messages": messages,
        "limit_per_s": limit,
        "budget_per_s": round(budget, 2),
        "seconds": round(seconds, 2),
        "rate_per_s": round(rate, 2),
        "rate_of_limit": round(rate / limit, 3),
        "rate_of_budget": round(rate / budget, 3),
        "http_429": server.rate_limited,
        "duplicates": sum(count - 1 for count in deliveries.texts.values()),
        "lost": messages - len(deliveries.texts),
        "outbox_not_sent": messages - statuses.get("sent", 0),
        "member_answers": len(asked.latencies),
        "member_unanswered": unanswered,
        "member_p50_ms": round(percentile(asked.latencies, 50) * 1000, 2),
        "member_max_ms": round(max(asked.latencies, default=float("nan")) * 1000, 2),
    }


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--limit", type=float, default=300, help="scaled limit, messages/s")
    parser.add_argument("--real-messages", type=int, default=1000)
    parser.add_argument("--inject-429", type=float, default=0.0, help="extra 429 rate, 0..1")
    parser.add_argument(
        "--share", type=float, default=BUDGET_SHARE, help="the sender's share of the limit"
    )
    args = parser.parse_args(argv)
    runs: dict[str, JSON] = {}
    if args.messages:
        runs["scaled"] = await one_run(args.messages, args.limit, args.inject_429, args.share)
    runs["real"] = await one_run(args.real_messages, TELEGRAM_LIMIT, args.inject_429, args.share)
    figures: JSON = {"inject_429": args.inject_429, "share": round(args.share, 4)}
    for name, run in runs.items():
        figures |= {f"{name}_{key}": value for key, value in run.items()}
    rows: list[tuple[str, object]] = []
    for name, run in runs.items():
        rows += [
            (
                f"{name}: messages at limit/s (budget)",
                f"{run['messages']:,} at {run['limit_per_s']:g} ({run['budget_per_s']:g})",
            ),
            (
                f"{name}: achieved/s, of limit, of budget",
                f"{run['rate_per_s']:.1f}, {run['rate_of_limit']:.3f}, {run['rate_of_budget']:.3f}",
            ),
            (
                f"{name}: 429s, duplicates, lost, not sent",
                f"{run['http_429']}, {run['duplicates']}, {run['lost']}, {run['outbox_not_sent']}",
            ),
            (
                f"{name}: member /help p50 | max ms ({run['member_answers']} answered,"
                f" {run['member_unanswered']} not)",
                f"{run['member_p50_ms']:.1f} | {run['member_max_ms']:.1f}",
            ),
        ]
    rows.append(("targets", "≥ 0.95 of the budget, 0 duplicates, 0 lost, 429s only when injected"))
    report("fanout", figures, rows)


if __name__ == "__main__":
    asyncio.run(main())
