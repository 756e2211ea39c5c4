"""Messages held by the working time move when the rules move, and whoever started
something that waits is told until when and why (issue 15)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain import outbox
from domain.notification import Kind
from storage import working_time
from tests.cadre_support import member
from tests.flows import approved_member, log_hours
from tests.test_calendar import shifted

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


async def queue(bot, chat_id: int, branch_id: int, kind: Kind, at: datetime) -> None:
    async with bot.db.transaction() as conn:
        await outbox.enqueue(
            conn,
            key=f"test:{kind}:{at.isoformat()}",
            chat_id=chat_id,
            text="Reminders are back on.",
            kind=kind,
            branch_id=branch_id,
            not_before=at,
        )


async def deliver_at(bot, moment: datetime) -> None:
    bot.sender.clock = lambda: moment.astimezone(UTC)
    await bot.drain_outbox()


async def held(bot) -> tuple[str | None, str]:
    row = await bot.db.fetchone("SELECT held_by, next_attempt_at FROM outbox")
    return row["held_by"], row["next_attempt_at"]


async def change(bot, monkeypatch, moment: datetime, **times) -> None:
    """`partybot branch time` at `moment` (the release reads the clock)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(working_time, "utcnow", lambda: moment.astimezone(UTC))
        await working_time.set_times(
            bot.db,
            times.pop("branch"),
            timezone=times.get("timezone"),
            working_hours=times.get("working_hours"),
            quiet_hours=times.get("quiet_hours"),
        )


async def test_clearing_quiet_hours_releases_what_waited_for_the_morning(bot, branch, monkeypatch):
    await working_time.set_times(
        bot.db, branch.id, timezone=None, working_hours=None, quiet_hours="21:30-08:00"
    )
    secretary = branch.secretary
    await secretary.send("/start")
    before = len(secretary.messages)
    night = local("2026-12-01 23:00")
    await queue(bot, secretary.id, branch.id, Kind.NORMAL, night)
    await deliver_at(bot, night)
    assert len(secretary.messages) == before
    why, until = await held(bot)
    assert why == "quiet_hours" and datetime.fromisoformat(until) == local("2026-12-02 08:00")

    await change(bot, monkeypatch, local("2026-12-01 23:05"), branch=branch.id, quiet_hours="")
    assert await held(bot) == (None, "2026-12-01T15:05:00.000+00:00")
    await deliver_at(bot, local("2026-12-01 23:05"))
    assert len(secretary.messages) == before + 1


async def test_new_working_hours_and_an_entered_day_re_time_held_messages(bot, branch, monkeypatch):
    await branch.secretary.send("/start")
    before = len(branch.secretary.messages)
    # 10:00 on a Wednesday: an after-hours reminder waits for the end of the working day.
    morning = local("2026-12-02 10:00")
    await queue(bot, branch.secretary.id, branch.id, Kind.AFTER_HOURS, morning)
    await deliver_at(bot, morning)
    assert (await held(bot))[0] == "working_day"
    assert datetime.fromisoformat((await held(bot))[1]) == local("2026-12-02 18:00")
    # The branch's working day now ends at 10:00: the reminder may go now.
    await change(bot, monkeypatch, morning, branch=branch.id, working_hours="08:00-10:00")
    await deliver_at(bot, local("2026-12-02 10:01"))
    assert len(branch.secretary.messages) == before + 1

    # An office message on Saturday waits for Monday, until Saturday is made a working day.
    saturday = local("2026-12-05 09:00")
    await queue(bot, branch.secretary.id, branch.id, Kind.OFFICE_HOURS, saturday)
    await deliver_at(bot, saturday)
    row = await bot.db.fetchone("SELECT held_by, next_attempt_at FROM outbox WHERE id = 2")
    assert row["held_by"] == "office_hours"
    assert datetime.fromisoformat(row["next_attempt_at"]) == local("2026-12-07 08:00")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(working_time, "utcnow", lambda: saturday.astimezone(UTC))
        await working_time.set_day(bot.db, branch.id, date(2026, 12, 5), True, "社区活动日")
    await deliver_at(bot, local("2026-12-05 09:01"))
    assert len(branch.secretary.messages) == before + 2


async def test_a_broadcast_held_by_quiet_hours_says_until_when(bot, branch):
    await working_time.set_times(
        bot.db, branch.id, timezone=None, working_hours=None, quiet_hours="21:30-08:00"
    )
    someone = bot.person("党员甲")
    await member(bot.db, branch.id, "党员甲", cadre=False, telegram_id=someone.id)
    night = local("2026-12-01 23:00")
    bot.app.bot_data["clock"] = lambda: night.astimezone(UTC)
    bot.sender.clock = lambda: night.astimezone(UTC)
    secretary = branch.secretary
    await secretary.types("/broadcast", "明天上午九点开会。")
    await secretary.presses("全体党员", "📣 发送")
    shown = next(m for m in secretary.messages if m.get("text", "").startswith("正在发送"))
    assert (
        shown["text"]
        == "正在发送公告：已发送 0 / 1\n将在 2026年12月2日 08:00 后发送（夜间免打扰）。"
    )
    assert someone.messages == []


def test_job_run_says_when_what_it_queued_will_be_delivered(tmp_path):
    moment = datetime.now(UTC)
    assert shifted(tmp_path, moment, "branch", "add", "幸福社区党支部").returncode == 0
    added = shifted(
        tmp_path,
        moment,
        "secretary",
        "add",
        "--branch",
        "1",
        "--telegram-id",
        "42",
        "--name",
        "王书记",
    )
    assert added.returncode == 0, added.stderr
    # At 23:00 in November, next year's calendar is missing: the secretary's notice is
    # queued for then and waits for the end of the quiet hours.
    run = shifted(
        tmp_path, moment, "job", "run", "calendar-check", "--now", "2027-11-02T23:00:00+08:00"
    )
    assert run.returncode == 0, run.stderr
    assert "delivery: 1 message from 2027-11-03T08:00+08:00 (quiet hours)" in run.stdout
    later = shifted(
        tmp_path, moment, "job", "run", "calendar-check", "--now", "2028-11-02T10:00:00+08:00"
    )
    assert "delivery: 1 message from 2028-11-02T10:00+08:00 (as --now asked)" in later.stdout


async def test_a_secretary_deciding_at_night_is_told_when_the_member_will_hear(bot, branch):
    await working_time.set_times(
        bot.db, branch.id, timezone=None, working_hours=None, quiet_hours="21:30-08:00"
    )
    li = await approved_member(bot, branch, "李", "李明", "13800138000")
    # A moment ahead of the real clock, set once the member has joined (the invitation is
    # checked against it): a pinned moment the real clock has passed left the join request
    # waiting, queued at the real time, for a moment the test never reached.
    moment = [local("2027-12-02 12:00")]
    bot.app.bot_data["clock"] = lambda: moment[0].astimezone(UTC)
    bot.sender.clock = lambda: moment[0].astimezone(UTC)
    secretary = branch.secretary
    # By day the member hears at once and nothing more is said.
    await log_hours(li, day="今天")
    await secretary.press("✅ 通过", expecting="已核实")
    assert not any("将在" in text for text in secretary.texts)
    assert "已核实" in li.last_text

    await log_hours(li, day="今天", amount="2")
    moment[0] = local("2027-12-02 23:00")
    await secretary.press("✅ 通过")
    assert "已核实" in secretary.texts[-2]
    assert secretary.last_text == "将在 2027年12月3日 08:00 后通知对方（夜间免打扰）。"
    assert not any("记录 #2 已核实" in text for text in li.texts)
