"""Cadres and unit contacts end to end over the fake Bot API."""

from __future__ import annotations

import re
from datetime import date, datetime

from domain import admin, county_report, units
from domain.models import InviteRole, RegistrationStatus
from storage import cadres as cadre_store
from storage import people
from storage import units as unit_store
from tests.cadre_support import member, registered
from tests.conftest import invite, onboard
from tests.flows import approved_member


async def registered_now(bot, *args, **kwargs) -> int:
    """Registered and confirmed, with the notifications of it already delivered."""
    person_id = await registered(bot.db, *args, **kwargs)
    await bot.drain_outbox()
    return person_id


async def joined_cadre(bot, branch, name: str):
    return await approved_member(
        bot, branch, name, name, "13900139000", category=None, role=InviteRole.CADRE
    )


async def cadre_of_education(bot, branch, name: str):
    """A cadre who joined through the chat, registered with 县教育局机关党委 this year."""
    education = await units.add_unit(bot.db, None, "县教育局机关党委")
    cadre = await joined_cadre(bot, branch, name)
    await registered_now(bot, cadre.id, branch.secretary.id, education.id, today(bot).year)
    return cadre


async def cadre_facts(
    person, unit_button: str, position: str, rank: str, address: str, unit_name: str | None = None
) -> None:
    """The registration's answers from the unit on: the unit's button (and its name when
    it is not listed), the position, the rank's button and the address."""
    await person.press(unit_button)
    if unit_name is not None:
        await person.send(unit_name)
    await person.send(position)
    await person.press(rank)
    await person.send(address)


async def register(person, unit_button: str, *, unit_name: str | None = None) -> None:
    await person.send("/cadre", expecting="未登记")
    await person.press("📝 登记")
    # Name and phone are known from joining: the first question is the unit.
    assert "哪个单位党组织" in person.last_text
    await cadre_facts(person, unit_button, "副局长", "正处级", "幸福路 8 号 3 单元 201", unit_name)
    review = person.last_text
    assert "请核对" in review and "职级：正处级" in review
    assert f"姓名：{person.user['first_name']}" in review and "电话：13900139000" in review
    await person.press("✅ 提交", expecting="已提交给")


async def test_a_cadre_registers_and_the_secretary_confirms(bot, branch):
    education = await units.add_unit(bot.db, None, "县教育局机关党委")
    zhang = await joined_cadre(bot, branch, "张局长")
    await zhang.types("/cadre_register", "/cancel")
    await register(zhang, "县教育局机关党委")
    secretary = branch.secretary
    request = secretary.message_with_button("✅ 确认")
    assert "张局长" in request["text"] and "县教育局机关党委" in request["text"]
    record = await people.by_telegram_id(bot.db, zhang.id)
    [pending] = await cadre_store.history(bot.db, record.id)

    await zhang.press_data(zhang.last["message_id"], f"cadre:confirm:{pending.id}")
    assert "只有支部书记" in zhang.answer
    await secretary.press_data(request["message_id"], f"cadre:confirm:{pending.id + 50}")
    assert "已不存在" in secretary.answer
    [still] = await cadre_store.history(bot.db, record.id)
    assert still.status is RegistrationStatus.PENDING

    await secretary.press("✅ 确认", request)
    assert "已确认" in secretary.answer
    assert "登记已确认" in zhang.last_text
    await zhang.send("/cadre", expecting="年度干部登记已确认")
    assert "本季度" in zhang.last_text and "参加活动：0 次" in zhang.last_text
    [confirmed] = await cadre_store.history(bot.db, record.id)
    assert confirmed.status is RegistrationStatus.CONFIRMED and confirmed.unit_id == education.id
    await secretary.press_data(request["message_id"], f"cadre:reject:{pending.id}")
    assert "已处理过" in secretary.answer
    assert await cadre_store.history(bot.db, record.id) == [confirmed]


async def test_the_welcome_starts_the_registration_with_one_press(bot, branch):
    await units.add_unit(bot.db, None, "县教育局机关党委")
    zhou = await joined_cadre(bot, branch, "周局长")
    assert "请现在办理本年度登记" in zhou.last_text
    await zhou.press("📝 立即登记", expecting="哪个单位党组织")
    await cadre_facts(zhou, "县教育局机关党委", "局长", "正处级", "幸福路 2 号")
    assert "姓名：周局长" in zhou.last_text and "电话：13900139000" in zhou.last_text
    await zhou.press("✅ 提交", expecting="已提交给")


