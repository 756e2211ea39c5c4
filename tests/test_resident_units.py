"""Resident units (驻区单位) and co-building, end to end through the chat (issue 19): the
secretary registers a unit and invites its contact, who joins as a contact (never a member);
a request accepted and another declined; both sides' year record; the agreement; the
unit's yearly opinion reaching the secretary and the district; the county's sheet."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from domain import admin, county_report, districts, onboarding, periods
from domain.access import actor
from domain.models import InviteRole
from domain.resident_units import cobuild
from storage import join_requests
from storage.db import Database
from tests.conftest import branch_with_secretary, invite, onboard
from tests.console_helpers import sent_file
from tests.flows import today
from tests.test_cli import partybot
from tests.test_contacts import contact_joins, menu_of


async def a_registered_unit(bot, branch):
    """县第一中学, registered through the chat by the branch's secretary (who has sent
    /start), with its contact (an English client) joined."""
    secretary = branch.secretary
    await secretary.types("/start", "/resident_units", expecting="尚未登记驻区单位")
    await secretary.press("➕ 登记单位", expecting="单位全称")
    await secretary.send("县")  # too short: refused, asked again
    assert "请输入单位全称" in secretary.last_text
    await secretary.send("县第一中学")
    await secretary.press("学校")
    await secretary.types("刘主任", "12345")
    assert "电话" in secretary.last_text or "号码" in secretary.last_text
    await secretary.send("0571-87654321")
    await secretary.presses("▫️ 场地", "▫️ 志愿者")
    await secretary.press("✅ 志愿者")  # pressed twice: not offered after all
    await secretary.presses("▫️ 专业技术", "完成")
    review = secretary.last_text
    assert "单位：县第一中学" in review and "类型：学校" in review
    assert "刘主任 0571-87654321" in review and "可提供：场地、专业技术" in review
    await secretary.press("✅ 提交", expecting="已保存：县第一中学")
    await secretary.press("🔗 邀请联系人")
    code = re.search(r"start=([A-Z0-9]+)", secretary.last_text).group(1)
    assert "不成为本支部党员" in secretary.last_text

    contact = bot.person("Sun", language_code="en")
    await contact_joins(contact, code, "孙联络", "13700137009")
    card = secretary.message_with_button("✅ 通过")
    assert "驻区单位“县第一中学”的联系人" in card["text"]
    await secretary.press("✅ 通过", card)
    await bot.drain_outbox()
    assert "You are registered as the contact of the resident unit 县第一中学" in (
        contact.last_text
    )
    assert "/cobuild" in contact.last_text and "/opinion" in contact.last_text
    assert "/hours" not in contact.last_text and "/posts" not in contact.last_text
    return contact


async def the_card(secretary, unit: str = "县第一中学") -> None:
    await secretary.send("/resident_units")
    await secretary.press(f"🏢 {unit}")


async def a_request(secretary, kind: str, text: str, days: int) -> None:
    await the_card(secretary)
    await secretary.presses("📨 提出需求", kind)
    await secretary.send(text)
    await secretary.send("明天上午")  # not a date
    assert "日期" in secretary.last_text
    await secretary.send((today() + timedelta(days=days)).isoformat())
    assert "请核对" in secretary.last_text and text in secretary.last_text
    await secretary.press("📨 发送", expecting="已发送给县第一中学")


async def a_request_accepted(bot, secretary, contact, answer: str) -> None:
    """A room asked for in two days, accepted by the unit's contact with `answer`."""
    await a_request(secretary, "场地", "借用会议室开党课", 2)
    await bot.drain_outbox()
    await contact.press("✅ Accept")
    await contact.send(answer)


