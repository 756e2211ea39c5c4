"""The district (区党工委) end to end: /district over two branches, a branch's read-only
summary, forged presses, and the quarterly summary to the district and the patrons."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from domain import districts, onboarding
from domain.access import actor
from domain.models import InviteRole, Role
from storage import join_requests
from tests.cadre_support import hours, member, registered
from tests.conftest import branch_with_secretary, invite
from tests.console_helpers import sent_file
from tests.test_cadre_jobs import SHANGHAI, at, run
from tests.test_contacts import contact_joins
from tests.test_organisation_roles import a_district_contact, forge

PHONE = "13800138000"  # every member's phone in tests.cadre_support


async def person_id(bot, telegram_id: int) -> int:
    return (await actor(bot.db, telegram_id)).person.id


async def a_patron(bot, branch):
    patron = bot.person("包扶常委")
    await contact_joins(
        patron, await invite(bot, branch.id, role=InviteRole.PATRON), "吴常委", "13900139003"
    )
    request = await join_requests.pending_for_person(bot.db, await person_id(bot, patron.id))
    await onboarding.decide(bot.db, None, request.id, approve=True)
    await bot.drain_outbox()
    return patron


async def a_district(bot, branch, *, hours_on: date):
    """Branch A (the fixture's, 城关区) with three members, a registered cadre and one not
    registered, and verified and attested hours on `hours_on`; branch B of the same district
    with one member; a branch of another district; a patron of A."""
    await branch.secretary.send("/start")
    second = await branch_with_secretary(bot, "和平社区党支部", "乙书记", "城关区")
    far = await branch_with_secretary(bot, "河西社区党支部", "丙书记", "河西区")
    ids = [await member(bot.db, branch.id, f"党员{n}", cadre=False) for n in "甲乙丙"]
    cadre = await member(bot.db, branch.id, "注册局长")
    await registered(bot.db, cadre, branch.secretary.id, None, hours_on.year, unit_name="县教育局")
    await member(bot.db, branch.id, "未注册科长")
    await member(bot.db, second.id, "和平党员", cadre=False)
    first = await person_id(bot, ids[0])
    await hours(bot.db, first, branch.id, hours_on, 6)
    await hours(bot.db, first, branch.id, hours_on, 4, verified=False)
    patron = await a_patron(bot, branch)
    return second, far, patron


def today() -> date:
    return datetime.now(SHANGHAI).date()


async def test_a_district_sees_its_two_branches_and_no_contact_details(bot, branch):
    second, far, patron = await a_district(bot, branch, hours_on=today())
    await branch.secretary.send("/posts")  # the year's posts begin, at the survey
    secretary = branch.secretary
    await secretary.send("/appraisal")
    await secretary.press(next(b for b in secretary.buttons() if b.startswith("🆕")))
    await secretary.press("✅ 开启评议")
    contact = await a_district_contact(bot, branch)
    await contact.send("/district")
    overview = contact.last_text
    assert "城关区党工委" in overview
    first, other = overview.split(second.name)
    assert branch.name in first and "党员：5 人" in first  # the patron is no member
    assert "本季度已核实活动时长：3 小时" in first  # attested hours are not verified ones
    assert "党员：1 人" in other and far.name not in overview
    assert "2 人中已注册 1 人" in first
    assert "设岗定责（调查摸底）：" in first and "设岗定责：本年度尚未开始" in other
    # The appraisal and the development in numbers only (issue 18).
    assert f"{today().year}年度民主评议党员（学习动员）：5 人中已交个人总结 0 人" in first
    assert "民主评议党员：本年度尚未开展" in other
    assert "发展党员：入党申请人 0 人，入党积极分子 0 人" in first
    assert PHONE not in overview and "13900139003" not in overview
    assert "未注册科长" not in overview  # names only in a branch's summary
    assert contact.buttons() == [f"📋 {branch.name}", f"📋 {second.name}"]

    await contact.press(f"📋 {branch.name}")
    summary = contact.last_text
    assert "只读" in summary and "未注册科长" in summary and "注册局长" not in summary
    assert PHONE not in summary and second.name not in summary

    # The district invites the branch's instructor from there, and decides the request.
    await contact.press("➕ 邀请党建工作指导员")
    code = contact.last_text.split("start=")[1].split()[0]
    instructor = bot.person("指导员")
    await contact_joins(instructor, code, "周指导", "13900139005")
    await bot.drain_outbox()
    await contact.press("✅ 通过", contact.message_with_button("✅ 通过"))
    assert (await actor(bot.db, instructor.id)).branches_where(Role.INSTRUCTOR) == [branch.id]
    forged = len(contact.messages)
    await forge(contact, f"district:invite:{far.id}:patron")
    await forge(contact, f"district:invite:{branch.id}:member")
    assert len(contact.messages) == forged

    # Another district's branch, forged: refused, nothing shown.
    shown = len(contact.messages)
    await forge(contact, f"district:branch:{far.id}")
    assert "区党工委" in contact.answer and len(contact.messages) == shown
    # The patron and the branch's secretary hold no district role.
    for someone in (patron, branch.secretary):
        await someone.send("/district", expecting="只有该支部所属区党工委的联系人")
        await forge(someone, f"district:branch:{branch.id}")
        assert "区党工委" in someone.answer


async def test_the_district_view_in_english(bot, branch):
    second, _far, _patron = await a_district(bot, branch, hours_on=today())
    contact = await a_district_contact(bot, branch, language_code="en")
    await contact.send("/district")
    text = contact.last_text
    assert "城关区: the branches in Q" in text
    assert "Members: 5" in text and "Members: 1" in text
    assert "Cadres registered for" in text and "1 of 2" in text
    await contact.press(f"📋 {second.name}")
    assert "(read only)" in contact.last_text and "Members: 1" in contact.last_text
    await contact.send("/help", expecting="/district — The district's branches this quarter")
    assert "/hours" not in contact.last_text
    await contact.send("/mydata")
    data = json.loads(sent_file(contact.last)[1])
    assert [(r["district"], r["role"]) for r in data["district_roles"]] == [("城关区", "district")]


def sheets_of(message) -> tuple[list[str], str]:
    book = load_workbook(io.BytesIO(message["_files"]["document"]["content"]))
    text = " ".join(
        str(cell.value) for ws in book.worksheets for row in ws.iter_rows() for cell in row
    )
    return book.sheetnames, text


async def test_the_quarterly_summary_goes_once_to_the_district_and_the_patron(bot, branch):
    second, _far, patron = await a_district(bot, branch, hours_on=date(2026, 8, 3))
    contact = await a_district_contact(bot, branch)
    english = await a_district_contact(bot, second, language_code="en")
    before = {p: len(p.messages) for p in (contact, english, patron)}
    report_day = at(date(2026, 10, 8), "09:45")  # after the National Day holiday
    assert await run(bot, "district-summary", at(date(2026, 10, 7), "09:45")) == 0
    assert await run(bot, "district-summary", report_day) == 6
    assert await run(bot, "district-summary", report_day) == 0
    await bot.restart()
    assert await run(bot, "district-summary", report_day + timedelta(hours=2)) == 0
    assert await run(bot, "district-summary", report_day + timedelta(days=1)) == 0

    text, table = contact.messages[before[contact] :]
    assert "城关区党工委季度工作汇总" in text["text"] and "2026" in text["text"]
    assert "本季度已核实活动时长：3 小时" in text["text"] and PHONE not in text["text"]
    sheets, cells = sheets_of(table)
    assert sheets == [branch.name, second.name]
    assert "未注册科长" in cells and PHONE not in cells

    text, table = english.messages[before[english] :]
    assert "Quarterly summary of 城关区" in text["text"]
    assert sheets_of(table)[0] == [branch.name, second.name]
    assert "Members: 5" in sheets_of(table)[1]

    text, table = patron.messages[before[patron] :]
    assert branch.name in text["text"] and second.name not in text["text"]
    assert sheets_of(table)[0] == [branch.name]
    assert await districts.district_of_branch(
        bot.db, second.id
    ) == await districts.district_of_branch(bot.db, branch.id)
