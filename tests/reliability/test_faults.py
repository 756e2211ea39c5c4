"""Telegram misbehaving at 10–30 % rates while members use the bot and a broadcast drains:
429 with retry_after, 500 and 502, slow answers and timeouts (the request arrives, the
answer comes too late). Nothing is lost and nothing is dead-lettered: every broadcast
message arrives, a second copy only where an attempt timed out (docs/reliability.md,
"The guarantee"); members get answers again as soon as Telegram does.

Quick by default; `RELIABILITY_LONG=1` broadcasts ten times as many messages.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter

from telegram.error import TelegramError

from domain import admin, outbox
from storage.db import Database
from tests.fakes.harness import BotHarness

LONG = os.environ.get("RELIABILITY_LONG") == "1"
MESSAGES = 3000 if LONG else 300
MEMBERS = 3
SEND_TIMEOUT = 0.5


def misbehave(server) -> None:
    """The rules apply in this order, each to the calls the ones before let through."""
    faults = [
        dict(status=429, retry_after=1, probability=0.1, times=4),  # each pauses the sender 1 s
        dict(status=500, probability=0.2),
        dict(status=502, probability=0.1),
        dict(status=200, delay=SEND_TIMEOUT + 0.3, probability=0.1),  # sent, answer too late
        dict(status=200, delay=0.1, probability=0.3),  # slow, in time
    ]
    for seed, fault in enumerate(faults):
        server.inject("sendMessage", seed=seed, **{"times": None} | fault)


async def test_a_broadcast_and_members_survive_a_misbehaving_telegram(server, tmp_path):
    arrived: Counter[str] = Counter()

    def observe(method, params, result):
        if method == "sendMessage" and str(params.get("text", "")).startswith("broadcast "):
            arrived[params["text"]] += 1

    server.observers.append(observe)
    async with BotHarness(
        server,
        tmp_path,
        outbox_per_second=1000,
        outbox_backoff_seconds=0.02,
        outbox_send_timeout=SEND_TIMEOUT,
        outbox_max_attempts=30,
        outbox_poll_seconds=0.2,
    ) as bot:
        bot.auto_drain = False
        members = [bot.person(f"成员{i}") for i in range(MEMBERS)]
        crowd = [server.new_user(f"u{i}")["id"] for i in range(MESSAGES)]
        async with bot.db.transaction() as conn:
            for n, chat_id in enumerate(crowd):
                await outbox.enqueue(
                    conn,
                    key=f"faults:{n}",
                    chat_id=chat_id,
                    text="broadcast {n}",
                    params={"n": n},
                    kind=outbox.Kind.URGENT,
                )
        misbehave(server)
        bot.sender.wake()

        async def use_the_bot(person) -> None:
            for command in ("/help", "/hours", "/posts", "/help") * (10 if LONG else 2):
                await person.send(command)
                await asyncio.sleep(0.05)

        await asyncio.gather(*(use_the_bot(m) for m in members))
        await bot.drain_outbox(timeout=300 if LONG else 120)
        retries = await bot.db.fetchval("SELECT SUM(attempts) - COUNT(*) FROM outbox")
        statuses = dict(await bot.db.fetchall("SELECT status, COUNT(*) FROM outbox GROUP BY 1"))

        # Replies failed only as Telegram failed them; once it behaves, everyone is answered.
        assert all(isinstance(e, TelegramError) for e in bot.errors), bot.errors
        server.clear_faults()
        bot.errors.clear()
        for member in members:
            assert await member.send("/help"), "no answer after the faults cleared"
        assert bot.errors == []

    assert statuses == {"sent": MESSAGES}, statuses
    assert len(arrived) == MESSAGES, "lost messages"
    duplicates = sum(count - 1 for count in arrived.values())
    # A second copy only where an attempt's answer came too late and it was tried again.
    assert retries > 0 and duplicates <= retries, (duplicates, retries)


async def test_a_secretary_telegram_does_not_know_does_not_stop_the_start(server, tmp_path):
    known = [server.new_user(f"书记{n}")["id"] for n in range(3)]
    async with Database(tmp_path / "partybot.db") as db:
        branch = await admin.add_branch(db, "幸福社区党支部")
        await admin.add_secretary(db, branch.id, 987_654_321)  # no such chat at the server
        for telegram_id in known:
            await admin.add_secretary(db, branch.id, telegram_id)
    async with asyncio.timeout(60), BotHarness(server, tmp_path) as bot:
        assert await bot.person("成员").send("/help")
        # The menus go out in the background; the unknown chat does not stop the others.
        await bot.app.bot_data["menus"]
    assert secretary_menus(server) == {str(telegram_id) for telegram_id in known}


def secretary_menus(server) -> set[str]:
    """The chats with a menu of their own that has the secretaries' /pending."""
    return {
        str(json.loads(scope)["chat_id"])
        for (scope, _), commands in server.commands.items()
        if scope != "default" and any(c["command"] == "pending" for c in commands)
    }
