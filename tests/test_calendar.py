"""The layered working-day calendar (issue 15): its layers' order, the operator's
`partybot calendar` commands, and the warning while next year's schedule is missing."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from domain import admin, workdays, working_time
from domain.workdays import Calendar, Source
from storage import migrations
from storage import working_time as stored
from storage.db import Database
from tests import test_cli
from tests.world import database_before

SHANGHAI = ZoneInfo("Asia/Shanghai")
VERSION = next(m.version for m in migrations.available() if m.name.endswith("_calendar.sql"))


def shifted(tmp_path, moment: datetime, *args: str) -> subprocess.CompletedProcess:
    """`partybot ARGS` as if it were `moment` (tests/reliability/shifted_clock.py)."""
    shift = (moment - datetime.now(UTC)).total_seconds()
    return subprocess.run(
        [sys.executable, "-m", "tests.reliability.shifted_clock", *args],
        env=test_cli.environment(tmp_path, PARTYBOT_CLOCK_SHIFT=str(shift)),
        capture_output=True,
        text=True,
        timeout=60,
    )


# ------------------------------------------------------------------------- the layers


def test_2027_without_official_data_rests_on_its_public_holidays():
    calendar = Calendar()
    assert calendar.year_source(2026) is Source.PACKAGE
    # chinesecalendar 1.11 stops at 2026: it must not be taken to know 2027.
    assert calendar.year_source(2027) is Source.RULES and not calendar.official(2027)
    new_year, spring = calendar.day(date(2027, 1, 1)), calendar.day(date(2027, 2, 6))
    assert (new_year.working, new_year.source, new_year.name) == (False, Source.RULES, "元旦")
    assert (spring.working, spring.name) == (False, "春节")
    assert not calendar.is_working_day(date(2027, 2, 8))  # 春节 on a Monday
    assert calendar.is_working_day(date(2027, 1, 4))
    assert not calendar.is_working_day(date(2027, 10, 1))  # 国庆


def test_each_layer_overrides_the_ones_below():
    entered = {
        date(2026, 3, 3): (False, "county day off"),  # over the package (a Tuesday)
        date(2027, 1, 9): (True, "调休上班"),  # a Saturday worked
        date(2027, 1, 1): (False, "元旦"),
    }
    calendar = Calendar(entered)
    assert calendar.day(date(2026, 3, 3)).source is Source.OPERATOR
    assert not calendar.is_working_day(date(2026, 3, 3))
    assert calendar.day(date(2026, 3, 4)).source is Source.PACKAGE
    # A year without package data the operator entered is the whole notice: the rule's
    # 春节 bridge days do not survive it (Tuesday 9 February 2027 is a rule's guess only).
    assert calendar.is_working_day(date(2027, 1, 9))
    assert calendar.year_source(2027) is Source.OPERATOR
    assert calendar.day(date(2027, 2, 9)) == workdays.Day(date(2027, 2, 9), True, Source.WEEKDAY)
    assert Calendar().day(date(2027, 2, 9)).source is Source.RULES
    # The weekday rule alone where nothing else speaks.
    assert calendar.day(date(2027, 1, 16)).source is Source.WEEKDAY
    # The branch's own day wins over all of them.
    branch = working_time.WorkTime(
        SHANGHAI, exceptions={date(2027, 1, 9): False}, calendar=calendar
    )
    assert not branch.is_working_day(date(2027, 1, 9))
    assert branch.is_working_day(date(2027, 1, 4))


async def test_a_branch_working_time_reads_the_entered_calendar(tmp_path):
    async with Database(tmp_path / "w.db") as db:
        branch = await admin.add_branch(db, "幸福社区党支部")
        await workdays.enter(db, [2027], workdays.entries([], [("2027-01-09", "")]))
        await stored.set_day(db, branch.id, date(2027, 1, 16), True, "community day")
        own = await working_time.for_branch(db, branch.id, working_time.Defaults("Asia/Shanghai"))
        assert own.is_working_day(date(2027, 1, 9)) and own.is_working_day(date(2027, 1, 16))
        saturday = datetime(2027, 1, 9, 10, 0, tzinfo=SHANGHAI)
        assert own.in_working_hours(saturday)


def test_a_year_notice_is_refused_when_malformed():
    for holidays, workdays_ in (
        ([("2027-02-30", "x")], []),
        ([("2027-02-12..2027-02-05", "x")], []),
        ([("2027-01-01", "元旦")], [("2027-01-01", "")]),
    ):
        try:
            workdays.entries(holidays, workdays_)
        except workdays.InvalidInput:
            continue
        raise AssertionError((holidays, workdays_))


# ------------------------------------------------------------------ the operator's side


def test_the_operator_enters_2027_and_the_warning_goes(tmp_path):
    november = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
    assert shifted(tmp_path, november, "migrate").returncode == 0
    # Before November nothing is said; from 1 November, job list and health say it.
    october = shifted(tmp_path, datetime(2026, 10, 31, 10, 0, tzinfo=SHANGHAI), "job", "list")
    assert "2027" not in october.stdout.split("\n", 1)[0]
    listed = shifted(tmp_path, november, "job", "list")
    assert listed.stdout.startswith("warning: no official holiday schedule for 2027")
    assert "calendar-check" in listed.stdout
    # The bot's heartbeat, as a running bot writes it (on PostgreSQL the folder is DATA_DIR,
    # which no command here has made).
    (tmp_path / "db").mkdir(exist_ok=True)
    (tmp_path / "db" / "heartbeat").touch()
    health = shifted(tmp_path, november, "health")
    assert health.returncode == 0 and "ok" in health.stdout and "2027" in health.stdout
    shown = shifted(tmp_path, november, "calendar", "show", "2027")
    assert "2027: RULES ONLY" in shown.stdout
    assert "2027-02-06 Sat  off     春节  [rules]" in shown.stdout

    entered = shifted(
        tmp_path,
        november,
        *("calendar", "set", "2027", "--holiday", "2027-01-01..2027-01-03", "元旦"),
        *("--holiday", "2027-02-05..2027-02-12", "春节", "--workday", "2027-02-14"),
    )
    assert entered.returncode == 0, entered.stderr
    assert "12 days entered" in entered.stdout
    shown = shifted(tmp_path, november, "calendar", "show", "2027").stdout
    assert shown.startswith("2027: the official schedule entered by the operator")
    assert "2027-02-14 Sun  working 调休上班  [operator]" in shown
    assert "2027-02-12 Fri  off     春节  [operator]" in shown
    assert "warning" not in shifted(tmp_path, november, "job", "list").stdout
    assert "2027" not in shifted(tmp_path, november, "health").stdout


def test_the_notice_imports_from_csv_and_xlsx(tmp_path):
    now = datetime.now(UTC)
    (tmp_path / "notice.csv").write_text(
        "date,kind,name\n2028-01-01..2028-01-03,放假,元旦\n2028-01-08,上班,\n",
        encoding="utf-8",
    )
    result = shifted(tmp_path, now, "calendar", "import", str(tmp_path / "notice.csv"))
    assert result.returncode == 0, result.stderr
    assert "2028: 4 days entered" in result.stdout
    book = Workbook()
    sheet = book.active
    sheet.append(["date", "kind", "name"])
    sheet.append([datetime(2029, 1, 1), "holiday", "元旦"])
    sheet.append(["2029-02-12..2029-02-18", "holiday", "春节"])
    sheet.append(["2029-02-24", "workday", ""])
    book.save(tmp_path / "notice.xlsx")
    imported = shifted(tmp_path, now, "calendar", "import", str(tmp_path / "notice.xlsx"))
    assert imported.returncode == 0, imported.stderr
    assert "2029: 9 days entered" in imported.stdout
    shown = shifted(tmp_path, now, "calendar", "show", "2029").stdout
    assert "2029-01-01 Mon  off     元旦  [operator]" in shown
    assert "2029-02-24 Sat  working 调休上班  [operator]" in shown
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind\n2029-03-01,maybe\n", encoding="utf-8")
    refused = shifted(tmp_path, now, "calendar", "import", str(bad))
    assert refused.returncode == 1 and "row 2" in refused.stderr
    assert "Traceback" not in refused.stderr


async def test_every_secretary_is_told_once_a_year_and_the_log_daily(bot, branch, caplog):
    november = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    assert await workdays.check(bot.db, None, november - timedelta(days=3), SHANGHAI) == 0
    caplog.clear()
    assert await workdays.check(bot.db, None, november, SHANGHAI) == 1
    assert await workdays.check(bot.db, None, november + timedelta(days=1), SHANGHAI) == 0
    warned = [r for r in caplog.records if "no official holiday schedule for 2027" in r.message]
    assert len(warned) == 2 and all(r.levelname == "WARNING" for r in warned)
    bot.sender.clock = lambda: november.astimezone(UTC)
    await bot.drain_outbox()
    assert "2027" in branch.secretary.last_text and "调休" in branch.secretary.last_text
    await workdays.enter(bot.db, [2027], workdays.entries([("2027-01-01", "元旦")], []))
    assert await workdays.check(bot.db, None, november + timedelta(days=2), SHANGHAI) == 0


async def test_upgrade_to_the_calendar_keeps_the_branch_days(tmp_path):
    old = (
        "INSERT INTO branches (id, name, code, created_at) VALUES (1, 'b', 'B0001', 'x');"
        "INSERT INTO branch_days (branch_id, day, working, note) VALUES (1, '2027-01-09', 1, '');"
        "INSERT INTO outbox (key, chat_id, branch_id, text, next_attempt_at, created_at)"
        " VALUES ('k', 42, 1, 'hi', '2026-12-02T00:00:00.000+00:00', 'x');"
    )
    path = await database_before(tmp_path, "_calendar.sql", old)
    async with Database(path) as upgraded:
        assert await upgraded.schema_version() >= VERSION
        assert (await stored.load(upgraded, 1)).exceptions == {date(2027, 1, 9): True}
        assert (await workdays.load(upgraded)).entered == {}
        # A message queued before keeps its time as the earliest it may go, held by no rule.
        row = await upgraded.fetchone("SELECT not_before, held_by FROM outbox")
        assert tuple(row) == ("2026-12-02T00:00:00.000+00:00", None)
