"""The rules of mobile-member work, without Telegram."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from domain import admin, dates, mobile
from domain.access import actor
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.mobile.models import Direction, MobileSettings, RegStatus
from domain.models import Category
from storage.db import Database, utcnow
from tests.refusals import refusal
from tests.world import active_person

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("2026/3/1", date(2026, 3, 1)),
        ("2026.03.01", date(2026, 3, 1)),
        ("2026年3月1日", date(2026, 3, 1)),
        ("２０２６－３－１", date(2026, 3, 1)),
        ("3月1日", date(2026, 3, 1)),
        ("3月1号", date(2026, 3, 1)),
        ("12月20日", date(2025, 12, 20)),  # nearer than next December
        ("9月1日", date(2026, 9, 1)),
    ],
)
def test_common_date_forms_are_read(typed, expected):
    assert dates.parse_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("tomorrow", "date_format"),
        ("1/3", "date_format"),
        ("2026-3", "date_format"),
        ("", "date_format"),
        ("2026-02-30", "date_invalid"),
        ("2026-13-01", "date_invalid"),
        ("13月1日", "date_invalid"),
    ],
)
def test_impossible_dates_are_refused(typed, code):
    assert refusal(dates.parse_date, typed, TODAY) == code


def test_february_29_without_a_year_takes_the_nearest_leap_year():
    assert dates.parse_date("2月29日", date(2027, 12, 1)) == date(2028, 2, 29)


def test_months_are_added_to_the_last_day_when_shorter():
    assert dates.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert dates.add_months(date(2026, 1, 15), 6) == date(2026, 7, 15)
    assert dates.add_months(date(2027, 8, 29), 6) == date(2028, 2, 29)


def _outflow(**changes: str) -> dict[str, str]:
    details = {
        "destination": "浙江省杭州市",
        "address": "西湖区",
        "employer": "某公司",
        "departure": "2026-03-15",
        "expected_return": "2026-09-01",
        "reason": "务工",
        "phone": "+86 138 0013 8000",
    }
    return details | changes


def test_a_complete_outflow_is_normalised():
    checked = mobile.check_details(Direction.OUTFLOW, _outflow(org_contact="x"), TODAY)
    assert checked["phone"] == "13800138000"
    assert "org_contact" not in checked, "a contact without an organisation is dropped"
    with_org = mobile.check_details(
        Direction.OUTFLOW, _outflow(org="某党支部", org_phone="0571 8765 4321"), TODAY
    )
    assert with_org["org_phone"] == "0571-87654321"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"expected_return": "2026-03-01"}, "return_before_departure"),
        ({"expected_return": "2026-03-15"}, "return_before_departure"),
        ({"departure": "2027-04-01", "expected_return": "2027-05-01"}, "date_too_far_ahead"),
        ({"departure": "3/15"}, "date_format"),
        ({"phone": "12345"}, "phone_invalid"),
        ({"destination": ""}, "field_missing"),
        ({"reason": "x" * 201}, "text_too_long"),
    ],
)
def test_bad_outflows_are_refused(changes, code):
    assert refusal(mobile.check_details, Direction.OUTFLOW, _outflow(**changes), TODAY) == code


def test_certificate_numbers_are_branch_year_serial():
    assert mobile.certificate_number("B0007", 2026, 12) == "B0007-2026-0012"


def test_settings_keep_to_the_national_maximum():
    mobile.check_settings(MobileSettings(validity_months=3))
    for wrong in (MobileSettings(validity_months=7), MobileSettings(contact_days=0)):
        with pytest.raises(InvalidInput):
            mobile.check_settings(wrong)


async def _people(db: Database, branch_id: int, count: int) -> list:
    async with db.transaction() as conn:
        for i in range(count):
            await active_person(conn, branch_id, 1000 + i, f"成员{i}", category=Category.MOBILE)
    return [await actor(db, 1000 + i) for i in range(count)]


@pytest.fixture
async def db(tmp_path):
    async with Database(tmp_path / "m.db") as database:
        yield database


async def outflows_to_decide(db: Database, count: int, today: date) -> tuple:
    """A new branch's secretary and `count` mobile members, each with an outflow from `today`
    waiting for the secretary: (secretary, members, the details, the registrations' ids)."""
    branch = await admin.add_branch(db, "幸福社区党支部")
    await admin.add_secretary(db, branch.id, 1)
    secretary = await actor(db, 1)
    members = await _people(db, branch.id, count)
    details = _outflow(
        departure=today.isoformat(), expected_return=(today + timedelta(30)).isoformat()
    )
    ids = [
        (await mobile.submit(db, m, Direction.OUTFLOW, details, today)).registration.id
        for m in members
    ]
    return secretary, members, details, ids


async def test_concurrent_approvals_number_without_gaps_or_duplicates(db):
    today = date.today()
    secretary, members, details, ids = await outflows_to_decide(db, 6, today)
    decided = await asyncio.gather(
        *(mobile.decide(db, secretary, i, approve=True, today=today) for i in ids)
    )
    serials = sorted(int(d.certificate.number.rsplit("-", 1)[1]) for d in decided)
    assert serials == [1, 2, 3, 4, 5, 6]
    assert all(d.certificate.valid_until == dates.add_months(today, 6) for d in decided)

    with pytest.raises(Conflict):
        await mobile.decide(db, secretary, ids[0], approve=True, today=today)
    with pytest.raises(Conflict) as second:
        await mobile.submit(db, members[0], Direction.OUTFLOW, details, today)
    assert second.value.code == "outflow_already_open"
    inflow = {
        "origin_branch": "某村党支部",
        "origin_contact": "张支书",
        "origin_phone": "0311-88886666",
        "address": "幸福小区",
        "employer": "个体",
        "arrival": today.isoformat(),
        "phone": "13900139000",
    }
    with pytest.raises(Conflict) as other:
        await mobile.submit(db, members[0], Direction.INFLOW, inflow, today)
    assert other.value.code == "other_direction_open"


async def test_history_is_kept_and_only_the_branch_sees_it(db):
    branch = await admin.add_branch(db, "幸福社区党支部")
    other = await admin.add_branch(db, "光明社区党支部")
    await admin.add_secretary(db, branch.id, 1)
    await admin.add_secretary(db, other.id, 2)
    secretary, outsider = await actor(db, 1), await actor(db, 2)
    (li,) = await _people(db, branch.id, 1)
    today = date.today()
    details = _outflow(
        departure=today.isoformat(), expected_return=(today + timedelta(30)).isoformat()
    )
    rid = (await mobile.submit(db, li, Direction.OUTFLOW, details, today)).registration.id
    for refused in (
        mobile.decide(db, outsider, rid, approve=True, today=today),
        mobile.dossier(db, outsider, rid),
        mobile.mark_contacted(db, outsider, rid, "电话联系"),
        mobile.counts(db, outsider, branch.id, datetime.now(UTC), today),
    ):
        with pytest.raises(NotAllowed):
            await refused
    await mobile.decide(db, secretary, rid, approve=True, today=today)
    answers = {"whereabouts": "杭州", "study": "党章", "activities": "主题党日"}
    reported = await mobile.report(db, li, rid, answers, {"address": "滨江区"}, today)
    assert reported.registration.version == 2
    assert reported.registration.details["address"] == "西湖区", "changes wait for approval"
    with pytest.raises(NotAllowed):
        await mobile.decide_change(db, outsider, reported.change.id, approve=True)
    with pytest.raises(InvalidInput):
        await mobile.decide_change(db, secretary, reported.change.id, approve=False, reason=" ")
    decided = await mobile.decide_change(db, secretary, reported.change.id, approve=True)
    assert decided.registration.version == 3
    assert decided.registration.details["address"] == "滨江区"
    with pytest.raises(Conflict):
        await mobile.decide_change(db, secretary, reported.change.id, approve=False, reason="x")
    with pytest.raises(InvalidInput):
        await mobile.report(db, li, rid, answers, {"departure": "2026-01-01"}, today)
    with pytest.raises(NotAllowed):  # the secretary is no member: the roster lacks them
        await mobile.report(db, secretary, rid, answers, {}, today)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        async with db.transaction() as conn:
            await conn.execute("UPDATE mobile_versions SET details = '{}'")

    renewed = await mobile.renew(db, secretary, rid, today + timedelta(days=100))
    assert renewed.valid_until == dates.add_months(today + timedelta(days=100), 6)
    checker = {"telegram_id": 4242, "now": utcnow()}
    found = await mobile.verify(db, renewed.verify_code.lower(), today, **checker)
    assert [f.name for f in dataclasses.fields(found)] == [
        "holder",
        "branch",
        "valid_until",
        "valid",
    ]
    assert found.valid and found.holder == "成员0" and found.branch == "幸福社区党支部"
    await mobile.revoke(db, secretary, rid, "组织关系已转出")
    assert not (await mobile.verify(db, renewed.verify_code, today, **checker)).valid
    with pytest.raises(NotFound):
        await mobile.verify(db, "../etc", today, **checker)

    dossier = await mobile.dossier(db, secretary, rid)
    assert [e.kind for e in dossier.events] == [
        "submitted",
        "approved",
        "certificate_issued",
        "report",
        "change_approved",
        "certificate_renewed",
        "certificate_revoked",
    ]
    assert [v.version for v in dossier.versions] == [1, 2, 3]
    assert dossier.versions[0].details["address"] == "西湖区"
    assert dossier.registration.status is RegStatus.ACTIVE


def test_overdue_contact_and_report_due_follow_the_settings():
    decided = datetime(2026, 1, 1, tzinfo=UTC)
    registration = mobile.Registration(
        id=1,
        person_id=1,
        person_name="李明",
        person_telegram_id=None,
        branch_id=1,
        direction=Direction.OUTFLOW,
        status=RegStatus.ACTIVE,
        created_at=decided,
        decided_at=decided,
        reason=None,
        last_report_at=None,
        last_contact_at=None,
        version=1,
        details={},
    )
    settings = MobileSettings(contact_days=90, report_days=30)
    assert mobile.report_due(registration, settings) == decided + timedelta(days=30)
    assert not mobile.contact_overdue(registration, settings, decided + timedelta(days=90))
    assert mobile.contact_overdue(registration, settings, decided + timedelta(days=91))
    contacted = dataclasses.replace(registration, last_contact_at=decided + timedelta(days=60))
    assert not mobile.contact_overdue(contacted, settings, decided + timedelta(days=91))


def test_operator_sets_a_branchs_periods(tmp_path):
    from tests.test_cli import partybot

    branch_id = partybot(tmp_path, "branch", "add", "幸福社区党支部").stdout.strip()
    shown = partybot(tmp_path, "mobile", "settings", "--branch", branch_id)
    assert "valid 6 months" in shown.stdout and "overdue after 90 days" in shown.stdout
    changed = partybot(
        tmp_path, "mobile", "settings", "--branch", branch_id, "--validity-months", "3"
    )
    assert changed.returncode == 0 and "valid 3 months" in changed.stdout
    for args, message in [
        (["--branch", branch_id, "--validity-months", "12"], "at most 6"),
        (["--branch", branch_id, "--contact-days", "0"], "--contact-days"),
        (["--branch", "999"], "no branch with id 999"),
    ]:
        refused = partybot(tmp_path, "mobile", "settings", *args)
        assert refused.returncode == 1 and message in refused.stderr, args
        assert "Traceback" not in refused.stderr
    assert (
        "valid 3 months" in partybot(tmp_path, "mobile", "settings", "--branch", branch_id).stdout
    )
