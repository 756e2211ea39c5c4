"""The bot as it runs for real: by webhook, without a network, with a token Telegram rejects."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import signal
import socket
import sqlite3
import time
from datetime import timedelta

import pytest
from telegram import Update

from bot import backups, health, jobs
from bot.config import load_settings
from bot.context import BotContext
from bot.logging import setup_logging
from domain import admin
from storage import inbox, migrations
from storage.db import Database, utcnow
from tests import test_cli
from tests.conftest import TOKEN
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.fakes.harness import BotHarness, until
from tests.test_cli import in_background, partybot, talking_to
from tests.world import database_at

SECRET = "s3cret-token_for-the-webhook"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    return stderr.decode()


async def test_webhook_mode_answers_a_member_and_refuses_a_wrong_secret(server, tmp_path):
    port = free_port()
    server.webhook_address = f"http://127.0.0.1:{port}"  # the reverse proxy's hop
    env = talking_to(tmp_path, server)
    process = await in_background(
        tmp_path,
        env,
        *("run", "--webhook", "--listen", "127.0.0.1", "--port", str(port)),
        *("--url", "https://bot.example.org/tg/hook", "--secret-token", SECRET),
    )
    try:
        user = server.new_user("Ann", language_code="en")
        server.push_text(user, "/start")
        first = await server.wait_for_messages(user["id"], 1, timeout=30)
        assert "To join your branch" in first[0]["text"]
        assert server.calls and any(m == "setWebhook" for m, _ in server.calls)
        assert not any(m == "getUpdates" for m, _ in server.calls)
        beat = tmp_path / "db" / "heartbeat"
        for _ in range(100):
            if "getWebhookInfo" in [m for m, _ in server.calls]:
                break
            await asyncio.sleep(0.05)
        health = await in_background(tmp_path, env, "health")
        assert await health.wait() == 0
        assert json.loads(beat.read_text())["webhook"] is True

        forged = {
            "update_id": 900_001,
            "message": {
                "message_id": 77,
                "date": 1_800_000_000,
                "chat": {"id": user["id"], "type": "private", "first_name": "Ann"},
                "from": user,
                "text": "/help",
            },
        }
        assert await server.post_to_webhook(forged, "not-the-secret") == 403
        assert await server.post_to_webhook(forged, None) == 403
        # Answered in order per person: had a forged update got in, its reply would
        # come before this one's.
        server.push_text(user, "/help")
        replies = await server.wait_for_messages(user["id"], 2, timeout=30)
        await asyncio.sleep(0.3)
        assert len(server.chat_messages(user["id"])) == len(replies) == 2
        async with Database(tmp_path / "db" / "partybot.db") as db:
            ids = [r[0] for r in await db.fetchall("SELECT update_id FROM ptb_inbox")]
        assert 900_001 not in ids and len(ids) == 2
    finally:
        log = await stop(process)
    assert process.returncode == 0, log
    assert "Traceback" not in log and SECRET not in log


async def test_telegram_unreachable_at_start_is_one_line_per_attempt_then_it_serves(tmp_path):
    server = FakeBotAPI(token=TOKEN)
    port = free_port()
    env = test_cli.environment(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=f"http://127.0.0.1:{port}/bot",
        TELEGRAM_BASE_FILE_URL=f"http://127.0.0.1:{port}/file/bot",
    )
    process = await in_background(tmp_path, env, "run")
    try:
        assert process.stderr is not None
        seen, attempts = [], []
        while len(attempts) < 2:
            line = (await asyncio.wait_for(process.stderr.readline(), 30)).decode()
            assert line, "the bot stopped instead of waiting for Telegram"
            seen.append(line)
            if "unreachable (attempt" in line:
                attempts.append(line)
        assert "attempt 1:" in attempts[0] and "attempt 2:" in attempts[1]
        await server.start(port=port)  # the network is back
        user = server.new_user("Ann", language_code="en")
        server.push_text(user, "/start")
        await server.wait_for_messages(user["id"], 1, timeout=30)
        log = "".join(seen) + await stop(process)
    finally:
        if process.returncode is None:
            await stop(process)
        await server.stop()
    assert process.returncode == 0, log
    assert "Traceback" not in log and "PTBUserWarning" not in log and "per_message" not in log
    for finding in ("font: ", "calendar: official holidays", "zone: Asia/Shanghai", "storage: "):
        assert finding in log, finding


async def test_a_token_telegram_rejects_is_one_line_and_exit_2(server, tmp_path):
    wrong = TOKEN.replace("123456789:", "987654321:")
    env = talking_to(tmp_path, server) | {"TELEGRAM_BOT_TOKEN": wrong}
    process = await in_background(tmp_path, env, "run")
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    log = stderr.decode()
    assert process.returncode == 2, log
    errors = [line for line in log.splitlines() if "TELEGRAM_BOT_TOKEN" in line]
    assert len(errors) == 1 and "rejects" in errors[0], log
    assert "Traceback" not in log and wrong.split(":")[1] not in log


# ------------------------------------------------------------ a Bot API that starts again

PROD = next(m.version for m in migrations.available() if m.name.endswith("_prod.sql"))


async def test_a_restarted_update_counter_loses_no_message(server, bot):
    user = server.new_user("Ann", language_code="en")
    for _ in range(3):
        server.push_text(user, "/help")
    await server.wait_for_messages(user["id"], 3, timeout=10)
    server.restart_update_counter()  # ids 1, 2, 3 come again, for new messages
    for _ in range(3):
        server.push_text(user, "/help")
    await server.wait_for_messages(user["id"], 6, timeout=10)
    await asyncio.sleep(0.3)
    assert len(server.chat_messages(user["id"])) == 6, "each message is answered once"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM ptb_inbox WHERE handled_at IS NULL") == 0


async def test_a_redelivery_is_still_recognised_across_the_upgrade(tmp_path):
    update = {"update_id": 5, "message": {"message_id": 1, "text": "/help"}}
    db = await database_at(tmp_path / "old.db", PROD - 1)
    assert await inbox.receive(db, 5, update)
    await db.close()

    async with Database(tmp_path / "old.db") as upgraded:
        assert await upgraded.schema_version() >= PROD
        assert not await inbox.receive(upgraded, 5, update), "the same update, delivered again"
        other = {"update_id": 5, "message": {"message_id": 9, "text": "/start"}}
        assert await inbox.receive(upgraded, 5, other), "a new update reusing the id"
        await inbox.mark_handled(upgraded, 5)
        await inbox.mark_handled(upgraded, 5)
        assert await inbox.unhandled(upgraded) == []


@pytest.mark.parametrize("handled", [True, False], ids=["handled", "not handled yet"])
async def test_an_update_stored_by_an_earlier_version_is_answered_once_when_it_comes_again(
    server, tmp_path, handled
):
    # Earlier versions stored `Update.to_dict()`; the poll now stores what Telegram sent,
    # another text. A crash before the bot confirmed the update, then the upgrade:
    # Telegram sends it again, in its own form.
    user = server.new_user("Ann", language_code="en")
    sent = server.push_text(user, "/help")
    earlier = Update.de_json(copy.deepcopy(sent), None).to_dict()
    assert json.dumps(earlier) != json.dumps(sent)
    async with Database(tmp_path / "partybot.db") as db:
        assert await inbox.receive(db, sent["update_id"], earlier)
        if handled:  # and answered, before the crash
            await inbox.mark_handled(db, sent["update_id"])
    async with BotHarness(server, tmp_path):
        await until(lambda: server.received_count() >= 1, "the bot polls")
        server.push_text(user, "/help")
        answers = 1 if handled else 2
        await server.wait_for_messages(user["id"], answers, timeout=10)
        await asyncio.sleep(0.5)
    assert len(server.chat_messages(user["id"])) == answers, "each /help answered once"


# ------------------------------------------------------------------------- upgrades


@pytest.mark.sqlite_only("upgrades a SQLite file and reads its backup; with sqlite3")
async def test_an_upgrade_is_listed_backed_up_then_applied(tmp_path):
    path = tmp_path / "db" / "partybot.db"
    path.parent.mkdir()
    db = await database_at(path, PROD - 1)
    await admin.add_branch(db, "幸福社区党支部")
    await db.close()
    backups_dir = tmp_path / "db" / "backups"

    listed = partybot(tmp_path, "migrate", "--dry-run")
    assert listed.returncode == 0, listed.stderr
    names = [m.name for m in migrations.available() if m.version >= PROD]
    assert all(name in listed.stdout for name in names)
    assert "would back up" in listed.stdout
    assert not backups_dir.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == PROD - 1

    applied = partybot(tmp_path, "migrate")
    assert applied.returncode == 0, applied.stderr
    for name in names:
        assert f"applied migration {name}" in applied.stdout
    (backup,) = backups_dir.glob("partybot-*.db")
    assert f"backed up to {backup}" in applied.stdout
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == PROD - 1
        assert conn.execute("SELECT name FROM branches").fetchone()[0] == "幸福社区党支部"
    assert "nothing to apply" in partybot(tmp_path, "migrate").stdout
    # kept as long as the daily backups, then rotated away with them
    assert backups.rotate(backups_dir, 14, utcnow() + timedelta(days=13)) == []
    assert backups.rotate(backups_dir, 14, utcnow() + timedelta(days=15)) == [backup]


# --------------------------------------------------------------------------- health


async def signs_of_life(bot) -> list[str]:
    """What `partybot health` would say with a 3-second limit (the harness polls for 1 s at a
    time), after a heartbeat."""
    context = BotContext(bot.app)
    await jobs.tick(context)
    await jobs.heartbeat(context)
    text = bot.settings.heartbeat_path.read_text(encoding="utf-8")
    return health.problems(text, time.time(), 3.0)


async def test_health_fails_when_the_bot_api_stops_answering_and_says_so(server, tmp_path):
    async with BotHarness(server, tmp_path, outbox_poll_seconds=0.5) as bot:
        await health_follows_the_bot_api(server, bot, tmp_path)


async def health_follows_the_bot_api(server, bot, tmp_path):
    await asyncio.sleep(1.5)  # a poll answered
    assert await signs_of_life(bot) == []
    server.inject("getUpdates", status=502, description="Bad Gateway", times=None)
    await asyncio.sleep(4)
    found = await signs_of_life(bot)
    assert [p.split(" for ")[0] for p in found] == ["Bot API unreachable: no poll answered"], found

    checked = partybot(
        tmp_path,
        "health",
        DATABASE_URL=bot.settings.database_url,
        HEALTH_MAX_SILENCE="3",
    )
    assert checked.returncode == 1
    assert "Bot API unreachable" in checked.stderr and "Traceback" not in checked.stderr

    server.clear_faults()

    # The poller's backoff (python-telegram-bot waits 1, 1.5, 2.25 s ... after each failure),
    # then a poll answered: how long depends on when the last failure fell, so it is waited
    # for (a fixed 2 s failed whenever the first failure came late in a 1 s poll).
    async def well() -> bool:
        return await signs_of_life(bot) == []

    await until(well, "a poll answered after the Bot API came back", timeout=10)


def test_health_names_a_failing_sender_and_a_stalled_scheduler():
    now = time.time()
    fresh = {"started": now - 600, "updates": now - 5, "sender": now - 1, "scheduler": now - 30}
    assert health.problems(json.dumps(fresh), now, 120) == []
    assert health.problems("", now, 120) == [], "a heartbeat from before this version"
    failing = fresh | {"sender_failing_since": now - 300}
    assert health.problems(json.dumps(failing), now, 120) == [
        "sender failing: no notification sent for 300s"
    ]
    stalled = fresh | {"scheduler": now - 400}
    assert health.problems(json.dumps(stalled), now, 120) == ["scheduler stalled: no tick for 400s"]
    webhook = fresh | {"webhook": True, "updates": now - 200, "webhook_error": "Connection refused"}
    assert health.problems(json.dumps(webhook), now, 120) == [
        "Bot API unreachable: webhook silent for 200s (Connection refused)"
    ]
    starting = {"started": now - 10}
    assert health.problems(json.dumps(starting), now, 120) == [], "given the limit to start"
    # Several instances on PostgreSQL: a standby runs neither; one that just took over the
    # lease is given the limit from then.
    standby = {"started": now - 600, "updates": now - 5, "standby": True}
    assert health.problems(json.dumps(standby), now, 120) == []
    took_over = standby | {"standby": False, "leading_since": now - 10}
    assert health.problems(json.dumps(took_over), now, 120) == []
    assert health.problems(json.dumps(took_over | {"leading_since": now - 200}), now, 120) == [
        "sender stalled: no pass for 200s",
        "scheduler stalled: no tick for 200s",
    ]


# -------------------------------------------------------------------------- logging


def test_log_lines_are_json_at_the_chosen_level_and_network_errors_one_line(capsys):
    from telegram.error import NetworkError

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        setup_logging(load_settings(log_format="json", log_level="warning"))
        logging.getLogger("partybot").info("not at WARNING")
        try:
            raise NetworkError("Bad Gateway")
        except NetworkError:
            logging.getLogger("telegram.ext.Updater").exception("polling failed.")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.captureWarnings(False)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    entry = json.loads(lines[0])
    assert entry["level"] == "WARNING" and entry["logger"] == "telegram.ext.Updater"
    assert entry["message"] == "polling failed. NetworkError: Bad Gateway"
    assert "exc_info" not in entry and "time" in entry
