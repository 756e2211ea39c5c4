"""Member development through the chat: one person's way from applicant to full member,
with both public notices and an opinion sent during one, in English; the notice and the
opinion in Chinese; refusals that change nothing. The bot's clock is moved along the way
(bot_data["clock"]), so every step's day can be the day it happened."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest

from domain import admin, posts
from domain.access import actor
from domain.development import cultivation, files, progress
from domain.development.rules import Stage
from storage import development as store
from tests.world import active_person

SHANGHAI_MORNING = time(2, 0)  # 10:00 in Asia/Shanghai


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 3, 21, 2, 0, tzinfo=UTC)

    def on(self, day: str) -> None:
        self.now = datetime.combine(date.fromisoformat(day), SHANGHAI_MORNING, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(bot) -> Clock:
    found = Clock()
    bot.app.bot_data["clock"] = found
    return found


async def _branch(bot, lang: str):
    code = {"en": "en", "zh": "zh-hans"}[lang]
    created = await admin.add_branch(bot.db, "幸福社区党支部")
    secretary = bot.person("Wang", language_code=code)
    await admin.add_secretary(bot.db, created.id, secretary.id, "王书记")
    li, zhao = bot.person("Li", language_code=code), bot.person("Zhao", language_code=code)
    async with bot.db.transaction() as conn:
        await active_person(conn, created.id, li.id, "李明")
        await active_person(conn, created.id, zhao.id, "赵强")
    for member in (li, zhao):
        await member.send("/help")  # the bot learns their client's language
    group = bot.server.new_group("幸福社区居民群")
    await posts.link_branch_chat(
        bot.db, await actor(bot.db, secretary.id), created.id, group["id"], "居民群"
    )
    return created, secretary, li, zhao, group


def _texts(bot, chat_id: int) -> list[str]:
    return [m.get("text") or "" for m in bot.server.chat_messages(chat_id)]


async def _record(secretary, label: str, day: str, vote: str | None = None) -> None:
    await secretary.press(f"✏️ Record: {label}")
    await secretary.send(day)
    if vote is not None:
        await secretary.send(vote)
    assert "Recorded." in secretary.texts[-2], secretary.texts[-3:]


async def _open(person, name: str = "张三") -> None:
    await person.send("/develop")
    await person.press(name)


async def test_one_persons_way_from_applicant_to_full_member(bot, clock):
    branch, secretary, li, zhao, group = await _branch(bot, "en")
    await secretary.send("/develop", expecting="No development files yet.")
    await secretary.presses("➕ Start a file", "➕ A new applicant")
    await secretary.types("张三", "2024-03-01")
    invitation = next(t for t in secretary.texts if "?start=" in t)
    code = re.search(r"\?start=(\S+)", invitation).group(1)

    # The applicant connects their account: known to the branch, not a member.
    zhang = bot.person("Zhang", language_code="en")
    await zhang.send(f"/start {code}", expecting="linked")
    me = await actor(bot.db, zhang.id)
    assert me.active and not me.member
    assert "not a party member yet" in zhang.last_text and "/develop" in zhang.last_text
    await zhang.send("/develop", expecting="Applicant for membership")
    assert "Talk with the applicant by the branch (by April 1, 2024)" in zhang.last_text

    # Dates in order, and the move to activist says what is missing.
    await secretary.press("✏️ Record: Talk with the applicant by the branch")
    await secretary.send("2024-02-20", expecting="before “Application for membership submitted”")
    await secretary.send("2024-03-15")
    assert "Recorded." in secretary.texts[-2]
    await secretary.press("✏️ Record: Decided as an activist")
    assert "choose one or two contacts for cultivation" in secretary.answer
    await secretary.press("👥 Contacts for cultivation")
    assert "⬜ 张三" not in secretary.buttons()  # the applicant is no full member
    await secretary.press("⬜ 李明")
    assert "☑️ 李明" in secretary.buttons()
    await secretary.press("⬅️ Back to the file")
    clock.on("2024-04-02")
    await _record(secretary, "Decided as an activist", "2024-04-01")
    assert "Your membership file: “Decided as an activist” has been recorded." in zhang.texts[-1]

    # The contact for cultivation writes the half-yearly notes (after the fact too).
    clock.on("2025-04-05")
    for day, text in (("2024-10-01", "学习认真，积极参加志愿服务。"), ("2025-04-01", "表现稳定。")):
        await _open(li)
        await li.press("📝 Write an assessment note")
        await li.types(day, text)
        assert "Your assessment note is saved." in li.texts[-2]
    await _open(secretary)
    await secretary.press("✏️ Record: Decided as a candidate for development")
    await secretary.send("2025-03-31", expecting="not before April 1, 2025")
    await secretary.send("2025-04-02")
    await _open(secretary)
    await _record(secretary, "Political review done", "2025-04-03")
    await _record(secretary, "Concentrated training done", "2025-04-04")

    # The first public notice: in the group and to the members, an opinion during it.
    clock.on("2025-04-07")
    await secretary.presses("📢 Start the public notice", "5 working days, until April 11, 2025")
    await secretary.send("王书记 0571-88886666")
    await secretary.press("✅ Submit")
    assert "published until April 11, 2025" in secretary.texts[-2]
    (posted,) = _texts(bot, group["id"])
    # The group reads the bot's default language, Chinese.
    assert "张三" in posted and "0571-88886666" in posted and "2025年4月11日" in posted
    for member in (li, zhao):
        assert "张三 is proposed by the branch" in member.last_text
    assert not any("proposed" in t for t in zhang.texts)

    await zhao.press("💬 Send an opinion privately")
    await zhao.send(
        "张三同志热心公益，同意发展。", expecting="passed to the branch secretaries only"
    )
    told = secretary.texts[-1]
    assert "from 赵强" in told and "张三同志热心公益，同意发展。" in told
    for someone in (li, zhang):
        assert not any("热心公益" in t or "赵强" in t for t in someone.texts)
    assert len(_texts(bot, group["id"])) == 1
    # The group's link opens the same conversation.
    notice_id = await bot.db.fetchval("SELECT MAX(id) FROM development_notices")
    await li.send(
        f"/start dev-opinion-{notice_id}", expecting="Only the branch secretaries read it"
    )
    await li.send("/cancel")

    await _open(secretary)
    await secretary.press("✅ Notice: no objection")
    assert "runs until April 11, 2025" in secretary.answer
    clock.on("2025-04-14")
    await secretary.press("💬 Opinions (1)", expecting="赵强: 张三同志热心公益")
    await secretary.presses("✅ Notice: no objection", "✏️ Record: Branch meeting: admission voted")
    await secretary.send("2025-04-11", expecting="ran until April 11, 2025")
    await secretary.types("2025-04-14", "应到18人，实到18人，赞成18票")
    clock.on("2025-06-01")
    await _open(secretary)
    await _record(secretary, "Admission approved by the higher party committee", "2025-04-20")
    assert (await actor(bot.db, zhang.id)).member  # a probationary member is a member
    await _record(secretary, "Oath taken", "2025-05-01")

    # Probation: a year from the branch meeting; the second notice counts the make-up
    # Sunday (20 September 2026) as a working day.
    clock.on("2026-09-17")
    await _open(secretary)
    await _record(secretary, "Application for full membership submitted", "2026-04-10")
    await secretary.press("📢 Start the public notice")
    await secretary.send("2026-09-21", expecting="only 4 by the branch's calendar")
    await secretary.press("5 working days, until September 22, 2026")
    await secretary.send("王书记 0571-88886666")
    await secretary.press("✅ Submit")
    assert len(_texts(bot, group["id"])) == 2
    clock.on("2026-09-23")
    await _open(secretary)
    await secretary.press("✅ Notice: no objection")
    await _record(secretary, "Branch meeting: full membership voted", "2026-09-23", "赞成18票")
    await _record(secretary, "Full membership approved by the higher party committee", "2026-09-23")

    await zhang.send("/develop", expecting="Stage: Full member")
    assert "The way to full membership is complete." in zhang.last_text
    # Nothing of the file beyond the notices ever reached the group.
    for text in _texts(bot, group["id"]):
        assert not re.search(r"赞成|表现|热心公益|赵强|李明", text)
    counts = await progress(bot.db, branch.id, date(2026, 9, 23))
    assert counts.per_stage[Stage.FULL] == 1 and counts.overdue == 0


async def _candidate_ready(bot, branch_id: int, secretary) -> int:
    """张三's file up to the first public notice, entered through the domain."""
    me = await actor(bot.db, secretary.id)
    started = await files.start_applicant(
        bot.db, me, branch_id, "张三", date(2024, 3, 1), date(2026, 12, 1)
    )
    file_id = started.file.id
    li = (await store.full_members(bot.db, branch_id))[0]["id"]
    await cultivation.toggle_introducer(bot.db, me, file_id, li)
    today = date(2026, 12, 1)
    for key, day in (("talked", "2024-03-15"), ("activist", "2024-04-01")):
        await files.record_step(bot.db, me, file_id, key, date.fromisoformat(day), None, today)
    for day in ("2024-10-01", "2025-04-01"):
        await cultivation.add_review(
            bot.db, me, file_id, date.fromisoformat(day), "表现良好。", today
        )
    for key, day in (
        ("candidate", "2025-04-02"),
        ("political_review", "2025-04-03"),
        ("training", "2025-04-04"),
    ):
        await files.record_step(bot.db, me, file_id, key, date.fromisoformat(day), None, today)
    return file_id


