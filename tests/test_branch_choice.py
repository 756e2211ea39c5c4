"""A secretary of two branches chooses which one an action is for; a secretary of one is
never asked; a forged branch in the button is refused (issue 14)."""

from __future__ import annotations

from datetime import timedelta

from domain import admin
from storage.db import utcnow
from tests.conftest import invite, onboard
from tests.console_helpers import sent_file, sheet_rows

ASKED = "您是多个支部的书记"


async def two_branches(bot, branch):
    """幸福 (two members) and 和平 (one member), both with the same secretary."""
    peace = await admin.add_branch(bot.db, "和平社区党支部", "城关区")
    secretary = branch.secretary
    await admin.add_secretary(bot.db, peace.id, secretary.id)
    await secretary.send("/start")
    people = {}
    for branch_id, name, phone in [
        (branch.id, "李明", "13800138001"),
        (branch.id, "张伟", "13800138002"),
        (peace.id, "赵和平", "13800138003"),
    ]:
        someone = bot.person(name)
        await onboard(someone, await invite(bot, branch_id), name, phone, "居民党员")
        await secretary.press("✅ 通过")
        people[name] = someone
    await bot.drain_outbox()
    return peace, people


async def test_the_secretary_of_two_branches_chooses_once_per_conversation(bot, branch):
    moment = [utcnow()]
    bot.app.bot_data["clock"] = lambda: moment[0]
    _peace, people = await two_branches(bot, branch)
    secretary = branch.secretary

    await secretary.send("/broadcast")
    assert ASKED in secretary.last_text
    assert secretary.buttons() == ["幸福社区党支部", "和平社区党支部"]
    await secretary.press("和平社区党支部", expecting="请发送公告")
    await secretary.send("周日上午义务植树。")
    await secretary.press("全体党员", expecting="将发送给 1 人")
    await secretary.press("📣 发送")
    await bot.drain_outbox()
    assert people["赵和平"].last_text == "周日上午义务植树。"
    assert all("义务植树" not in t for n in ("李明", "张伟") for t in people[n].texts)

    # Remembered for the conversation: the next actions are for 和平 without asking.
    await secretary.send("/export")
    assert ASKED not in secretary.last_text
    await secretary.press("党员名册")
    rows = sheet_rows(sent_file(secretary.last)[1])[1:]
    assert [r[1] for r in rows] == ["赵和平"]
    await secretary.send("/hours")
    await secretary.press("📋 本季度支部统计")
    assert "赵和平" in secretary.last_text and "李明" not in secretary.last_text

    # A forged branch in the button: refused, the choice stays.
    before = len(secretary.messages)
    await secretary.press_data(secretary.last["message_id"], "sb:999:export")
    assert "只有支部书记" in secretary.answer and len(secretary.messages) == before
    await people["李明"].press_data(people["李明"].last["message_id"], f"sb:{branch.id}:export")
    assert "只有支部书记" in people["李明"].answer

    # Later, a new conversation asks again.
    moment[0] += timedelta(hours=2)
    await secretary.send("/newevent")
    assert ASKED in secretary.last_text
    await secretary.press("幸福社区党支部", expecting="活动标题是什么")
    await secretary.types("/cancel", "/posts")
    assert ASKED not in secretary.last_text  # chosen a moment ago

    # What was typed with the command goes on after the choice.
    moment[0] += timedelta(hours=2)
    today = moment[0].date()
    await secretary.send(f"/export audit {today - timedelta(days=7)} {today}")
    assert ASKED in secretary.last_text
    await secretary.press("和平社区党支部")
    name, _content = sent_file(secretary.last)
    assert name.startswith("审计日志")


async def test_a_secretary_of_one_branch_is_never_asked(bot, branch):
    secretary = branch.secretary
    await secretary.send("/start")
    for command in ("/broadcast", "/newevent", "/import", "/export", "/audit", "/hours"):
        await secretary.send(command)
        assert ASKED not in secretary.last_text, command
        await secretary.send("/cancel")
    await secretary.send("/posts")
    assert ASKED not in secretary.last_text


async def test_the_question_in_english(bot):
    first = await admin.add_branch(bot.db, "幸福社区党支部")
    second = await admin.add_branch(bot.db, "和平社区党支部")
    secretary = bot.person("Wang", language_code="en")
    await admin.add_secretary(bot.db, first.id, secretary.id, "王芳")
    await admin.add_secretary(bot.db, second.id, secretary.id)
    await secretary.send("/audit")
    assert secretary.last_text == "You are secretary of several branches. Which one is this for?"
    await secretary.press("和平社区党支部")
    assert secretary.texts[-2] == "For 和平社区党支部:"
