"""kill -9 at each step of one update's handling: after a restart it is handled again, and
every write it caused exists once, every notification is queued once, the person is
answered and the conversation has moved on (docs/reliability.md).

Each scenario walks a conversation in process (BotHarness) up to its last step, then the
bot runs as a process of its own (tests/reliability/crash_point.py) that is sent that step
and dies at one point of it: right after the domain commit, right after the reply reached
the Bot API, or just before the update is marked handled. Then the bot starts normally,
and what it did is compared with a reference: the same scenario, its last step handled
without a kill, on a server and database of its own.

CI runs the two scenarios of issue 13 at every point; `CRASH_POINTS=all` runs every
scenario at every point.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain import admin, effects, units
from domain.models import InviteRole
from storage.db import Database
from tests import cadre_support, flows, guidance_support
from tests.conftest import TOKEN, Branch, invite, onboard
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.fakes.harness import WAIT_SECONDS, BotHarness, Person, until
from tests.fakes.process import BotProcess
from tests.reliability.live import BOOKKEEPING as LIVE_BOOKKEEPING
from tests.reliability.live import TABLES
from tests.world import active_person

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
SHANGHAI = ZoneInfo("Asia/Shanghai")
BOOKKEEPING = LIVE_BOOKKEEPING | {"job_runs"}


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


Prepare = Callable[[BotHarness, Branch], Awaitable[Run]]


@dataclass(frozen=True)
class Scenario:
    name: str
    effect: str  # what the last step calls
    prepare: Prepare
    answered: str  # what the person reads after the step (a regular expression)
    check: Callable[[Database, FakeBotAPI, Run], Awaitable[None]] = lambda *_: _nothing()
    quick: bool = False


def press(person: Person, label: str) -> Callable[[FakeBotAPI], dict]:
    message = person.message_with_button(label)
    data = person.server.find_button(message, label)["callback_data"]
    return lambda server: server.push_callback(person.user, message["message_id"], data)


async def taken(bot: BotHarness, branch: Branch, prepare: Prepare) -> Run:
    """Another scenario, its last step taken too: where this one starts."""
    run = await prepare(bot, branch)
    await bot.processed(run.push(bot.server))
    return run


def secretary_presses(branch: Branch, label: str, **others: Any) -> Run:
    return Run(branch.secretary, press(branch.secretary, label), others)


async def _nothing() -> None:
    pass


async def count(db: Database, sql: str, *params: object) -> int:
    return await db.fetchval(sql, params)


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
    await secretary.types("/broadcast", "周六上午九点在社区活动室开会。")
    await secretary.press("全体党员")
    return Run(secretary, press(secretary, "📣 发送"), {"members": members})


async def check_broadcast(db: Database, server: FakeBotAPI, run: Run) -> None:
    chats = [m.id for m in run.others["members"]]  # the secretary is no member here
    assert await count(db, "SELECT COUNT(*) FROM broadcasts") == 1
    assert await count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'broadcast.sent'") == 1
    assert await count(db, "SELECT COUNT(*) FROM outbox WHERE key LIKE 'broadcast:%'") == len(chats)
    for chat in chats:
        assert len(texts(server, chat, "周六上午九点", run)) == 1, chat


# ------------------------------------------------------------------ hours


async def prepare_hours(bot: BotHarness, branch: Branch) -> Run:
    member = await flows.approved_member(bot, branch, "李", "李明", "13800138000")
    await flows.start_logging(member, "党课", "今天")
    await member.types("1.5", "学习党章")
    await member.press("跳过")
    return Run(member, press(member, "✅ 提交"), {"secretary": branch.secretary})


async def check_hours(db: Database, server: FakeBotAPI, run: Run) -> None:
    assert await count(db, "SELECT COUNT(*) FROM hour_records") == 1
    assert await count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'hours.logged'") == 1
    assert await count(db, "SELECT COUNT(*) FROM outbox WHERE key LIKE 'hours-review:%'") == 1
    saved = texts(server, run.person.id, "已保存为记录")
    assert saved and all("已保存为记录 #1：" in t for t in saved), saved
    assert len(texts(server, run.others["secretary"].id, "待审核的活动时长", run)) == 1


# ------------------------------------------------------------------ the other writes


async def prepare_join_request(bot: BotHarness, branch: Branch) -> Run:
    applicant = bot.person("李")
    await applicant.types(f"/start {await invite(bot, branch.id)}", "李明")
    await applicant.share_contact("13800138000")
    await applicant.press("居民党员")
    return Run(applicant, press(applicant, "✅ 提交"), {"secretary": branch.secretary})


async def check_join_request(db: Database, server: FakeBotAPI, run: Run) -> None:
    assert await count(db, "SELECT COUNT(*) FROM join_requests") == 1
    assert len(texts(server, run.others["secretary"].id, "新的加入支部申请", run)) == 1


async def prepare_join_decision(bot: BotHarness, branch: Branch) -> Run:
    applicant = bot.person("李")
    await onboard(applicant, await invite(bot, branch.id), "李明", "13800138000", "居民党员")
    return secretary_presses(branch, "✅ 通过", applicant=applicant)


async def prepare_hours_decision(bot: BotHarness, branch: Branch) -> Run:
    run = await taken(bot, branch, prepare_hours)
    return secretary_presses(branch, "✅ 通过", member=run.person)


async def prepare_post_claim(bot: BotHarness, branch: Branch) -> Run:
    li = await flows.approved_member(bot, branch, "李", "李明", "13800000001")
    await flows.forward_stage(branch.secretary)
    await li.send("/posts")
    await li.presses("🙋 认领岗位", "政策宣传岗")
    return Run(li, press(li, "🙋 认领此岗"), {"secretary": branch.secretary})


async def prepare_duty_record(bot: BotHarness, branch: Branch) -> Run:
    li = (await taken(bot, branch, prepare_post_claim)).person
    await branch.secretary.press("✅ 通过", branch.secretary.message_with_button("✅ 通过"))
    await flows.forward_stage(branch.secretary)
    await li.send("/posts")
    await li.presses("📒 记录履职", "政策宣传岗", "今天")
    await li.send("更新宣传栏")
    await li.press("跳过")
    await li.send("1.5")
    return Run(li, press(li, "✅ 保存"), {"secretary": branch.secretary})


def when(days: int) -> datetime:
    return datetime.now(SHANGHAI) + timedelta(days=days)


async def prepare_mobile_registration(bot: BotHarness, branch: Branch) -> Run:
    li = await flows.approved_member(bot, branch, "李", "李明", "13800138000")
    await flows.register_outflow(li)
    return Run(li, press(li, "✅ 提交"), {"secretary": branch.secretary})


async def prepare_mobile_decision(bot: BotHarness, branch: Branch) -> Run:
    run = await taken(bot, branch, prepare_mobile_registration)
    return secretary_presses(branch, "✅ 通过", member=run.person)


async def prepare_mobile_report(bot: BotHarness, branch: Branch) -> Run:
    li = (await taken(bot, branch, prepare_mobile_decision)).others["member"]
    await flows.status_report(li, "滨江区江南大道2号")
    return Run(li, press(li, "✅ 提交报告"), {"secretary": branch.secretary})


async def new_event(branch: Branch, starts: datetime) -> Person:
    """A lesson in the activity room, no location, no limit: up to its review."""
    ends = starts + timedelta(hours=1)
    when = f"{starts:%Y-%m-%d %H:%M}-{ends:%H:%M}"
    await flows.event_draft(branch.secretary, when=when, location=False)
    return branch.secretary


async def prepare_event(bot: BotHarness, branch: Branch) -> Run:
    li = await flows.approved_member(bot, branch, "李", "李明", "13800138000")
    secretary = await new_event(branch, when(2).replace(hour=14, minute=0))
    return Run(secretary, press(secretary, "✅ 创建并邀请"), {"member": li})


async def prepare_check_in(bot: BotHarness, branch: Branch) -> Run:
    li = await flows.approved_member(bot, branch, "李", "李明", "13800138000")
    # Starting within the half hour check-in opens before, ending the same day.
    now = datetime.now(SHANGHAI)
    starts = min(now + timedelta(minutes=10), now.replace(hour=22, minute=50))
    secretary = await new_event(branch, starts.replace(second=0, microsecond=0))
    await secretary.press("✅ 创建并邀请")
    await secretary.send("/events")
    await secretary.press("🔢 签到码", secretary.message_with_button("🔢 签到码"))
    code = re.search(r"签到码：(\d{6})", secretary.last_text).group(1)
    await li.send("/checkin")
    return Run(li, lambda server: server.push_text(li.user, code), {"secretary": secretary})


async def prepare_cadre_registration(bot: BotHarness, branch: Branch) -> Run:
    await units.add_unit(bot.db, None, "县教育局机关党委")
    cadre = bot.person("张局长")
    code = await invite(bot, branch.id, role=InviteRole.CADRE)
    await onboard(cadre, code, "张局长", "13900139000", None)
    await branch.secretary.press("✅ 通过")
    await cadre.send("/cadre")
    await cadre.press("📝 登记")
    await cadre.send("张局长")
    await cadre.press("县教育局机关党委")
    await cadre.send("副局长")
    await cadre.press("正处级")
    await cadre.types("幸福路 8 号 3 单元 201", "13900139000")
    return Run(cadre, press(cadre, "✅ 提交"), {"secretary": branch.secretary})


async def prepare_post_decision(bot: BotHarness, branch: Branch) -> Run:
    run = await taken(bot, branch, prepare_post_claim)
    return secretary_presses(branch, "✅ 通过", member=run.person)


async def prepare_cadre_decision(bot: BotHarness, branch: Branch) -> Run:
    run = await taken(bot, branch, prepare_cadre_registration)
    return secretary_presses(branch, "✅ 确认", cadre=run.person)


async def prepare_departure(bot: BotHarness, branch: Branch) -> Run:
    li = await flows.approved_member(bot, branch, "李", "李明", "13800138000")
    secretary = branch.secretary
    await secretary.send("/depart 李明")
    await secretary.press("组织关系转出")
    return Run(secretary, press(secretary, "✅ 确认离开"), {"member": li})


async def logged(bot: BotHarness, branch: Branch) -> Person:
    return (await taken(bot, branch, prepare_hours)).person


def typing(person: Person, text: str) -> Callable[[FakeBotAPI], dict]:
    return lambda server: server.push_text(person.user, text)


async def prepare_hours_rejection(bot: BotHarness, branch: Branch) -> Run:
    member = await logged(bot, branch)
    await branch.secretary.press("❌ 驳回")
    return Run(branch.secretary, typing(branch.secretary, "当天没有组织此活动"), {"m": member})


async def prepare_hours_correction(bot: BotHarness, branch: Branch) -> Run:
    member = await logged(bot, branch)
    await branch.secretary.press("✏️ 更正")
    return Run(branch.secretary, typing(branch.secretary, "2.5"), {"m": member})


async def prepare_hours_withdrawal(bot: BotHarness, branch: Branch) -> Run:
    member = await logged(bot, branch)
    await member.send("/hours")
    await member.press("📜 我的记录")
    return Run(member, press(member, "↩️ 撤回 #1"))


async def prepare_hours_edit(bot: BotHarness, branch: Branch) -> Run:
    member = await logged(bot, branch)
    await member.send("/hours")
    await member.presses("📜 我的记录", "✏️ 修改 #1")
    return Run(member, typing(member, "3"))


async def prepare_rsvp(bot: BotHarness, branch: Branch) -> Run:
    li = (await taken(bot, branch, prepare_event)).others["member"]
    return Run(li, press(li, "✅ 参加"))


async def prepare_stage(bot: BotHarness, branch: Branch) -> Run:
    await flows.approved_member(bot, branch, "李", "李明", "13800000001")
    secretary = branch.secretary
    await secretary.send("/posts")
    await secretary.press("⚙️ 阶段")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("➡️ 进入")))
    return secretary_presses(branch, "✅ 确认")


async def prepare_mobile_change(bot: BotHarness, branch: Branch) -> Run:
    run = await taken(bot, branch, prepare_mobile_report)
    return secretary_presses(branch, "✅ 同意变更", member=run.person)


async def prepare_ballot(bot: BotHarness, branch: Branch) -> Run:
    """Six members, the round at its rating, 李明's ballot filled in up to its review."""
    people = [bot.person(name) for name in ("李明", "张华", "王芳", "赵强", "刘洋", "陈静")]
    async with bot.db.transaction() as conn:
        for person in people:
            await active_person(conn, branch.id, person.id, person.user["first_name"])
    secretary = branch.secretary
    await secretary.send("/appraisal")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("🆕")))
    await secretary.press("✅ 开启评议")
    for _ in range(2):
        await secretary.send("/appraisal")
        await secretary.press(next(b for b in secretary.buttons() if b.startswith("➡️")))
        await secretary.press("✅ 确认")
    li = people[0]
    await li.send("/appraisal")
    await li.press("🗳 评议其他党员")
    for _ in range(5):
        await li.presses("合格", "跳过")
    return Run(li, press(li, "✅ 提交"), {"secretary": secretary})