async def test_the_notice_and_an_opinion_in_chinese(bot, clock):
    branch, secretary, li, zhao, group = await _branch(bot, "zh")
    await _candidate_ready(bot, branch.id, secretary)
    clock.on("2026-09-17")
    await _open(secretary)
    assert "发展对象" in secretary.last_text
    await secretary.press("📢 开始公示")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("5 个工作日")))
    await secretary.send("王书记 0571-88886666")
    await secretary.press("✅ 提交")
    (posted,) = _texts(bot, group["id"])
    assert "公示" in posted and "张三" in posted and "2026年9月22日" in posted
    await zhao.press("💬 私下提出意见")
    await zhao.send("同意。")
    assert "赵强" in secretary.texts[-1] and "同意。" in secretary.texts[-1]
    assert not any("同意。" in t for t in li.texts)


async def test_refusals_change_nothing(bot, clock):
    branch, secretary, li, _zhao, group = await _branch(bot, "en")
    file_id = await _candidate_ready(bot, branch.id, secretary)
    other = await admin.add_branch(bot.db, "和平社区党支部")
    stranger_secretary = bot.person("Zhou", language_code="en")
    await admin.add_secretary(bot.db, other.id, stranger_secretary.id)
    clock.on("2026-09-17")
    before = await store.steps(bot.db, file_id)

    # A member presses the secretary's buttons: refused, nothing recorded.
    await li.send("/develop")
    here = li.last["message_id"]
    for data in (
        f"development:step:{file_id}:admitted",
        f"development:introducer-toggle:{file_id}:1",
        f"development:notice:{file_id}",
    ):
        await li.press_data(here, data)
        assert "only the branch secretary" in li.answer
    # The other branch's secretary cannot see or move the file.
    await stranger_secretary.send("/develop")
    here = stranger_secretary.last["message_id"]
    await stranger_secretary.press_data(here, f"development:open:{file_id}")
    assert "not yours to see" in stranger_secretary.answer
    await stranger_secretary.press_data(here, f"development:step:{file_id}:admitted")
    await stranger_secretary.press_data(here, f"development:introducer-toggle:{file_id}:1")
    async with bot.db.transaction() as conn:
        qian = await active_person(conn, branch.id, 777, "钱进", category="activist")
    await stranger_secretary.press_data(here, f"development:start-activist:{qian}")
    assert "only the branch secretary" in stranger_secretary.answer
    assert await store.file_of(bot.db, qian) is None
    # Forged data matches no button.
    await secretary.send("/develop")
    await secretary.press_data(secretary.last["message_id"], "development:step:1:x:y")
    assert "no longer valid" in secretary.answer
    # A notice shorter than five working days.
    await _open(secretary)
    await secretary.press("📢 Start the public notice")
    await secretary.send("2026-09-20", expecting="at least 5 working days")
    await secretary.send("/cancel")
    assert await store.steps(bot.db, file_id) == before
    assert await store.notices(bot.db, file_id) == []
    assert not any("proposed" in t for t in li.texts)
    assert _texts(bot, group["id"]) == []


async def test_an_activist_of_the_branch_gets_a_file_from_that_stage(bot, clock):
    branch, secretary, _li, _zhao, _group = await _branch(bot, "en")
    async with bot.db.transaction() as conn:
        await active_person(conn, branch.id, 777, "钱进", category="activist")
    clock.on("2026-09-17")
    await secretary.send("/develop")
    await secretary.presses("➕ Start a file", "钱进")
    await secretary.send("2026-05-01")
    assert "Recorded." in secretary.texts[-2]
    assert "Stage: Activist" in secretary.last_text
    assert "Choose the contacts for cultivation" in secretary.last_text
    await secretary.send("/develop", expecting="【Activist】")
    await secretary.press("➕ Start a file")
    assert "钱进" not in secretary.buttons()  # one file a person