async def test_a_unit_co_builds_with_its_branch_through_the_year(bot, branch):
    secretary = branch.secretary
    contact = await a_registered_unit(bot, branch)

    # The first request: accepted with the details.
    await a_request(secretary, "场地", "借用会议室开党课", 3)
    await bot.drain_outbox()
    assert "asks 县第一中学: A room" in contact.last_text
    assert "借用会议室开党课" in contact.last_text
    request_card = contact.last
    await contact.press("✅ Accept", request_card, expecting="where, when")
    await contact.send("x")  # too short: asked again
    assert "a few words" in contact.last_text
    await contact.send("Room 301, 9 am, ask Mr Liu", expecting="The branch secretary is told")

    # Answering twice, or with a forged button, changes nothing.
    request_id = await bot.db.fetchval("SELECT id FROM cobuild_requests")
    await contact.press_data(request_card["message_id"], f"cobuild:decline:{request_id}")
    assert "answered already" in contact.answer
    await contact.press_data(request_card["message_id"], "cobuild:accept:99999")
    assert contact.answer  # refused: no such request
    await bot.drain_outbox()
    told = [t for t in secretary.texts if "县第一中学接受了您的需求" in t]
    assert len(told) == 1 and "Room 301" in told[0]

    # The second: declined with the reason.
    await a_request(secretary, "志愿者", "需要志愿者 5 人", 5)
    await bot.drain_outbox()
    await contact.press("❌ Decline", expecting="reason")
    await contact.send("Exams that week")
    await bot.drain_outbox()
    assert "县第一中学婉拒了您的需求" in secretary.last_text

    # The agreement of the year, recorded by the secretary.
    await the_card(secretary)
    assert "孙联络" in secretary.last_text
    await secretary.press("📝 共建协议")
    await secretary.types("为学校师生上党课", "开放操场和会议室")
    await secretary.press("✅ 提交", expecting="已登记")

    # Both sides see the year's record.
    await secretary.send("/cobuild")
    record = secretary.last_text
    assert "支部承诺：为学校师生上党课" in record and "单位承诺：开放操场和会议室" in record
    assert "借用会议室开党课 — 状态：已接受" in record and "答复：Room 301" in record
    assert "需要志愿者 5 人 — 状态：已婉拒" in record and "答复：Exams that week" in record
    await bot.drain_outbox()
    await contact.send("/cobuild")
    mine = contact.last_text
    assert "the branch commits to: 为学校师生上党课" in mine
    assert "借用会议室开党课 — accepted" in mine and "需要志愿者 5 人 — declined" in mine
    assert "has not given this year's opinion" in mine


async def test_the_opinion_reaches_the_secretary_and_the_district(bot, branch):
    secretary = branch.secretary
    contact = await a_registered_unit(bot, branch)
    district = await district_contact(bot, branch)

    await contact.send("/opinion", expecting="on behalf of 县第一中学")
    await contact.send("The branch's lessons were well prepared; more evening events, please.")
    await contact.press("✅ Submit", expecting="reached the branch secretary and the district")
    await bot.drain_outbox()
    for person in (secretary, district):
        assert "驻区单位“县第一中学”" in person.last_text
        assert "more evening events" in person.last_text
    await contact.types("/opinion", "Once more")
    await contact.press("✅ Submit", expecting="already")
    opinions = [t for t in secretary.texts if "more evening events" in t]
    assert len(opinions) == 1


async def test_a_contact_is_no_member_and_sees_only_their_unit(bot, branch):
    secretary = branch.secretary
    contact = await a_registered_unit(bot, branch)

    # Editing: the review screen first, one field changed, back to the review screen.
    await the_card(secretary)
    await secretary.press("✏️ 修改")
    assert "请核对" in secretary.last_text and "可提供：场地、专业技术" in secretary.last_text
    await secretary.presses(
        "可提供资源", "▫️ 资金", "完成", "联系方式", "跳过", expecting="可提供：场地、资金、专业技术"
    )
    assert "单位联系方式：—" in secretary.last_text
    await secretary.send("/cancel")
    assert "未保存" in secretary.last_text or "Nothing" in secretary.last_text
    await secretary.press("🏢 县第一中学")
    assert "可提供：场地、专业技术" in secretary.last_text  # cancelled: unchanged
    await secretary.presses("✏️ 修改", "名称")
    await secretary.send("县第一中学初中部")
    await secretary.press("✅ 提交", expecting="已保存：县第一中学初中部")
    await the_card(secretary, "县第一中学初中部")
    await secretary.presses("✏️ 修改", "名称")
    await secretary.send("县第一中学")
    await secretary.press("✅ 提交")
    other = await branch_with_secretary(bot, "和平社区党支部", "乙书记")
    code = await invite(bot, branch.id)
    member = bot.person("党员甲")
    await onboard(member, code, "党员甲", "13800138000", "居民党员")
    await secretary.press("✅ 通过")

    # Their own menu, in their language (English), at the Bot API.
    everyone = {"start", "help", "language", "cancel", "verify"}
    theirs = everyone | {"cobuild", "opinion", "mydata"}
    assert set(await menu_of(bot, contact.id, theirs)) == theirs
    published = [c for (scope, _), c in bot.server.commands.items() if str(contact.id) in scope]
    assert {"command": "cobuild", "description": "Our co-building with the branch this year"} in (
        published[0]
    )

    # Counted and messaged as no member: the broadcast reaches the one member only.
    await secretary.types("/broadcast", "周六上午清扫楼道。")
    await secretary.press("全体党员", expecting="将发送给 1 人")
    await secretary.press("📣 发送")
    await bot.drain_outbox()
    assert "周六上午清扫楼道。" not in contact.texts
    await contact.send("/hours")
    assert "Log" not in " ".join(contact.buttons())

    # Another branch's secretary may not open, edit, invite or ask for the unit.
    await other.secretary.send("/start")
    unit_id = await bot.db.fetchval("SELECT id FROM resident_units")
    for data in (
        f"resident:open:{unit_id}",
        f"resident:edit:{unit_id}",
        f"resident:invite:{unit_id}",
        f"cobuild:ask:{unit_id}",
    ):
        await other.secretary.press_data(other.secretary.last["message_id"], data)
        assert other.secretary.answer and "县第一中学" not in other.secretary.last_text
    await other.secretary.send("/cobuild")
    assert "县第一中学" not in other.secretary.last_text
    # Nor may the contact press the secretary's buttons.
    await contact.press_data(contact.last["message_id"], f"cobuild:ask:{unit_id}")
    assert await bot.db.fetchval("SELECT COUNT(*) FROM cobuild_requests") == 0


