"""/hours end to end: log → approve → totals, every bad input, the secretary's decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain import admin, digest
from domain.models import Role
from storage import people
from storage.db import utcnow
from tests.console_helpers import sent_file, sheet_rows
from tests.flows import (
    approved_member,
    count_in_totals,
    finish_logging,
    log_hours,
    start_logging,
    submit_record,
)
from tests.reliability.live import snapshot as db_snapshot
from tests.test_cli import partybot

# 12:00 in Shanghai on Wednesday 25 November 2026.
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
TODAY = "2026-11-25"
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def roster_lists(bot, person) -> None:
    """The roster makes `person` (a secretary, say) a member of their branch."""
    found = await people.by_telegram_id(bot.db, person.id)
    async with bot.db.transaction() as conn:
        await people.grant_role(conn, found.id, found.branch_id, Role.MEMBER)


@pytest.fixture
async def member(bot, branch):
    bot.app.bot_data["clock"] = lambda: NOW
    return await approved_member(bot, branch, "李", "李明", "13800138000")


async def count(bot, where: str = "1 = 1") -> int:
    return await bot.db.fetchval(f"SELECT COUNT(*) FROM hour_records WHERE {where}")


async def test_log_approve_and_see_the_totals(bot, branch, member):
    await log_hours(member, amount="1.5")
    assert "已保存为记录 #1：1.5 小时，待支部书记审核" in member.last_text
    request = branch.secretary.last_text
    assert "待审核的活动时长，记录 #1" in request and "李明" in request and "党课" in request
    await branch.secretary.press("✅ 通过", expecting="已核实")
    assert "您的活动时长记录 #1 已核实：2026年11月25日，1.5 小时" in member.last_text

    # a second, still pending record of another kind, on a typed date
    await log_hours(member, kind="志愿服务", day="📅 其他日期", typed_day="11-20", amount="2")
    await member.send("/hours")
    await member.press("📊 我的统计")
    totals = member.last_text
    assert "党课：已核实 1.5 小时，待审核 0 小时" in totals
    assert "志愿服务：已核实 0 小时，待审核 2 小时" in totals
    assert totals.count("合计：已核实 1.5 小时，待审核 2 小时") == 2  # quarter and year
    await member.press("本周")
    assert "您本周的活动时长" in member.last_text  # 23–29 November: not the 20th
    assert "合计：已核实 1.5 小时，待审核 0 小时" in member.last_text
    await member.press("本月", expecting="合计：已核实 1.5 小时，待审核 2 小时")

    actions = [r[0] for r in await bot.db.fetchall("SELECT action FROM audit_log")]
    assert actions.count("hours.logged") == 2 and "hours.approved" in actions


async def test_post_duty_hours_are_sent_to_the_duty_record_in_posts(bot, member):
    await member.send("/hours")
    await member.presses("➕ 登记时长", "岗位履职")
    assert "/posts" in member.last_text and "记录履职" in member.last_text
    await member.press("党课")
    # The question the press answered now asks for the day, in place (handlers/in_place.py).
    assert "哪一天" in member.message_with_button("今天")["text"]
    assert await bot.db.fetchval("SELECT COUNT(*) FROM hour_records") == 0


async def test_a_photo_goes_to_the_secretary_with_the_record(bot, branch, member):
    await start_logging(member, "志愿服务", "昨天")
    await member.types("3", "清扫楼道")
    await member.send_photo(b"\xff\xd8\xff\xe0fakejpeg")
    assert "照片：已附上" in member.last_text
    await member.press("✅ 提交")
    assert await count(bot, "photo_file_id IS NOT NULL AND day = '2026-11-24'") == 1
    assert any("photo" in m for m in branch.secretary.messages)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abc", "请用数字输入时长"),
        ("-3", "时长必须大于 0"),
        ("100", "每条记录最多登记 12 小时"),
        ("2.3", "以半小时为单位"),
    ],
)
async def test_bad_hours_are_refused_and_asked_again(bot, member, typed, expected):
    await start_logging(member)
    await member.send(typed)
    assert expected in member.last_text
    await member.send("/cancel", expecting="已取消")
    assert await count(bot) == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-11-26", "该日期在未来"),
        ("2026-08-26", "已超过 90 天"),
        ("明天", "无法识别该日期"),
        ("2026-02-30", "这个日期不存在"),
    ],
)
async def test_bad_dates_are_refused(bot, member, typed, expected):
    await start_logging(member, day="📅 其他日期")
    await member.send(typed)
    assert expected in member.last_text
    await member.send("2026-08-27")  # exactly 90 days ago is still inside the window
    assert "活动了多少小时" in member.last_text
    assert await count(bot) == 0


async def test_the_25th_hour_of_a_day_is_refused(bot, member):
    await log_hours(member, amount="12")
    await log_hours(member, amount="11.5")
    await start_logging(member, "其他")
    await member.send("1", expecting="当天最多还能登记 0.5 小时")
    await finish_logging(member, "0.5", "值班")
    assert await count(bot) == 3
    assert await bot.db.fetchval("SELECT SUM(half_hours) FROM hour_records") == 48
    await start_logging(member)
    await member.send("0.5", expecting="当天最多还能登记 0 小时")
    await member.send("/cancel")
    assert await count(bot) == 3


async def test_reject_with_a_reason_and_correct(bot, branch, member):
    await log_hours(member, amount="4")
    await branch.secretary.press("❌ 驳回", expecting="为什么驳回记录 #1")
    await branch.secretary.send("   ", expecting="请输入理由")
    await branch.secretary.send("当天没有组织此活动")
    assert "未被认可。理由：当天没有组织此活动" in member.last_text
    assert await count(bot, "status = 'rejected'") == 1

    await log_hours(member, amount="4")
    await branch.secretary.press("✏️ 更正")
    await branch.secretary.send("2.3", expecting="以半小时为单位")
    await branch.secretary.send("2.5")
    assert "已核实：2026年11月25日，2.5 小时" in member.last_text
    row = await bot.db.fetchone("SELECT status, half_hours FROM hour_records WHERE id = 2")
    assert tuple(row) == ("verified", 5)
    # records are never deleted; every change is in the audit log
    assert await count(bot) == 2
    details = await bot.db.fetchval(
        "SELECT details FROM audit_log WHERE action = 'hours.corrected'"
    )
    assert '"before": 8' in details and '"after": 5' in details


async def test_history_edit_and_withdraw_a_pending_record(bot, branch, member):
    await log_hours(member, amount="2")
    await log_hours(member, amount="1")
    await member.send("/hours")
    await member.press("📜 我的记录", expecting="您的记录（第 1 页）")
    assert "#2" in member.last_text and "待审核" in member.last_text
    await member.press("✏️ 修改 #1")
    await member.send("abc", expecting="请用数字输入时长")
    await member.send("3", expecting="记录 #1 已改为 3 小时")
    await member.press("↩️ 撤回 #2", expecting="记录 #2 已撤回")
    statuses = await bot.db.fetchall("SELECT status, half_hours FROM hour_records ORDER BY id")
    assert [tuple(r) for r in statuses] == [("pending", 6), ("withdrawn", 2)]
    # a withdrawn record can no longer be changed or approved
    await member.press_data_on("↩️ 撤回 #2", "hours:withdraw:2")
    assert "已被处理或撤回" in member.answer
    await branch.secretary.press_data_on("✏️ 更正", "hours:approve:2")
    assert "已处理过" in branch.secretary.answer


async def test_history_is_paged(bot, member):
    for _ in range(10):
        await log_hours(member, amount="0.5")
    await member.send("/hours")
    await member.press("📜 我的记录")
    assert "#10" in member.last_text and "#2 " not in member.last_text
    await member.press("更早 ▶")
    assert "第 2 页" in member.last_text and "#1 " in member.last_text
    await member.press("◀ 较新", expecting="第 1 页")


async def test_only_the_owner_and_the_secretary_may_act(bot, branch, member):
    other = await approved_member(bot, branch, "张", "张伟", "13900139000")
    await log_hours(member, amount="2")
    for forged in ("hours:withdraw:1", "hours:approve:1", "hours:edit:1", "hours:correct:1"):
        await other.send("/hours")
        await other.press_data(other.last["message_id"], forged)
        assert other.answer in (
            "该记录不存在。",
            "抱歉，只有支部书记可以进行此操作，未做任何更改。",
        )
    for forged in ("hours:approve:999", "hours:approve:x", "hours:hist:-1"):
        await branch.secretary.send("/hours")
        await branch.secretary.press_data(branch.secretary.last["message_id"], forged)
        assert branch.secretary.answer in ("该记录不存在。", "此按钮已失效。")
    assert await bot.db.fetchval("SELECT status FROM hour_records") == "pending"
    # the approve button works once
    request = branch.secretary.message_with_button("✏️ 更正")
    await branch.secretary.press("✅ 通过", request)
    await branch.secretary.press_data(request["message_id"], "hours:approve:1")
    assert "已处理过" in branch.secretary.answer


async def test_people_outside_the_branch_cannot_log(bot, branch):
    stranger = bot.person("路人")
    await stranger.send("/hours", expecting="只有已登记的支部党员")


async def test_english_client_reads_english(bot, branch):
    bot.app.bot_data["clock"] = lambda: NOW
    john = await approved_member(bot, branch, "John", "约翰", "13700137000")
    await john.send("/language")
    await john.press("English")
    await start_logging(john, "Party lesson", "Today", log_button="➕ Log hours")
    await john.send("abc", expecting="Please type the hours as a number")


async def test_the_secretary_sees_the_branch_in_name_order_and_members_only_themselves(
    bot, branch, member
):
    other = await approved_member(bot, branch, "张", "张伟", "13900139000")
    await log_hours(member, amount="2")
    await branch.secretary.press("✅ 通过")
    await log_hours(other, amount="1")
    await branch.secretary.send("/hours")
    await branch.secretary.press("📋 本季度支部统计")
    text = branch.secretary.last_text
    assert "2026年10月1日至2026年12月31日" in text
    assert "张伟：已核实 0 小时，待审核 1 小时" in text
    assert "李明：已核实 2 小时，待审核 0 小时" in text
    assert "📋 本季度支部统计" not in other.buttons(other.message_with_button("➕ 登记时长"))
    await other.press_data(other.last["message_id"], "hours:branch")
    assert "只有支部书记" in other.last_text
    await other.press("📊 我的统计")
    assert "1 小时" in other.last_text and "2 小时" not in other.last_text


def test_long_lists_are_split_between_lines():
    from handlers.hours import chunks

    lines = [f"{i:04d} " + "名" * 40 for i in range(300)]
    parts = chunks(lines)
    assert all(len(p) <= 3500 for p in parts) and "\n".join(parts).split("\n") == lines


async def test_the_secretary_sets_the_branch_window(bot, branch, member):
    await branch.secretary.send("/hours")
    await branch.secretary.presses("⚙️ 登记期限：90 天", "30", expecting="可以登记 30 天以内")
    await start_logging(member, day="📅 其他日期")
    await member.send("2026-10-25", expecting="该日期已超过 30 天")
    await member.send("2026-10-26", expecting="活动了多少小时")
    await member.press_data(member.last["message_id"], "hours:window:365")
    assert "只有支部书记" in member.answer
    assert await bot.db.fetchval("SELECT window_days FROM branch_hour_settings") == 30


async def test_a_restart_in_the_middle_of_logging_continues(bot, branch, member):
    await start_logging(member, "志愿服务", "昨天")
    await member.send("2")
    await bot.restart()
    bot.app.bot_data["clock"] = lambda: NOW
    await member.send("清扫楼道")
    await member.press("跳过", expecting="时长：2 小时")
    await member.press("✅ 提交")
    assert await count(bot, "day = '2026-11-24' AND half_hours = 4") == 1


async def snapshot(bot) -> dict:
    return await db_snapshot(bot.db)


async def hour_statuses(bot) -> list[tuple[int, str]]:
    return [
        tuple(r) for r in await bot.db.fetchall("SELECT id, status FROM hour_records ORDER BY id")
    ]


async def test_a_secretary_cannot_verify_their_own_hours(bot, branch, member):
    secretary = branch.secretary
    await roster_lists(bot, secretary)  # a secretary logs hours as a member only
    await log_hours(secretary, amount="2")  # record 1, the secretary's own
    # Not asked to review it; pressed anyway (the buttons of /pending), it is refused.
    assert "待审核的活动时长" not in secretary.last_text
    request = secretary.last
    await secretary.press_data(request["message_id"], "hours:approve:1")
    assert "本支部没有其他书记" in secretary.answer
    await secretary.press_data(request["message_id"], "hours:correct:1")
    assert "本支部没有其他书记" in secretary.answer
    assert await hour_statuses(bot) == [(1, "pending")]

    # "Approve all" in /pending counts only the others' records, skips the secretary's own
    # and says so.
    await log_hours(member, amount="1")
    await log_hours(member, amount="1.5")
    await secretary.send("/pending")
    await secretary.press("✅ 全部通过（2）", expecting="2 条活动时长记录已核实")
    assert "您本人的 1 条记录已跳过" in secretary.last_text
    assert await hour_statuses(bot) == [(1, "pending"), (2, "verified"), (3, "verified")]
    await secretary.send("/hours")
    assert "📥 待审核（0）" in secretary.buttons(), "one's own record is not one's to approve"
    before = await snapshot(bot)
    await secretary.press_data(secretary.last["message_id"], f"pending:hrs:{branch.id}:1")
    assert "本支部没有其他书记" in secretary.answer
    assert await snapshot(bot) == before

    # With a second secretary, the refusal names them, and they may approve.
    deputy = bot.person("赵副书记")
    await admin.add_secretary(bot.db, branch.id, deputy.id)
    await secretary.press_data(request["message_id"], "hours:approve:1")
    assert "须由本支部另一位书记核实" in secretary.answer
    await deputy.send("/hours")
    await deputy.presses("📥 待审核（1）", "✅ 通过")
    assert await hour_statuses(bot) == [(1, "verified"), (2, "verified"), (3, "verified")]


async def digest_text(bot, branch) -> str:
    from domain.i18n import translator
    from handlers.digest import digest_message

    params = await digest.contents(bot.db, branch.id, utcnow(), SHANGHAI)
    return (await digest_message(translator("zh_Hans"), bot.db, params)).text


async def test_the_secretary_chooses_whether_summaries_count_attested_hours(bot, branch, member):
    await log_hours(member, amount="2")
    await branch.secretary.press("✅ 通过")
    await log_hours(member, amount="1.5")  # attested: still pending
    secretary = branch.secretary
    assert "昨天以来核实的活动时长：2 小时" in await digest_text(bot, branch)

    # A member cannot choose, even with a forged button.
    before = await snapshot(bot)
    await member.send("/hours")
    assert not any("汇总计入" in b for b in member.buttons())
    await member.press_data(member.last["message_id"], "hours:count:with_attested")
    assert "只有支部书记" in member.answer
    assert await snapshot(bot) == before

    await count_in_totals(secretary, "已核实和自报（待核实）的时长")
    assert "支部的各项汇总现在计入已核实和自报（待核实）的时长" in secretary.last_text
    await secretary.send("/hours")
    assert "⚖️ 汇总计入：已核实和自报（待核实）的时长" in secretary.buttons()
    await secretary.press(
        "📋 本季度支部统计",
        expecting="李明：计入 3.5 小时（核实+自报）：已核实 2 小时，待审核 1.5 小时",
    )
    assert "昨天以来的活动时长（核实+自报）：3.5 小时" in await digest_text(bot, branch)
    await secretary.send(f"/export hours {TODAY} {TODAY}")
    rows = sheet_rows(sent_file(secretary.last)[1])
    assert rows[1][1:] == ("李明", "党课", 2.0, 1.5, 3.5, "已核实和自报（待核实）的时长")

    # Members' own totals keep showing both tiers.
    await member.press(
        "📊 我的统计",
        member.message_with_button("📊 我的统计"),
        expecting="合计：已核实 2 小时，待审核 1.5 小时",
    )

    await count_in_totals(secretary, "仅已核实的时长")
    await secretary.send("/hours")
    await secretary.press("📋 本季度支部统计", expecting="李明：已核实 2 小时，待审核 1.5 小时")
    changes = await bot.db.fetchall(
        "SELECT actor_id, details FROM audit_log WHERE action = 'hours.counting_set'"
    )
    assert len(changes) == 2 and '"with_attested"' in changes[0]["details"]


def test_the_operator_sets_the_counting_from_the_command_line(tmp_path):
    branch_id = partybot(tmp_path, "branch", "add", "和平社区党支部").stdout.strip()
    shown = partybot(tmp_path, "branch", "hours", "--branch", branch_id)
    assert "summaries count verified hours" in shown.stdout
    changed = partybot(
        tmp_path, "branch", "hours", "--branch", branch_id, "--counting", "with_attested"
    )
    assert changed.returncode == 0 and "count with_attested hours" in changed.stdout
    refused = partybot(tmp_path, "branch", "hours", "--branch", "999", "--counting", "verified")
    assert refused.returncode == 1 and "no branch with id 999" in refused.stderr


def current(person, message):
    """The message as it is now on the person's screen (after edits)."""
    return next(m for m in person.messages if m["message_id"] == message["message_id"])


