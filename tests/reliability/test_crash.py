"""kill -9 at random moments: nothing a person sent or confirmed is lost, nothing doubled."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from benchmarks.seed import fill
from domain import admin, onboarding
from domain.models import Category, PersonStatus
from storage import outbox as stored_outbox
from storage import people
from storage import units as unit_store
from storage.db import Database
from tests.conftest import TOKEN
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.fakes.process import BotProcess
from tests.world import thank_each

PEOPLE = 12
KILLS = 3
OUTBOX_MESSAGES = 500
IN_FLIGHT_MAX = 8  # OUTBOX_CONCURRENCY


async def walk_through_onboarding(server: FakeBotAPI, user: dict, code: str, n: int) -> None:
    """Answer the bot's newest question, until the application is submitted.

    After a crash the bot may answer an update twice (one cut short is handled again), so
    the walker looks back past "thank you" and "I did not understand" to the last question.
    """
    chat = user["id"]
    # A question is known by its message and its text: a press may turn the question it was
    # on into the next one in place (the category question becomes the review).
    answered: set[tuple[int, str]] = set()
    server.push_text(user, f"/start {code}")
    for _ in range(40):
        seen = len(server.chat_messages(chat))
        await wait_for_new(server, chat, seen - 1 if seen else 0)
        question = last_question(server.chat_messages(chat))
        if question is None or (question["message_id"], question.get("text", "")) in answered:
            if not await wait_for_new(server, chat, len(server.chat_messages(chat))):
                # Silence after an answer: say it again, as a person would.
                answered.clear()
            continue
        text = question.get("text", "")
        if "已提交给支部书记" in text or "正在等待书记审核" in text:
            return
        answered.add((question["message_id"], text))
        if "请问您的姓名" in text:
            server.push_text(user, f"成员{'甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥'[n]}某")
        elif "inline_keyboard" in (question.get("reply_markup") or {}):
            buttons = [b for row in question["reply_markup"]["inline_keyboard"] for b in row]
            wanted = next(b for b in buttons if b["text"] in ("居民党员", "✅ 提交"))
            server.push_callback(user, question["message_id"], wanted["callback_data"])
        else:
            server.push_contact(user, f"1380000{n:04d}")
        await wait_for_answer(server, chat, len(server.chat_messages(chat)), question)
    pytest.fail(f"user {n} did not finish: {texts(server, chat)}")


QUESTIONS = (
    "请问您的姓名",
    "分享您的手机号码",
    "请使用下方按钮",
    "已提交给支部书记",
    "正在等待书记审核",
)


def last_question(messages: list[dict]) -> dict | None:
    for message in reversed(messages):
        text = message.get("text", "")
        if any(q in text for q in QUESTIONS) or (message.get("reply_markup") or {}).get(
            "inline_keyboard"
        ):
            return message
    return None


def join_requests(server: FakeBotAPI, chat: int) -> list[dict]:
    return [m for m in server.chat_messages(chat) if "新的加入支部申请" in m.get("text", "")]


async def until_distinct_requests(server: FakeBotAPI, chat: int, count: int, seconds: int) -> None:
    """Waits, up to `seconds` and without failing, until `chat` holds `count` distinct join
    requests. Distinct: a notice in flight at a kill may arrive twice (the documented retry),
    and counting it would stop the wait one request early."""
    for _ in range(seconds * 10):
        if len({m["text"] for m in join_requests(server, chat)}) >= count:
            return
        await asyncio.sleep(0.1)


def texts(server: FakeBotAPI, chat: int) -> list[str]:
    return [m.get("text", "")[:30] for m in server.chat_messages(chat)]


async def wait_for_answer(server: FakeBotAPI, chat: int, seen: int, question: dict) -> None:
    """Until a message after the first `seen` comes, or `question` is edited: into the next
    one, or without its buttons (a copy of a passed step, after a crash) (at most 8 s, as
    `wait_for_new`)."""

    def shown() -> tuple:
        return question.get("text"), str(question.get("reply_markup"))

    asked = shown()
    for _ in range(160):
        if len(server.chat_messages(chat)) > seen or shown() != asked:
            return
        await asyncio.sleep(0.05)


async def wait_for_new(server: FakeBotAPI, chat: int, seen: int) -> bool:
    try:
        await server.wait_for_messages(chat, seen + 1, timeout=8)
    except TimeoutError:
        return False
    return True


async def test_kill_9_during_onboarding_loses_nothing_and_doubles_nothing(tmp_path):
    rng = random.Random(20261125)
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    async with Database(tmp_path / "partybot.db") as db:
        branch = await admin.add_branch(db, "幸福社区党支部")
        secretary = server.new_user("书记")
        await admin.add_secretary(db, branch.id, secretary["id"])
        code = (await onboarding.create_invite(db, branch_id=branch.id, uses=PEOPLE)).code
    bot = BotProcess(server, tmp_path)
    await bot.start()
    users = [server.new_user(f"u{n}") for n in range(PEOPLE)]
    walkers = asyncio.gather(
        *(walk_through_onboarding(server, u, code, n) for n, u in enumerate(users))
    )
    try:
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.3, 1.2))
            await bot.kill()
            await bot.start()
        await asyncio.wait_for(walkers, 180)
        # The requests reach the secretary through the outbox, one a second (Telegram's
        # limit per chat), after the applicants are done.
        await until_distinct_requests(server, secretary["id"], PEOPLE, 60)
    finally:
        await bot.stop()
        await server.stop()

    async with Database(tmp_path / "partybot.db") as db:
        assert await db.check_integrity() == []
        rows = await db.fetchall(
            "SELECT p.telegram_id, COUNT(j.id) AS n FROM people p"
            " JOIN join_requests j ON j.person_id = p.id GROUP BY p.id"
        )
        assert sorted(r["telegram_id"] for r in rows) == sorted(u["id"] for u in users)
        assert all(r["n"] == 1 for r in rows), [dict(r) for r in rows]
        assert await db.fetchval("SELECT uses_left FROM invites") == 0
        assert await db.fetchval("SELECT COUNT(*) FROM ptb_inbox WHERE handled_at IS NULL") == 0
    requests = join_requests(server, secretary["id"])
    names = [m["text"] for m in requests]
    assert len(requests) >= PEOPLE
    assert len({n for n in names}) == PEOPLE


async def test_kill_9_while_the_outbox_drains_delivers_everything(tmp_path):
    """Every queued message arrives; only one in flight at a kill may arrive twice."""
    rng = random.Random(6)
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    users = [server.new_user(f"r{n}")["id"] for n in range(OUTBOX_MESSAGES)]
    async with Database(tmp_path / "partybot.db") as db, db.transaction() as conn:
        await thank_each(conn, users, "crash:")
    bot = BotProcess(server, tmp_path)
    bot.env["OUTBOX_PER_SECOND"] = "100"
    # On PostgreSQL what a killed bot had in flight goes again once its lease passes.
    bot.env["OUTBOX_LEASE_SECONDS"] = "2"
    await bot.start()
    try:
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.8, 1.5))
            await bot.kill()
            await bot.start()
        for _ in range(600):
            if all(server.chat_messages(chat_id) for chat_id in users):
                break
            await asyncio.sleep(0.1)
    finally:
        await bot.stop()
        await server.stop()
    received = [len(server.chat_messages(chat_id)) for chat_id in users]
    assert min(received) == 1
    assert sum(received) - len(users) <= KILLS * IN_FLIGHT_MAX
    async with Database(tmp_path / "partybot.db") as db:
        assert await stored_outbox.counts(db) == {"sent": OUTBOX_MESSAGES}
        assert await db.check_integrity() == []


# ------------------------------------------------------------ the quarterly feedback

UNITS = 16
REPORT_DAY = datetime(2026, 10, 8, 9, 30, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


async def a_quarter_to_report(server: FakeBotAPI, path: Path) -> dict[int, int]:
    """The seeded county at a fiftieth, its cadres spread over UNITS units; each unit's
    summary goes to two contacts, or every fourth unit to its group. Returns every chat a
    summary must reach, with its unit."""
    async with Database(path):
        pass  # the schema
    fill(path, 0.02, REPORT_DAY.year)
    chats = {}
    async with Database(path) as db, db.transaction() as conn:
        for unit in range(1, UNITS + 1):  # the seed made the first ones
            await conn.execute(
                "INSERT OR IGNORE INTO unit_orgs (id, name, created_at)"
                " VALUES (?, ?, '2026-01-01')",
                (unit, f"县直单位{unit}"),
            )
        await conn.execute(f"UPDATE cadre_registrations SET unit_id = id % {UNITS} + 1")
        for unit in range(1, UNITS + 1):
            if unit % 4 == 0:
                group = server.new_group(f"单位{unit}党员群")["id"]
                await unit_store.set_chat(conn, unit, group)
                chats[group] = unit
                continue
            for n in range(2):
                contact = server.new_user(f"联络员{unit}-{n}")["id"]
                person = await people.insert(
                    conn,
                    telegram_id=contact,
                    branch_id=1,
                    name=f"联络员{unit}",
                    phone=None,
                    category=Category.RESIDENT,
                    status=PersonStatus.ACTIVE,
                )
                await conn.execute(
                    "INSERT INTO unit_contacts (unit_id, person_id, since) VALUES (?, ?, 'x')",
                    (unit, person),
                )
                chats[contact] = unit
    return chats


def job_started(path: Path) -> str | None:
    """When the feedback job's run last began (a run cut short by a kill begins again)."""
    with contextlib.closing(sqlite3.connect(path, timeout=5)) as conn:
        found = conn.execute(
            "SELECT started_at FROM job_runs WHERE job = 'cadre-feedback'"
        ).fetchone()
    return found and found[0]


