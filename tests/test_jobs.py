"""The scheduler: slots per branch time zone, catch-up after downtime, never twice."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot import jobs
from bot.cli import jobs as job_commands
from domain import admin, outbox
from storage import job_runs
from storage.db import Database, utcnow
from tests.conftest import invite, onboard
from tests.test_cli import partybot

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_JOBS = jobs.JOBS
DIGEST = ALL_JOBS["secretary-digest"]


@pytest.fixture(autouse=True)
def only_the_digest(monkeypatch):
    """These tests follow the scheduler through one job; the features test their own."""
    monkeypatch.setattr(jobs, "JOBS", {DIGEST.name: DIGEST})


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_the_latest_slot_is_the_one_to_catch_up():
    digest = jobs.Target(DIGEST, 1, SHANGHAI)
    assert digest.latest_slot(local("2026-03-04 10:00")) == local("2026-03-04 08:30")
    assert digest.latest_slot(local("2026-03-04 08:30")) == local("2026-03-04 08:30")
    # down since yesterday morning: only yesterday's slot, once
    assert digest.latest_slot(local("2026-03-04 08:00")) == local("2026-03-03 08:30")
    fridays = jobs.Target(DIGEST, 1, SHANGHAI, crontab="0 19 * * 5")  # a branch's own
    assert fridays.latest_slot(local("2026-03-07 10:00")) == local("2026-03-06 19:00")
    assert fridays.latest_slot(local("2026-03-04 20:00")) is None
    weekdays = jobs.Target(DIGEST, 1, SHANGHAI, crontab="30 7 * * 1-5")
    assert weekdays.next_slot(local("2026-03-06 08:00")) == local("2026-03-09 07:30")
    sundays = jobs.Target(DIGEST, 1, SHANGHAI, crontab="0 9 * * 0,7")
    assert sundays.next_slot(local("2026-03-06 08:00")) == local("2026-03-08 09:00")
    berlin = ZoneInfo("Europe/Berlin")
    assert jobs.Target(DIGEST, 1, berlin).next_slot(local("2026-03-04 10:00")) == datetime(
        2026, 3, 4, 8, 30, tzinfo=berlin
    )


def this_morning() -> datetime:
    """09:00 in Shanghai today: after the digest's slot, inside the time it may be sent."""
    return utcnow().astimezone(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0)


async def test_the_digest_tells_the_secretary_once(bot, branch, server):
    code = await invite(bot, branch.id, uses=2)
    await onboard(bot.person("甲"), code, "甲乙", "13800000001", "居民党员")
    blocked = bot.person("丙")
    await onboard(blocked, code, "丙丁", "13800000002", "居民党员")
    await branch.secretary.press("✅ 通过")
    server.block(blocked.id)
    async with bot.db.transaction() as conn:
        await outbox.enqueue(
            conn,
            key="probe",
            chat_id=blocked.id,
            text="Thank you.",
            kind=outbox.Kind.URGENT,
            branch_id=branch.id,
        )
    await bot.drain_outbox()

    morning = this_morning()
    bot.sender.clock = lambda: morning
    assert await jobs.run_due(bot.db, bot.settings, morning) == 1
    await bot.drain_outbox()
    digest = branch.secretary.last_text
    assert digest.startswith("早上好")
    assert "有 1 个加入支部申请等待您审核" in digest
    assert "有 1 名党员收不到机器人的消息" in digest and "丙丁" in digest
    assert "过去一天有 1 条通知未能送达" in digest
    count = len(branch.secretary.messages)

    assert await jobs.run_due(bot.db, bot.settings, morning) == 0, "the slot has run"
    target = (await jobs.targets(bot.db, bot.settings))[0]
    assert await jobs.run_once(bot.db, target, morning) == 0, "the key was queued today"
    await bot.restart()
    bot.sender.clock = lambda: morning
    assert await jobs.run_due(bot.db, bot.settings, morning) == 0
    await bot.drain_outbox()
    assert len(branch.secretary.messages) == count


