"""The hour rules and exact totals, without Telegram."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import dates, hours
from domain.activity import ActivityKind, HourStatus
from domain.errors import InvalidInput
from storage import audit
from tests.refusals import refusal
from tests.world import branch_with_member

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("typed", "half_hours"),
    [("1", 2), ("0.5", 1), ("2.5", 5), ("12", 24), ("１．５", 3), ("3小时", 6), ("1.50", 3)],
)
def test_hours_in_half_hour_steps_are_accepted(typed, half_hours):
    assert hours.parse_hours(typed) == half_hours


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abc", "hours_not_number"),
        ("", "hours_not_number"),
        ("nan", "hours_not_number"),
        ("1e3", "hours_not_number"),
        ("-3", "hours_not_positive"),
        ("0", "hours_not_positive"),
        ("100", "hours_too_many"),
        ("12.5", "hours_too_many"),
        ("2.3", "hours_not_step"),
        ("0.25", "hours_not_step"),
    ],
)
def test_bad_hours_are_refused(typed, code):
    assert refusal(hours.parse_hours, typed) == code


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026/9/1", date(2026, 9, 1)),
        ("2026年10月3日", date(2026, 10, 3)),
        ("11-02", date(2026, 11, 2)),
        ("11月2日", date(2026, 11, 2)),
        ("20261101", date(2026, 11, 1)),
        ("12月20日", date(2025, 12, 20)),  # something done: the last 20 December, not the next
        ("今天", TODAY),
        ("昨天", date(2026, 11, 24)),
        ("Yesterday", date(2026, 11, 24)),
    ],
)
def test_dates_of_things_done_in_common_forms(typed, day):
    assert dates.parse_date(typed, TODAY, dates.Year.PAST) == day


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("tomorrow", "date_format"),
        ("", "date_format"),
        ("2026-11", "date_format"),
        ("2026-02-30", "date_invalid"),
        ("13-01", "date_invalid"),
    ],
)
def test_bad_dates_are_refused(typed, code):
    assert refusal(dates.parse_date, typed, TODAY, dates.Year.PAST) == code


def test_a_duration_that_would_be_rounded_or_capped_is_refused():
    """A duty record's 1.2 h became 1 h and 20 h became 12 h: the one reader refuses both."""
    with pytest.raises(InvalidInput, match="hours_not_step"):
        hours.parse_hours("1.2")
    with pytest.raises(InvalidInput, match="hours_too_many"):
        hours.parse_hours("20")
    with pytest.raises(InvalidInput, match="hours_not_step"):
        hours.half_hours_of(72)
    with pytest.raises(InvalidInput, match="hours_too_many"):
        hours.half_hours_of(20 * 60)
    assert hours.half_hours_of(90) == 3
    for pressed in hours.COMMON_HALF_HOURS:
        assert hours.common_amount(pressed) == pressed
    with pytest.raises(InvalidInput):
        hours.common_amount(24)  # not an offered button: forged data


def test_the_date_window():
    assert hours.check_day(TODAY, TODAY) == TODAY
    assert hours.check_day(date(2026, 8, 27), TODAY) == date(2026, 8, 27)  # 90 days ago
    with pytest.raises(InvalidInput, match="date_too_old"):
        hours.check_day(date(2026, 8, 26), TODAY)
    with pytest.raises(InvalidInput, match="date_in_future"):
        hours.check_day(date(2026, 11, 26), TODAY)


def test_a_day_holds_at_most_24_hours():
    hours.check_day_total(40, 8)
    with pytest.raises(InvalidInput) as caught:
        hours.check_day_total(46, 4)
    assert caught.value.code == "hours_day_full"
    assert caught.value.params == {"left": Decimal("1")}


