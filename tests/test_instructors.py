"""An instructor's month (issue 19): the district assigns them to a second branch; they
read each branch's console read-only, without anyone's phone number, file the month's
note, which reaches the district; a missing note is reminded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import jobs
from domain.access import actor
from domain.models import InviteRole, Role
from storage import people
from tests.conftest import branch_with_secretary
from tests.guidance_support import PHONES, a_district, contact_of, joins_as
from tests.test_contacts import contact_joins

# The 25th at 09:45 in Shanghai: the reminders' slot.
REMINDER_SLOT = datetime(2026, 12, 25, 1, 45, tzinfo=UTC)


async def test_an_instructors_month(bot):
    district = await a_district(bot)
    bot.app.bot_data["clock"] = lambda: REMINDER_SLOT - timedelta(days=10)
    instructor = bot.person("指导员")
    await joins_as(bot, district, district.a.id, instructor, InviteRole.INSTRUCTOR, "周指导")

    # The district assigns them to the second branch too.
    await district.contact.send("/instructors", expecting="幸福社区党支部：指导员周指导")
    assert "和平社区党支部：暂无指导员" in district.contact.last_text
    await district.contact.presses("和平社区党支部", "➕ 周指导")
    assert "已选派" in district.contact.texts[-2]
    assert district.contact.buttons() == ["➖ 周指导", "✉️ 邀请新的指导员"]
    assert "区党工委已选派您担任和平社区党支部的党建工作指导员" in instructor.last_text

    # The console of each, read-only and without contact details.
    await instructor.send("/guidance")
    assert instructor.buttons() == [
        "📋 幸福社区党支部",
        "✍️ 月度指导记录",
        "📋 和平社区党支部",
        "✍️ 月度指导记录",
    ]
    await instructor.press("📋 幸福社区党支部")
    console = instructor.last_text
    assert "幸福社区党支部（只读）" in console
    assert "党员：2 人" in console
    assert "本月指导记录：尚未填写。" in console
    assert not any(phone in console for phone in (*PHONES, "13700137000", "13900139000"))

    # Nothing a secretary may do is the instructor's to do.
    for command in ("/pending", "/export", "/audit", "/broadcast", "/depart", "/hours"):
        replies = await instructor.send(command)
        assert replies and not replies[-1].get("reply_markup"), command

    # The note for the month.
    first = instructor.message_with_button("✍️ 月度指导记录")
    await instructor.press("✍️ 月度指导记录", first, expecting="2026年12月")
    await instructor.send("好")
    assert instructor.last_text == "请用几句话写明本月指导的内容。"
    await instructor.send("指导开展主题党日")
    assert instructor.last_text == "发现了哪些问题？"
    await instructor.send("党员活动室台账不全", expecting="请核对")
    await instructor.press("✅ 提交", expecting="已报送区党工委")
    note = district.contact.last_text
    assert "周指导" in note and "幸福社区党支部" in note and "党员活动室台账不全" in note

    # The same month twice is refused, and tells the district nothing new.
    before = len(district.contact.messages)
    await instructor.press("✍️ 月度指导记录", first)
    await instructor.types("再次指导", "无问题")
    await instructor.press("✅ 提交")
    assert "已填写过" in instructor.answer
    assert len(district.contact.messages) == before
    await district.contact.send("/instructors", expecting="幸福社区党支部：指导员周指导 ✅")
    assert "和平社区党支部：指导员周指导\n" in district.contact.last_text

    # On the 25th only the branch without a note is reminded, once.
    bot.sender.clock = lambda: REMINDER_SLOT
    assert await jobs.run_due(bot.db, bot.settings, REMINDER_SLOT) >= 1
    await bot.drain_outbox()
    reminders = [t for t in instructor.texts if "尚未填写。请发送 /guidance" in t]
    assert reminders == ["您对和平社区党支部2026年12月的指导记录尚未填写。请发送 /guidance 填写。"]
    await jobs.run_due(bot.db, bot.settings, REMINDER_SLOT + timedelta(hours=2))
    await bot.drain_outbox()
    assert len([t for t in instructor.texts if "尚未填写。请发送" in t]) == 1


async def test_forged_presses_change_nothing(bot):
    district = await a_district(bot)
    other = await contact_of(bot, district.b.id, bot.person("乙指导员"), "吴指导", Role.INSTRUCTOR)
    instructor = bot.person("指导员", language_code="en")
    await contact_of(bot, district.a.id, instructor, "周指导", Role.INSTRUCTOR)

    # The instructor of A presses for B's console and note: refused.
    await instructor.send("/guidance")
    await instructor.press_data_on("📋 幸福社区党支部", f"guidance:view:{district.b.id}")
    assert instructor.answer.startswith("Only the party-building instructor of that branch")
    await instructor.press_data_on("📋 幸福社区党支部", f"guidance:note:{district.b.id}")
    assert instructor.answer.startswith("Only the party-building instructor of that branch")

    # A branch secretary presses the district's assign button: refused, nothing granted.
    secretary = district.a.secretary
    await secretary.send("/start")
    await secretary.press_data(
        secretary.last["message_id"], f"instructors:assign:{other}:{district.a.id}"
    )
    assert "区党工委" in secretary.answer
    assert not await people.has_role(bot.db, other, district.a.id, Role.INSTRUCTOR)

    # A new instructor invited from the chat joins, approved by the district.
    await district.contact.send("/instructors")
    await district.contact.presses("和平社区党支部", "✉️ 邀请新的指导员")
    code = district.contact.last_text.split("?start=")[1].split()[0]
    newcomer = bot.person("新指导员")
    await contact_joins(newcomer, code, "冯指导", "13900139003")
    await bot.drain_outbox()
    await district.contact.press("✅ 通过", district.contact.message_with_button("✅ 通过"))
    await bot.drain_outbox()
    assert await people.has_role(
        bot.db, (await actor(bot.db, newcomer.id)).person.id, district.b.id, Role.INSTRUCTOR
    )
    await secretary.press_data(secretary.last["message_id"], f"instructors:invite:{district.a.id}")
    assert "区党工委" in secretary.answer

    # The district of another district's branch: refused too.
    await district.contact.send("/instructors")
    faraway = await branch_with_secretary(bot, "远方社区党支部", "赵书记", "新区")
    await district.contact.press_data_on(
        "幸福社区党支部", f"instructors:assign:{other}:{faraway.id}"
    )
    assert "区党工委" in district.contact.answer
    assert not await people.has_role(bot.db, other, faraway.id, Role.INSTRUCTOR)
    # An instructor not of this district's pool cannot be assigned by a forged id either.
    await district.contact.press_data_on(
        "幸福社区党支部", f"instructors:assign:999:{district.a.id}"
    )
    assert "区党工委" in district.contact.answer


async def test_an_instructor_and_a_district_in_english(bot):
    district = await a_district(bot, contact_language="en")
    bot.app.bot_data["clock"] = lambda: REMINDER_SLOT
    instructor = bot.person("Instructor", language_code="en")
    await contact_of(bot, district.a.id, instructor, "周指导", Role.INSTRUCTOR)
    await district.contact.send("/instructors", expecting="• 幸福社区党支部: 周指导")

    await instructor.send("/help", expecting="You are a party-building instructor.")
    assert "/guidance" in instructor.last_text and "/pending" not in instructor.last_text
    await instructor.send("/guidance")
    await instructor.press("📋 幸福社区党支部", expecting="Members: 2")
    assert "This month's note: not yet filed." in instructor.last_text
    await instructor.press("✍️ Monthly note", expecting="Your note for December 2026.")
    await instructor.types("Theme party day", "none")
    await instructor.press("✏️ Start over")
    await instructor.types("Theme party day, study session", "Records incomplete")
    await instructor.press("✅ Submit")
    assert instructor.last_text == "Thank you: your note has been sent to the district."
    assert district.contact.last_text == (
        "Instructor 周指导's note on 幸福社区党支部 for December 2026:\n"
        "Guided: Theme party day, study session\nProblems found: Records incomplete"
    )