async def check_ballot(db: Database, server: FakeBotAPI, run: Run) -> None:
    assert await count(db, "SELECT SUM(votes) FROM appraisal_tallies") == 5
    assert await count(db, "SELECT SUM(has_rated) FROM appraisal_participants") == 1
    assert await count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'appraisal.rated'") == 1


# ------------------------------------------------------------------ development


async def prepare_opinion(bot: BotHarness, branch: Branch) -> Run:
    """张三's public notice running from today; 赵强 has pressed its opinion button."""
    from datetime import timedelta as days

    from domain.access import actor
    from domain.development import cultivation, files, notices

    li_account, zhao = bot.person("李"), bot.person("赵")
    await cadre_support.member(bot.db, branch.id, "李明", cadre=False, telegram_id=li_account.id)
    await cadre_support.member(bot.db, branch.id, "赵强", cadre=False, telegram_id=zhao.id)
    secretary = await actor(bot.db, branch.secretary.id)
    today = flows.today()
    start = today - days(800)
    file_id = (
        await files.start_applicant(bot.db, secretary, branch.id, "张三", start, today)
    ).file.id
    li = (await cultivation.candidates_for_introducer(bot.db, secretary, file_id))[0]["id"]
    await cultivation.toggle_introducer(bot.db, secretary, file_id, li)

    async def step(key: str, offset: int) -> None:
        await files.record_step(bot.db, secretary, file_id, key, start + days(offset), None, today)

    await step("talked", 10)
    await step("activist", 20)
    for offset in (200, 400):
        await cultivation.add_review(
            bot.db, secretary, file_id, start + days(offset), "表现良好。", today
        )
    for key, offset in (("candidate", 420), ("political_review", 421), ("training", 422)):
        await step(key, offset)
    (_, end), *_ = await notices.proposals(bot.db, branch.id, today)
    await notices.start(bot.db, secretary, file_id, end, "王书记 0571-1", today, "bot")
    await bot.drain_outbox()
    await zhao.press("💬 私下提出意见")
    opinion = "张三同志表现很好，同意。"
    return Run(
        zhao, lambda server: server.push_text(zhao.user, opinion), {"secretary": branch.secretary}
    )