async def test_a_run_cut_short_runs_again_and_sends_nothing_twice(bot, branch):
    await onboard(bot.person("甲"), await invite(bot, branch.id), "甲乙", "13800000001", "居民党员")
    morning = this_morning()
    bot.sender.clock = lambda: morning
    assert await jobs.run_due(bot.db, bot.settings, morning) == 1
    # as if the bot died after queueing and before recording the run's end
    await bot.db.writer.execute("UPDATE job_runs SET finished_at = NULL")
    assert await jobs.run_due(bot.db, bot.settings, morning) == 1
    await bot.drain_outbox()
    digests = [t for t in branch.secretary.texts if t.startswith("早上好")]
    assert len(digests) == 1
    assert await bot.db.fetchval("SELECT enqueued FROM job_runs") == 0


async def test_a_failed_run_is_retried_with_backoff_shown_and_told_once(
    bot, branch, monkeypatch, caplog, capsys
):
    await onboard(bot.person("甲"), await invite(bot, branch.id), "甲乙", "13800000001", "居民党员")
    failures = [RuntimeError("the disk is full"), RuntimeError("the disk is still full")]

    async def flaky(*args, **kwargs) -> int:
        if failures:
            raise failures.pop(0)
        return await DIGEST.run(*args, **kwargs)

    monkeypatch.setattr(jobs, "JOBS", {DIGEST.name: replace(DIGEST, run=flaky)})
    morning = this_morning()
    bot.sender.clock = lambda: morning
    assert await jobs.run_due(bot.db, bot.settings, morning) == 1
    assert "job=secretary-digest" in caplog.text and "the disk is full" in caplog.text
    assert any(r.levelname == "ERROR" for r in caplog.records)
    await bot.drain_outbox()
    told = [t for t in branch.secretary.texts if "定时任务" in t]
    assert told and "secretary-digest" in told[0]
    assert await jobs.run_due(bot.db, bot.settings, morning + timedelta(seconds=30)) == 0
    assert await jobs.run_due(bot.db, bot.settings, morning + timedelta(minutes=1)) == 1

    await job_commands._job_list(bot.settings, bot.db, None)
    listed = capsys.readouterr().out
    assert "FAILED" in listed and "attempt 2" in listed and "the disk is still full" in listed

    assert await jobs.run_due(bot.db, bot.settings, morning + timedelta(minutes=2)) == 0
    assert await jobs.run_due(bot.db, bot.settings, morning + timedelta(minutes=3)) == 1
    await bot.drain_outbox()
    assert len([t for t in branch.secretary.texts if t.startswith("早上好")]) == 1
    assert len([t for t in branch.secretary.texts if "定时任务" in t]) == 1, "told once"
    row = await bot.db.fetchone("SELECT finished_at, error, attempts FROM job_runs")
    assert row["finished_at"] is not None and row["error"] is None and row["attempts"] == 2
    await job_commands._job_list(bot.settings, bot.db, None)
    assert "FAILED" not in capsys.readouterr().out


async def test_a_stopping_bot_leaves_the_remaining_catch_up_to_the_next_start(bot, branch):
    await admin.add_branch(bot.db, "第二支部")
    morning = this_morning()
    asked = []

    def stopping() -> bool:  # SIGTERM arrives while the first branch's digest runs
        asked.append(True)
        return len(asked) > 1

    assert await jobs.run_due(bot.db, bot.settings, morning, stopping) == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM job_runs") == 1
    assert await jobs.run_due(bot.db, bot.settings, morning) == 1, "the other branch, later"


