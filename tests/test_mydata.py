"""/mydata, and leaving the branch with the retention rule applied."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from domain import admin, departures
from domain.access import actor
from domain.models import PersonStatus
from storage import people
from tests.conftest import invite, onboard
from tests.console_helpers import sent_file, sheet_rows


async def two_members(bot, branch):
    code = await invite(bot, branch.id, uses=2)
    li, zhang = bot.person("李"), bot.person("张")
    await onboard(li, code, "李明", "13800138000", "居民党员")
    await onboard(zhang, code, "张伟", "13900139000", "流动党员")
    requests = [m for m in branch.secretary.messages if "新的加入支部申请" in m.get("text", "")]
    for message in requests:
        await branch.secretary.press("✅ 通过", message)
    return li, zhang


async def test_mydata_holds_everything_about_me_and_nothing_else(bot, branch):
    li, _ = await two_members(bot, branch)
    await li.send("/language")
    await li.press("简体中文")
    await li.send("/mydata")
    name, content = sent_file(li.last)
    assert name == "mydata.json" and "/leave" in li.last_text
    data = json.loads(content)
    assert data["telegram_id"] == li.id
    assert data["profile"]["name"] == "李明" and data["profile"]["phone"] == "13800138000"
    assert data["profile"]["category"] == "resident"
    assert data["profile"]["branch"] == branch.name
    assert [r["role"] for r in data["roles"]] == ["member"]
    assert [j["status"] for j in data["join_requests"]] == ["approved"]
    assert data["telegram"]["locale"] == "zh_Hans"
    assert {"join.requested", "join.approved"} <= {e["action"] for e in data["audit_log"]}
    assert "13900139000" not in content.decode() and "张伟" not in content.decode()

    stranger = bot.person("路人")
    await stranger.send("/mydata")
    data = json.loads(sent_file(stranger.last)[1])
    assert "profile" not in data and data["telegram_id"] == stranger.id


async def test_a_member_leaves_and_the_retention_rule_applies(bot, branch):
    li, zhang = await two_members(bot, branch)
    record = await people.by_telegram_id(bot.db, li.id)
    await li.send("/leave")
    assert li.buttons() == ["组织关系转出", "其他原因"]
    await li.press_data(li.last["message_id"], "leave:kind:death")
    assert "只有支部书记" in li.answer
    other = await people.by_telegram_id(bot.db, zhang.id)
    await li.press_data(li.last["message_id"], f"depart:ok:{other.id}:other")
    assert "只有支部书记" in li.answer
    await li.press("组织关系转出")
    assert "无法撤销" in li.last_text and "5 年" in li.last_text
    await li.press("✅ 确认离开", expecting="已登记：李明已离开支部（组织关系转出）")
    assert "李明已登记离开支部：组织关系转出" in branch.secretary.last_text

    row = await bot.db.fetchone("SELECT * FROM people WHERE id = ?", (record.id,))
    assert row["status"] == "left" and row["name"] == "李明" and row["category"] == "resident"
    assert row["phone"] is None and row["telegram_id"] is None
    assert await people.roles_of(bot.db, record.id) == set()
    departure = await bot.db.fetchone("SELECT * FROM departures WHERE person_id = ?", (record.id,))
    assert departure["kind"] == "transfer_out" and departure["category"] == "resident"
    assert (
        await bot.db.fetchval("SELECT COUNT(*) FROM telegram_users WHERE telegram_id = ?", (li.id,))
        == 0
    )

    await li.send("/help", expecting="邀请链接")
    await li.send("/leave", expecting="您不是已登记的党员")

    # The history still counts them: the export lists the departed member as left.
    await branch.secretary.send("/export")
    await branch.secretary.press("党员名册")
    rows = {r[1]: r for r in sheet_rows(sent_file(branch.secretary.last)[1])[1:]}
    assert rows["李明"][2] is None and rows["李明"][5] == "已离开"
    assert rows["张伟"][5] == "党员"


async def test_the_secretary_records_a_death_without_telling_the_account(bot, branch):
    _, zhang = await two_members(bot, branch)
    secretary = branch.secretary
    other_branch = await admin.add_branch(bot.db, "另一个支部")
    outsider = bot.person("外支部书记")
    await admin.add_secretary(bot.db, other_branch.id, outsider.id)
    await outsider.send("/depart", expecting="后面加上党员的手机号")
    # A member of another branch: not found here, without telling whether they exist.
    await outsider.send("/depart 13900139000", expecting="本支部没有手机号或姓名与此相符的党员")
    assert "张伟" not in outsider.last_text
    person = await people.by_telegram_id(bot.db, zhang.id)
    await outsider.press_data(outsider.last["message_id"], f"depart:ok:{person.id}:death")
    assert "只有支部书记" in outsider.answer
    await zhang.send("/depart 13800138000", expecting="只有支部书记")

    await secretary.send("/start")
    mine = await people.by_telegram_id(bot.db, secretary.id)
    await secretary.press_data(secretary.last["message_id"], f"depart:ok:{mine.id}:other")
    assert "请发送 /leave" in secretary.answer
    await secretary.send("/depart 13900139000", expecting="登记张伟离开支部")
    assert "去世" in secretary.buttons()
    await secretary.press("去世")
    before = len(zhang.messages)
    await secretary.press("✅ 确认离开", expecting="已登记：张伟已离开支部（去世）")
    assert len(zhang.messages) == before
    assert (await people.get(bot.db, person.id)).status is PersonStatus.LEFT
    await secretary.press_data(secretary.last["message_id"], f"depart:ok:{person.id}:death")
    assert "已经登记过" in secretary.answer
    assert await bot.db.fetchval("SELECT COUNT(*) FROM departures") == 1


async def test_names_are_erased_after_the_archive_period(bot, branch):
    await two_members(bot, branch)
    async with bot.db.transaction() as conn:
        await conn.execute("UPDATE people SET status = 'left' WHERE name = '李明'")
        await conn.execute(
            "INSERT INTO departures (person_id, branch_id, kind, left_on, recorded_at)"
            " SELECT id, branch_id, 'other', ?, 'x' FROM people WHERE name = '李明'",
            ((date.today() - timedelta(days=365 * 6)).isoformat(),),
        )
    assert await departures.erase_expired(bot.db, date.today()) == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM people WHERE name = '李明'") == 0
    assert await bot.db.fetchval("SELECT COUNT(*) FROM people WHERE erased_at IS NOT NULL") == 1
    assert await departures.erase_expired(bot.db, date.today()) == 0


async def test_a_departure_and_its_notification_commit_together(bot, branch, monkeypatch):
    li, _zhang = await two_members(bot, branch)
    record = await people.by_telegram_id(bot.db, li.id)
    me = await actor(bot.db, li.id)

    async def crash(*_args, **_kwargs):
        raise RuntimeError("the bot died before the commit")

    monkeypatch.setattr(departures.audit, "record", crash)
    with pytest.raises(RuntimeError):
        await departures.record(bot.db, me, None, departures.DepartureKind.OTHER, date.today())
    told = "SELECT key FROM outbox WHERE key LIKE 'departure:%'"
    assert await bot.db.fetchall(told) == []
    assert (await people.get(bot.db, record.id)).status is PersonStatus.ACTIVE

    monkeypatch.undo()
    await departures.record(bot.db, me, None, departures.DepartureKind.OTHER, date.today())
    secretary = await people.by_telegram_id(bot.db, branch.secretary.id)
    assert [row["key"] for row in await bot.db.fetchall(told)] == [
        f"departure:{record.id}:{secretary.id}"
    ]
    await bot.drain_outbox()
    assert "李明已登记离开支部：其他原因" in branch.secretary.last_text
