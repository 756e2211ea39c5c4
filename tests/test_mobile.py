"""Mobile members (流动党员) end to end over the fake Bot API."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

import pytest

from domain import admin, mobile
from domain.access import actor
from domain.mobile.models import Direction, ListKind
from handlers.mobile import certificate_card
from handlers.mobile.buttons import (
    Approve,
    ApproveChanges,
    CertificateReceived,
    Contacted,
    Day,
    ListPage,
    Open,
    Register,
    Reject,
    RejectChanges,
    Renew,
    Returned,
    ReturnedForGood,
    Revoke,
    ShowCertificate,
    StartReport,
)
from storage.db import iso, utcnow
from tests.conftest import branch_with_secretary
from tests.fakes.harness import BotHarness, Person
from tests.flows import (
    approved_member,
    approved_outflow,
    register_outflow,
    retype,
    status_report,
    today,
)

NUMBER = re.compile(r"编号：(B\d{4}-(\d{4})-(\d{4}))")
CODE = re.compile(r"验证码：([A-Z0-9]+)")


async def member(bot: BotHarness, branch, first: str, name: str, phone: str) -> Person:
    """An approved mobile member (流动党员) of `branch`."""
    return await approved_member(bot, branch, first, name, phone, category="流动党员")


async def report(person: Person, new_address: str) -> None:
    await status_report(person, new_address)
    assert f"地址：{new_address}" in person.last_text
    await person.press("✅ 提交报告")


async def count(bot: BotHarness, table: str) -> int:
    return await bot.db.fetchval(f"SELECT COUNT(*) FROM {table}")


async def test_outflow_approval_certificate_report_and_return(bot, branch):
    li = await member(bot, branch, "李", "李明", "13800138000")
    await register_outflow(li)
    review = li.last_text
    assert review.startswith("请核对您的登记信息")
    assert "外出地点（省市）：浙江省杭州市" in review
    assert "流入地党组织：暂不清楚" in review
    assert "本人电话：13800138000" in review
    # every field can be edited on the review screen
    assert "✏️ 预计返回日期" in li.buttons()
    await li.press("✏️ 工作单位或从事工作", expecting="工作单位")
    await li.send("杭州另一家公司", expecting="工作单位或从事工作：杭州另一家公司")
    await retype(li, "流入地党组织", "杭州市西湖区流动党员党支部")
    assert "流入地党组织：杭州市西湖区流动党员党支部" in li.last_text
    await li.press("✅ 提交", expecting="已提交给幸福社区党支部书记")

    secretary = branch.secretary
    assert "李明 提交了新的流动党员登记" in secretary.last_text
    assert "杭州另一家公司" in secretary.last_text
    await secretary.press("✅ 通过", expecting="活动证 B0001-")

    card = li.last  # drawn in the font the install brings
    assert "photo" in card, "the certificate card is sent as a PNG photo"
    assert card["_files"]["photo"]["content"].startswith(b"\x89PNG")
    assert "未能生成" not in li.last_text
    number = NUMBER.search(li.last_text)
    assert number and number.group(2) == str(today().year) and number.group(3) == "0001"
    assert "持证人：李明" in li.last_text
    code = CODE.search(li.last_text).group(1)

    stranger = bot.person("路人")
    await stranger.send(f"/verify {code}")
    assert "真实有效" in stranger.last_text and "李明" in stranger.last_text
    assert "幸福社区党支部" in stranger.last_text
    assert "13800138000" not in stranger.last_text and "杭州" not in stranger.last_text
    await stranger.send(f"/start verify-{code}", expecting="真实有效")
    await stranger.send("/verify NOSUCHCODE", expecting="没有与此验证码对应的活动证")

    await li.send("/mobile")
    assert "活动证 B0001-" in li.last_text and "下次动态报告截止" in li.last_text
    await report(li, "滨江区江南大道2号")
    assert "第 2 版" in li.last_text and "书记审核后生效" in li.last_text
    assert "李明 提交了动态报告（第 2 版）" in secretary.last_text
    assert "学习情况：学习了党章" in secretary.last_text
    assert "地址：滨江区江南大道2号" in secretary.last_text
    await secretary.press("❌ 不同意变更")
    await secretary.send("请填写完整的门牌号")
    assert "未同意您报告的变更" in li.last_text and "请填写完整的门牌号" in li.last_text
    await report(li, "滨江区江南大道2号3幢")
    await secretary.press("✅ 同意变更", expecting="已同意变更：李明，现为第 4 版")
    assert "第 4 版" in li.last_text
    versions = await bot.db.fetchall("SELECT details FROM mobile_versions ORDER BY version")
    assert [v["details"].count("西湖区文三路1号") for v in versions] == [1, 1, 1, 0]
    assert "滨江区江南大道2号3幢" in versions[3]["details"], "history is never overwritten"

    await secretary.press("📂 查看")
    for text in ("第 1 版", "第 4 版", "发放活动证", "动态报告", "不同意变更：请填写完整的门牌号"):
        assert text in secretary.last_text, text

    await li.send("/mobile")
    await li.presses("🏠 我已返回", "✅ 是的，我已返回", expecting="请将活动证交还支部书记")
    assert "李明 报告已返回" in secretary.last_text
    await secretary.press("✅ 已收回活动证", expecting="已确认返回：李明")
    assert "欢迎回家" in li.last_text
    await stranger.send(f"/verify {code}", expecting="已失效")
    await li.send("/mobile", expecting="您还没有流动党员登记")


async def test_inflow_is_confirmed(bot, branch):
    zhao = await member(bot, branch, "赵", "赵云", "13900139000")
    await zhao.send("/mobile")
    await zhao.press("🏠 流入登记")
    await zhao.types("河北省正定县某村党支部", "张支书", "0311-88886666", "幸福小区3栋", "个体经营")
    arrived = today() - timedelta(days=10)
    await zhao.send(f"{arrived.month}月{arrived.day}日")
    # The phone given when joining is offered, not typed again.
    await zhao.press("📞 使用 13900139000", expecting="原所在党支部：河北省正定县某村党支部")
    assert "13900139000" in zhao.last_text
    assert "联系人电话：0311-88886666" in zhao.last_text
    await zhao.press("✅ 提交")
    await branch.secretary.press("✅ 通过")
    assert "流入登记已确认" in zhao.last_text
    assert await count(bot, "mobile_certificates") == 0
    await zhao.send("/mobile", expecting="流入（来到本社区）——已通过")
    await zhao.press_data(zhao.last["message_id"], Register(Direction.OUTFLOW).pack())
    assert "不能同时登记为外出和流入党员" in zhao.last_text
    secretary = branch.secretary
    await secretary.send("/mobile_list")
    assert "流入党员 · 1" in secretary.buttons()
    await secretary.presses("流入党员 · 1", "赵云 · 幸福小区3栋", expecting="原支部联系人：张支书")
    assert "🔄 活动证续期" not in secretary.buttons()
    await secretary.press("🏁 已迁离", expecting="已结束流入登记：赵云")
    assert "结束您的流入登记" in zhao.last_text
    await secretary.send("/mobile_list")
    assert "流入党员 · 0" in secretary.buttons()
    await zhao.send("/mobile")
    assert "🚶 外出登记" in zhao.buttons()


async def test_simultaneous_approvals_get_distinct_consecutive_numbers(bot, branch):
    second = bot.person("刘书记")
    await admin.add_secretary(bot.db, branch.id, second.id)
    li = await member(bot, branch, "李", "李明", "13800138000")
    zhang = await member(bot, branch, "张", "张伟", "13900139000")
    for person in (li, zhang):
        await register_outflow(person)
        await person.press("✅ 提交")
    first_request = branch.secretary.message_with_button("✅ 通过")
    requests = [m for m in second.messages if "提交了新的流动党员登记" in m.get("text", "")]
    assert "李明" in first_request["text"] or "张伟" in first_request["text"]
    other = next(m for m in requests if m["text"].split(" ")[0] not in first_request["text"])
    await asyncio.gather(
        branch.secretary.press("✅ 通过", first_request),
        second.press("✅ 通过", other),
    )
    numbers = sorted(
        r["number"] for r in await bot.db.fetchall("SELECT number FROM mobile_certificates")
    )
    year = today().year
    assert numbers == [f"B0001-{year}-0001", f"B0001-{year}-0002"]
    assert {NUMBER.search(p.last_text).group(1) for p in (li, zhang)} == set(numbers)


async def test_another_branch_can_neither_see_nor_act(bot, branch):
    li = await member(bot, branch, "李", "李明", "13800138000")
    await register_outflow(li)
    await li.press("✅ 提交")
    rid = await bot.db.fetchval("SELECT id FROM mobile_registrations")

    outsider = (await branch_with_secretary(bot, "光明社区党支部", "外支部书记")).secretary
    await outsider.send("/mobile_list")
    assert "光明社区党支部" in outsider.texts[-1]
    assert all("李明" not in text for text in outsider.texts)
    message = outsider.last["message_id"]
    for data in (
        Approve(rid).pack(),
        Reject(rid).pack(),
        Open(rid).pack(),
        Contacted(rid).pack(),
        Renew(rid).pack(),
        Revoke(rid).pack(),
        CertificateReceived(rid).pack(),
        ListPage(branch.id, ListKind.PENDING, 0).pack(),
    ):
        await outsider.press_data(message, data)
        assert "只有支部书记" in (outsider.answer or ""), data
        assert all("李明" not in text for text in outsider.texts)
    await outsider.send("不应被当作驳回原因")
    assert await bot.db.fetchval("SELECT status FROM mobile_registrations") == "pending"

    await branch.secretary.press("✅ 通过")
    answers = {"whereabouts": "杭州", "study": "党章", "activities": "主题党日"}
    me = await actor(bot.db, li.id)
    change = (await mobile.report(bot.db, me, rid, answers, {"address": "滨江区"}, today())).change
    for data in (ApproveChanges(change.id).pack(), RejectChanges(change.id).pack()):
        await outsider.press_data(message, data)
        assert "只有支部书记" in (outsider.answer or ""), data
    assert await bot.db.fetchval("SELECT status FROM mobile_changes") == "pending"
    nosy = await member(bot, branch, "钱", "钱八", "13500135000")
    await nosy.send("/mobile")
    stranger = bot.person("路人")
    await stranger.send("/mobile", expecting="只有已登记的支部党员")
    for data in (
        ShowCertificate(rid).pack(),
        Returned(rid).pack(),
        ReturnedForGood(rid).pack(),
        StartReport(rid).pack(),
    ):
        for someone in (nosy, stranger):
            await someone.press_data(someone.last["message_id"], data)
            someone.answer  # noqa: B018 - fails when the press was left unanswered
            assert all("李明" not in text for text in someone.texts), data
    for forged in ("mob:ok:abc", "mob:ok:1;DROP", "mob:l:1:nosuch:0", "mob:d:2026-02-31", "x" * 64):
        await branch.secretary.press_data(branch.secretary.last["message_id"], forged)
        assert branch.secretary.answer == "此按钮已失效。", forged
    assert await bot.db.fetchval("SELECT status FROM mobile_registrations") == "active"
    assert await count(bot, "mobile_versions") == 2
    assert await count(bot, "mobile_certificates") == 1


async def test_every_bad_input_is_asked_again(bot, branch):
    li = await member(bot, branch, "李", "李明", "13800138000")
    await li.send("/mobile")
    await li.press("🚶 外出登记")
    await li.send("   ", expecting="请输入内容")
    await li.send("省" * 201, expecting="最多 200 个字")
    await li.types("广东省深圳市", "南山区科技园", "深圳某公司", "深圳市南山区某党支部", "陈联系人")
    for bad in ("12345", "1280013800", "电话"):
        await li.send(bad)
        assert "电话号码无效" in li.last_text, bad
    await li.send("0755-12345678", expecting="哪天外出")
    assert any(b.isdigit() for b in li.buttons()), "a date picker comes with the question"
    for bad, expected in [
        ("明天", "无法识别该日期"),
        ("2026-13-01", "这个日期不存在"),
        ("2月30日", "这个日期不存在"),
        ("1999-01-01", "离今天太远"),
        ((today() + timedelta(days=400)).isoformat(), "一年以后"),
    ]:
        await li.send(bad)
        assert expected in li.last_text, bad
    leave = today() + timedelta(days=3)
    await li.send(f"{leave.month}月{leave.day}日", expecting="预计哪天返回")
    await li.send((leave - timedelta(days=1)).isoformat(), expecting="返回日期必须晚于外出日期")
    await li.press_data(li.last["message_id"], Day(leave.year, leave.month, leave.day).pack())
    assert "返回日期必须晚于外出日期" in li.last_text
    # the picker turns its month in place and a picked day is taken as typed
    picker = li.last
    await li.press("›", picker)
    nxt = date(today().year + today().month // 12, today().month % 12 + 1, 15)
    await li.press("15", li.server.last_message(li.id), expecting="外出原因")
    await li.types(
        "照顾生病的父母", "13800138000", expecting=f"预计返回日期：{nxt.year}年{nxt.month}月15日"
    )
    # editing the departure on the review screen cannot slip past the return date
    await retype(li, "外出日期", (nxt + timedelta(days=1)).isoformat())
    assert "返回日期必须晚于外出日期" in li.last_text
    await li.send(leave.isoformat())
    await li.press("✅ 提交")

    await li.send("/mobile", expecting="等待书记审核")
    await li.types("/start", "/mobile")
    assert "🚶 外出登记" not in li.buttons()
    # a second outflow while one is open is refused with an explanation
    await li.press_data(li.last["message_id"], Register(Direction.OUTFLOW).pack())
    assert "已有一个有效的外出登记" in li.last_text
    await li.press_data(li.last["message_id"], Register(Direction.INFLOW).pack())
    assert "不能同时登记为外出和流入党员" in li.last_text
    assert await count(bot, "mobile_registrations") == 1

    await branch.secretary.press("❌ 驳回", expecting="原因")
    await branch.secretary.send(" ", expecting="请输入内容")
    await branch.secretary.send("请补充流入地党组织的联系方式")
    assert "未通过" in li.last_text and "请补充流入地党组织的联系方式" in li.last_text
    assert await bot.db.fetchval("SELECT status FROM mobile_registrations") == "rejected"
    await branch.secretary.press("✅ 通过")
    assert "已处理过" in branch.secretary.answer
    assert await count(bot, "mobile_certificates") == 0
    # after a rejection the member may register again
    await li.send("/mobile")
    assert "🚶 外出登记" in li.buttons()


async def test_secretary_lists_pages_contacts_renews_and_revokes(bot, branch):
    from domain.mobile.models import Direction
    from domain.models import Category
    from tests.world import active_person

    async with bot.db.transaction() as conn:
        for i in range(7):
            await active_person(conn, branch.id, 9000 + i, f"外出{i}", category=Category.MOBILE)
    leave, back = today(), today() + timedelta(days=60)
    details = {
        "destination": "江苏省苏州市",
        "address": "工业园区",
        "employer": "某工厂",
        "departure": leave.isoformat(),
        "expected_return": back.isoformat(),
        "reason": "务工",
        "phone": "13800138000",
    }
    for i in range(7):
        await mobile.submit(
            bot.db, await actor(bot.db, 9000 + i), Direction.OUTFLOW, details, today()
        )
    await bot.drain_outbox()  # the secretary is told of each in the outbox
    secretary = branch.secretary
    await secretary.send("/mobile_list", expecting="幸福社区党支部的流动党员")
    assert "待审核 · 7" in secretary.buttons()
    await secretary.press("待审核 · 7", expecting="待审核：共 7 人（第 1/2 页）")
    assert len([b for b in secretary.buttons() if b.startswith("外出")]) == 5
    await secretary.press("›", expecting="第 2/2 页")
    assert [b for b in secretary.buttons() if b.startswith("外出")] == [
        "外出5 · 江苏省苏州市",
        "外出6 · 江苏省苏州市",
    ]
    await secretary.press("外出6 · 江苏省苏州市")
    await secretary.press("✅ 通过", secretary.last)
    await bot.db.writer.execute(
        "UPDATE mobile_registrations SET decided_at = '2025-01-01T00:00:00+00:00'"
        " WHERE status = 'active'"
    )
    soon = (today() + timedelta(days=10)).isoformat()
    await bot.db.writer.execute("UPDATE mobile_certificates SET valid_until = ?", (soon,))
    await secretary.send("/mobile_list")
    buttons = secretary.buttons()
    for label in ("外出党员 · 1", "超期未报告 · 1", "超期未联系 · 1", "活动证即将到期 · 1"):
        assert label in buttons, (label, buttons)

    await secretary.presses(
        "超期未联系 · 1", "外出6 · 江苏省苏州市", expecting="已超过 90 天未联系"
    )
    await secretary.press("📞 记录联系")
    await secretary.send("电话联系，工作稳定")
    assert "已保存" in secretary.texts[-2]
    assert "已超过 90 天未联系" not in secretary.last_text
    assert "已联系：电话联系，工作稳定" in secretary.last_text

    await secretary.press("🔄 活动证续期")
    expected = mobile.dates.add_months(today(), 6)
    assert await bot.db.fetchval("SELECT valid_until FROM mobile_certificates") == (
        expected.isoformat()
    )
    assert "活动证续期" in secretary.last_text
    await secretary.press("⛔ 注销活动证")
    await secretary.send("组织关系已转出")
    assert "活动证注销" in secretary.last_text and "组织关系已转出" in secretary.last_text
    assert await bot.db.fetchval("SELECT status FROM mobile_certificates") == "revoked"
    await secretary.send("/mobile_list")
    assert "超期未联系 · 0" in secretary.buttons()
    assert "活动证即将到期 · 0" in secretary.buttons()


async def test_without_a_cjk_font_the_certificate_is_text_only(bot, branch, tmp_path, caplog):
    garbage = tmp_path / "broken.ttf"
    garbage.write_bytes(b"\x00\x01\x00\x00 truncated")
    bot.overrides["bot_font"] = garbage  # taken alone: the bundled font is not tried
    await bot.restart()
    certificate_card.find_font.cache_clear()
    try:
        li = await member(bot, branch, "李", "李明", "13800138000")
        await approved_outflow(li, branch.secretary)
    finally:
        certificate_card.find_font.cache_clear()
    assert "photo" not in li.last and "编号：B0001-" in li.last_text
    assert "未能生成" in li.last_text, "the member is told the card could not be drawn"
    assert "no usable font with Chinese glyphs (tried " + str(garbage) in caplog.text


async def test_english_speakers_register_in_english(bot, branch):
    john = await approved_member(
        bot,
        branch,
        "John",
        "John Smith",
        "13700137000",
        category="Mobile member (working away)",
        submit="✅ Submit",
        language_code="en",
    )
    await john.send("/mobile", expecting="You have no mobile-member registration")
    await john.press("🚶 Register outflow", expecting="province and city")
    await john.types("Shanghai", "Pudong", "A bank")
    await john.press("Not known yet")
    await john.send("tomorrow", expecting="I could not read that date")
    leave, back = today() + timedelta(days=1), today() + timedelta(days=40)
    await john.types(leave.isoformat(), back.isoformat())
    await john.press("Business")
    await john.send("13700137000", expecting="Destination (province and city): Shanghai")
    assert "Reason: Business" in john.last_text
    await john.press("✅ Submit")
    assert "New mobile-member registration" not in branch.secretary.last_text
    assert "John Smith 提交了新的流动党员登记" in branch.secretary.last_text
    await branch.secretary.press("✅ 通过")
    assert "No.: B0001-" in john.last_text and "Holder: John Smith" in john.last_text


async def test_holders_and_secretaries_are_reminded_once_before_expiry(bot, branch):
    from bot import jobs

    li = await member(bot, branch, "李", "李明", "13800138000")
    await approved_outflow(li, branch.secretary)

    async def remind() -> int:
        job = jobs.JOBS["mobile-renewals"]
        queued = await job.run(bot.db, branch.id, utcnow(), bot.settings.tz)
        await bot.drain_outbox()
        return queued

    before = len(li.messages)
    assert await remind() == 0
    assert len(li.messages) == before, "six months ahead: no reminder yet"
    soon = today() + timedelta(days=20)
    await bot.db.writer.execute(
        "UPDATE mobile_certificates SET valid_until = ?", (soon.isoformat(),)
    )
    assert await remind() == 2, "the holder and the one secretary"
    assert "支部书记将为您续期" in li.last_text
    assert "李明 的活动证" in branch.secretary.last_text
    before = len(li.messages), len(branch.secretary.messages)
    assert await remind() == 0
    assert (len(li.messages), len(branch.secretary.messages)) == before, "reminded once"
    rows = await bot.db.fetchall("SELECT key FROM outbox WHERE key LIKE 'mobile-expiring:%'")
    assert len(rows) == 2
    await branch.secretary.press("🔄 活动证续期")
    assert "续期至" in li.texts[-2]


async def test_a_member_whose_status_report_is_due_is_reminded_weekly_with_a_button(bot, branch):
    from bot import jobs

    li = await member(bot, branch, "李", "李明", "13800138000")
    await approved_outflow(li, branch.secretary)
    report_days = mobile.MobileSettings().report_days
    # Approved so long ago that the first report fell due a couple of hours ago.
    due = utcnow() - timedelta(hours=2)
    await bot.db.writer.execute(
        "UPDATE mobile_registrations SET decided_at = ?",
        (iso(due - timedelta(days=report_days)),),
    )

    async def remind(days_later: float) -> int:
        """The job run `days_later` days from now."""
        moment = utcnow() + timedelta(days=days_later)
        queued = await jobs.JOBS["mobile-reports"].run(bot.db, branch.id, moment, bot.settings.tz)
        await bot.drain_outbox()
        return queued

    assert await remind(-1) == 0, "not due yet"
    assert await remind(0) == 1
    assert "动态报告" in li.last_text and "到期" in li.last_text
    assert await remind(0) == 0, "once"
    assert await remind(3) == 0, "then weekly"
    assert await remind(7) == 1
    assert await remind(7 * mobile.REPORT_REMINDERS) == 0, "four reminders at most"
    await li.press("📝 动态报告")
    assert "/cancel" in li.last_text, "the reminder's button starts the report"
    await li.send("/cancel")
    await report(li, "西湖区文三路2号")
    assert await remind(14) == 0, "reported today: the next report is due in a month"
    keys = await bot.db.fetchval("SELECT COUNT(*) FROM outbox WHERE key LIKE 'mobile-report-due:%'")
    assert keys == 2


async def test_cancel_and_restart_in_the_middle_of_a_registration(bot, branch):
    li = await member(bot, branch, "李", "李明", "13800138000")
    await li.send("/mobile")
    await li.press("🚶 外出登记")
    await li.types("浙江省杭州市", "/cancel", expecting="已取消")
    await li.send("西湖区", expecting="不太明白")
    assert await count(bot, "mobile_registrations") == 0

    await li.send("/mobile")
    await li.press("🚶 外出登记")
    await li.send("浙江省杭州市")
    await bot.restart()
    await li.send("西湖区")
    assert "工作单位" in li.last_text, "the step survives a restart"


async def test_the_decision_and_its_notification_commit_together(bot, branch):
    li = await member(bot, branch, "李", "李明", "13800138000")
    await register_outflow(li)
    await li.press("✅ 提交")
    registration_id = await bot.db.fetchval("SELECT id FROM mobile_registrations")
    secretary = await actor(bot.db, branch.secretary.id)

    async def crashing_card(*_args):
        raise RuntimeError("the bot died while drawing the card")

    with pytest.raises(RuntimeError):
        await mobile.decide(
            bot.db, secretary, registration_id, approve=True, today=today(), card=crashing_card
        )
    decided = "SELECT key FROM outbox WHERE key LIKE 'mobile-decided:%'"
    assert await bot.db.fetchall(decided) == []
    assert await bot.db.fetchval("SELECT COUNT(*) FROM mobile_certificates") == 0

    await mobile.decide(bot.db, secretary, registration_id, approve=True, today=today())
    assert [row["key"] for row in await bot.db.fetchall(decided)] == [
        f"mobile-decided:{registration_id}"
    ]
    await bot.drain_outbox()
    assert "您的外出登记已通过" in li.last_text


async def test_a_list_page_past_the_end_is_answered_not_an_error(bot, branch):
    # An old list message's ›, or forged data: the page is empty, and Telegram refuses an
    # empty keyboard, so the answer comes without one.
    secretary = branch.secretary
    await secretary.send("/mobile_list")
    await secretary.press_data(
        secretary.last["message_id"], ListPage(branch.id, ListKind.PENDING, 7).pack()
    )
    assert "待审核" in secretary.last_text and "reply_markup" not in secretary.last
