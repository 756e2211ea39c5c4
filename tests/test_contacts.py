"""Who is who in a branch: contacts of a unit and of the county, a secretary the roster does
not list, and three members, each treated as what they are (issue 14)."""

from __future__ import annotations

import asyncio
import json

from domain import units
from domain.models import InviteRole
from storage import console
from storage.db import Database
from tests.conftest import invite, onboard
from tests.console_helpers import sent_file, sheet_rows, upload, xlsx
from tests.world import database_before

NAMES = "甲乙丙"
MEMBER_COMMANDS = {"posts", "mobile", "hours", "leave", "events", "checkin", "checkout"}


def chat_menu(server, telegram_id: int) -> list[str] | None:
    """The per-chat command menu the bot published at the fake Bot API, if any."""
    key = json.dumps(
        {"chat_id": telegram_id, "type": "chat"}, sort_keys=True, separators=(",", ":")
    )
    found = [commands for (scope, _lang), commands in server.commands.items() if scope == key]
    return [c["command"] for c in found[0]] if found else None


async def menu_of(
    bot, telegram_id: int, expected: set[str], timeout: float = 10.0, *, subset: bool = False
) -> list[str]:
    """The menu once it is `expected` (or holds it, with `subset`): the bot publishes
    marked menus every few seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        menu = chat_menu(bot.server, telegram_id)
        found = set(menu or ())
        if (menu is not None and (found >= expected if subset else found == expected)) or (
            loop.time() > deadline
        ):
            return menu or []
        await asyncio.sleep(0.1)


async def contact_joins(person, code: str, name: str, phone: str) -> None:
    await person.types(f"/start {code}", name)
    await person.share_contact(phone)
    await person.press("✅ 提交" if "✅ 提交" in person.buttons() else "✅ Submit")


async def a_branch_with_contacts(bot, branch, *, contact_language: str = "zh-hans"):
    """A unit contact, a county contact and three members, each approved by the secretary."""
    secretary = branch.secretary
    await secretary.send("/start")
    unit = await units.add_unit(bot.db, None, "县教育局")
    unit_code = (await units.invite_contact(bot.db, None, unit.id, branch.id)).code
    county_code = await invite(bot, branch.id, role=InviteRole.COUNTY)

    unit_contact = bot.person("教育局联系人", language_code=contact_language)
    await contact_joins(unit_contact, unit_code, "赵联络", "13700137001")
    card = secretary.message_with_button("✅ 通过")
    await secretary.press("✅ 通过", card)

    county_contact = bot.person("组织部联系人", language_code=contact_language)
    await contact_joins(county_contact, county_code, "钱联络", "13700137002")
    county_card = secretary.message_with_button("✅ 通过")
    await secretary.press("✅ 通过", county_card)

    code = await invite(bot, branch.id, uses=3)
    members = [bot.person(f"党员{n}") for n in NAMES]
    for i, (n, someone) in enumerate(zip(NAMES, members, strict=True)):
        await onboard(someone, code, f"党员{n}", f"1380013800{i}", "居民党员")
        await secretary.press("✅ 通过")
    await bot.drain_outbox()
    return card, county_card, unit_contact, county_contact, members


async def test_contacts_are_not_members_and_the_secretary_is_told_whose_contact(bot, branch):
    card, county_card, unit_contact, county_contact, members = await a_branch_with_contacts(
        bot, branch
    )
    secretary = branch.secretary
    # The approval cards name the organisation and what the contact will receive.
    assert "单位党组织“县教育局”的联系人" in card["text"]
    assert "每季度收到该单位干部在社区的情况反馈" in card["text"]
    assert "不成为本支部党员" in card["text"]
    assert "县委组织部联系人" in county_card["text"] and "每半年" in county_card["text"]

    # Their own welcome, never "you are a registered member".
    welcome = unit_contact.last_text
    assert "您已登记为单位党组织“县教育局”的联系人：每季度将收到本单位干部在社区的情况反馈" in (
        welcome
    )
    assert "已登记党员" not in welcome and "/posts" not in welcome
    assert "您已登记为县委组织部的联系人" in county_contact.last_text
    assert "已登记党员" not in county_contact.last_text

    # /help shows only their commands.
    await unit_contact.send("/help", expecting="您是单位党组织的联系人")
    assert "/unit_link" in unit_contact.last_text and "/cadres" in unit_contact.last_text
    for command in MEMBER_COMMANDS:
        assert f"/{command} " not in unit_contact.last_text
    await county_contact.send("/help", expecting="您是县委组织部的联系人")
    assert "/unit_link" not in county_contact.last_text
    for command in MEMBER_COMMANDS:
        assert f"/{command} " not in county_contact.last_text

    # Their command menus, per chat at the Bot API, are theirs alone.
    everyone = {"start", "help", "language", "cancel", "verify"}
    unit_menu = await menu_of(
        bot, unit_contact.id, everyone | {"cadres", "unit_link", "link", "mydata"}
    )
    assert set(unit_menu) == everyone | {"cadres", "unit_link", "link", "mydata"}
    # The county also takes the year-end assessment table (issue 19).
    county = {"cadres", "mydata", "assessment_export"}
    county_menu = await menu_of(bot, county_contact.id, everyone | county)
    assert set(county_menu) == everyone | county
    member_menu = await menu_of(bot, members[0].id, everyone | MEMBER_COMMANDS | {"mydata"})
    assert set(member_menu) >= MEMBER_COMMANDS

    # A member flow refuses a contact.
    await unit_contact.send("/hours")
    assert "党员" in unit_contact.last_text and "记录" not in unit_contact.buttons()

    # The members export: three member rows, no contact, no secretary the roster lacks.
    await secretary.send("/export")
    await secretary.press("党员名册")
    _name, content = sent_file(secretary.last)
    rows = sheet_rows(content)[1:]
    assert sorted(r[1] for r in rows) == ["党员丙", "党员乙", "党员甲"]

    # A broadcast to all members: the preview counts three, three chats get it.
    await secretary.types("/broadcast", "周六上午清扫楼道。")
    await secretary.press("全体党员", expecting="将发送给 3 人")
    before = len(bot.server.calls)  # the preview showed the text to the secretary
    await secretary.press("📣 发送")
    await bot.drain_outbox()
    reached = [
        params["chat_id"]
        for method, params in bot.server.calls[before:]
        if method == "sendMessage" and params.get("text") == "周六上午清扫楼道。"
    ]
    assert sorted(reached) == sorted(m.id for m in members)


async def test_a_contact_reads_their_welcome_and_help_in_english(bot, branch):
    _card, _county_card, unit_contact, county_contact, _members = await a_branch_with_contacts(
        bot, branch, contact_language="en"
    )
    assert (
        "You are registered as the contact of the unit party organisation 县教育局: each "
        "quarter you will receive feedback on your unit's cadres in the community."
    ) in unit_contact.last_text
    assert "registered member" not in unit_contact.last_text
    assert "contact of the county organisation department" in county_contact.last_text
    await county_contact.send("/help")
    assert county_contact.last_text.startswith(
        "You are the contact of the county organisation department. You can:"
    )
    assert "/hours" not in county_contact.last_text


async def test_the_upgrade_makes_a_contact_stored_as_a_member_a_contact(tmp_path):
    now = "2026-01-05T08:00:00+00:00"
    old = f"""
        INSERT INTO branches (id, name, code, created_at) VALUES (1, '幸福', 'B1', '{now}');
        INSERT INTO people (id, telegram_id, branch_id, name, category, status, created_at,
                            updated_at) VALUES
          (1, 101, 1, '书记', NULL, 'active', '{now}', '{now}'),
          (2, 102, 1, '单位联系人', NULL, 'active', '{now}', '{now}'),
          (3, 103, 1, '县联系人', NULL, 'active', '{now}', '{now}'),
          (4, 104, 1, '党员兼联系人', 'resident', 'active', '{now}', '{now}'),
          (5, 105, 1, '党员', 'resident', 'active', '{now}', '{now}'),
          (6, 106, 1, '名册书记', 'resident', 'active', '{now}', '{now}');
        INSERT INTO roles (person_id, branch_id, role, granted_at) VALUES
          (1, 1, 'secretary', '{now}'), (2, 1, 'unit', '{now}'), (3, 1, 'county', '{now}'),
          (4, 1, 'unit', '{now}'), (5, 1, 'member', '{now}'), (6, 1, 'secretary', '{now}');
        """
    path = await database_before(tmp_path, "_contacts.sql", old)
    async with Database(path) as db:  # opening migrates to the latest version
        found = await db.fetchall(
            "SELECT person_id, role FROM roles WHERE role IN ('member', 'cadre') ORDER BY person_id"
        )
        assert [tuple(r) for r in found] == [(4, "member"), (5, "member"), (6, "member")]
        marked = await db.fetchall("SELECT telegram_id FROM menu_refresh ORDER BY telegram_id")
        assert [r[0] for r in marked] == [101, 102, 103, 104, 105, 106]  # every menu
        listed = [r["name"] for r in await console.members(db, 1)]
        assert listed == ["党员兼联系人", "党员", "名册书记"]


async def test_the_roster_makes_the_secretary_and_a_contact_members(bot, branch):
    _card, _county_card, unit_contact, _county, _members = await a_branch_with_contacts(bot, branch)
    secretary = branch.secretary
    await secretary.send("/hours")
    assert "➕ 登记时长" not in secretary.buttons()  # not on the roster: the register only
    headers = ["姓名", "手机号", "类别", "入党日期", "Telegram ID"]
    rows = [
        ["王书记", "13600136000", "居民党员", "1999-07-01", secretary.id],
        ["赵联络", "13700137001", "居民党员", "2003-07-01", unit_contact.id],
    ]
    await secretary.send("/import")
    await upload(secretary, "r.xlsx", xlsx(rows, headers))
    await secretary.send("/export")
    await secretary.press("党员名册")
    names = sorted(r[1] for r in sheet_rows(sent_file(secretary.last)[1])[1:])
    assert names == ["党员丙", "党员乙", "党员甲", "王书记", "赵联络"]
    await secretary.send("/hours")
    assert "➕ 登记时长" in secretary.buttons()
    # Both roles' commands for the contact who is also a member, each once.
    menu = await menu_of(
        bot, unit_contact.id, {"posts", "hours", "unit_link", "cadres"}, subset=True
    )
    assert {"posts", "hours", "unit_link", "cadres"} <= set(menu)
    assert len(menu) == len(set(menu))