async def test_the_welcome_in_english_points_to_registration(bot, branch):
    person = await approved_member(
        bot,
        branch,
        "Zhou",
        "Zhou Ming",
        "13900139000",
        category=None,
        role=InviteRole.CADRE,
        submit="✅ Submit",
        language_code="en",
    )
    assert "As a cadre, please register for this year now" in person.last_text
    await person.press("📝 Register now", expecting="Which unit party organisation")


async def test_a_plain_member_is_not_asked_to_register_as_a_cadre(bot, branch):
    plain = await approved_member(bot, branch, "普通党员", "王芳", "13900139001")
    assert "已通过" in plain.last_text and plain.buttons() == []


async def test_a_unit_not_listed_is_added_by_the_secretary(bot, branch):
    li = await joined_cadre(bot, branch, "李处长")
    await register(li, "我的单位不在列表中", unit_name="县水利局党组")
    request = branch.secretary.message_with_button("✅ 确认")
    assert "县水利局党组（尚未列入" in request["text"]
    await branch.secretary.press("✅ 确认", request)
    [unit] = await unit_store.all_units(bot.db)
    assert unit.name == "县水利局党组"


async def test_renewal_keeps_last_years_registration(bot, branch):
    education = await units.add_unit(bot.db, None, "县教育局机关党委")
    cadre = bot.person("赵主任")
    await member(bot.db, branch.id, "赵主任", telegram_id=cadre.id)
    person_id = await registered_now(bot, cadre.id, branch.secretary.id, education.id, 2025)
    await cadre.send("/cadre", expecting="请续期")
    await cadre.press("🔁 信息不变，续期")
    await branch.secretary.press("✅ 确认")
    history = await cadre_store.history(bot.db, person_id)
    assert [(r.year, r.version, r.status) for r in history] == [
        (2025, 1, RegistrationStatus.CONFIRMED),
        (history[1].year, 2, RegistrationStatus.CONFIRMED),
    ]
    assert history[1].year > 2025 and history[1].position == history[0].position


async def test_unit_contact_joins_links_the_group_and_sees_only_own_cadres(bot, branch, server):
    secretary = branch.secretary
    await secretary.types("/unit_add", "县卫健委机关党委")
    code = re.search(r"start=([A-Z0-9]+)", secretary.last_text).group(1)
    contact = bot.person("卫健联络员")
    await onboard(contact, code, "刘联络员", "13700137000", None)
    assert "单位党组织“县卫健委机关党委”的联系人" in secretary.last_text
    await secretary.press("✅ 通过")
    health = (await unit_store.all_units(bot.db))[0]
    record = await people.by_telegram_id(bot.db, contact.id)
    assert await unit_store.units_of_contact(bot.db, record.id) == [health.id]

    other = await units.add_unit(bot.db, None, "县教育局机关党委")
    await registered_now(bot, await member(bot.db, branch.id, "卫健干部"), secretary.id, health.id)
    await registered_now(bot, await member(bot.db, branch.id, "教育干部"), secretary.id, other.id)
    await member(bot.db, branch.id, "普通党员", cadre=False)
    await contact.send("/cadres", expecting="卫健干部")
    assert "教育干部" not in contact.last_text and "普通党员" not in contact.last_text
    await secretary.send("/cadres")
    assert "卫健干部" in secretary.last_text and "教育干部" in secretary.last_text

    await contact.send("/unit_link")
    link_code = re.search(r"/link ([A-Z0-9]+)", contact.last_text).group(1)
    group = server.new_group("卫健委党员群")
    update = server.push_text(contact.user, f"/link {link_code}", chat=group)
    await bot.processed(update)
    assert "县卫健委机关党委" in server.last_message(group["id"])["text"]
    assert (await unit_store.get(bot.db, health.id)).chat_id == group["id"]
    again = server.push_text(contact.user, f"/link {link_code}", chat=group)
    await bot.processed(again)
    assert "无效" in server.last_message(group["id"])["text"]

    stranger = bot.person("路人")
    await stranger.send("/unit_link", expecting="联系人")
    await stranger.send("/unit_add", expecting="只有支部书记")


async def test_remarks_and_leave(bot, branch):
    cadre = await cadre_of_education(bot, branch, "孙局长")
    secretary = branch.secretary
    await secretary.send("/remark")
    await secretary.press("孙局长")
    await secretary.send("积极参加社区志愿服务", expecting="已保存")

    await cadre.send("/away 2099-01-01", expecting="日期")
    await cadre.send("/away", expecting="/away off")
    leave_until = today(bot).replace(month=12, day=31)
    await cadre.send(f"/away {leave_until.isoformat()} 外出学习", expecting="请假至")
    await cadre.send("/cadre")
    assert "积极参加社区志愿服务" in cadre.last_text and "请假至" in cadre.last_text
    await cadre.send("/away off")
    assert (await cadre_store.leaves(bot.db)) == {}