async def check_opinion(db: Database, server: FakeBotAPI, run: Run) -> None:
    assert await count(db, "SELECT COUNT(*) FROM development_opinions") == 1
    assert await count(db, "SELECT COUNT(*) FROM outbox WHERE key LIKE 'dev-opinion:%'") == 1
    told = texts(server, run.others["secretary"].id, "张三同志表现很好", run)
    assert len(told) == 1 and "赵强" in told[0], told


SCENARIOS = [
    Scenario(
        "broadcast",
        "domain.broadcasts.send",
        prepare_broadcast,
        "正在发送公告|公告已发出",
        check_broadcast,
        quick=True,
    ),
    Scenario("hours", "domain.hours.log", prepare_hours, "已保存为记录", check_hours, quick=True),
    Scenario(
        "join-request",
        "domain.onboarding.submit",
        prepare_join_request,
        "已提交给支部书记",
        check_join_request,
    ),
    Scenario("join-decision", "domain.onboarding.decide", prepare_join_decision, "已通过"),
    Scenario("hours-decision", "domain.hours.approve", prepare_hours_decision, "已核实"),
    Scenario("post-claim", "domain.posts._open_claim", prepare_post_claim, "等待书记审核"),
    Scenario("duty-record", "domain.posts.record_duty", prepare_duty_record, "履职记录已保存"),
    Scenario(
        "mobile-registration", "domain.mobile.submit", prepare_mobile_registration, "已提交给"
    ),
    Scenario("mobile-decision", "domain.mobile.decide", prepare_mobile_decision, "活动证"),
    Scenario("mobile-report", "domain.mobile.report", prepare_mobile_report, "书记审核"),
    Scenario("event", "domain.events.create", prepare_event, "已创建"),
    Scenario("check-in", "domain.events.check_in", prepare_check_in, "签到"),
    Scenario("hours-rejection", "domain.hours.reject", prepare_hours_rejection, "#1"),
    Scenario("hours-correction", "domain.hours.correct", prepare_hours_correction, "#1"),
    Scenario("hours-withdrawal", "domain.hours.withdraw", prepare_hours_withdrawal, "已撤回"),
    Scenario("hours-edit", "domain.hours.edit_hours", prepare_hours_edit, "已改为"),
    Scenario("rsvp", "domain.events.answer", prepare_rsvp, "参加"),
    Scenario("posts-stage", "domain.posts.advance", prepare_stage, "当前阶段已变为"),
    Scenario("mobile-change", "domain.mobile.decide_change", prepare_mobile_change, "同意"),
    Scenario("post-decision", "domain.posts._settle", prepare_post_decision, "通过"),
    Scenario("cadre-decision", "domain.cadres.decide", prepare_cadre_decision, "已确认"),
    Scenario("departure", "domain.departures.record", prepare_departure, "已登记"),
    Scenario("cadre-registration", "domain.cadres.submit", prepare_cadre_registration, "已提交给"),
    Scenario(
        "appraisal-ballot", "domain.appraisal.cast", prepare_ballot, "评议已提交", check_ballot
    ),
    Scenario(
        "development-opinion",
        "domain.development.send_opinion",
        prepare_opinion,
        "已转交支部书记",
        check_opinion,
    ),
    Scenario(
        "instructor-note",
        "domain.instructors.file_note",
        guidance_support.prepare_note,
        "已报送区党工委",
        guidance_support.check_note,
    ),
    Scenario(
        "assessment",
        "domain.assessment.assess",
        guidance_support.prepare_assess,
        "已保存",
        guidance_support.check_assess,
    ),
]

