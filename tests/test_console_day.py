"""A day of a secretary: the pending queue, batch approval of hours, broadcasts, the digest."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from domain import admin, cadres, digest, hours, pending
from domain.access import actor
from domain.activity import ActivityKind
from handlers import broadcast
from storage import working_time as worktime_store
from tests.cadre_support import facts, member
from tests.conftest import invite, onboard
from tests.console_helpers import sent_file, sheet_rows
from tests.fakes.harness import BotHarness, until

# 12:00 in Shanghai on Wednesday 25 November 2026.
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def snapshot(bot) -> list:
    tables = ("hour_records", "join_requests", "cadre_registrations", "post_claims", "people")
    return [await bot.db.fetchall(f"SELECT * FROM {table} ORDER BY id") for table in tables]


async def log_hours(bot, telegram_id: int, half_hours: int, text: str) -> int:
    me = await actor(bot.db, telegram_id)
    draft = hours.Draft(ActivityKind.VOLUNTEER, TODAY, half_hours, text)
    record = await hours.log(bot.db, me, draft, today=TODAY)
    await bot.drain_outbox()  # the secretaries' review requests, as a real bot sends them
    return record.id


async def party_day(conn, branch_id: int, day: str, *, created_on: str) -> None:
    """主题党日 (a lesson) in 会议室 on `day`, 09:00 to 11:00 in Shanghai."""
    await conn.execute(
        "INSERT INTO events (branch_id, title, kind, starts_at, ends_at, place, secret,"
        " created_at) VALUES (?, '主题党日', 'lesson', ?, ?, '会议室', 'x', ?)",
        (
            branch_id,
            f"{day}T01:00:00+00:00",
            f"{day}T03:00:00+00:00",
            f"{created_on}T00:00:00+00:00",
        ),
    )


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
    assert texts[1].startswith("加入支部申请 · 张华")
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
    await secretary.press("✅ 全部通过（3）", expecting="3 条活动时长记录已核实")
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


async def test_a_broadcast_to_300_members_reports_its_progress(server, tmp_path, monkeypatch):
    monkeypatch.setattr(broadcast, "PROGRESS_SECONDS", 0.05)
    async with BotHarness(server, tmp_path, outbox_per_second=300) as bot:
        created = await admin.add_branch(bot.db, "幸福社区党支部")
        secretary = bot.person("王书记")
        await admin.add_secretary(bot.db, created.id, secretary.id)
        # The secretary is no member (the roster does not list them), so gets none.
        members = [bot.person(f"党员{i}") for i in range(300)]
        for i, someone in enumerate(members):
            await member(bot.db, created.id, f"党员{i}", cadre=False, telegram_id=someone.id)
        for someone in members[:4]:
            server.block(someone.id)

        await secretary.types("/broadcast", "明天上午九点在社区会议室召开党员大会。")
        await secretary.press("全体党员")
        assert secretary.texts[-2] == "明天上午九点在社区会议室召开党员大会。"  # the preview
        assert "将发送给 300 人" in secretary.last_text
        before = await bot.db.fetchval("SELECT COUNT(*) FROM outbox")
        await secretary.press("📣 发送")
        shown = next(
            m for m in secretary.messages if m.get("text", "").startswith(("正在", "公告"))
        )
        await until(lambda: shown["text"].startswith("公告已发出"), "the broadcast's last report")
        assert shown["text"] == "公告已发出：已送达 296 人，无法送达 4 人，失败 0 人，共 300 人。"
        steps = [text for text in shown["_texts"] if text.startswith("正在发送")]
        assert steps[0] == "正在发送公告：已发送 0 / 300"
        assert len(steps) >= 2  # edited as it went
        assert all(m.texts[-1] == "明天上午九点在社区会议室召开党员大会。" for m in members[4:])
        sent = await bot.db.fetchval("SELECT COUNT(*) FROM outbox") - before
        assert sent == 300  # one message each, keyed per broadcast and recipient
        recorded = await bot.db.fetchval(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'broadcast.sent'"
        )
        assert recorded == 1
    assert not bot.errors


async def test_the_digest_on_the_secretarys_schedule(bot, branch):
    _li, _applicant, _records = await waiting_items(bot, branch)
    secretary = branch.secretary
    await worktime_store.set_times(
        bot.db, branch.id, timezone=None, working_hours=None, quiet_hours="22:00-07:30"
    )
    await secretary.send("/digest", expecting="每天 08:30")
    await secretary.press("每周")
    assert secretary.buttons()[:2] == ["星期一", "星期二"] and "星期日" in secretary.buttons()
    await secretary.press("星期三")
    before = await bot.db.fetchall("SELECT * FROM branch_jobs")
    await secretary.press("07:00")  # inside the quiet hours
    assert "免打扰时段" in secretary.answer
    assert await bot.db.fetchall("SELECT * FROM branch_jobs") == before
    await secretary.press("08:00", expecting="每星期三 08:00")
    crontab = await bot.db.fetchval(
        "SELECT crontab FROM branch_jobs WHERE job = 'secretary-digest'"
    )
    assert crontab == "0 8 * * 3"
    # The settings show the chosen day; a made-up day is refused.
    await secretary.send("/digest", expecting="每星期三 08:00")
    await secretary.press("每周")
    await secretary.press_data(secretary.last["message_id"], "digest:day:9")
    assert (
        await bot.db.fetchval("SELECT crontab FROM branch_jobs WHERE job = 'secretary-digest'")
        == "0 8 * * 3"
    )
    await secretary.send("/cancel")

    async with bot.db.transaction() as conn:
        await party_day(conn, branch.id, "2026-11-27", created_on="2026-11-20")
        # the application arrived within the week, the cadre's registration before it
        await conn.execute("UPDATE join_requests SET created_at = '2026-11-24T00:00:00+00:00'")
    await member(bot.db, branch.id, "钱伟")  # a cadre who has not registered at all
    bot.sender.clock = lambda: NOW  # noon: outside the quiet hours
    sent = await digest.secretary_digest(bot.db, branch.id, NOW, SHANGHAI)
    assert sent == 1
    await bot.drain_outbox()
    text = secretary.last_text
    assert text.startswith("下午好")  # noon in Shanghai
    assert "有 1 个加入支部申请等待您审核" in text
    assert "活动时长记录：3 项待决定" in text and "认领岗位：1 项待决定" in text
    assert "干部登记：1 项待决定" in text
    assert "本周新登记：1" in text
    assert "即将举行：主题党日" in text
    # 赵刚's registration waits for the secretary: not listed as not registered.
    assert "待您确认的干部登记：赵刚" in text
    assert "本年度尚未登记的干部：钱伟" in text and "尚未登记的干部：赵刚" not in text

    # Nothing else is queued when the job runs again on the same day.
    assert await digest.secretary_digest(bot.db, branch.id, NOW, SHANGHAI) == 0


async def test_the_features_exports_and_personal_data(bot, branch):
    li, _applicant, records = await waiting_items(bot, branch)
    secretary = branch.secretary
    await pending.approve_hours(bot.db, await actor(bot.db, secretary.id), branch.id, records[1])
    async with bot.db.transaction() as conn:
        await party_day(conn, branch.id, "2026-11-20", created_on="2026-11-10")
        await conn.execute(
            "INSERT INTO event_attendance (event_id, person_id, checked_in_at, method_in)"
            " SELECT 1, id, '2026-11-20T01:05:00+00:00', 'code' FROM people WHERE name = '李明'"
        )

    await secretary.send("/export hours 2026-11-01 2026-11-25")
    name, content = sent_file(secretary.last)
    assert name.endswith(".xlsx")
    rows = sheet_rows(content)
    assert rows[0] == (
        "党员编号",
        "姓名",
        "活动类别",
        "核实时长（小时）",
        "自报时长（待核实，小时）",
        "计入时长（小时）",
        "计入口径",
    )
    assert rows[1][1:] == ("李明", "志愿服务", 2.5, 2.0, 2.5, "仅已核实的时长")

    await secretary.send("/export events 2026-11-01 2026-11-25")
    rows = sheet_rows(sent_file(secretary.last)[1])
    assert rows[1][1] == "主题党日" and rows[1][5] == "李明" and rows[1][8] == "签到码"
    assert rows[1][6] == datetime(2026, 11, 20, 9, 5)  # in the branch's time

    await secretary.send("/export")
    await secretary.press("岗位及认领人")
    rows = sheet_rows(sent_file(secretary.last)[1])
    assert rows[1][0] == "楼道长" and rows[1][4] == "李明" and rows[1][5] == "待审核"

    await secretary.press("流动党员及其记录")
    assert sheet_rows(sent_file(secretary.last)[1])[0][0] == "登记编号"

    await li.send("/mydata")
    data = json.loads(sent_file(li.last)[1])
    assert [r["half_hours"] for r in data["hour_records"]] == [2, 3, 4]
    assert data["post_claims"][0]["post"] == "楼道长"
    assert data["event_attendance"][0]["title"] == "主题党日"
    assert data["mobile_registrations"] == [] and data["cadre_registrations"] == []


async def test_a_photo_to_the_holders_of_a_post_and_forged_choices(bot, branch):
    li, _applicant, _records = await waiting_items(bot, branch)
    async with bot.db.transaction() as conn:
        await conn.execute("UPDATE post_claims SET status = 'approved'")
    other = await admin.add_branch(bot.db, "和平社区党支部")
    async with bot.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO posts (branch_id, name, position, created_at)"
            " VALUES (?, '外支部岗位', 1, ?)",
            (other.id, "2026-11-01T00:00:00+00:00"),
        )
    secretary = branch.secretary
    await secretary.send("/broadcast")
    await secretary.send_photo(b"\x89PNG\r\n\x1a\n" + b"0" * 64, caption="本周楼道清扫安排见图。")
    await secretary.press("某个岗位的认领人")
    assert secretary.buttons() == ["楼道长"]  # only this branch's posts
    before = await bot.db.fetchval("SELECT COUNT(*) FROM outbox")
    await secretary.press_data(secretary.last["message_id"], "bc:to:2")  # the other branch's
    assert "不存在" in secretary.last_text
    assert await bot.db.fetchval("SELECT COUNT(*) FROM outbox") == before

    await secretary.send("/broadcast")
    await secretary.send_photo(b"\x89PNG\r\n\x1a\n" + b"0" * 64, caption="本周楼道清扫安排见图。")
    await secretary.presses("某个岗位的认领人", "楼道长", expecting="将发送给 1 人")
    await secretary.press("📣 发送")
    got = li.last
    assert "photo" in got and got["caption"] == "本周楼道清扫安排见图。"


async def test_the_county_posts_are_offered_by_their_names(bot, branch):
    from domain import posts

    await posts.board(bot.db, branch.id, date.today())  # the ten county posts, seeded
    secretary = branch.secretary
    await secretary.types("/broadcast", "明晚七点召开支部党员大会。")
    await secretary.press("某个岗位的认领人")
    offered = secretary.buttons()
    assert "政策宣传岗" in offered and len(offered) == 10
    assert "publicity" not in offered


def test_the_digest_tells_waiting_cadre_registrations_apart_in_english():
    from domain.i18n import translator
    from handlers.digest import _missing_lines

    lines = _missing_lines(translator("en"), {"unconfirmed": ["Zhao"], "unregistered": ["Qian"]})
    assert "Cadre registrations waiting for your confirmation: Zhao" in lines
    assert any(line.startswith("Cadres not yet registered this year") for line in lines)
    assert not any("Zhao" in line and "not yet registered" in line for line in lines)
