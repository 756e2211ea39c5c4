"""kill -9 at each step of one update's handling: after a restart it is handled again, and
every write it caused exists once, every notification is queued once, the person is
answered and the conversation has moved on (docs/reliability.md).

Each scenario walks a conversation in process (BotHarness) up to its last step, then the
bot runs as a process of its own (tests/reliability/crash_point.py) that is sent that step
and dies at one point of it: right after the domain commit, right after the reply reached
the Bot API, or just before the update is marked handled. Then the bot starts normally.

CI runs the two scenarios of issue 13 at every point; `CRASH_POINTS=all` runs every
scenario at every point.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.testing.fake_bot_api import FakeBotAPI
from bot.testing.harness import BotHarness, Person
from bot.testing.process import BotProcess
from domain import admin, effects
from tests import cadre_support
from tests.conftest import TOKEN, Branch, invite, onboard
from tests.reliability.live import BOOKKEEPING as LIVE_BOOKKEEPING

POINTS = ("commit", "reply", "handled")  # tests/reliability/crash_point.py
KILLED = 137
ENV = {
    "BOT_TIMEZONE": "Asia/Shanghai",
    "BOT_DEFAULT_LOCALE": "zh_Hans",
    "BOT_QUIET_HOURS": "",  # notifications of the normal kind go out at any hour here
    "OUTBOX_PER_CHAT_SECONDS": "0.01",
    "OUTBOX_POLL_SECONDS": "0.2",
}
FULL = os.environ.get("CRASH_POINTS") == "all"
BOOKKEEPING = LIVE_BOOKKEEPING | {"update_effects", "job_runs"}


@dataclass
class Run:
    """What a scenario prepared: who takes the last step, and on which message."""

    person: Person
    push: Callable[[FakeBotAPI], dict]
    others: dict[str, Any] = field(default_factory=dict)
    # Each chat's messages before the last step, by id (an edit keeps its message's id).
    before: dict[int, set[int]] = field(default_factory=dict)

    def chats(self) -> list[int]:
        found = [self.person.id]
        for value in self.others.values():
            for someone in value if isinstance(value, list) else [value]:
                if isinstance(someone, Person):
                    found.append(someone.id)
        return found


@dataclass(frozen=True)
class Scenario:
    name: str
    effects: frozenset[str]  # what the last step calls (each at least once)
    prepare: Callable[[BotHarness, Branch], Awaitable[Run]]
    answered: str  # what the person reads after the step (a regular expression)
    check: Callable[[sqlite3.Connection, FakeBotAPI, Run], None] = lambda *_: None
    quick: bool = False


def press(person: Person, label: str) -> Callable[[FakeBotAPI], dict]:
    message = person.message_with_button(label)
    data = person.server.find_button(message, label)["callback_data"]
    return lambda server: server.push_callback(person.user, message["message_id"], data)


def count(conn: sqlite3.Connection, sql: str, *params: object) -> int:
    return conn.execute(sql, params).fetchone()[0]


def texts(server: FakeBotAPI, chat: int, pattern: str, run: Run | None = None) -> list[str]:
    """The chat's messages that match; with `run`, only those sent since the last step."""
    old = run.before.get(chat, set()) if run else set()
    found = (
        m.get("text") or m.get("caption") or ""
        for m in server.chat_messages(chat)
        if m["message_id"] not in old
    )
    return [t for t in found if re.search(pattern, t)]


# ------------------------------------------------------------------ broadcast


async def prepare_broadcast(bot: BotHarness, branch: Branch) -> Run:
    members = [bot.person(f"党员{i}") for i in range(3)]
    for i, someone in enumerate(members):
        await cadre_support.member(
            bot.db, branch.id, f"党员{i}", cadre=False, telegram_id=someone.id
        )
    secretary = branch.secretary
    await secretary.send("/broadcast")
    await secretary.send("周六上午九点在社区活动室开会。")
    await secretary.press("全体党员")
    return Run(secretary, press(secretary, "📣 发送"), {"members": members})