# Effects no scenario here covers yet; each is journaled like the others (tests/test_effects.py
# proves the mechanism and that no handler's write escapes it). Shrink this list; a new
# effect must be added to a scenario or here, knowingly.
NOT_YET = frozenset(
    {
        "domain.assessment.record_pledge",
        "domain.assessment.set_targets",
        "domain.instructors.assign",
        "domain.instructors.unassign",
        "domain.appraisal.advance",
        "domain.appraisal.dispose",
        "domain.appraisal.follow_up",
        "domain.appraisal.open_round",
        "domain.appraisal.set_grade",
        "domain.appraisal.submit",
        "domain.development.start_applicant",
        "domain.development.start_activist",
        "domain.development.record_step",
        "domain.development.toggle_introducer",
        "domain.development.add_review",
        "domain.development.start",
        "domain.development.close",
        "domain.cadres.add_remark",
        "domain.contact_requests.apply_for_role",
        "domain.cadres.set_leave",
        "domain.digest.set_schedule",
        "domain.events.check_out",
        "domain.events.mark_present",
        "domain.events.seen_at",
        "domain.events.set_lead",
        "domain.hours.set_counting",
        "domain.hours.set_window",
        "domain.mobile.renew",
        "domain.mobile.revoke",
        "domain.mobile.verify",
        "domain.mobile.mark_contacted",
        "domain.mobile.confirm_return",
        "domain.mobile.end_inflow",
        "domain.mobile.request_return",
        "domain.resident_units.answer",
        "domain.resident_units.contact_leaves",
        "domain.resident_units.edit",
        "domain.resident_units.give_opinion",
        "domain.resident_units.invite_contact",
        "domain.resident_units.record_agreement",
        "domain.resident_units.register",
        "domain.resident_units.send_request",
        "domain.onboarding.adopt_profile_name",
        "domain.onboarding.claim",
        "domain.onboarding.create_invite",
        "domain.onboarding.open_invite",
        "domain.pending.approve_hours",
        "domain.posts._edit",
        "domain.posts.add_post",
        "domain.posts.answer_survey",
        "domain.posts.assess",
        "domain.posts.go_back",
        "domain.posts.link_branch_chat",
        "domain.posts.note_request",
        "domain.posts.publication",
        "domain.posts.set_member_limit",
        "domain.posts.withdraw",
        "domain.roster._write",
        "domain.units.add_unit",
        "domain.units.link_chat",
        "domain.units.new_link_code",
    }
)