def documents(server: FakeBotAPI, chat: int) -> list[dict]:
    return [m for m in server.chat_messages(chat) if "document" in m]


@pytest.mark.sqlite_only("seeds the county data set with sqlite3 (benchmarks/seed.py)")
async def test_kill_9_during_the_quarterly_feedback_sends_each_unit_its_summary_once(tmp_path):
    """The bot is killed while the feedback job builds and queues the summaries and while
    the sender delivers them; every unit's chats get their summary, duplicates only for
    messages in flight at a kill, and the job's run is recorded once."""
    rng = random.Random(1008)
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    chats = await a_quarter_to_report(server, tmp_path / "partybot.db")
    shift = REPORT_DAY - datetime.now(UTC)
    bot = BotProcess(
        server,
        tmp_path,
        command=("-m", "tests.reliability.shifted_clock", "run"),
        env={"PARTYBOT_CLOCK_SHIFT": str(shift.total_seconds()), "OUTBOX_PER_SECOND": "8"},
    )
    await bot.start()

    def delivered() -> int:
        return sum(bool(documents(server, chat)) for chat in chats)

    try:
        # The first kill as the bot starts, the second once the job has begun (it builds
        # the summaries and queues them, in about half a second here), the others while
        # they are being sent, after a random number of them arrived.
        await asyncio.sleep(rng.uniform(0.3, 1.0))
        await bot.kill()
        began = job_started(tmp_path / "partybot.db")
        await bot.start()
        for _ in range(1000):
            if job_started(tmp_path / "partybot.db") != began:
                break
            await asyncio.sleep(0.01)
        # Building or queuing, or just after: queued rows must not be queued again.
        await asyncio.sleep(rng.uniform(0, 0.5))
        await bot.kill()
        await bot.start()
        for threshold in sorted(rng.sample(range(1, len(chats)), KILLS)):
            for _ in range(600):
                if delivered() >= threshold:
                    break
                await asyncio.sleep(0.05)
            await bot.kill()
            await bot.start()
        for _ in range(1200):
            if delivered() == len(chats):
                break
            await asyncio.sleep(0.1)
    finally:
        await bot.stop()
        await server.stop()

    received = {chat: documents(server, chat) for chat in chats}
    assert all(received.values()), [chats[c] for c, found in received.items() if not found]
    for chat, found in received.items():
        # Each chat has its own unit's summary, the same each time it arrived.
        assert {m["caption"] for m in found} == {found[0]["caption"]}
        assert f"县直单位{chats[chat]}" in found[0]["caption"]
    duplicates = sum(len(found) for found in received.values()) - len(chats)
    assert duplicates <= (KILLS + 2) * IN_FLIGHT_MAX
    async with Database(tmp_path / "partybot.db") as db:
        assert await db.check_integrity() == []
        keys = await db.fetchall("SELECT key, status FROM outbox WHERE key LIKE 'feedback:%'")
        assert len(keys) == len(chats)
        assert {r["status"] for r in keys} == {"sent"}
        runs = await db.fetchall("SELECT finished_at FROM job_runs WHERE job = 'cadre-feedback'")
        assert len(runs) == 1 and runs[0]["finished_at"] is not None
