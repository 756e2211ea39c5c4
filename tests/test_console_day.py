"""A day of a secretary: the pending queue, batch approval of hours, broadcasts, the digest."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain import admin, cadres, hours
from domain.access import actor
from domain.activity import ActivityKind
from tests.cadre_support import facts, member
from tests.conftest import invite, onboard

# 12:00 in Shanghai on Wednesday 25 November 2026.
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


async def snapshot(bot) -> list:
    tables = ("hour_records", "join_requests", "cadre_registrations", "post_claims", "people")
    return [await bot.db.fetchall(f"SELECT * FROM {table} ORDER BY id") for table in tables]


async def log_hours(bot, telegram_id: int, half_hours: int, text: str) -> int:
    me = await actor(bot.db, telegram_id)
    draft = hours.Draft(ActivityKind.VOLUNTEER, TODAY, half_hours, text)
    return (await hours.log(bot.db, me, draft, today=TODAY)).id


async def waiting_items(bot, branch):
    """One of each kind the queue shows, made oldest first: join, claim, cadre, hours."""
    li = bot.person("李")
    await member(bot.db, branch.id, "李明", cadre=False, telegram_id=li.id)
    zhao = bot.person("赵")
    await member(bot.db, branch.id, "赵刚", telegram_id=zhao.id)
    applicant = bot.person("张")
    await onboard(applicant, await invite(bot, branch.id), "张华", "13800138009", "居民党员")
    async with bot.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO posts (branch_id, name, position, created_at) VALUES (?, '楼道长', 1, ?)",
            (branch.id, "2026-11-01T00:00:00+00:00"),
        )
        await conn.execute(
            "INSERT INTO post_claims (post_id, person_id, year, status, created_at)"
            " SELECT 1, id, 2026, 'pending', '2026-11-02T00:00:00+00:00' FROM people"
            " WHERE name = '李明'"
        )
    me = await actor(bot.db, zhao.id)
    await cadres.submit(bot.db, me, facts("赵刚", None, unit_name="县教育局"), 2026)
    records = [await log_hours(bot, li.id, n, f"服务{n}") for n in (2, 3, 4)]
    async with bot.db.transaction() as conn:
        await conn.execute("UPDATE join_requests SET created_at = '2026-11-01T00:00:00+00:00'")
        await conn.execute(
            "UPDATE cadre_registrations SET submitted_at = '2026-11-03T00:00:00+00:00'"
        )
    return li, applicant, records


async def test_the_pending_queue_and_batch_approval(bot, branch):
    li, _applicant, records = await waiting_items(bot, branch)
    secretary = branch.secretary
    replies = await secretary.send("/pending")
    texts = [m["text"] for m in replies]
    assert texts[0] == "有 6 项等待您决定，最早的在前："
    assert texts[1].startswith("入党申请 · 张华")
    assert texts[2].startswith("认领岗位 · 李明") and "楼道长" in texts[2]
    assert texts[3].startswith("干部登记 · 赵刚") and "局长" in texts[3]
    assert all(t.startswith("活动时长记录 · 李明") for t in texts[4:7])
    assert "志愿服务，1 小时" in texts[4]
    assert secretary.buttons(replies[1]) == ["✅ 通过", "❌ 驳回", "📂 查看"]
    assert "共 3 条活动时长记录（合计 4.5 小时）待审核" in texts[7]

    # Approve is the joining feature's own button: the applicant becomes a member.
    await secretary.press("✅ 通过", replies[1])
    status = await bot.db.fetchval("SELECT status FROM people WHERE name = '张华'")
    assert status == "active"

    await secretary.press("📂 查看", replies[4])
    assert "服务2" in secretary.last_text and "电话：13800138000" in secretary.last_text

    # The secretary of another branch cannot approve this branch's hours, nor open them.
    other = await admin.add_branch(bot.db, "和平社区党支部")
    stranger = bot.person("刘书记")
    await admin.add_secretary(bot.db, other.id, stranger.id)
    before = await snapshot(bot)
    await stranger.send("/pending")
    assert stranger.last_text == "您没有待决定的事项。👍"
    await stranger.press_data(stranger.last["message_id"], f"pending:hrs:{branch.id}:99")
    assert "只有支部书记" in stranger.answer
    await stranger.press_data(stranger.last["message_id"], f"pending:open:hours:{records[0]}")
    assert "只有支部书记" in stranger.answer
    assert await snapshot(bot) == before

    # A record logged after the queue was shown is not approved with the others.
    late = await log_hours(bot, li.id, 1, "晚到的")
    await secretary.press("✅ 全部通过（3）")
    assert "3 条活动时长记录已核实" in secretary.last_text
    statuses = await bot.db.fetchall("SELECT id, status FROM hour_records ORDER BY id")
    assert [tuple(r) for r in statuses] == [
        (records[0], "verified"),
        (records[1], "verified"),
        (records[2], "verified"),
        (late, "pending"),
    ]
    told = [t for t in li.texts if "已核实" in t]
    assert told == [
        f"您的活动时长记录 #{records[0]} 已核实：2026年11月25日，1 小时。",
        f"您的活动时长记录 #{records[1]} 已核实：2026年11月25日，1.5 小时。",
        f"您的活动时长记录 #{records[2]} 已核实：2026年11月25日，2 小时。",
    ]
    approved = await bot.db.fetchval(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'hours.approved'"
    )
    assert approved == 3

    # Pressed again: nothing is left up to that record, and nothing changes.
    before = await snapshot(bot)
    await secretary.press_data(
        secretary.last["message_id"], f"pending:hrs:{branch.id}:{records[2]}"
    )
    assert "没有待审核的活动时长" in secretary.answer
    assert await snapshot(bot) == before