async def test_a_job_missed_while_down_runs_at_start_up(bot, branch):
    await onboard(bot.person("甲"), await invite(bot, branch.id), "甲乙", "13800000001", "居民党员")
    bot.scheduler = True
    await bot.restart()  # the first tick runs today's missed digest
    for _ in range(100):
        if await bot.db.fetchval("SELECT COUNT(*) FROM job_runs WHERE finished_at IS NOT NULL"):
            break
        await asyncio.sleep(0.05)
    row = await bot.db.fetchone("SELECT slot, enqueued FROM job_runs")
    slot = jobs.Target(DIGEST, branch.id, SHANGHAI).latest_slot(utcnow())
    assert datetime.fromisoformat(row["slot"]) == slot
    assert row["enqueued"] == 1
    assert await bot.db.fetchval("SELECT COUNT(*) FROM outbox WHERE key LIKE 'digest:%'") == 1


def test_operators_list_and_run_jobs_and_see_the_outbox(tmp_path):
    branch_id = partybot(tmp_path, "branch", "add", "幸福社区党支部").stdout.strip()
    assert partybot(
        tmp_path, "secretary", "add", "--branch", branch_id, "--telegram-id", "4242", "--name", "王"
    )
    listed = partybot(tmp_path, "job", "list")
    assert listed.returncode == 0, listed.stderr
    assert f"secretary-digest\tbranch={branch_id}\tnext=" in listed.stdout
    assert "+08:00" in listed.stdout

    # nothing to report yet: the job runs and queues nothing
    ran = partybot(tmp_path, "job", "run", "secretary-digest", "--now", "2026-03-04T08:30")
    assert ran.returncode == 0 and f"branch={branch_id} enqueued=0" in ran.stdout
    for args, message in [
        (["job", "run", "nonsense"], "no job named 'nonsense'"),
        (["job", "run", "secretary-digest", "--branch", "99"], "no branch with id 99"),
        (["outbox", "retry", "5"], "message 5 is not dead or unreachable"),
    ]:
        result = partybot(tmp_path, *args)
        assert result.returncode == 1 and message in result.stderr, args
    # A whole-bot job asked for one branch runs, and says it ran for the whole bot.
    whole = partybot(tmp_path, "job", "run", "cadre-events", "--branch", branch_id)
    assert whole.returncode == 0, whole.stderr
    assert "runs for the whole bot" in whole.stdout and "job=cadre-events branch=-" in whole.stdout
    # A job the branch switched off refuses instead of exiting 0 having done nothing.
    partybot(tmp_path, "job", "set", "secretary-digest", "--branch", branch_id, "--off")
    off = partybot(tmp_path, "job", "run", "secretary-digest", "--branch", branch_id)
    assert off.returncode == 1 and "switched off for branch" in off.stderr
    bad_time = partybot(tmp_path, "job", "run", "secretary-digest", "--now", "noon")
    assert bad_time.returncode == 2

    day = partybot(tmp_path, "branch", "day", "--branch", branch_id, "2026-03-07", "--working")
    assert day.returncode == 0 and "a working day" in day.stdout
    zone = partybot(
        tmp_path,
        "branch",
        "time",
        "--branch",
        branch_id,
        "--timezone",
        "Asia/Urumqi",
        "--quiet-hours",
        "22:00-07:30",
    )
    assert zone.returncode == 0, zone.stderr
    assert "timezone=Asia/Urumqi working=09:00-12:00,13:30-18:00 quiet=22:00-07:30" in zone.stdout
    assert "+06:00" in partybot(tmp_path, "job", "list").stdout
    bad_zone = partybot(tmp_path, "branch", "time", "--branch", branch_id, "--timezone", "Mars/X")
    assert bad_zone.returncode == 2 and "unknown IANA time zone" in bad_zone.stderr
    own = partybot(
        tmp_path, "job", "set", "secretary-digest", "--branch", branch_id, "--cron", "0 19 * * 5"
    )
    assert own.returncode == 0 and "0 19 * * 5" in own.stdout
    assert "\t0 19 * * 5" in partybot(tmp_path, "job", "list").stdout
    bad_cron = partybot(tmp_path, "job", "set", "x", "--branch", branch_id, "--cron", "often")
    assert bad_cron.returncode == 2 and "not a crontab line" in bad_cron.stderr
    off = partybot(tmp_path, "job", "set", "secretary-digest", "--branch", branch_id, "--off")
    assert off.returncode == 0
    assert "secretary-digest" not in partybot(tmp_path, "job", "list").stdout

    shown = partybot(tmp_path, "outbox")
    assert shown.returncode == 0 and shown.stdout.startswith("pending=0 sending=0 sent=0")

    async def dead_letter() -> None:
        async with Database(tmp_path / "db" / "partybot.db") as db, db.transaction() as conn:
            await outbox.enqueue(conn, key="feedback:7:2026Q3", chat_id=4242, text="x")
            await conn.execute("UPDATE outbox SET status = 'dead', last_error = '8 attempts'")

    asyncio.run(dead_letter())
    shown = partybot(tmp_path, "outbox").stdout
    assert "dead=1" in shown and "#1\tdead\tchat=4242\tfeedback:7:2026Q3" in shown
    assert "8 attempts" in shown
    assert "queued again" in partybot(tmp_path, "outbox", "retry", "1").stdout
    assert partybot(tmp_path, "outbox").stdout.startswith("pending=1")


