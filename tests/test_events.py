"""Events end to end: create, invite, answer, check in by code and by location, check out,
verified hours, the 60 % rule, bad codes, reminders, attendance for the secretary."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from bot import jobs
from tests.flows import PLACE, approved_member, event_draft, new_event
from tests.reliability.live import snapshot as db_snapshot
from tests.world import active_person

START = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai, two hours long
NEAR = {"latitude": 30.2745, "longitude": 120.1555, "live_period": 3600}


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def at(self, minutes: float) -> None:
        """Minutes from the start of the event."""
        self.moment = START + timedelta(minutes=minutes)


@pytest.fixture
def clock(bot) -> Clock:
    clock = Clock(START - timedelta(days=6))
    bot.app.bot_data["clock"] = clock
    return clock


@pytest.fixture
async def members(bot, branch, clock):
    li = await approved_member(bot, branch, "李", "李明", "13800138000")
    zhang = await approved_member(bot, branch, "张", "张伟", "13900139000")
    return li, zhang


async def current_code(secretary, title="学习党章") -> str:
    await secretary.send("/events")
    message = next(m for m in reversed(secretary.messages) if title in (m.get("text") or ""))
    await secretary.press("🔢 签到码", message)
    return re.search(r"签到码：(\d{6})", secretary.last_text).group(1)


async def run_events_job(bot, branch, clock) -> int:
    """The events' scheduled job as if run at the clock's time; what it queued is delivered."""
    queued = await jobs.JOBS["events"].run(bot.db, branch.id, clock(), bot.settings.tz)
    await bot.drain_outbox()
    return queued


async def attendance_count(bot) -> int:
    return await bot.db.fetchval("SELECT COUNT(*) FROM event_attendance")


async def test_event_answer_check_in_by_code_and_location_and_verified_hours(
    bot, branch, clock, members
):
    li, zhang = members
    secretary = branch.secretary
    await new_event(secretary)
    assert "活动 #1 已创建，已邀请 2 名党员" in secretary.last_text
    assert "邀请您参加" in li.last_text and "学习党章" in li.last_text
    assert "2026年12月1日 14:00至16:00" in li.last_text

    await li.press("✅ 参加")
    assert li.answer == "已保存：参加"
    assert "您的回复：参加" in li.last_text
    await zhang.press("✅ 参加")
    await li.press("📅 加入日历")
    calendar = li.last["_files"]["document"]
    assert calendar["filename"] == "event-1.ics"
    assert b"DTSTART:20261201T060000Z" in calendar["content"]

    clock.at(-5)
    code = await current_code(secretary)
    await li.send("/checkin", expecting="请发送支部书记出示的 6 位签到码")
    await li.send(code, expecting="已于 13:55 签到学习党章")
    await zhang.send("/checkin")
    await zhang.share_location(**NEAR)
    assert "签到学习党章" in zhang.last_text

    # double check-in changes nothing
    await li.types("/checkin", code, expecting="您已经签到过了")
    assert await attendance_count(bot) == 2

    clock.at(60)
    await secretary.press("👥 出勤情况")
    roster = secretary.last_text
    assert (
        "报名参加（2）：张伟、李明" in roster and "已签到（2）" in roster and "未到（0）" in roster
    )
    await secretary.press("🔄 刷新")
    assert secretary.last_text == roster  # refreshed in place, nothing changed

    clock.at(125)
    code = await current_code(secretary)
    await li.send(f"/checkout {code}", expecting="在场 120 分钟：核实 2 小时")
    await zhang.send("/checkout")
    await zhang.share_location(**NEAR)
    assert "在场 120 分钟：核实 2 小时" in zhang.last_text
    found = await bot.db.fetchall(
        "SELECT kind, day, half_hours, status, source FROM hour_records ORDER BY person_id"
    )
    assert [tuple(r) for r in found] == [("lesson", "2026-12-01", 4, "verified", "event")] * 2

    await li.send("/hours")
    await li.press("📊 我的统计", expecting="党课：已核实 2 小时，待审核 0 小时")

    await secretary.send("/events")
    await secretary.press("📤 导出")
    export = secretary.messages[-2]["_files"]["document"]
    assert export["filename"] == "attendance-1.csv"
    table = list(csv.reader(io.StringIO(export["content"].decode("utf-8-sig"))))
    assert table[0][:6] == ["姓名", "回复", "签到时间", "签退时间", "签到方式", "核实时长（小时）"]
    assert table[0][6] == "未签退（结束时自动签退）"
    assert ["李明", "参加", "2026-12-01 13:55", "2026-12-01 16:05", "签到码", "2", ""] in table
    assert ["张伟", "参加", "2026-12-01 13:55", "2026-12-01 16:05", "实时位置", "2", ""] in table
    workbook = secretary.last["_files"]["document"]
    assert workbook["filename"] == "attendance-1.xlsx"
    sheet = load_workbook(io.BytesIO(workbook["content"])).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == table[0]
    # Typed date-times, shown in the reader's own locale (built-in format 22), not text.
    checked_in, checked_out = datetime(2026, 12, 1, 13, 55), datetime(2026, 12, 1, 16, 5)
    assert ["李明", "参加", checked_in, checked_out, "签到码", 2, None] in rows
    assert sheet["C2"].number_format == "m/d/yy h:mm"


async def test_under_60_percent_earns_no_verified_hours(bot, branch, clock, members):
    li, zhang = members
    await new_event(branch.secretary)
    clock.at(48)
    code = await current_code(branch.secretary)
    await li.send(f"/checkin {code}")
    clock.at(50)
    await zhang.send(f"/checkin {code}")
    clock.at(120)
    code = await current_code(branch.secretary)
    await li.send(f"/checkout {code}", expecting="在场 72 分钟：核实 1 小时")
    await zhang.send(f"/checkout {code}")
    assert "不足活动时长的 60%" in zhang.last_text and "/hours" in zhang.last_text
    credited = await bot.db.fetchall("SELECT person_id, half_hours FROM hour_records")
    assert len(credited) == 1 and credited[0]["half_hours"] == 2


async def test_bad_codes_and_locations_are_refused_with_nothing_stored(bot, branch, clock, members):
    li, _ = members
    secretary = branch.secretary
    await new_event(secretary)
    await new_event(secretary, title="观看电教片", location=False)

    clock.at(-31)
    await li.send("/checkin", expecting="目前没有可以签到或签退的活动")

    clock.at(1)
    old_code = await current_code(secretary)
    clock.at(20)
    code = await current_code(secretary)
    other_code = await current_code(secretary, "观看电教片")
    wrong = next(c for c in ("000000", "111111", "222222") if c not in (code, other_code))
    await li.send(f"/checkin {other_code}", expecting="哪个活动？")
    await li.press("学习党章", expecting="该签到码属于另一个活动：观看电教片")
    for typed, expected in [
        ("abc", "请发送支部书记出示的 6 位签到码"),
        (wrong, "签到码不正确"),
        (old_code, "该签到码已过期"),
    ]:
        await li.send(typed)
        assert expected in li.last_text, typed
    await li.share_location(*PLACE)
    assert "请共享您的实时位置" in li.last_text
    await li.share_location(30.2841, 120.1551, live_period=3600)
    assert "您距离活动地点" in li.last_text and "200 米以内" in li.last_text
    assert await attendance_count(bot) == 0
    await li.send("/cancel")

    # the event without a place cannot be joined by location
    await li.send("/checkin")
    await li.press("观看电教片")
    await li.share_location(**NEAR)
    assert "未设置位置" in li.last_text

    # checking out without having checked in, and after the window
    await li.send("/checkout")
    await li.press("学习党章")
    await li.send(code, expecting="您尚未签到该活动")
    clock.at(151)
    await li.send("/checkout", expecting="目前没有可以签到或签退的活动")
    assert await attendance_count(bot) == 0
    assert await bot.db.fetchval("SELECT COUNT(*) FROM hour_records") == 0


async def test_fifty_members_checking_in_at_once_are_recorded_once(bot, branch, clock):
    crowd = [bot.person(f"成员{i}") for i in range(50)]
    async with bot.db.transaction() as conn:
        for i, person in enumerate(crowd):
            await active_person(conn, branch.id, person.id, f"成员{i:02d}")
    await new_event(branch.secretary)
    assert "已邀请 50 名党员" in branch.secretary.last_text
    clock.at(0)
    code = await current_code(branch.secretary)
    await asyncio.gather(*(p.send(f"/checkin {code}") for p in crowd))
    assert all("签到学习党章" in p.last_text for p in crowd)
    await asyncio.gather(*(p.send(f"/checkin {code}") for p in crowd))
    assert all("您已经签到过了" in p.last_text for p in crowd)
    assert await attendance_count(bot) == 50
    assert await bot.db.fetchval("SELECT COUNT(DISTINCT person_id) FROM event_attendance") == 50


async def test_capacity_and_answers(bot, branch, clock, members):
    li, zhang = members
    secretary = branch.secretary
    await secretary.send("/newevent")
    since = len(secretary.messages)
    await secretary.send("小型座谈")
    await secretary.press("其他")
    await secretary.types("2026-12-01 14:00-16:00", "会议室")
    await secretary.share_location(*PLACE)
    await secretary.send("0", expecting="请输入 1 到 10000 之间的整数")
    await secretary.send("1", expecting="名额：1")
    # Answered by sharing and typing: the Skip and No limit buttons are gone.
    dead = [secretary.buttons(m) for m in secretary.messages[since:-1] if secretary.buttons(m)]
    assert dead == []
    await secretary.press("✅ 创建并邀请")
    await li.press("✅ 参加")
    await zhang.press("✅ 参加")
    assert zhang.answer == "抱歉，该活动名额已满（1 人）。"
    await li.press("🚫 不参加")
    await zhang.press("✅ 参加")
    assert zhang.answer == "已保存：参加"
    answers = await bot.db.fetchall("SELECT answer FROM event_rsvps ORDER BY person_id")
    assert [r[0] for r in answers] == ["not_going", "going"]
    # forged answers for an event that does not exist, or someone outside the branch
    await li.press_data(li.last["message_id"], "ev:rsvp:99:going")
    assert li.answer == "该活动不存在。"
    stranger = bot.person("路人")
    await stranger.send("/help")
    await stranger.press_data(stranger.last["message_id"], "ev:rsvp:1:going")
    assert stranger.answer == "该活动不对您开放。"
    await stranger.press_data(stranger.last["message_id"], "ev:export:1")
    assert "只有支部书记" in stranger.answer
    await li.send("/newevent", expecting="只有支部书记")


async def test_bad_event_input_is_asked_again(bot, branch, clock):
    secretary = branch.secretary
    await secretary.types("/newevent", "  ", expecting="请输入标题")
    await secretary.send("学习")
    await secretary.press("党课")
    for typed, expected in [
        ("明天", "请按 2026-12-01 14:00-16:00 的格式"),
        ("2026-12-01 16:00-14:00", "结束时间必须晚于开始时间"),
        ("2026-11-20 14:00-16:00", "开始时间必须在未来"),
    ]:
        await secretary.send(typed)
        assert expected in secretary.last_text
    await secretary.send("/cancel")
    assert await bot.db.fetchval("SELECT COUNT(*) FROM events") == 0


async def test_reminders_come_once_at_the_chosen_lead_time(bot, branch, clock, members):
    li, zhang = members
    await new_event(branch.secretary)
    await li.press("✅ 参加")
    await zhang.press("✅ 参加")
    await zhang.send("/events", expecting="开始前 2 小时 提醒您")
    await zhang.press("1 天", expecting="将在每个活动开始前 1 天 提醒您")

    async def remind_at(minutes: float) -> None:
        clock.at(minutes)
        await run_events_job(bot, branch, clock)

    await remind_at(-24 * 60 - 1)
    assert "活动提醒" not in zhang.last_text
    await remind_at(-24 * 60)
    assert "活动提醒" in zhang.last_text and "学习党章" in zhang.last_text
    await remind_at(-121)
    assert "活动提醒" not in li.last_text
    before = len(li.messages)
    await remind_at(-120)
    await remind_at(-119)
    await remind_at(-60)
    assert len(li.messages) == before + 1 and "活动提醒" in li.last_text
    assert len([t for t in zhang.texts if "活动提醒" in t]) == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM event_reminders") == 2


async def test_the_secretary_marks_attendance_afterwards(bot, branch, clock, members):
    li, zhang = members
    secretary = branch.secretary
    await new_event(secretary)
    clock.at(30)
    code = await current_code(secretary)
    await zhang.send(f"/checkin {code}")  # late, and forgot to check out
    await li.press("✅ 参加")
    await secretary.press("👥 出勤情况", expecting="已签到（1）：张伟")
    assert "未到（1）：李明" in secretary.last_text
    clock.at(24 * 60)
    await secretary.send("/events")
    await secretary.press("✍️ 记录出勤", expecting="谁参加了学习党章")
    await secretary.press("李明", expecting="出勤已记录：核实 2 小时")
    await secretary.press("张伟")
    assert "出勤已记录：核实 1.5 小时" in secretary.last_text  # from the check-in
    marking = secretary.message_with_button("李明")
    await secretary.press("李明", marking)
    assert secretary.answer == "出勤已记录完毕，未做任何更改。"
    found = await bot.db.fetchall("SELECT half_hours FROM hour_records ORDER BY person_id")
    assert [r[0] for r in found] == [4, 3]
    await li.press_data(li.last["message_id"], "ev:present:1:2")
    assert "只有支部书记" in li.answer


async def test_an_event_closed_to_cadres_is_not_offered_to_them(bot, branch, clock, members):
    from domain.models import InviteRole

    cadre = await approved_member(
        bot, branch, "赵", "赵刚", "13600136000", category=None, role=InviteRole.CADRE
    )
    secretary = branch.secretary
    await event_draft(secretary, "居民座谈", kind="其他", place="会议室", location=False)
    await secretary.press("干部：是 / 否")
    assert "向干部开放：否" in secretary.last_text and "向流入党员开放：是" in secretary.last_text
    await secretary.press("✅ 创建并邀请", expecting="已邀请 2 名党员")
    assert not any("邀请您参加" in text for text in cadre.texts)
    await cadre.send("/events")
    assert "近期没有活动" in cadre.texts[-2]
    await cadre.press_data(cadre.last["message_id"], "ev:rsvp:1:going")
    assert cadre.answer == "该活动不对您开放。"
    assert await bot.db.fetchval("SELECT COUNT(*) FROM event_rsvps") == 0


async def test_scanning_the_qr_code_checks_in(bot, branch, clock, members):
    li, zhang = members
    await new_event(branch.secretary)
    clock.at(0)
    await current_code(branch.secretary)
    shown = branch.secretary.last
    assert shown["_files"]["photo"]["content"].startswith(b"\x89PNG")
    payload = re.search(r"https://t\.me/\w+\?start=(ci-1-\d{6})", shown["caption"])[1]
    await li.send(f"/start {payload}", expecting="已于 14:00 签到学习党章")
    await li.send(f"/start {payload}", expecting="您已经签到过了")
    clock.at(20)
    await zhang.send(f"/start {payload}", expecting="该签到码已过期")
    stranger = bot.person("路人")
    await stranger.send(f"/start {payload}", expecting="该活动不对您开放")
    await li.send("/start", expecting="欢迎回来，李明")
    assert await attendance_count(bot) == 1


async def test_live_location_keeps_presence_until_the_member_leaves(bot, branch, clock, members):
    li, zhang = members
    await new_event(branch.secretary)
    clock.at(-5)
    code = await current_code(branch.secretary)
    await zhang.send(f"/checkin {code}")  # by code: nothing says when he left
    await li.send("/checkin")
    shared = await li.share_live_location(*PLACE)
    assert "已于 13:55 签到学习党章" in li.last_text
    for minutes, where in ((60, NEAR), (110, NEAR), (115, {"latitude": 30.29, "longitude": 120.2})):
        clock.at(minutes)
        await li.move_location(shared, where["latitude"], where["longitude"])
    assert li.last_text.startswith("已于 13:55 签到")  # moving is silent
    clock.at(140)
    await run_events_job(bot, branch, clock)  # the check-out window is still open
    assert await bot.db.fetchval("SELECT COUNT(*) FROM hour_records") == 0
    clock.at(151)
    assert await run_events_job(bot, branch, clock) == 2
    assert "已签退学习党章。您在场 110 分钟：核实 1.5 小时" in li.last_text
    assert len([t for t in li.texts if "已签退" in t]) == 1
    found = await bot.db.fetchall(
        "SELECT person_id, half_hours, status FROM hour_records ORDER BY person_id"
    )
    assert [tuple(r) for r in found] == [(2, 3, "verified"), (3, 4, "pending")]


async def test_a_code_check_in_never_checked_out_is_closed_at_the_end(bot, branch, clock, members):
    """Nothing says when a code check-in left: closed at the event's end, marked, and its
    hours (the 60 % rule from the check-in) wait for a secretary, who sees and decides them."""
    li, zhang = members
    secretary = branch.secretary
    await new_event(secretary)
    clock.at(-5)
    await zhang.send(f"/checkin {await current_code(secretary)}")
    clock.at(60)  # too late for 60 %: nothing to credit, but closed all the same
    await li.send(f"/checkin {await current_code(secretary)}")
    clock.at(140)
    assert await run_events_job(bot, branch, clock) == 0  # the window is still open
    clock.at(151)
    assert await run_events_job(bot, branch, clock) == 2
    assert (
        "您没有签退学习党章，已在活动结束时为您签退：自签到起 120 分钟。这 2 小时等待支部书记审核"
        in (zhang.last_text)
    )
    assert "在场 60 分钟，不足活动时长的 60%" in li.last_text
    review = secretary.message_with_button("✏️ 更正")
    assert "张伟" in review["text"] and "未签退：按签到至活动结束计算" in review["text"]
    rows = await bot.db.fetchall(
        "SELECT person_id, checked_out_at, method_out, auto_closed FROM event_attendance"
        " ORDER BY person_id"
    )
    assert [tuple(r) for r in rows] == [
        (2, "2026-12-01T08:00:00+00:00", None, 1),
        (3, "2026-12-01T08:00:00+00:00", None, 1),
    ]
    before = await db_snapshot(bot.db)
    assert await run_events_job(bot, branch, clock) == 0  # twice changes nothing
    clock.at(400)
    assert await run_events_job(bot, branch, clock) == 0
    assert await db_snapshot(bot.db) == before

    await secretary.press_data(secretary.last["message_id"], "ev:roster:1")
    assert "未签退、已在活动结束时自动签退（2）：张伟、李明" in secretary.last_text
    await secretary.press_data(secretary.last["message_id"], "ev:export:1")
    export = secretary.messages[-2]["_files"]["document"]
    table = list(csv.reader(io.StringIO(export["content"].decode("utf-8-sig"))))
    assert [row[6] for row in table[1:]] == ["是", "是"]
    # The member cannot change the hours of an event; the secretary corrects them.
    await zhang.send("/hours")
    await zhang.press_data(zhang.last["message_id"], "hours:edit:1")
    assert "活动产生的时长由支部书记决定" in zhang.answer
    await secretary.press("✏️ 更正", review)
    await secretary.send("1.5")
    assert "已核实：2026年12月1日，1.5 小时" in zhang.last_text
    found = await bot.db.fetchall("SELECT person_id, half_hours, status FROM hour_records")
    assert [tuple(r) for r in found] == [(3, 3, "verified")]


async def test_an_english_member_reads_the_event_in_english(bot, branch, clock):
    john = await approved_member(bot, branch, "John", "约翰", "13700137000")
    await john.send("/language")
    await john.press("English")
    await new_event(branch.secretary)
    assert john.last_text.startswith("You are invited:")
    assert "Time: December 1, 2026, 2:00\u202fPM–4:00\u202fPM" in john.last_text
    await john.press("✅ Going")
    assert john.answer == "Saved: Going"
    clock.at(0)
    await john.send("/checkin abc", expecting="Please send the 6-digit code the secretary shows.")


async def test_wrong_codes_are_limited_per_person(bot, branch, clock, members):
    li, zhang = members
    await new_event(branch.secretary)
    clock.at(5)
    code = await current_code(branch.secretary)
    wrong = [c for c in (f"{d}" * 6 for d in range(10)) if c != code][:6]
    await li.send("/checkin")
    for typed in wrong[:5]:
        await li.send(typed, expecting="签到码不正确")
    # The sixth code, even the right one, is refused without being checked.
    clock.at(7)
    await li.send(code, expecting="错误的签到码太多。请等待 8 分钟后再试")
    assert await attendance_count(bot) == 0
    assert await bot.db.fetchval("SELECT COUNT(*) FROM checkin_failures") == 5
    # Someone else is not held back.
    await zhang.types("/checkin", code, expecting="签到学习党章")

    # Ten minutes after the first wrong codes, a code is checked again.
    clock.at(15)
    code = await current_code(branch.secretary)
    await li.types("/checkin", code, expecting="签到学习党章")
    assert await attendance_count(bot) == 2
    # What the limit needed is forgotten once it no longer looks back that far.
    await jobs.JOBS["checkin-codes"].run(bot.db, None, clock(), bot.settings.tz)
    assert await bot.db.fetchval("SELECT COUNT(*) FROM checkin_failures") == 0


async def test_a_cadre_hears_of_an_event_once_and_only_after_the_working_day(bot, branch):
    """Seen: a cadre got the invitation and a separate 社区近期活动 notice, and an event
    reminder at 17:0x on a working Thursday. Now: one invitation, held until the working
    day is over, and reminders of the after-hours kind (none when it could only come late)."""
    from datetime import date, time
    from zoneinfo import ZoneInfo

    from domain.models import InviteRole
    from tests.conftest import invite, onboard

    shanghai = ZoneInfo("Asia/Shanghai")

    # Messages are queued at the real time: the test's days must come after it, so they are
    # years ahead (an ordinary December week: no holiday, no 调休).
    thursday, friday = date(2030, 12, 5), date(2030, 12, 6)  # working days

    def local(clock: str, day: date = friday) -> datetime:
        return datetime.combine(day, time.fromisoformat(clock), shanghai).astimezone(UTC)

    # People join at the real time (invitations expire by it); then time jumps ahead.
    moment: list[datetime | None] = [None]

    def clock() -> datetime:
        return moment[0] or datetime.now(UTC)

    bot.app.bot_data["clock"] = clock
    bot.sender.clock = clock

    async def at(when: datetime) -> None:
        moment[0] = when
        await bot.drain_outbox()

    li = await approved_member(bot, branch, "李", "李明", "13800138000")
    cadre = bot.person("赵")
    await onboard(
        cadre, await invite(bot, branch.id, role=InviteRole.CADRE), "赵刚", "13600136000", None
    )
    await branch.secretary.press("✅ 通过")
    before = len(cadre.messages)

    await at(local("10:00", thursday))  # in the working day
    await new_event(branch.secretary, "社区议事会", "2030-12-06 18:30-20:30", location=False)
    await new_event(branch.secretary, "午后座谈", "2030-12-06 17:00-18:00", location=False)
    assert "邀请您参加" in li.last_text
    assert len(cadre.messages) == before  # held: the working day is not over
    await at(local("18:01", thursday))
    invitations = [t for t in cadre.texts[before:] if "邀请您参加" in t]
    assert len(invitations) == 2 and "社区议事会" in invitations[0]

    # The cadres' notice a few days before sends nothing to someone already invited.
    notice = await jobs.JOBS["cadre-events"].run(bot.db, None, local("19:10", thursday), shanghai)
    assert notice == 0

    for event_id in (1, 2):
        await cadre.press_data(
            cadre.message_with_button("✅ 参加")["message_id"], f"ev:rsvp:{event_id}:going"
        )
        await li.press_data(
            li.message_with_button("✅ 参加")["message_id"], f"ev:rsvp:{event_id}:going"
        )
    seen = len(cadre.messages)

    # Two hours before each start (the default lead), on Friday in the working day.
    for clock in ("15:00", "16:30", "17:05"):
        moment[0] = local(clock)
        await jobs.JOBS["events"].run(bot.db, branch.id, moment[0], shanghai, settings=bot.settings)
        await bot.drain_outbox()
    assert len([t for t in li.texts if "活动提醒" in t]) == 2
    assert len(cadre.messages) == seen, "nothing reaches the cadre in the working day"
    await at(local("18:01"))
    reminders = [t for t in cadre.texts[seen:] if "活动提醒" in t]
    # 社区议事会 (18:30) is reminded at the end of the working day; 午后座谈 (17:00) had
    # started by then, so its reminder is not sent at all.
    assert len(reminders) == 1 and "社区议事会" in reminders[0]
