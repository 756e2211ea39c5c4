"""Several instances of the bot on one PostgreSQL database (docs/scaling.md): one sender and
one scheduler at a time, the lease holder's; a standby starts them when it takes over, every
message is sent once (counted at the fake Bot API), and a job's slot runs once.

Two instances are two Applications in this process, each with its own `Database` handle on
the same PostgreSQL database (the throwaway one of tests/postgres.py), neither polling: what
they share is the database, which is what matters here.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import asyncpg
from telegram import Bot
from telegram.ext import Application

from bot import jobs
from bot.app import build_application
from bot.config import load_settings
from bot.leader import Leader
from bot.sender import Sender
from domain import outbox
from storage import outbox as stored
from storage.db import Database, utcnow
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.test_leases import _until


class Instance:
    named: ClassVar[dict[int, str]] = {}  # id of an instance's Database → its name (what jobs get)

    def __init__(self, name: str, server: FakeBotAPI, url: str, data_dir: Path) -> None:
        self.name = name
        data_dir.mkdir(parents=True, exist_ok=True)
        self.settings = load_settings(
            telegram_bot_token=server.token,
            telegram_base_url=server.base_url,
            telegram_base_file_url=server.base_file_url,
            database_url=url,
            data_dir=str(data_dir),
            bot_timezone="Asia/Shanghai",
            bot_default_locale="zh_Hans",
            outbox_per_chat_seconds=0.01,
            outbox_poll_seconds=0.2,
            bot_quiet_hours="",
        )
        self.app: Application | None = None

    async def start(self) -> Instance:
        app = self.app = build_application(self.settings)
        Instance.named[id(app.bot_data["db"])] = self.name
        await app.initialize()
        await app.post_init(app)
        await app.start()
        return self

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        await app.stop()
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)

    @property
    def db(self) -> Database:
        return self.app.bot_data["db"]

    @property
    def leader(self) -> Leader:
        return self.app.bot_data["leader"]

    @property
    def sends(self) -> bool:
        return self.app.bot_data.get("sender") is not None

    @property
    def schedules(self) -> bool:
        return bool(self.app.job_queue.get_jobs_by_name(jobs.SCHEDULER))


async def _queue(db: Database, prefix: str, chats: list[int]) -> None:
    async with db.transaction() as conn:
        for n, chat in enumerate(chats):
            await outbox.enqueue(
                conn, key=f"{prefix}:{n}", chat_id=chat, text="Thank you.", kind=outbox.Kind.URGENT
            )


def _delivered(server: FakeBotAPI, chats: list[int]) -> int:
    return sum(len(server.chat_messages(chat)) for chat in chats)


async def test_one_sender_and_one_scheduler_and_a_standby_takes_over(
    server, postgres_url, tmp_path, monkeypatch
):
    ran: list[tuple[str, object]] = []  # (which instance, slot) of every run of the job

    async def counted(db: Database, branch_id, now, tz) -> int:
        ran.append((Instance.named[id(db)], now))
        return 0

    # Only this job: one for the whole bot, every minute, so the first tick of each leader
    # has a slot to run (or to find already run).
    monkeypatch.setattr(
        jobs, "JOBS", {"count": jobs.Job("count", counted, {"minute": "*"}, jobs.WHOLE_BOT)}
    )
    first = await Instance("first", server, postgres_url, tmp_path / "a").start()
    second = await Instance("second", server, postgres_url, tmp_path / "b").start()
    try:
        assert (first.leader.leading, second.leader.leading) == (True, False)
        assert (first.sends, first.schedules) == (True, True)
        assert (second.sends, second.schedules) == (False, False)

        chats = [server.new_user(f"成员{n}")["id"] for n in range(30)]
        await _queue(second.db, "before", chats)  # queued by the standby (a webhook's update)
        await _until(lambda: _delivered(server, chats) == 30, 30)
        await _until(lambda: len(ran) == 1, 10)

        # The leader's lease connection ends (its host's connection cut, an operator).
        conn = await asyncpg.connect(postgres_url)
        try:
            pid = await first.app.bot_data["leases"].backend_pid()
            await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await conn.close()
        await _until(lambda: not first.sends and not first.schedules, 10)
        took_over = await _until(lambda: second.sends and second.schedules, 30)
        assert not first.leader.leading and second.leader.leading
        assert took_over < 30

        await _queue(first.db, "after", chats)  # now the standby is the first one
        await _until(lambda: _delivered(server, chats) == 60, 30)
        await asyncio.sleep(2)  # the new leader's first tick ran, or found the slot done
        assert _delivered(server, chats) == 60, "each message sent once"
        assert all(len(server.chat_messages(chat)) == 2 for chat in chats)
        slots = [slot for _, slot in ran]
        assert len(slots) == len(set(slots)), f"a slot ran twice: {ran}"
        assert ran[0][0] == "first" and all(who == "second" for who, _ in ran[1:])
        assert len(ran) == 1 or ran[1][1] - ran[0][1] == timedelta(minutes=1)
        statuses = await first.db.fetchall("SELECT status, COUNT(*) n FROM outbox GROUP BY 1")
        assert {r["status"]: r["n"] for r in statuses} == {"sent": 60}
    finally:
        await first.stop()
        await second.stop()


async def _sender(server: FakeBotAPI, db: Database, settings) -> Sender:
    bot = Bot(server.token, base_url=f"{server.base_url}")
    await bot.initialize()
    return Sender(bot, db, settings)


async def test_two_senders_on_one_database_send_each_message_once(server, postgres_url, tmp_path):
    """Without the leader lease (two senders at once, as a holder that lost the lease
    finishes its sends while the new one starts): rows are claimed with SKIP LOCKED, and
    what one claimed the other never sends."""
    settings = Instance("settings", server, postgres_url, tmp_path).settings
    chats = [server.new_user(f"成员{n}")["id"] for n in range(40)]
    async with Database(postgres_url) as one, Database(postgres_url) as two:
        for n in range(5):
            await _queue(one, f"round{n}", chats)
        senders = [await _sender(server, one, settings), await _sender(server, two, settings)]
        for s in senders:
            await s.start()
        try:
            await _until(lambda: _delivered(server, chats) >= 200, 60)
            await asyncio.sleep(1)
            assert all(len(server.chat_messages(chat)) == 5 for chat in chats)
            rows = await one.fetchall("SELECT claimed_by, COUNT(*) n FROM outbox GROUP BY 1")
            assert {r["claimed_by"] for r in rows} == {s.name for s in senders}, "both sent"
            assert sum(r["n"] for r in rows) == 200
            assert await one.fetchval("SELECT COUNT(*) FROM outbox WHERE status <> 'sent'") == 0
        finally:
            for s in senders:
                await s.stop()
                await s.bot.shutdown()


async def test_a_starting_sender_takes_back_only_what_no_live_sender_holds(
    server, postgres_url, tmp_path
):
    settings = Instance("settings", server, postgres_url, tmp_path).settings
    held, dropped = server.new_user("在途")["id"], server.new_user("掉线")["id"]
    async with Database(postgres_url) as one, Database(postgres_url) as two:
        await _queue(one, "held", [held])
        await _queue(one, "dropped", [dropped])
        ids = {r["chat_id"]: r["id"] for r in await one.fetchall("SELECT id, chat_id FROM outbox")}
        now = utcnow()
        # Another instance is sending one (its lease runs), and died sending the other.
        await stored.claim(
            one, [ids[held]], now, by="other", lease_until=now + timedelta(minutes=1)
        )
        await stored.claim(
            one, [ids[dropped]], now, by="gone", lease_until=now - timedelta(seconds=1)
        )
        sender = await _sender(server, two, settings)
        await sender.start()
        try:
            await _until(lambda: len(server.chat_messages(dropped)) == 1, 10)
            await asyncio.sleep(1)
            assert server.chat_messages(held) == [], "another instance is sending it"
            status = await two.fetchval("SELECT status FROM outbox WHERE id = ?", (ids[held],))
            assert status == "sending"
        finally:
            await sender.stop()
            await sender.bot.shutdown()