async def test_the_job_times_follow_the_branch_zone(bot, branch):
    await bot.db.writer.execute(
        "UPDATE branches SET timezone = 'Europe/Berlin' WHERE id = ?", (branch.id,)
    )
    (target,) = await jobs.targets(bot.db, bot.settings)
    assert target.tz == ZoneInfo("Europe/Berlin")
    noon_utc = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    assert target.latest_slot(noon_utc) == datetime(
        2026, 3, 4, 8, 30, tzinfo=ZoneInfo("Europe/Berlin")
    )


async def test_the_record_of_old_slots_is_pruned_but_each_latest_kept(tmp_path):
    async with Database(tmp_path / "runs.db") as db:
        for job, day in [("events", 1), ("events", 20), ("digest", 2)]:
            slot = datetime(2026, 11, day, 1, 0, tzinfo=UTC)
            assert await job_runs.claim(db, job, 7, slot)
            await job_runs.finish(db, job, 7, slot, 0)
        await jobs.prune_runs(db, None, datetime(2026, 11, 25, tzinfo=UTC), ZoneInfo("UTC"))
        left = await db.fetchall("SELECT job, slot FROM job_runs ORDER BY job, slot")
        assert [(r["job"], r["slot"][:10]) for r in left] == [
            ("digest", "2026-11-02"),  # old, but the latest `job list` shows
            ("events", "2026-11-20"),  # within the longest catch-up
        ]


async def test_each_jobs_slots_are_kept_for_its_own_catch_up_an_unfinished_one_always(
    tmp_path, monkeypatch
):
    """The every-minute job's record stays hours, not the longest catch-up's six days (at
    200 branches that was 1.7 million rows); the daily digest's stays a day."""
    monkeypatch.setattr(jobs, "JOBS", ALL_JOBS)
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    ago = [timedelta(hours=3), timedelta(minutes=150), timedelta(minutes=90), timedelta(minutes=1)]
    async with Database(tmp_path / "runs.db") as db:
        for job, delay in [
            *(("events", d) for d in ago),
            ("secretary-digest", timedelta(hours=48.5)),
            ("secretary-digest", timedelta(hours=24.5)),
            ("secretary-digest", timedelta(minutes=30)),
        ]:
            assert await job_runs.claim(db, job, 7, now - delay)
            await job_runs.finish(db, job, 7, now - delay, 0)
        assert await job_runs.claim(db, "events", 7, now - timedelta(hours=5))  # cut short
        await jobs.prune_runs(db, None, now, ZoneInfo("UTC"))
        left = await db.fetchall("SELECT job, slot FROM job_runs ORDER BY job, slot")
        assert [(r["job"], datetime.fromisoformat(r["slot"])) for r in left] == [
            ("events", now - timedelta(hours=5)),
            ("events", now - timedelta(minutes=90)),
            ("events", now - timedelta(minutes=1)),
            ("secretary-digest", now - timedelta(hours=24.5)),
            ("secretary-digest", now - timedelta(minutes=30)),
        ]
    hourly = CronTrigger(**ALL_JOBS["job-runs"].cron, timezone=UTC)
    first = hourly.get_next_fire_time(None, now)
    assert hourly.get_next_fire_time(first, first + timedelta(seconds=1)) - first == timedelta(
        hours=1
    )


