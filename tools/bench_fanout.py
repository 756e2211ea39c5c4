"""Fan-out benchmark: a broadcast through the outbox while a member keeps asking the bot.

python tools/bench_fanout.py [--recipients 5000] [--per-second 25] [--enforce]

Runs the real Application against the fake Bot API (with Telegram's limits when
--enforce) and prints the broadcast's rate, the 429s it provoked and how long the member
waited for each answer: replies must stay fast whatever the outbox is doing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.testing.fake_bot_api import FakeBotAPI
from bot.testing.harness import BotHarness
from domain import outbox

TOKEN = "123456789:AAHfakeTokenForBenchmarks_0123456789ab"


async def bench(recipients: int, per_second: float, enforce: bool) -> None:
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    if enforce:
        server.enforce_limits()
    with tempfile.TemporaryDirectory() as data:
        async with BotHarness(
            server, Path(data), outbox_per_second=per_second, outbox_per_chat_seconds=1.0
        ) as bot:
            bot.auto_drain = False
            member = bot.person("成员")
            crowd = [server.new_user(f"u{i}")["id"] for i in range(recipients)]
            async with bot.db.transaction() as conn:
                for chat_id in crowd:
                    await outbox.enqueue(
                        conn,
                        key=f"bench:{chat_id}",
                        chat_id=chat_id,
                        text="Thank you.",
                        kind=outbox.Kind.URGENT,
                    )
            started = time.monotonic()
            bot.sender.wake()
            waits = []
            while sum(1 for c in crowd if server.chat_messages(c)) < recipients:
                before = time.monotonic()
                await member.send("/help")
                waits.append(time.monotonic() - before)
                await asyncio.sleep(1.1)  # Telegram allows one message a second per chat
            elapsed = time.monotonic() - started
    await server.stop()
    waits.sort()
    print(f"broadcast: {recipients} messages in {elapsed:.1f} s = {recipients / elapsed:.1f}/s")
    print(f"429 answers provoked: {server.rate_limited}")
    median, p99 = statistics.median(waits), waits[int(len(waits) * 0.99)]
    print(f"member's /help while it ran: {len(waits)} answers", end=", ")
    print(f"median {median:.3f} s, p99 {p99:.3f} s, max {waits[-1]:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--per-second", type=float, default=25)
    parser.add_argument("--enforce", action="store_true", help="apply Telegram's limits")
    args = parser.parse_args()
    asyncio.run(bench(args.recipients, args.per_second, args.enforce))


if __name__ == "__main__":
    main()