async def test_the_county_sheet_counts_each_branch_co_building(bot, branch):
    secretary = branch.secretary
    contact = await a_registered_unit(bot, branch)
    await a_request_accepted(bot, secretary, contact, "Room 301")
    half = periods.half(today().year, 1 if today().month <= 6 else 2)
    content = county_report.workbook(half, [], await cobuild.activity(bot.db, half))
    book = load_workbook(io.BytesIO(content))
    assert "驻区单位共建" in book.sheetnames
    rows = {r[0]: r for r in book["驻区单位共建"].iter_rows(3, values_only=True)}
    assert rows["幸福社区党支部"][1:8] == (1, 1, 0, 1, 1, 0, 0)
    assert rows["合计"][1:8] == (1, 1, 0, 1, 1, 0, 0)


async def district_contact(bot, branch):
    """The district working committee's contact of the branch's district (城关区)."""
    person = bot.person("区党工委")
    district_id = await districts.district_of_branch(bot.db, branch.id)
    code = await invite(bot, None, role=InviteRole.DISTRICT, district_id=district_id)
    await contact_joins(person, code, "周区委", "13700137010")
    someone = await actor(bot.db, person.id)
    request = await join_requests.pending_for_person(bot.db, someone.person.id)
    await onboarding.decide(bot.db, None, request.id, approve=True)
    return person


def test_the_operator_invites_a_resident_units_contact(tmp_path):
    import asyncio

    partybot(tmp_path, "migrate")
    branch_id = partybot(tmp_path, "branch", "add", "幸福社区党支部").stdout.strip()

    async def unit() -> int:
        async with Database(tmp_path / "db" / "partybot.db") as db:
            await admin.add_secretary(db, int(branch_id), 4242, "王")
            from domain.access import actor
            from domain.resident_units import registry
            from domain.resident_units.models import UnitKind

            me = await actor(db, 4242)
            draft = registry.UnitDraft("县第一中学", UnitKind.SCHOOL)
            return (await registry.register(db, me, int(branch_id), draft)).id

    unit_id = str(asyncio.run(unit()))
    args = ["invite", "create", "--role", "resident_unit", "--branch", branch_id]
    missing = partybot(tmp_path, *args)
    assert missing.returncode == 1 and "--resident-unit" in missing.stderr
    wrong = partybot(tmp_path, *args[:-1], "999", "--resident-unit", unit_id)
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    made = partybot(tmp_path, *args, "--resident-unit", unit_id, TELEGRAM_BOT_USERNAME="b")
    assert made.returncode == 0, made.stderr
    assert "start=" in made.stdout

    # The county's half-year report written by the operator has the co-building sheet.
    half = f"{today().year}H{1 if today().month <= 6 else 2}"
    partybot(tmp_path, "report", "county", "--half", half, "--out", str(tmp_path / "out"))
    book = load_workbook(tmp_path / "out" / f"county-{half}.xlsx")
    rows = {r[0]: r for r in book["驻区单位共建"].iter_rows(3, values_only=True)}
    assert rows["幸福社区党支部"][1:3] == (1, 0)


async def test_a_contact_leaving_keeps_the_units_record_and_erases_the_person(bot, branch):
    from tests.test_departure_erasure import hits

    secretary = branch.secretary
    contact = await a_registered_unit(bot, branch)
    await a_request_accepted(bot, secretary, contact, "Room 301 on the third floor")
    await contact.send("/mydata")
    assert "Room 301 on the third floor" in sent_file(contact.last)[1].decode()

    await the_card(secretary)
    await secretary.press("🚪 孙联络不再代表本单位", expecting="立即删除")
    await secretary.press("✅ 确认", expecting="已登记：孙联络不再代表本单位")

    # The unit's record stays, the person does not.
    await secretary.send("/cobuild", expecting="答复：Room 301 on the third floor")
    assert set(await hits(bot.db, "13700137009")) <= {"ptb_inbox.data"}
    assert set(await hits(bot.db, "孙联络")) <= {"ptb_inbox.data"}
    await contact.send("/cobuild")
    assert "Room 301" not in contact.last_text
    await contact.send("/mydata")
    assert "Room 301" not in sent_file(contact.last)[1].decode()
    await secretary.press("🏢 县第一中学")
    assert "孙联络" not in secretary.last_text