def check_broadcast(conn: sqlite3.Connection, server: FakeBotAPI, run: Run) -> None:
    chats = [m.id for m in run.others["members"]] + [run.person.id]
    assert count(conn, "SELECT COUNT(*) FROM broadcasts") == 1
    assert count(conn, "SELECT COUNT(*) FROM audit_log WHERE action = 'broadcast.sent'") == 1
    assert count(conn, "SELECT COUNT(*) FROM outbox WHERE key LIKE 'broadcast:%'") == len(chats)
    for chat in chats:
        assert len(texts(server, chat, "周六上午九点", run)) == 1, chat


# ------------------------------------------------------------------ hours


async def prepare_hours(bot: BotHarness, branch: Branch) -> Run:
    member = bot.person("李")
    await onboard(member, await invite(bot, branch.id), "李明", "13800138000", "居民党员")
    await branch.secretary.press("✅ 通过")
    await member.send("/hours")
    await member.press("➕ 登记时长")
    await member.press("党课")
    await member.press("今天")
    await member.send("1.5")
    await member.send("学习党章")
    await member.press("跳过")
    return Run(member, press(member, "✅ 提交"), {"secretary": branch.secretary})


def check_hours(conn: sqlite3.Connection, server: FakeBotAPI, run: Run) -> None:
    assert count(conn, "SELECT COUNT(*) FROM hour_records") == 1
    assert count(conn, "SELECT COUNT(*) FROM audit_log WHERE action = 'hours.logged'") == 1
    assert count(conn, "SELECT COUNT(*) FROM outbox WHERE key LIKE 'hours-review:%'") == 1
    saved = texts(server, run.person.id, "已保存为记录")
    assert saved and all("已保存为记录 #1：" in t for t in saved), saved
    assert len(texts(server, run.others["secretary"].id, "待审核的活动时长", run)) == 1


SCENARIOS = [
    Scenario(
        "broadcast",
        frozenset({"domain.broadcasts.send"}),
        prepare_broadcast,
        "正在发送公告|公告已发出",
        check_broadcast,
        quick=True,
    ),
    Scenario(
        "hours",
        frozenset({"domain.hours.log"}),
        prepare_hours,
        "已保存为记录",
        check_hours,
        quick=True,
    ),
]

# Effects no scenario here covers yet; each is journaled like the others (tests/test_effects.py
# proves the mechanism and that no handler's write escapes it). Shrink this list; a new
# effect must be added to a scenario or here, knowingly.
NOT_YET = frozenset(
    {
        "domain.cadres.add_remark",
        "domain.cadres.decide",
        "domain.cadres.set_leave",
        "domain.cadres.submit",
        "domain.departures.record",
        "domain.digest.set_schedule",
        "domain.events.answer",
        "domain.events.check_in",
        "domain.events.check_out",
        "domain.events.create",
        "domain.events.mark_present",
        "domain.events.seen_at",
        "domain.events.set_lead",
        "domain.hours.approve",
        "domain.hours.correct",
        "domain.hours.edit_hours",
        "domain.hours.reject",
        "domain.hours.set_counting",
        "domain.hours.set_window",
        "domain.hours.withdraw",
        "domain.mobile.confirm_return",
        "domain.mobile.decide",
        "domain.mobile.decide_change",
        "domain.mobile.end_inflow",
        "domain.mobile.mark_contacted",
        "domain.mobile.renew",
        "domain.mobile.report",
        "domain.mobile.request_return",
        "domain.mobile.revoke",
        "domain.mobile.submit",
        "domain.onboarding.adopt_profile_name",
        "domain.onboarding.claim",
        "domain.onboarding.create_invite",
        "domain.onboarding.decide",
        "domain.onboarding.submit",
        "domain.pending.approve_hours",
        "domain.posts._edit",
        "domain.posts._open_claim",
        "domain.posts._settle",
        "domain.posts.add_post",
        "domain.posts.advance",
        "domain.posts.answer_survey",
        "domain.posts.assess",
        "domain.posts.go_back",
        "domain.posts.link_branch_chat",
        "domain.posts.note_request",
        "domain.posts.publication",
        "domain.posts.record_duty",
        "domain.posts.set_member_limit",
        "domain.posts.withdraw",
        "domain.roster._write",
        "domain.units.add_unit",
        "domain.units.link_chat",
        "domain.units.new_link_code",
    }
)