def today(bot) -> date:
    return datetime.now(bot.settings.tz).date()


async def test_a_county_contact_joins_and_sees_every_cadre_but_no_plain_member(bot, branch):
    county = bot.person("组织部")
    code = await invite(bot, branch.id, role=InviteRole.COUNTY)
    await onboard(county, code, "县委组织部干部科", "13600136000", None)
    assert "县委组织部联系人" in branch.secretary.last_text
    await branch.secretary.press("✅ 通过")
    record = await people.by_telegram_id(bot.db, county.id)
    assert await unit_store.is_county_contact(bot.db, record.id)
    assert await unit_store.units_of_contact(bot.db, record.id) == []
    assert await county_report.destinations(bot.db) == [county.id]

    education = await units.add_unit(bot.db, None, "县教育局机关党委")
    health = await units.add_unit(bot.db, None, "县卫健委机关党委")
    secretary = branch.secretary.id
    await registered_now(bot, await member(bot.db, branch.id, "教育干部"), secretary, education.id)
    await registered_now(bot, await member(bot.db, branch.id, "卫健干部"), secretary, health.id)
    await member(bot.db, branch.id, "普通党员", cadre=False)
    await county.send("/cadres")
    assert "教育干部" in county.last_text and "卫健干部" in county.last_text
    assert "普通党员" not in county.last_text
    plain = bot.person("党员")
    await plain.send("/cadres", expecting="没有您可查看")


async def test_bad_answers_and_forged_buttons_are_refused(bot, branch):
    await units.add_unit(bot.db, None, "县教育局机关党委")
    wu = await joined_cadre(bot, branch, "吴科长")
    await wu.send("/cadre_register")
    await wu.press_data_on("县教育局机关党委", "cadre:unit:999")
    assert wu.answer == "此按钮已失效。"
    await wu.press("县教育局机关党委")
    await wu.send("x", expecting="至少 2 个字")
    await wu.send("科长")
    await wu.press_data_on("正科级", "cadre:rank:general")
    assert wu.answer == "此按钮已失效。"
    await wu.press("正科级")
    await wu.send("幸福路 1 号")
    # Starting over asks everything, the name and phone from joining too.
    await wu.press("✏️ 重新填写（含姓名和电话）", expecting="姓名")
    await wu.send("吴科长")
    await cadre_facts(wu, "县教育局机关党委", "科长", "正科级", "幸福路 1 号")
    await wu.send("12345", expecting="电话号码无效")
    await wu.send("/cancel")
    record = await people.by_telegram_id(bot.db, wu.id)
    assert await cadre_store.history(bot.db, record.id) == []


async def test_a_remark_on_another_branchs_cadre_is_refused(bot, branch):
    education = await units.add_unit(bot.db, None, "县教育局机关党委")
    other = await admin.add_branch(bot.db, "西湖社区党支部", "城关区")
    await admin.add_secretary(bot.db, other.id, 4242)
    own = await member(bot.db, branch.id, "本支部干部")
    await registered_now(bot, own, branch.secretary.id, education.id, today(bot).year)
    foreign = await registered(
        bot.db, await member(bot.db, other.id, "外支部干部"), 4242, education.id, today(bot).year
    )
    secretary = branch.secretary
    await secretary.send("/remark")
    assert secretary.buttons() == ["本支部干部"]
    await secretary.press_data(secretary.last["message_id"], f"remark:{foreign}")
    await secretary.send("越权的意见", expecting="只有支部书记")
    assert await bot.db.fetchval("SELECT COUNT(*) FROM cadre_remarks") == 0


async def test_an_english_cadre_reads_english(bot, branch):
    education = await units.add_unit(bot.db, None, "County Education Bureau Party Committee")
    ann = bot.person("Ann", language_code="en")
    await member(bot.db, branch.id, "Ann Lee", telegram_id=ann.id)
    await registered_now(bot, ann.id, branch.secretary.id, education.id, today(bot).year)
    await ann.send("/cadre")
    assert "is confirmed" in ann.last_text and "Rank: Division level" in ann.last_text
    assert "your unit will receive" in ann.last_text


async def test_a_refused_typed_remark_keeps_the_cadre_buttons(bot, branch):
    await cadre_of_education(bot, branch, "孙局长")
    secretary = branch.secretary
    await secretary.send("/remark")
    asked = secretary.last
    # Typed before choosing: refused, the question stays open and so do its buttons.
    await secretary.send("积极参加社区志愿服务")
    assert secretary.buttons(asked) == ["孙局长"]
    await secretary.press("孙局长")
    await secretary.send("积极参加社区志愿服务", expecting="已保存")
