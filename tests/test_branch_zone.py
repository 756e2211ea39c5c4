"""The branch's own clock through the chat (issue 15): a branch in New York and one on the
bot's default zone (Shanghai), at an instant near midnight in New York and not in
Shanghai. Every date a person picks or reads follows their branch's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain import admin
from storage import working_time
from tests.conftest import Branch, branch_with_secretary
from tests.flows import approved_member, begin_outflow, log_hours, new_event, start_logging

# 12:30 on 1 December in Shanghai, 23:30 on 30 November in New York.
NOW = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)


@pytest.fixture
async def new_york(bot) -> Branch:
    created = await branch_with_secretary(bot, "华埠社区党支部", "赵书记", "城关区")
    await working_time.set_times(
        bot.db, created.id, timezone="America/New_York", working_hours=None, quiet_hours=None
    )
    return created


async def test_today_and_yesterday_are_the_branchs(bot, branch, new_york):
    bot.app.bot_data["clock"] = lambda: NOW
    shanghai_member = await approved_member(bot, branch, "李", "李明", "13800138000")
    ny_member = await approved_member(bot, new_york, "张", "张伟", "13900139000")
    await log_hours(shanghai_member, day="昨天")
    await log_hours(ny_member, day="昨天")
    await log_hours(ny_member, day="今天", amount="1")
    days = dict(
        await bot.db.fetchall(
            "SELECT p.name || ':' || h.half_hours, h.day FROM hour_records h"
            " JOIN people p ON p.id = h.person_id"
        )
    )
    assert days == {"李明:3": "2026-11-30", "张伟:3": "2026-11-29", "张伟:2": "2026-11-30"}
    # …and the date the member reads back is the same one.
    secretary = new_york.secretary
    request = next(m for m in secretary.messages if "记录 #2" in (m.get("text") or ""))
    await secretary.press("✅ 通过", request)
    assert "您的活动时长记录 #2 已核实：2026年11月29日，1.5 小时" in ny_member.last_text


async def test_a_typed_date_is_read_against_the_branchs_today(bot, new_york):
    bot.app.bot_data["clock"] = lambda: NOW
    member = await approved_member(bot, new_york, "张", "张伟", "13900139000")
    # 1 December is still tomorrow in New York: a future day is refused.
    await start_logging(member, day="📅 其他日期")
    await member.send("12-01")
    assert "活动了多少小时" not in member.last_text
    await member.send("11-30", expecting="活动了多少小时")


async def test_an_events_time_is_typed_and_read_in_its_branchs_zone(bot, branch, new_york):
    bot.app.bot_data["clock"] = lambda: NOW
    await new_event(new_york.secretary, when="2026-12-02 19:00-21:00")
    starts = await bot.db.fetchval("SELECT starts_at FROM events")
    assert datetime.fromisoformat(starts) == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    member = await approved_member(bot, new_york, "张", "张伟", "13900139000")
    await member.send("/events")
    assert "2026年12月2日 19:00至21:00" in member.texts[-2]
    # The Shanghai branch's member does not see it; their own event reads in Shanghai time.
    await new_event(branch.secretary, title="党史学习", when="2026-12-02 19:00-21:00")
    li = await approved_member(bot, branch, "李", "李明", "13800138000")
    await li.send("/events")
    assert "2026年12月2日 19:00至21:00" in li.texts[-2] and "党史学习" in li.texts[-2]
    shanghai_start = await bot.db.fetchval("SELECT starts_at FROM events WHERE title = '党史学习'")
    assert datetime.fromisoformat(shanghai_start) == datetime(2026, 12, 2, 11, 0, tzinfo=UTC)


async def test_the_mobile_date_picker_opens_on_the_branchs_month(bot, branch, new_york):
    bot.app.bot_data["clock"] = lambda: NOW
    pickers = {}
    for where, first, phone in ((branch, "李", "13800138000"), (new_york, "张", "13900139000")):
        someone = await approved_member(bot, where, first, first + "明", phone, category="流动党员")
        await begin_outflow(someone)
        pickers[where.id] = someone.buttons()[1]  # the month's title
    assert pickers == {branch.id: "2026年12月", new_york.id: "2026年11月"}


async def test_a_person_of_two_branches_reads_each_in_its_zone(bot, branch, new_york):
    bot.app.bot_data["clock"] = lambda: NOW
    await new_event(new_york.secretary, title="华埠党课", when="2026-12-02 19:00-21:00")
    await new_event(branch.secretary, title="幸福党课", when="2026-12-02 19:00-21:00")
    both = new_york.secretary
    await admin.add_secretary(bot.db, branch.id, both.id)
    before = len(both.texts)
    await both.send("/events")
    listed = both.texts[before:]
    assert any("华埠党课" in t and "2026年12月2日 19:00至21:00" in t for t in listed)
    assert any("幸福党课" in t and "2026年12月2日 19:00至21:00" in t for t in listed)
