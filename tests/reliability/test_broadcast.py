"""A broadcast drains while people are still answered at once: replies come first."""

from __future__ import annotations

import asyncio
import time

from tests.fakes.harness import BotHarness
from tests.world import thank_each

RECIPIENTS = 5000
# Telegram allows ~30/s; scaled up here so the test takes seconds, not minutes. What is
# shown holds at any budget: the sender's pace leaves the bot free to answer.
PER_SECOND = 500


async def test_a_member_is_answered_within_a_second_during_a_5000_message_broadcast(
    server, tmp_path
):
    async with BotHarness(server, tmp_path, outbox_per_second=PER_SECOND) as bot:
        bot.auto_drain = False
        member = bot.person("成员")
        crowd = [server.new_user(f"u{i}")["id"] for i in range(RECIPIENTS)]
        async with bot.db.transaction() as conn:
            await thank_each(conn, crowd, "broadcast:1:")
        started = time.monotonic()
        bot.sender.wake()
        latencies = []
        while await bot.db.fetchval("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") < 4000:
            before = time.monotonic()
            replies = await member.send("/help")
            latencies.append(time.monotonic() - before)
            assert replies, "no answer"
            await asyncio.sleep(0.2)
            assert time.monotonic() - started < 120, "the broadcast is too slow"
        await bot.drain_outbox(timeout=120)
        assert bot.errors == []
    assert len(latencies) >= 5
    assert max(latencies) < 1.0, latencies
    delivered = [len(server.chat_messages(chat_id)) for chat_id in crowd]
    assert delivered == [1] * RECIPIENTS
