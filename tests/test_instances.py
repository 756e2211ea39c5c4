"""Several instances on one PostgreSQL database (bot/instances.py, bot/partitions.py).

Polling stays one instance: a second poller is refused with a clear line. By webhook, any
number of instances sit behind one URL (the fake Bot API plays the load balancer, round
robin): each update is handled once, one person's in order, and a conversation goes on
wherever the next update lands.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import pytest

from domain import admin, onboarding
from storage.db import Database
from tests.conftest import TOKEN
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.fakes.process import BotProcess
from tests.reliability.test_crash import join_requests, walk_through_onboarding

pytestmark = pytest.mark.postgres_phase

HOOK = "https://bot.example.org/tg/hook"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def instance(server: FakeBotAPI, folder: Path, url: str, port: int | None = None) -> BotProcess:
    """`partybot run` on the shared database, by webhook on `port` (None: polling)."""
    folder.mkdir(parents=True, exist_ok=True)
    command = ["-m", "bot", "run"]
    if port is not None:
        command += ["--webhook", "--listen", "127.0.0.1", "--port", str(port), "--url", HOOK]
        server.webhook_addresses.append(f"http://127.0.0.1:{port}")
    env = {"DATABASE_URL": url, "DATA_DIR": str(folder), "OUTBOX_PER_CHAT_SECONDS": "0.05"}
    return BotProcess(server, folder, command=command, env=env)


async def test_a_second_poller_is_refused_and_a_killed_one_frees_the_place(tmp_path, postgres_url):
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    first = instance(server, tmp_path / "a", postgres_url)
    try:
        await first.start()
        await asyncio.wait_for(server.polling.wait(), 60)
        second = await asyncio.create_subprocess_exec(
            sys.executable,
            *first.command,
            cwd=tmp_path / "a",
            env=first.env | {"DATA_DIR": str(tmp_path / "b")},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode != 0
        line = err.decode().strip().splitlines()[-1]
        assert line.startswith("partybot: another instance is polling Telegram"), line
        assert "--webhook" in line and "Traceback" not in err.decode()
        assert "@" not in line  # the database is named without its password

        await first.kill()
        third = instance(server, tmp_path / "c", postgres_url)
        await third.start()
        try:
            user = server.new_user("Ann", language_code="en")
            server.push_text(user, "/start")
            assert await server.wait_for_messages(user["id"], 1, timeout=60)
        finally:
            await third.stop()
        assert third.process.returncode == 0
    finally:
        await first.stop()
        await server.stop()


async def a_branch(url: str, server: FakeBotAPI, uses: int) -> tuple[dict, str]:
    async with Database(url) as db:
        branch = await admin.add_branch(db, "幸福社区党支部")
        secretary = server.new_user("书记")
        await admin.add_secretary(db, branch.id, secretary["id"])
        code = (await onboarding.create_invite(db, branch_id=branch.id, uses=uses)).code
    return secretary, code


async def test_two_instances_behind_one_webhook_handle_each_update_once_in_order(
    tmp_path, postgres_url
):
    people = 8
    server = FakeBotAPI(token=TOKEN)
    server.webhook_retry_seconds = 0.05
    await server.start()
    secretary, code = await a_branch(postgres_url, server, people)
    bots = [instance(server, tmp_path / n, postgres_url, free_port()) for n in ("a", "b")]
    for bot in bots:
        await bot.start()
    users = [server.new_user(f"u{n}") for n in range(people)]
    try:
        await asyncio.wait_for(
            asyncio.gather(
                *(walk_through_onboarding(server, u, code, n) for n, u in enumerate(users))
            ),
            180,
        )
        for _ in range(300):
            if len(join_requests(server, secretary["id"])) >= people:
                break
            await asyncio.sleep(0.1)
    finally:
        for bot in bots:
            await bot.stop()
        await server.stop()
    for bot in bots:
        assert bot.process.returncode == 0, (bot.data / "bot.log").read_text()[-3000:]

    # Both instances received updates of the same people: the conversations went on
    # across them.
    by = server.webhook_answered_by
    assert len(set(by.values())) == 2
    async with Database(postgres_url) as db:
        assert await db.fetchval("SELECT COUNT(*) FROM ptb_inbox WHERE handled_at IS NULL") == 0
        assert await db.fetchval("SELECT COUNT(*) FROM ptb_inbox") == len(by)
        rows = await db.fetchall(
            "SELECT p.telegram_id, COUNT(j.id) AS n FROM people p"
            " JOIN join_requests j ON j.person_id = p.id GROUP BY p.id"
        )
    assert sorted(r["telegram_id"] for r in rows) == sorted(u["id"] for u in users)
    assert all(r["n"] == 1 for r in rows)
    # Each update answered once: no question asked twice (a second handling would).
    for user in users:
        texts = [m.get("text", "") for m in server.chat_messages(user["id"])]
        questions = [t for t in texts if "请问您的姓名" in t]
        assert len(questions) == 1, texts
    assert len({m["text"] for m in join_requests(server, secretary["id"])}) == people
