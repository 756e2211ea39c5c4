"""A district of two branches and the people of its guidance, for the tests of
instructors and the year-end assessment."""

from __future__ import annotations

from dataclasses import dataclass

from domain.models import Category, PersonStatus, Role
from storage import branches, districts, people
from tests.conftest import Branch, branch_with_secretary
from tests.fakes.harness import BotHarness, Person
from tests.world import active_person

PHONES = ("13800138001", "13800138002")


@dataclass
class District:
    id: int
    a: Branch
    b: Branch
    contact: Person  # the district's contact (区党工委)


async def grant_district(bot: BotHarness, person: Person, district_id: int, name: str) -> int:
    """A district contact: a person of no branch holding the district role."""
    async with bot.db.transaction() as conn:
        person_id = await people.insert(
            conn,
            telegram_id=person.id,
            branch_id=None,
            name=name,
            phone="13700137000",
            category=None,
            status=PersonStatus.ACTIVE,
        )
        await districts.grant_role(conn, person_id, district_id, Role.DISTRICT)
    return person_id


async def contact_of(bot: BotHarness, branch_id: int, person: Person, name: str, role: Role) -> int:
    """An instructor or a patron of the branch (a contact, never a member)."""
    async with bot.db.transaction() as conn:
        return await active_person(
            conn, branch_id, person.id, name, category=None, role=role, phone="13900139000"
        )


async def a_district(bot: BotHarness, *, contact_language: str = "zh-hans") -> District:
    a = await branch_with_secretary(bot, "幸福社区党支部", "王书记", "城关区")
    b = await branch_with_secretary(bot, "和平社区党支部", "李书记", "城关区")
    district_id = (await branches.get(bot.db, a.id)).district_id
    contact = bot.person("区党工委", language_code=contact_language)
    await grant_district(bot, contact, district_id, "孙主任")
    async with bot.db.transaction() as conn:
        for n, phone in enumerate(PHONES):
            await active_person(
                conn, a.id, 9000 + n, f"党员{n}", category=Category.RESIDENT, phone=phone
            )
    return District(district_id, a, b, contact)


# ------------------------------------------------------------------ crash scenarios
# (tests/reliability/test_crash_points.py): the last step of a note and of an assessment.


async def district_contact_of(bot: BotHarness, branch_id: int) -> Person:
    contact = bot.person("区党工委")
    district_id = (await branches.get(bot.db, branch_id)).district_id
    await grant_district(bot, contact, district_id, "孙主任")
    return contact


async def prepare_note(bot: BotHarness, branch: Branch):
    from tests.reliability.test_crash_points import Run, press

    contact = await district_contact_of(bot, branch.id)
    instructor = bot.person("指导员")
    await contact_of(bot, branch.id, instructor, "周指导", Role.INSTRUCTOR)
    await instructor.send("/guidance")
    await instructor.press("✍️ 月度指导记录")
    await instructor.types("指导开展主题党日", "台账不全")
    return Run(instructor, press(instructor, "✅ 提交"), {"district": contact})


async def check_note(db, server, run) -> None:
    assert await db.fetchval("SELECT COUNT(*) FROM instructor_notes") == 1
    found = await db.fetchval("SELECT COUNT(*) FROM outbox WHERE key LIKE 'instructor-note:%'")
    assert found == 1


async def prepare_assess(bot: BotHarness, branch: Branch):
    from tests.reliability.test_crash_points import Run, press

    contact = await district_contact_of(bot, branch.id)
    await contact.send("/assess")
    await contact.press(branch.name)
    for grade in ("好", "较好", "好", "一般", "好"):
        await contact.press(grade)
    await contact.send("班子团结，服务群众成效明显")
    return Run(contact, press(contact, "✅ 提交"), {"secretary": branch.secretary})


async def check_assess(db, server, run) -> None:
    revisions = await db.fetchall("SELECT revision FROM branch_assessments")
    assert [tuple(row) for row in revisions] == [(1,)]
    found = await db.fetchval("SELECT COUNT(*) FROM outbox WHERE key LIKE 'assessment:%'")
    assert found == 1  # the branch's one secretary


async def joins_as(
    bot: BotHarness, district: District, branch_id: int, someone: Person, role, name: str
) -> None:
    """An instructor or a patron joins with an invitation to the branch, and the district's
    contact approves them in the chat."""
    from tests.conftest import invite
    from tests.test_contacts import contact_joins

    await contact_joins(someone, await invite(bot, branch_id, role=role), name, "13900139000")
    await bot.drain_outbox()
    await district.contact.press("✅ 通过", district.contact.message_with_button("✅ 通过"))
    await bot.drain_outbox()
