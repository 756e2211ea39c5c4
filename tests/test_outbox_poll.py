"""The sender sleeps while what is due waits for its chat's spacing (issue 21's per update)."""

from __future__ import annotations

import time

from domain import outbox
from tests.fakes.harness import BotHarness

THANKS = "Thank you."


async def test_a_chat_waiting_for_its_spacing_does_not_keep_the_sender_busy(
    server, tmp_path, monkeypatch
):
    """Three notices to one chat, a second apart: the sender passes a few times per send,
    not in a loop of queries while the second and third wait (it used to, every update's
    CPU shared with it)."""
    async with BotHarness(server, tmp_path, outbox_per_chat_seconds=1.0) as bot:
        bot.auto_drain = False
        passes = []
        real_pass = bot.sender._pass

        async def counted() -> float:
            passes.append(time.monotonic())
            return await real_pass()

        monkeypatch.setattr(bot.sender, "_pass", counted)
        secretary = bot.person("书记")
        async with bot.db.transaction() as conn:
            for n in range(3):
                await outbox.enqueue(
                    conn, key=f"notice:{n}", chat_id=secretary.id, text=f"#{n}",
                    kind=outbox.Kind.URGENT,
                )  # fmt: skip
        started = time.monotonic()
        bot.sender.wake()
        await server.wait_for_messages(secretary.id, 3, timeout=6)
        took = time.monotonic() - started
        assert secretary.texts == ["#0", "#1", "#2"]
        assert 1.9 < took < 4.5  # one a second, each as soon as its chat's second is over
        assert len(passes) <= 12, f"{len(passes)} passes for three messages in {took:.1f} s"