# ------------------------------------------------------------------ the run


async def settled(db: Database) -> bool:
    unhandled = await count(db, "SELECT COUNT(*) FROM ptb_inbox WHERE handled_at IS NULL")
    unsent = await count(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")
    return not unhandled and not unsent


async def conversations(db: Database, person: Person) -> list[tuple]:
    rows = await db.fetchall(
        "SELECT name, key, state FROM ptb_conversations WHERE key LIKE ? ORDER BY 1, 2",
        (f"%{person.id}%",),
    )
    return [tuple(row) for row in rows]


async def outcome(db: Database) -> dict[str, Any]:
    """What the bot did, to compare a run cut short by a kill with one that was not: the
    rows of every business table, the notifications per chat and the audit entries."""
    found = await db.fetchall(TABLES[db.engine])
    tables = [row["name"] for row in found if row["name"] not in BOOKKEEPING]
    # The start of a text: a certificate's text holds its random verification code.
    outbox = await db.fetchall("SELECT chat_id, template, substr(text, 1, 12) FROM outbox")
    return {
        "rows": {t: await count(db, f"SELECT COUNT(*) FROM {t}") for t in tables},
        "outbox": sorted((tuple(row) for row in outbox), key=repr),
        "audit": sorted(row[0] for row in await db.fetchall("SELECT action FROM audit_log")),
    }


async def prepared(scenario: Scenario, server: FakeBotAPI, data: Path) -> tuple[BotHarness, Run]:
    harness = BotHarness(server, data)
    await harness.start()
    created = await admin.add_branch(harness.db, "幸福社区党支部", "城关区")
    secretary = harness.person("王书记")
    await admin.add_secretary(harness.db, created.id, secretary.id)
    return harness, await scenario.prepare(harness, Branch(created.id, created.name, secretary))


async def reference(scenario: Scenario, data: Path) -> dict[str, Any]:
    """The outcome of the last step handled without a crash (a server and bot of its own:
    the replies it edits would otherwise be edited twice)."""
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    try:
        harness, run = await prepared(scenario, server, data)
        try:
            await harness.processed(run.push(server))
        finally:
            await harness.stop()
        assert not harness.errors, harness.errors
    finally:
        await server.stop()
    async with Database(data / "partybot.db") as db:
        return await outcome(db)


async def crash_and_restart(scenario: Scenario, point: str, data: Path) -> None:
    (data / "reference").mkdir()
    expected = await reference(scenario, data / "reference")
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    # What the bot processes wrote, read through the project's own layer: the SQLite file
    # (`partybot.db`), or with --engine postgresql the database standing in for it.
    db = Database(data / "partybot.db")
    try:
        harness, run = await prepared(scenario, server, data)
        await harness.stop()
        assert not harness.errors, harness.errors
        await db.open(migrate=False)
        before = await conversations(db, run.person)
        seen = {m["message_id"]: m.get("text") for m in run.person.messages}
        run.before = {c: {m["message_id"] for m in server.chat_messages(c)} for c in run.chats()}

        command = ("-m", "tests.reliability.crash_point", "run")
        dying = BotProcess(server, data, command=command, env=ENV | {"CRASH_POINT": point})
        await dying.start()
        run.push(server)
        assert dying.process is not None
        try:
            # Start-up (imports, migrations, the first poll) is most of it: 3 s on a quiet
            # machine, many times that on a loaded one.
            code = await asyncio.wait_for(dying.process.wait(), WAIT_SECONDS)
        finally:
            await dying.stop()
        log = (data / "bot.log").read_text(errors="replace")
        assert code == KILLED and f"dying at {point}" in log, log[-3000:]

        def answered() -> list[str]:
            """The person's messages new or changed since the step, that answer it."""
            found = (
                m.get("text") or m.get("caption") or ""
                for m in run.person.messages
                if seen.get(m["message_id"], ...) != m.get("text")
            )
            return [t for t in found if re.search(scenario.answered, t)]

        async def done() -> bool:
            return bool(answered()) and await settled(db)

        bot = BotProcess(server, data, command=command, env=ENV | {"CRASH_POINT": "none"})
        await bot.start()
        try:
            with contextlib.suppress(TimeoutError):  # the assertions below say what is missing
                await until(done, "settled", every=0.1)
            await asyncio.sleep(0.5)  # anything doubled would arrive now
        finally:
            await bot.stop()
        log = (data / "bot.log").read_text(errors="replace").split("dying at", 1)[-1]
        assert "Traceback" not in log, log[-3000:]
        assert await settled(db)
        assert await outcome(db) == expected
        if before:  # the step was one of a conversation
            assert await conversations(db, run.person) != before, "the conversation did not move on"
        assert answered(), "the person was not answered"
        await scenario.check(db, server, run)
    finally:
        await db.close()
        await server.stop()


CASES = [
    pytest.param(s, p, id=f"{s.name}-{p}") for s in SCENARIOS for p in POINTS if FULL or s.quick
]


@pytest.mark.parametrize(("scenario", "point"), CASES)
async def test_a_kill_during_an_update_makes_nothing_twice(scenario, point, tmp_path):
    await crash_and_restart(scenario, point, tmp_path)


def test_every_effect_has_a_crash_scenario():
    import handlers  # noqa: F401 - registers every effect

    covered = {s.effect for s in SCENARIOS}
    registered = {n for n in effects.REGISTRY if n.startswith("domain.")}
    assert covered <= registered, covered - registered
    assert registered - covered == NOT_YET, "add a scenario, or name it in NOT_YET"
