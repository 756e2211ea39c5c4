"""Working time on a table of instants: China's 2025 and 2026 holidays and make-up days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain import admin, workdays, working_time
from domain.notification import Kind
from domain.working_time import WorkTime, parse_spans
from storage import working_time as stored
from storage.db import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINA = WorkTime(SHANGHAI)


def at(text: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        ("2025-01-01", False, "New Year's Day"),
        ("2025-01-26", True, "Sunday worked for the Spring Festival"),
        ("2025-01-28", False, "Spring Festival eve, a holiday since 2025"),
        ("2025-02-04", False, "Spring Festival"),
        ("2025-02-08", True, "Saturday worked for the Spring Festival"),
        ("2025-04-04", False, "Qingming"),
        ("2025-04-27", True, "Sunday worked for Labour Day"),
        ("2025-05-05", False, "Labour Day"),
        ("2025-05-31", False, "Dragon Boat Festival (a Saturday)"),
        ("2025-06-02", False, "Dragon Boat Festival, Monday off"),
        ("2025-09-28", True, "Sunday worked for National Day"),
        ("2025-10-06", False, "National Day week with Mid-Autumn"),
        ("2025-10-08", False, "last day of the 2025 National Day holiday"),
        ("2025-10-09", True, "an ordinary Thursday"),
        ("2025-10-11", True, "Saturday worked for National Day"),
        ("2026-01-02", False, "New Year holiday"),
        ("2026-01-04", True, "Sunday worked for New Year"),
        ("2026-02-14", True, "Saturday worked for the Spring Festival"),
        ("2026-02-17", False, "Spring Festival"),
        ("2026-02-23", False, "last day of the Spring Festival holiday"),
        ("2026-02-28", True, "Saturday worked for the Spring Festival"),
        ("2026-05-01", False, "Labour Day"),
        ("2026-05-05", False, "Labour Day holiday"),
        ("2026-05-09", True, "Saturday worked for Labour Day"),
        ("2026-09-20", True, "Sunday worked for National Day"),
        ("2026-10-01", False, "National Day"),
        ("2026-10-07", False, "National Day week"),
        ("2026-10-08", True, "back to work"),
        ("2026-10-10", True, "Saturday worked for National Day"),
        ("2026-11-28", False, "an ordinary Saturday"),
        ("2030-01-01", False, "no official data yet: New Year's Day by rule"),
        ("2030-01-02", True, "no official data yet: an ordinary Wednesday"),
        ("2030-01-05", False, "not covered yet: a Saturday"),
    ],
)
def test_the_official_calendar(day, working, why):
    assert workdays.Calendar().is_working_day(date.fromisoformat(day)) is working, why


@pytest.mark.parametrize(
    ("moment", "kind", "allowed_at"),
    [
        # an ordinary Wednesday
        ("2026-03-04 10:00", Kind.NORMAL, "2026-03-04 10:00"),
        ("2026-03-04 10:00", Kind.OFFICE_HOURS, "2026-03-04 10:00"),
        ("2026-03-04 10:00", Kind.AFTER_HOURS, "2026-03-04 18:00"),  # not at lunch
        ("2026-03-04 12:30", Kind.AFTER_HOURS, "2026-03-04 18:00"),
        ("2026-03-04 14:00", Kind.AFTER_HOURS, "2026-03-04 18:00"),
        ("2026-03-04 08:30", Kind.AFTER_HOURS, "2026-03-04 08:30"),  # before work
        ("2026-03-04 12:30", Kind.OFFICE_HOURS, "2026-03-04 13:30"),
        ("2026-03-04 19:00", Kind.OFFICE_HOURS, "2026-03-05 09:00"),
        ("2026-03-04 21:29", Kind.NORMAL, "2026-03-04 21:29"),
        ("2026-03-04 21:30", Kind.NORMAL, "2026-03-05 08:00"),
        ("2026-03-04 23:00", Kind.AFTER_HOURS, "2026-03-05 08:00"),
        ("2026-03-05 03:00", Kind.URGENT, "2026-03-05 03:00"),
        ("2026-03-05 07:59", Kind.NORMAL, "2026-03-05 08:00"),
        # a Friday evening's office message waits for Monday
        ("2026-03-06 18:30", Kind.OFFICE_HOURS, "2026-03-09 09:00"),
        # a weekend day is outside working hours all day, but not at night
        ("2026-03-07 10:00", Kind.AFTER_HOURS, "2026-03-07 10:00"),
        ("2026-03-07 06:00", Kind.AFTER_HOURS, "2026-03-07 08:00"),
        # make-up Saturdays and Sundays are working days
        ("2026-02-14 10:00", Kind.AFTER_HOURS, "2026-02-14 18:00"),
        ("2026-09-20 15:00", Kind.AFTER_HOURS, "2026-09-20 18:00"),
        ("2025-10-11 09:30", Kind.OFFICE_HOURS, "2025-10-11 09:30"),
        ("2025-01-26 16:00", Kind.AFTER_HOURS, "2025-01-26 18:00"),
        # holidays: free in the daytime, offices closed until the holiday ends
        ("2026-10-01 10:00", Kind.AFTER_HOURS, "2026-10-01 10:00"),
        ("2026-10-01 10:00", Kind.OFFICE_HOURS, "2026-10-08 09:00"),
        ("2025-10-01 10:00", Kind.OFFICE_HOURS, "2025-10-09 09:00"),
        ("2026-02-13 18:30", Kind.OFFICE_HOURS, "2026-02-14 09:00"),
        ("2026-02-15 11:00", Kind.OFFICE_HOURS, "2026-02-24 09:00"),
        ("2025-05-01 23:00", Kind.NORMAL, "2025-05-02 08:00"),
    ],
)
def test_when_each_kind_may_be_delivered(moment, kind, allowed_at):
    start, expected = at(moment), at(allowed_at)
    assert CHINA.next_allowed(kind, start) == expected
    assert CHINA.allows(kind, start) is (start == expected)


def test_a_branch_elsewhere_uses_its_own_zone_and_hours():
    berlin = WorkTime(ZoneInfo("Europe/Berlin"), quiet=parse_spans("22:00-07:00"))
    moment = at("2026-03-04 09:00")  # 02:00 in Berlin
    assert CHINA.in_working_hours(moment) and not berlin.in_working_hours(moment)
    assert berlin.next_allowed(Kind.NORMAL, moment) == at("2026-03-04 07:00", berlin.tz)


def test_a_branch_exception_wins_over_the_calendar():
    own = WorkTime(SHANGHAI, exceptions={date(2026, 3, 7): True, date(2026, 3, 4): False})
    assert own.in_working_hours(at("2026-03-07 10:00"))
    assert not own.in_working_hours(at("2026-03-04 10:00"))
    assert own.next_allowed(Kind.OFFICE_HOURS, at("2026-03-06 19:00")) == at("2026-03-07 09:00")


@pytest.mark.parametrize("text", ["9:00-12:00", "09:00-09:00", "25:00-26:00", "09:00"])
def test_malformed_spans_are_refused(text):
    with pytest.raises(ValueError):
        parse_spans(text)


async def test_branch_settings_come_from_the_database(tmp_path):
    defaults = working_time.Defaults("Asia/Shanghai")
    async with Database(tmp_path / "w.db") as db:
        branch = await admin.add_branch(db, "幸福社区党支部")
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO branch_worktime (branch_id, quiet_hours) VALUES (?, '22:00-07:00')",
                (branch.id,),
            )
        await stored.set_day(db, branch.id, date(2026, 3, 7), True, "community day")
        own = await working_time.for_branch(db, branch.id, defaults)
        assert own.quiet == parse_spans("22:00-07:00")
        assert own.working == parse_spans(working_time.DEFAULT_WORKING_HOURS)
        assert own.is_working_day(date(2026, 3, 7))
        assert (await working_time.for_branch(db, None, defaults)).exceptions == {}


@pytest.mark.parametrize(
    ("moment", "kind", "until", "why"),
    [
        ("2026-12-01 23:00", Kind.NORMAL, "2026-12-02 08:00", working_time.Held.QUIET),
        ("2026-12-02 10:00", Kind.AFTER_HOURS, "2026-12-02 18:00", working_time.Held.WORKING_DAY),
        ("2026-12-05 10:00", Kind.OFFICE_HOURS, "2026-12-07 09:00", working_time.Held.OFFICE),
    ],
)
def test_a_held_message_knows_until_when_and_why(moment, kind, until, why):
    wait = CHINA.wait(kind, at(moment))
    assert (wait.until, wait.why, wait.tz) == (at(until), why, SHANGHAI)
    assert CHINA.wait(kind, at(until)) is None