# ------------------------------------------- a change of zone or schedule, then a restart

NEW_YORK = ZoneInfo("America/New_York")


async def change_at(moment: datetime, change) -> None:
    """Make a change as the operator would at `moment` (the record reads the clock)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(job_runs, "utcnow", lambda: moment.astimezone(UTC))
        await change


def digest_slots(rows) -> list[datetime]:
    return sorted(datetime.fromisoformat(r["slot"]) for r in rows)


async def test_a_zone_change_never_runs_the_new_zones_earlier_slot(bot, branch):
    from storage import working_time as stored

    assert await jobs.run_due(bot.db, bot.settings, local("2026-12-01 08:31")) == 1
    switch = stored.set_times(
        bot.db, branch.id, timezone="America/New_York", working_hours=None, quiet_hours=None
    )
    await change_at(local("2026-12-01 13:32"), switch)
    # The restart's catch-up at 13:33: New York's latest 08:30 (30 November, 21:30
    # Shanghai) fell before the change; Shanghai's ran already. Nothing runs.
    assert await jobs.run_due(bot.db, bot.settings, local("2026-12-01 13:33")) == 0
    assert await jobs.run_due(bot.db, bot.settings, local("2026-12-01 21:29")) == 0
    # New York's own 08:30 of 1 December runs in its time.
    ny_morning = datetime(2026, 12, 1, 8, 30, tzinfo=NEW_YORK)
    assert await jobs.run_due(bot.db, bot.settings, ny_morning) == 1
    rows = await bot.db.fetchall("SELECT slot FROM job_runs")
    assert digest_slots(rows) == [local("2026-12-01 08:30"), ny_morning]


async def test_a_slot_the_old_zone_missed_runs_once_after_the_change(bot, branch):
    from storage import working_time as stored

    # Down over Shanghai's 08:30; the zone changes at 13:32; the bot starts at 13:33.
    switch = stored.set_times(
        bot.db, branch.id, timezone="America/New_York", working_hours=None, quiet_hours=None
    )
    await change_at(local("2026-12-01 13:32"), switch)
    assert await jobs.run_due(bot.db, bot.settings, local("2026-12-01 13:33")) == 1
    assert await jobs.run_due(bot.db, bot.settings, local("2026-12-01 13:34")) == 0
    rows = await bot.db.fetchall("SELECT slot FROM job_runs")
    assert digest_slots(rows) == [local("2026-12-01 08:30")]


async def test_a_new_crontab_line_does_not_fire_its_past_slot(bot, branch):
    assert await jobs.run_due(bot.db, bot.settings, local("2026-12-01 08:31")) == 1

    async def move() -> None:
        async with bot.db.transaction() as conn:
            await job_runs.set_branch_schedule(
                conn, branch.id, DIGEST.name, enabled=True, crontab="0 10 * * *"
            )

    await change_at(local("2026-12-01 11:00"), move())
    # 10:00 today has passed before the change: not run now, first on 2 December.
    assert await jobs.run_due(bot.db, bot.settings, local("2026-12-01 11:01")) == 0
    assert await jobs.run_due(bot.db, bot.settings, local("2026-12-02 10:00")) == 1