@pytest.mark.parametrize(
    ("period", "day", "bounds"),
    [
        (hours.Period.WEEK, date(2026, 11, 25), (date(2026, 11, 23), date(2026, 11, 29))),
        (hours.Period.MONTH, date(2026, 12, 5), (date(2026, 12, 1), date(2026, 12, 31))),
        (hours.Period.MONTH, date(2028, 2, 10), (date(2028, 2, 1), date(2028, 2, 29))),
        (hours.Period.QUARTER, date(2026, 11, 25), (date(2026, 10, 1), date(2026, 12, 31))),
        (hours.Period.QUARTER, date(2026, 5, 1), (date(2026, 4, 1), date(2026, 6, 30))),
        (hours.Period.YEAR, date(2026, 5, 1), (date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_period_bounds(period, day, bounds):
    assert hours.period_bounds(period, day) == bounds


def test_totals_are_exact_decimals_and_skip_refused_records():
    # A thousand half-hours would drift as floats (0.1 + 0.2 style); these stay exact.
    rows = [(ActivityKind.VOLUNTEER, HourStatus.VERIFIED, 1)] * 1001
    rows += [
        (ActivityKind.LESSON, HourStatus.PENDING, 3),
        (ActivityKind.LESSON, HourStatus.VERIFIED, 4),
        (ActivityKind.FILM, HourStatus.REJECTED, 20),
        (ActivityKind.FILM, HourStatus.WITHDRAWN, 20),
    ]
    totals = hours.sum_totals(rows)
    assert totals.verified == {
        ActivityKind.VOLUNTEER: Decimal("500.5"),
        ActivityKind.LESSON: Decimal(2),
    }
    assert totals.attested == {ActivityKind.LESSON: Decimal("1.5")}
    assert totals.total_verified == Decimal("502.5")
    assert totals.total_attested == Decimal("1.5")
    assert totals.kinds == [ActivityKind.LESSON, ActivityKind.VOLUNTEER]
    assert hours.sum_totals([]).total_verified == Decimal(0)


def test_presence_is_credited_in_whole_half_hours():
    assert hours.minutes_to_half_hours(120) == 4
    assert hours.minutes_to_half_hours(119.9) == 3
    assert hours.minutes_to_half_hours(29) == 0


async def test_log_approve_correct_and_totals_in_the_database(tmp_path):
    from storage.db import Database

    async with Database(tmp_path / "h.db") as db:
        secretary, member = await branch_with_member(db)
        draft = hours.Draft(ActivityKind.LESSON, TODAY, 3, "学习党章")
        first = await hours.log(db, member, draft, today=TODAY)
        second = await hours.log(
            db, member, hours.Draft(ActivityKind.FILM, date(2026, 10, 1), 1, "电教片"), today=TODAY
        )
        await hours.approve(db, secretary, first.id)
        await hours.correct(db, secretary, second.id, 2)
        with pytest.raises(Exception, match="hours_decided"):
            await hours.approve(db, secretary, first.id)
        with pytest.raises(Exception, match="not_allowed"):
            await hours.approve(db, member, second.id)
        totals = await hours.person_totals(db, member.person.id, date(2026, 10, 1), TODAY)
        assert totals.verified == {ActivityKind.LESSON: Decimal("1.5"), ActivityKind.FILM: 1}
        assert totals.total_attested == 0
        week = await hours.period_totals(db, member.person.id, hours.Period.WEEK, TODAY)
        assert week.total_verified == Decimal("1.5")
        month = await hours.period_totals(db, member.person.id, hours.Period.MONTH, TODAY)
        assert month.total_verified == Decimal("1.5")


async def test_concurrent_logs_never_exceed_24_hours_on_a_day(tmp_path):
    import asyncio

    from storage.db import Database

    async with Database(tmp_path / "c.db") as db:
        _, member = await branch_with_member(db)
        draft = hours.Draft(ActivityKind.VOLUNTEER, TODAY, 24, "值班")
        results = await asyncio.gather(
            *(hours.log(db, member, draft, today=TODAY) for _ in range(3)),
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, InvalidInput)]
        assert len(refused) == 1 and refused[0].code == "hours_day_full"
        assert await db.fetchval("SELECT SUM(half_hours) FROM hour_records") == 48


async def test_each_notification_commits_with_its_decision(tmp_path, monkeypatch):
    from storage.db import Database

    async with Database(tmp_path / "h.db") as db:
        secretary, member = await branch_with_member(db)
        draft = hours.Draft(ActivityKind.LESSON, TODAY, 3, "学习党章")
        keys = "SELECT key FROM outbox ORDER BY id"

        async def crash(*_args, **_kwargs):
            raise RuntimeError("the bot died before the commit")

        monkeypatch.setattr(audit, "record", crash)
        with pytest.raises(RuntimeError):
            await hours.log(db, member, draft, today=TODAY)
        assert await db.fetchall(keys) == []
        assert await db.fetchval("SELECT COUNT(*) FROM hour_records") == 0

        monkeypatch.undo()
        record = await hours.log(db, member, draft, today=TODAY)
        secretary_id = secretary.person.id
        assert [r["key"] for r in await db.fetchall(keys)] == [
            f"hours-review:{record.id}:{secretary_id}"
        ]
        await hours.approve(db, secretary, record.id)
        with pytest.raises(Exception, match="hours_decided"):
            await hours.approve(db, secretary, record.id)
        assert [r["key"] for r in await db.fetchall(keys)][1:] == [
            f"hours-decided:{record.id}:verified:3"
        ]


async def test_post_duty_hours_come_only_with_a_post(tmp_path):
    from storage.db import Database

    async with Database(tmp_path / "p.db") as db:
        _, member = await branch_with_member(db)
        draft = hours.Draft(ActivityKind.POST_DUTY, TODAY, 2, "楼道值守")
        with pytest.raises(InvalidInput, match="post_duty_via_posts"):
            await hours.log(db, member, draft, today=TODAY)
        assert await db.fetchval("SELECT COUNT(*) FROM hour_records") == 0


def test_summaries_count_verified_hours_unless_the_branch_counts_attested_too():
    totals = hours.sum_totals(
        [
            (ActivityKind.LESSON, HourStatus.VERIFIED, 4),
            (ActivityKind.FILM, HourStatus.PENDING, 3),
            (ActivityKind.FILM, HourStatus.REJECTED, 8),
        ]
    )
    assert hours.counted_total(totals, hours.Counting.VERIFIED) == 2
    assert hours.counted_total(totals, hours.Counting.WITH_ATTESTED) == Decimal("3.5")
    assert hours.counted(4, 3, hours.Counting.VERIFIED) == 4
    assert hours.counted(4, 3, hours.Counting.WITH_ATTESTED) == 7


async def test_the_counting_setting_and_own_records(tmp_path):
    from domain import admin
    from domain.access import actor
    from domain.errors import NotAllowed
    from domain.models import Role
    from storage import people
    from storage.db import Database

    async with Database(tmp_path / "h.db") as db:
        secretary, member = await branch_with_member(db)
        branch_id = member.person.branch_id
        assert await hours.counting_of(db, branch_id) is hours.Counting.VERIFIED
        with pytest.raises(NotAllowed):
            await hours.set_counting(db, member, branch_id, hours.Counting.WITH_ATTESTED)
        assert await hours.counting_branches(db) == set()
        await hours.set_counting(db, secretary, branch_id, hours.Counting.WITH_ATTESTED)
        assert await hours.counting_branches(db) == {branch_id}
        await hours.set_counting(db, None, branch_id, hours.Counting.VERIFIED)  # the operator
        assert await hours.counting_of(db, branch_id) is hours.Counting.VERIFIED

        async with db.transaction() as conn:  # the roster lists the secretary as a member
            await people.grant_role(conn, secretary.person.id, branch_id, Role.MEMBER)
        secretary = await actor(db, secretary.telegram_id)
        own = await hours.log(
            db, secretary, hours.Draft(ActivityKind.LESSON, TODAY, 2, "党课"), today=TODAY
        )
        for decide in (hours.approve, lambda *a: hours.correct(*a, 3)):
            with pytest.raises(NotAllowed) as refused:
                await decide(db, secretary, own.id)
            assert refused.value.code == "hours_own_no_other"
        await admin.add_secretary(db, branch_id, 3)
        with pytest.raises(NotAllowed) as refused:
            await hours.approve(db, secretary, own.id)
        assert refused.value.code == "hours_own"
        rejected = await hours.reject(db, secretary, own.id, "记错了")  # one's own: allowed
        assert rejected.status is HourStatus.REJECTED
        again = await hours.log(
            db, secretary, hours.Draft(ActivityKind.LESSON, TODAY, 2, "党课"), today=TODAY
        )
        assert (await hours.approve(db, await actor(db, 3), again.id)).status is (
            HourStatus.VERIFIED
        )