async def test_common_amounts_are_buttons_and_a_typed_amount_removes_them(bot, member):
    await start_logging(member, day="昨天")
    asked = member.last
    assert member.buttons(asked) == ["0.5 小时", "1 小时", "1.5 小时", "2 小时", "3 小时"]
    await member.send("2.3")  # refused: the buttons still answer the question
    assert member.buttons(current(member, asked))
    await member.send("2")
    assert member.buttons(current(member, asked)) == []
    await submit_record(member)
    await start_logging(member, day="📅 其他日期")
    await member.send("11月20日")
    await member.press("3 小时", expecting="请简要说明")
    await submit_record(member)
    rows = await bot.db.fetchall("SELECT day, half_hours FROM hour_records ORDER BY id")
    assert [tuple(r) for r in rows] == [("2026-11-24", 4), ("2026-11-20", 6)]


async def test_editing_and_correcting_offer_the_common_amounts(bot, branch, member):
    await log_hours(member, amount="2")
    await member.send("/hours")
    await member.presses("📜 我的记录", "✏️ 修改 #1")
    assert "1.5 小时" in member.buttons()
    await member.press("1.5 小时", expecting="记录 #1 已改为 1.5 小时")
    await log_hours(member, amount="4")
    await branch.secretary.press("✏️ 更正", branch.secretary.message_with_button("✏️ 更正"))
    asked = branch.secretary.last
    await branch.secretary.send("3")  # typed instead of pressed: the buttons go
    assert branch.secretary.buttons(current(branch.secretary, asked)) == []
    rows = await bot.db.fetchall("SELECT status, half_hours FROM hour_records ORDER BY id")
    assert [tuple(r) for r in rows] == [("pending", 3), ("verified", 6)]