# ------------------------------------------------------------------ the run


def settled(path: Path) -> bool:
    with contextlib.closing(sqlite3.connect(path, timeout=5)) as conn:
        return not count(conn, "SELECT COUNT(*) FROM ptb_inbox WHERE handled_at IS NULL") and not (
            count(conn, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")
        )


def conversations(path: Path, person: Person) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path, timeout=5)) as conn:
        return conn.execute(
            "SELECT name, key, state FROM ptb_conversations WHERE key LIKE ? ORDER BY 1",
            (f"%{person.id}%",),
        ).fetchall()


def outcome(path: Path) -> dict[str, Any]:
    """What the bot did, to compare a run cut short by a kill with one that was not: the
    rows of every business table, the notifications per chat and the audit entries."""
    with contextlib.closing(sqlite3.connect(path, timeout=5)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if r[0] not in BOOKKEEPING
        ]
        return {
            "rows": {t: count(conn, f"SELECT COUNT(*) FROM {t}") for t in tables},
            "outbox": sorted(
                conn.execute("SELECT chat_id, template, text FROM outbox").fetchall(),
                key=repr,
            ),
            "audit": sorted(r[0] for r in conn.execute("SELECT action FROM audit_log")),
        }


async def crash_and_restart(scenario: Scenario, point: str, data: Path) -> None:
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    crashed = data / "crashed"
    crashed.mkdir()
    path = crashed / "partybot.db"
    try:
        harness = BotHarness(server, data)
        await harness.start()
        try:
            created = await admin.add_branch(harness.db, "幸福社区党支部", "城关区")
            secretary = harness.person("王书记")
            await admin.add_secretary(harness.db, created.id, secretary.id)
            run = await scenario.prepare(harness, Branch(created.id, created.name, secretary))
            await harness.db.backup(path)
            # The reference: the same last step, handled without a crash.
            await harness.processed(run.push(server))
        finally:
            await harness.stop()
        assert not harness.errors, harness.errors
        expected = outcome(data / "partybot.db")
        before = conversations(path, run.person)
        seen = len(run.person.messages)
        run.before = {c: {m["message_id"] for m in server.chat_messages(c)} for c in run.chats()}

        command = ("-m", "tests.reliability.crash_point", "run")
        dying = BotProcess(server, crashed, command=command, env=ENV | {"CRASH_POINT": point})
        await dying.start()
        run.push(server)
        assert dying.process is not None
        try:
            code = await asyncio.wait_for(dying.process.wait(), 30)
        finally:
            await dying.stop()
        log = (crashed / "bot.log").read_text(errors="replace")
        assert code == KILLED and f"dying at {point}" in log, log[-3000:]

        bot = BotProcess(server, crashed, command=command, env=ENV | {"CRASH_POINT": "none"})
        await bot.start()
        try:
            for _ in range(300):
                if settled(path) and len(run.person.messages) > seen:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)  # anything doubled would arrive now
        finally:
            await bot.stop()
        log = (crashed / "bot.log").read_text(errors="replace").split("dying at", 1)[-1]
        assert "Traceback" not in log, log[-3000:]
        assert settled(path)
        assert outcome(path) == expected
        assert conversations(path, run.person) != before, "the conversation did not move on"
        assert texts(server, run.person.id, scenario.answered, run), "the person was not answered"
        with contextlib.closing(sqlite3.connect(path, timeout=5)) as conn:
            scenario.check(conn, server, run)
    finally:
        await server.stop()


CASES = [
    pytest.param(s, p, id=f"{s.name}-{p}") for s in SCENARIOS for p in POINTS if FULL or s.quick
]


@pytest.mark.parametrize(("scenario", "point"), CASES)
async def test_a_kill_during_an_update_makes_nothing_twice(scenario, point, tmp_path):
    await crash_and_restart(scenario, point, tmp_path)


def test_every_effect_has_a_crash_scenario():
    import handlers  # noqa: F401 - registers every effect

    covered = set().union(*(s.effects for s in SCENARIOS))
    registered = {n for n in effects.REGISTRY if n.startswith("domain.")}
    assert covered <= registered, covered - registered
    assert registered - covered == NOT_YET, "add a scenario, or name it in NOT_YET"
