"""Joining a branch through an invitation, end to end over the fake Bot API."""

from __future__ import annotations

from domain.models import PersonStatus
from storage import people
from tests.conftest import invite, onboard


async def test_two_members_onboard_and_are_approved(bot, branch):
    code = await invite(bot, branch.id, uses=2)
    li, zhang = bot.person("李"), bot.person("张")

    replies = await li.send(f"/start {code}")
    assert "姓名" in replies[-1]["text"]
    await li.send("李明")
    assert li.last["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    await li.share_contact("+86 138 0013 8000")
    assert li.buttons() == ["居民党员", "流动党员", "下岗职工党员", "入党积极分子"]
    await li.press("居民党员")
    assert "姓名：李明" in li.last_text and "电话：13800138000" in li.last_text
    await li.press("✅ 提交")
    assert "已提交给支部书记" in li.last_text

    await onboard(zhang, code, "张 伟", "13900139000", "流动党员")

    secretary = branch.secretary
    requests = [m for m in secretary.messages if "新的入会申请" in m.get("text", "")]
    assert len(requests) == 2
    assert "李明" in requests[0]["text"] and "居民党员" in requests[0]["text"]
    assert "张 伟" in requests[1]["text"] and "流动党员" in requests[1]["text"]

    await secretary.press("✅ 通过", requests[0])
    await secretary.press("✅ 通过", requests[1])
    assert "✅ 已通过：李明" in secretary.messages[-2]["text"] or any(
        "✅ 已通过：李明" in t for t in secretary.texts
    )
    assert "申请已通过" in li.last_text
    assert "申请已通过" in zhang.last_text

    for person in (li, zhang):
        record = await people.by_telegram_id(bot.db, person.id)
        assert record.status is PersonStatus.ACTIVE
        assert record.branch_id == branch.id

    await li.send("/start")
    assert "欢迎回来，李明" in li.last_text


async def test_a_rejected_applicant_is_told_and_stays_out(bot, branch):
    code = await invite(bot, branch.id)
    chen = bot.person("陈")
    await onboard(chen, code, "陈静", "13700137000", "入党积极分子")
    await branch.secretary.press("❌ 驳回")
    assert "未通过" in chen.last_text
    record = await people.by_telegram_id(bot.db, chen.id)
    assert record.status is PersonStatus.REJECTED
