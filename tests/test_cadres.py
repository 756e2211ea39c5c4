"""Cadre rules without Telegram: registration, renewal history, units, privacy, reminders,
periods, and the figures in the feedback and county files."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image

from domain import (
    admin,
    cadre_figures,
    cadre_jobs,
    cadre_sheets,
    cadres,
    county_report,
    digest,
    fonts,
    periods,
    privacy,
    quarterly_feedback,
    reminders,
    units,
    workdays,
)
from domain import hours as hours_domain
from domain.access import actor
from domain.errors import Conflict, InvalidInput, NotAllowed
from domain.i18n import translator
from domain.models import RegistrationStatus
from domain.post_models import Rating
from handlers.cadres.registration import StartRegistration
from storage import cadres as cadre_store
from storage import units as unit_store
from storage.db import Database
from tests.cadre_support import (
    REMINDED_IN_2026,
    attended,
    facts,
    hours,
    member,
    post_held,
    registered,
)

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def world(tmp_path):
    """Two branches with a secretary each; two units; cadres of both units in both."""
    async with Database(tmp_path / "c.db") as db:
        east = await admin.add_branch(db, "东风社区党支部", "城关区")
        west = await admin.add_branch(db, "西湖社区党支部", "城关区")
        await admin.add_secretary(db, east.id, 1)
        await admin.add_secretary(db, west.id, 2)
        education = await units.add_unit(db, None, "县教育局机关党委")
        health = await units.add_unit(db, None, "县卫健委机关党委")
        yield db, east, west, education, health


async def test_registration_is_confirmed_by_the_branch_secretary_only(world):
    db, east, _west, education, _ = world
    cadre = await member(db, east.id, "张局长")
    me = await actor(db, cadre)
    submitted = await cadres.submit(db, me, facts("张局长", education.id), 2026)
    assert submitted.registration.status is RegistrationStatus.PENDING
    with pytest.raises(Conflict):
        await cadres.submit(db, me, facts("张局长", education.id), 2026)
    with pytest.raises(NotAllowed):
        await cadres.decide(db, await actor(db, 2), submitted.registration.id, approve=True)
    with pytest.raises(NotAllowed):
        await cadres.decide(db, me, submitted.registration.id, approve=True)
    assert (await cadre_store.history(db, me.person.id))[0].status is RegistrationStatus.PENDING
    decided = await cadres.decide(db, await actor(db, 1), submitted.registration.id, approve=True)
    assert decided.registration.status is RegistrationStatus.CONFIRMED
    with pytest.raises(Conflict):
        await cadres.decide(db, await actor(db, 1), submitted.registration.id, approve=False)
    mine = await cadres.mine(db, me, date(2026, 3, 1))
    assert mine.current.position == "局长" and mine.unit.name == "县教育局机关党委"


async def test_bad_facts_are_refused(world):
    db, east, _, education, _ = world
    me = await actor(db, await member(db, east.id, "李处长"))
    for change, code in [
        ({"position": "x"}, "position_too_short"),
        ({"rank": "general"}, "rank_invalid"),
        ({"phone": "12"}, "phone_invalid"),
        ({"address": "a"}, "address_too_short"),
        ({"unit_id": None}, "unit_missing"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            unit = change.pop("unit_id", education.id)
            await cadres.submit(db, me, facts("李处长", unit, **change), 2026)
        assert caught.value.code == code
    assert await cadre_store.history(db, me.person.id) == []


async def test_a_unit_not_listed_is_added_when_the_secretary_confirms(world):
    db, east, _, _, _ = world
    me = await actor(db, await member(db, east.id, "王科长"))
    submitted = await cadres.submit(db, me, facts("王科长", None, unit_name="县水利局党组"), 2026)
    decided = await cadres.decide(db, await actor(db, 1), submitted.registration.id, approve=True)
    assert decided.unit.name == "县水利局党组"
    assert decided.registration.unit_id == decided.unit.id


async def test_renewal_in_january_keeps_every_version(world):
    db, east, _, education, health = world
    telegram_id = await member(db, east.id, "赵主任")
    person_id = await registered(db, telegram_id, 1, education.id, 2025)
    me = await actor(db, telegram_id)
    january = await cadres.mine(db, me, date(2027, 1, 5))
    assert january.current is None and january.previous.year == 2025
    # 2026 renewed unchanged, then in 2027 with a new position and unit
    renewal = await cadres.renew(db, me, 2026)
    await cadres.decide(db, await actor(db, 1), renewal.registration.id, approve=True)
    with pytest.raises(Conflict):
        await cadres.renew(db, me, 2026)
    changed = await cadres.submit(db, me, facts("赵主任", health.id, position="副主任"), 2027)
    await cadres.decide(db, await actor(db, 1), changed.registration.id, approve=True)
    history = await cadre_store.history(db, person_id)
    assert [(r.year, r.version, r.position, r.unit_id) for r in history] == [
        (2025, 1, "局长", education.id),
        (2026, 2, "局长", education.id),
        (2027, 3, "副主任", health.id),
    ]
    assert all(r.status is RegistrationStatus.CONFIRMED for r in history)


async def test_leave_is_stored_and_bounded(world):
    db, east, _, _, _ = world
    me = await actor(db, await member(db, east.id, "孙局长"))
    today = date(2026, 10, 8)
    with pytest.raises(InvalidInput):
        await cadres.set_leave(db, me, date(2026, 10, 1), None, today)
    await cadres.set_leave(db, me, date(2026, 12, 31), "外出学习", today)
    leave = (await cadre_store.leaves(db))[me.person.id]
    assert leave.until == date(2026, 12, 31) and leave.note == "外出学习"


async def test_link_codes_work_once_and_only_for_the_units_contact(world):
    db, east, _, education, health = world
    contact = await member(db, east.id, "教育局联络员", cadre=False)
    person = (await actor(db, contact)).person
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO unit_contacts (unit_id, person_id, since) VALUES (?, ?, 'x')",
            (education.id, person.id),
        )
    with pytest.raises(NotAllowed):
        await units.new_link_code(db, await actor(db, contact), health.id)
    code = await units.new_link_code(db, await actor(db, contact), education.id)
    linked = await units.link_chat(db, code.code, -100123)
    assert linked.chat_id == -100123
    with pytest.raises(Exception, match="link_code_unknown"):
        await units.link_chat(db, code.code, -100999)


# ------------------------------------------------------------------------------ privacy


async def test_privacy_matrix(world):
    db, east, west, education, health = world
    edu_east = await registered(db, await member(db, east.id, "东教育"), 1, education.id)
    edu_west = await registered(db, await member(db, west.id, "西教育"), 2, education.id)
    health_east = await registered(db, await member(db, east.id, "东卫健"), 1, health.id)
    figures = {f.person_id: f for f in await cadre_figures.gather(db, periods.quarter(2026, 3), TZ)}
    plain_member = privacy.Subject(frozenset({east.id}), None, is_cadre=False)
    subjects = {
        name: privacy.subject_of(figures[pid])
        for name, pid in [
            ("edu_east", edu_east),
            ("edu_west", edu_west),
            ("health_east", health_east),
        ]
    } | {"member_east": plain_member}
    viewers = {
        "education contact": privacy.Viewer(contact_of=frozenset({education.id})),
        "health contact": privacy.Viewer(contact_of=frozenset({health.id})),
        "county": privacy.Viewer(county=True),
        "east secretary": privacy.Viewer(secretary_of=frozenset({east.id})),
        "west secretary": privacy.Viewer(secretary_of=frozenset({west.id})),
        "east secretary, health contact": privacy.Viewer(
            secretary_of=frozenset({east.id}), contact_of=frozenset({health.id})
        ),
        "nobody": privacy.Viewer(),
    }
    expected = {
        "education contact": {"edu_east", "edu_west"},
        "health contact": {"health_east"},
        "county": {"edu_east", "edu_west", "health_east"},
        "east secretary": {"edu_east", "health_east", "member_east"},
        "west secretary": {"edu_west"},
        "east secretary, health contact": {"edu_east", "health_east", "member_east"},
        "nobody": set(),
    }
    for viewer_name, viewer in viewers.items():
        seen = {name for name, subject in subjects.items() if privacy.can_see(viewer, subject)}
        assert seen == expected[viewer_name], viewer_name
    assert [f.name for f in cadre_figures.of_unit(figures.values(), health.id)] == ["东卫健"]


# ---------------------------------------------------------------------------- reminders


CALENDAR = workdays.Calendar()  # no operator entries: the package, then the rules


def test_a_january_of_registration_reminders_then_one_escalation():
    cadre = reminders.CadreState(1, "张局长", unit_id=7, registered=False)
    sent: dict[int, list[date]] = {}
    escalated: set[int] = set()
    reminded, told = [], []
    day = date(2026, 1, 1)
    while day < date(2026, 3, 1):
        due = reminders.registration_due(day, [cadre], sent, escalated, CALENDAR)
        if due.remind:
            sent.setdefault(1, []).append(day)
            reminded.append(day)
        if due.escalate:
            told.append((day, due.escalate))
            escalated.update(due.escalated_people)
        day = date.fromordinal(day.toordinal() + 1)
    # The official calendar: 1-3 January 2026 are the New Year holiday, Sunday 4 January
    # is worked in exchange (调休); Sunday 11 January is not, so the next comes on Monday.
    assert reminded == REMINDED_IN_2026
    # A week after the sixth falls in the Spring Festival holiday (15-23 February).
    assert told == [(date(2026, 2, 24), {7: ["张局长"]})]


def test_no_reminders_once_registered_or_on_leave():
    sent = {1: [date(2026, 1, 5)]}
    cadres_ = [
        reminders.CadreState(1, "甲", 7, registered=True),
        reminders.CadreState(2, "乙", 7, registered=False, on_leave_until=date(2026, 2, 1)),
        reminders.CadreState(3, "丙", 7, registered=False),
    ]
    due = reminders.registration_due(date(2026, 1, 12), cadres_, sent, set(), CALENDAR)
    assert due.remind == [3]
    assert reminders.registration_due(date(2026, 1, 10), cadres_, {}, set(), CALENDAR).remind == []


def test_quarterly_nudge_and_report_days():
    cadres_ = [reminders.CadreState(1, "甲", 7, True), reminders.CadreState(2, "乙", 7, True)]
    assert reminders.quarterly_nudge_due(date(2026, 9, 16), cadres_, {1: 2}) == [2]
    assert reminders.quarterly_nudge_due(date(2026, 9, 15), cadres_, {}) == []
    # 1-7 October 2026 are the National Day holiday; 1 January 2028 is a Saturday, with
    # no official data yet the rule gives the Monday off too (as in 2022)
    assert reminders.feedback_due(date(2026, 10, 1), CALENDAR) is None
    assert reminders.feedback_due(date(2026, 10, 8), CALENDAR).label == "2026Q3"
    assert reminders.feedback_due(date(2026, 10, 9), CALENDAR) is None
    assert reminders.feedback_due(date(2028, 1, 4), CALENDAR).label == "2027Q4"
    assert reminders.county_report_due(date(2028, 1, 4), CALENDAR).label == "2027H2"
    assert reminders.county_report_due(date(2026, 10, 8), CALENDAR) is None


def test_periods():
    q = periods.parse_quarter("2026q3")
    assert (q.start, q.end, q.label) == (date(2026, 7, 1), date(2026, 9, 30), "2026Q3")
    h = periods.parse_half("2026H2")
    assert (h.start, h.end) == (date(2026, 7, 1), date(2026, 12, 31))
    assert [p.label for p in periods.quarters_of(h)] == ["2026Q3", "2026Q4"]
    for bad in ("2026Q5", "26Q1", "2026H3"):
        with pytest.raises(InvalidInput):
            (periods.parse_half if "H" in bad else periods.parse_quarter)(bad)


# ---------------------------------------------------------------------- files, parsed


class Activity(cadre_figures.RegistrationOnly):
    """Stands in for the hours, events and posts features."""

    async def events_attended(self, db, person_ids, period):
        return dict.fromkeys(person_ids, 2)

    async def hours(self, db, person_ids, period):
        return {pid: (3.5, 1.0) for pid in person_ids}

    async def posts(self, db, person_ids, period):
        return {pid: (cadre_figures.PostHeld("政策宣传岗", "优秀"),) for pid in person_ids}


async def test_unit_feedback_holds_exactly_the_units_cadres_with_their_figures(world):
    db, east, west, education, health = world
    edu_east = await registered(db, await member(db, east.id, "东教育"), 1, education.id)
    await registered(db, await member(db, west.id, "西教育"), 2, education.id)
    await registered(db, await member(db, east.id, "东卫健"), 1, health.id)
    # registered last year only: listed as not registered this year
    await registered(db, await member(db, west.id, "旧教育"), 2, education.id, 2025)
    await member(db, east.id, "普通党员", cadre=False)
    secretary = await actor(db, 1)
    q3 = periods.quarter(2026, 3)
    await cadres.add_remark(db, secretary, edu_east, q3, "积极参加社区活动")
    with pytest.raises(NotAllowed):
        await cadres.add_remark(db, await actor(db, 2), edu_east, q3, "越权")
    summaries = await quarterly_feedback.unit_feedback(db, q3, TZ, provider=Activity())
    by_unit = {s.unit.name: s for s in summaries}
    edu = by_unit["县教育局机关党委"]
    assert edu.outbox_key == f"feedback:{education.id}:2026Q3"
    assert "普通党员" not in edu.text and "东卫健" not in edu.text
    assert "积极参加社区活动" in edu.text and "2026年第3季度" in edu.text

    book = load_workbook(io.BytesIO(edu.xlsx))
    assert book.sheetnames == ["汇总", "东风社区党支部", "西湖社区党支部"]
    sheet = book["汇总"]
    assert sheet.freeze_panes == "A3"
    headers = [c.value for c in sheet[2]]
    assert headers[:3] == ["序号", "姓名", "工作单位"]
    rows = {r[1]: dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(3, values_only=True)}
    assert set(rows) == {"东教育", "西教育", "旧教育", "3 人"}
    assert rows["东教育"]["年度注册"] == "是" and rows["东教育"]["支部意见"] == "积极参加社区活动"
    assert rows["旧教育"]["年度注册"] == "否" and rows["旧教育"]["注册日期"] is None
    assert rows["东教育"]["核实时长（小时）"] == 3.5 and rows["东教育"]["最近考核"] == "优秀"
    totals = rows["3 人"]
    assert totals["序号"] == "合计" and totals["年度注册"] == 2
    assert totals["参加活动（次）"] == 6 and totals["核实时长（小时）"] == 10.5
    assert sheet.column_dimensions["C"].width > 20
    assert [r[1] for r in book["东风社区党支部"].iter_rows(3, values_only=True)] == [
        "东教育",
        "1 人",
    ]


async def test_a_cadre_who_moved_branch_appears_once_with_both_branches(world):
    db, east, west, education, _ = world
    telegram_id = await member(db, east.id, "搬家干部")
    await registered(db, telegram_id, 1, education.id)
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE people SET branch_id = ? WHERE telegram_id = ?", (west.id, telegram_id)
        )
        await conn.execute("UPDATE roles SET branch_id = ?", (west.id,))
    await registered(db, telegram_id, 2, education.id, address="西湖路 9 号")
    figures = await cadre_figures.gather(db, periods.quarter(2026, 3), TZ)
    assert len(figures) == 1
    assert figures[0].branches == ("东风社区党支部", "西湖社区党支部")


async def test_county_report_tallies_and_chart(world):
    db, east, west, education, health = world
    await registered(db, await member(db, east.id, "东教育"), 1, education.id)
    await registered(db, await member(db, west.id, "西卫健"), 2, health.id)
    await registered(db, await member(db, west.id, "旧卫健"), 2, health.id, 2025)
    await member(db, east.id, "从未登记")
    half = periods.half(2026, 2)
    figures = await cadre_figures.gather(db, half, TZ, Activity())
    book = load_workbook(io.BytesIO(county_report.workbook(half, figures)))
    assert book.sheetnames == ["分支部", "分单位", "干部明细"]
    branches = {r[0]: r for r in book["分支部"].iter_rows(3, values_only=True)}
    assert branches["西湖社区党支部"][1:4] == (2, 1, 1)
    assert branches["东风社区党支部"][1:4] == (2, 1, 1)
    # verified, attested, then counted: verified only, as no branch counts attested hours
    assert branches["合计"][1:8] == (4, 2, 2, 8, 14.0, 4.0, 14.0)
    assert branches["西湖社区党支部"][8] == "核实"
    by_unit = {r[0]: r for r in book["分单位"].iter_rows(3, values_only=True)}
    assert by_unit["县卫健委机关党委"][1:4] == (2, 1, 1)
    assert by_unit["（未登记单位）"][1:4] == (1, 0, 1)
    never = [r for r in book["干部明细"].iter_rows(3, values_only=True) if r[1] == "从未登记"]
    assert never[0][4] is None and never[0][6] == "否"
    png = county_report.chart_png(half, figures, fonts.find())
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width >= 640
    with pytest.raises(fonts.FontMissing):
        fonts.find("/nonexistent/font.ttc")


async def test_a_january_from_the_database_stops_once_registered(world):
    db, east, west, education, health = world
    late = await member(db, east.id, "迟登记")
    await registered(db, late, 1, education.id, 2025)
    soon = await member(db, west.id, "早登记")
    await registered(db, soon, 2, health.id, 2025)
    await registered(db, await member(db, east.id, "已登记"), 1, health.id, 2026)
    soon_person = (await actor(db, soon)).person.id
    reminded: dict[int, int] = {}
    escalations = []
    day = date(2026, 1, 1)
    while day <= date(2026, 2, 28):
        if day == date(2026, 1, 9):
            renewal = await cadres.renew(db, await actor(db, soon), 2026)
            await cadres.decide(db, await actor(db, 2), renewal.registration.id, approve=True)
        due = await reminders.registration_reminders(db, day)
        for person_id in due.remind:
            reminded[person_id] = reminded.get(person_id, 0) + 1
        if due.escalate:
            escalations.append((day, due.escalate))
        async with db.transaction() as conn:
            await reminders.record_sent(conn, due, day)
        day = date.fromordinal(day.toordinal() + 1)
    late_person = (await actor(db, late)).person.id
    # Reminded on the make-up working day 4 January, registered on the 9th: one reminder.
    assert reminded == {late_person: 6, soon_person: 1}
    assert escalations == [(date(2026, 2, 24), {education.id: ["迟登记"]})]


async def test_summaries_go_to_the_group_else_the_contacts_else_wait(world):
    db, east, _, education, _ = world
    assert await quarterly_feedback.destinations(db, education) == []
    contact = await member(db, east.id, "联系人", cadre=False)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO unit_contacts (unit_id, person_id, since) VALUES (?, ?, 'x')",
            (education.id, (await actor(db, contact)).person.id),
        )
    assert await quarterly_feedback.destinations(db, education) == [contact]
    async with db.transaction() as conn:
        await conn.execute("UPDATE unit_orgs SET chat_id = -100 WHERE id = ?", (education.id,))
    linked = await unit_store.get(db, education.id)
    assert await quarterly_feedback.destinations(db, linked) == [-100]


async def test_the_digest_learns_whose_remark_is_missing_in_the_last_week(world):
    db, east, _, education, _ = world
    first = await registered(db, await member(db, east.id, "甲干部"), 1, education.id)
    await registered(db, await member(db, east.id, "乙干部"), 1, education.id)
    assert await reminders.remarks_missing(db, east.id, date(2026, 9, 23)) == []
    assert await reminders.remarks_missing(db, east.id, date(2026, 9, 24)) == ["甲干部", "乙干部"]
    await cadres.add_remark(db, await actor(db, 1), first, periods.quarter(2026, 3), "表现良好")
    assert await reminders.remarks_missing(db, east.id, date(2026, 9, 30)) == ["乙干部"]


async def test_the_digest_lists_its_own_branchs_cadres_still_to_register_this_year(world):
    db, east, west, education, _ = world
    await registered(db, await member(db, east.id, "甲干部"), 1, education.id, 2026)
    waiting = await actor(db, await member(db, east.id, "乙干部"))
    await cadres.submit(db, waiting, facts("乙干部", education.id), 2026)
    await registered(db, await member(db, east.id, "丙干部"), 1, education.id, 2025)
    await member(db, east.id, "丁居民", cadre=False)
    elsewhere = await actor(db, await member(db, west.id, "戊干部"))
    await cadres.submit(db, elsewhere, facts("戊干部", education.id), 2026)
    # 乙 waits for the secretary, 丙 registered only last year; 戊 is the other branch's.
    now = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
    east_digest = await digest.contents(db, east.id, now, TZ)
    assert (east_digest["unconfirmed"], east_digest["unregistered"]) == (["乙干部"], ["丙干部"])
    west_digest = await digest.contents(db, west.id, now, TZ)
    assert (west_digest["unconfirmed"], west_digest["unregistered"]) == (["戊干部"], [])


async def moves(db, telegram_id: int, person_id: int, branch_id: int, unit_id: int) -> None:
    """A cadre moves to another branch (secretary 2's) and registers there."""
    async with db.transaction() as conn:
        await conn.execute("UPDATE people SET branch_id = ? WHERE id = ?", (branch_id, person_id))
        await conn.execute(
            "UPDATE roles SET branch_id = ? WHERE person_id = ?", (branch_id, person_id)
        )
    await registered(db, telegram_id, 2, unit_id, 2026)


async def test_recorded_activity_counts_once_for_a_cadre_who_moved_branch(world):
    """Hours (verified and attested), events attended and posts with their latest
    assessment, from both branches of a cadre who moved mid-quarter; other quarters and
    other people do not count."""
    db, east, west, education, _ = world
    mover = await member(db, east.id, "搬家处长")
    person_id = await registered(db, mover, 1, education.id, 2026)
    await hours(db, person_id, east.id, date(2026, 7, 10), 4)
    await hours(db, person_id, east.id, date(2026, 6, 30), 8)  # the quarter before
    await attended(db, person_id, east.id, datetime(2026, 7, 11, 1, 0, tzinfo=UTC))
    await post_held(db, person_id, east.id, "政策宣传岗", 2026, Rating.COMPETENT)
    await moves(db, mover, person_id, west.id, education.id)
    await hours(db, person_id, west.id, date(2026, 9, 1), 3)
    await hours(db, person_id, west.id, date(2026, 9, 2), 2, verified=False)
    # Midnight of 1 October in Shanghai is still 30 September in UTC: the zone decides.
    await attended(db, person_id, west.id, datetime(2026, 9, 30, 16, 0, tzinfo=UTC))
    await attended(db, person_id, west.id, datetime(2026, 9, 20, 1, 0, tzinfo=UTC))
    await post_held(db, person_id, west.id, "环境卫生岗", 2026, Rating.EXCELLENT)
    other = await registered(db, await member(db, west.id, "别人"), 2, education.id, 2026)
    await hours(db, other, west.id, date(2026, 8, 1), 10)

    figures = await cadre_figures.gather(db, periods.quarter(2026, 3), TZ)
    mine = [f for f in figures if f.person_id == person_id]
    assert len(mine) == 1
    (figure,) = mine
    assert figure.branches == ("东风社区党支部", "西湖社区党支部")
    assert (figure.hours_verified, figure.hours_attested) == (3.5, 1.0)
    assert figure.events_attended == 2
    assert [(p.name, p.assessment) for p in figure.posts] == [
        ("政策宣传岗", "称职"),
        ("环境卫生岗", "优秀"),
    ]
    assert figure.latest_assessment == "优秀"
    assert next(f for f in figures if f.person_id == other).hours_verified == 5.0


async def test_each_branch_decides_whether_its_attested_hours_count(world):
    """A cadre who moved from east (verified only) to west (verified + attested): only
    west's attested hours are counted, and the figure says it includes attested hours."""
    db, east, west, education, _ = world
    mover = await member(db, east.id, "搬家处长")
    person_id = await registered(db, mover, 1, education.id, 2026)
    await hours(db, person_id, east.id, date(2026, 7, 10), 4)
    await hours(db, person_id, east.id, date(2026, 7, 11), 6, verified=False)
    await moves(db, mover, person_id, west.id, education.id)
    await hours(db, person_id, west.id, date(2026, 9, 1), 3)
    await hours(db, person_id, west.id, date(2026, 9, 2), 2, verified=False)
    stayed = await registered(db, await member(db, east.id, "东边科长"), 1, education.id, 2026)
    await hours(db, stayed, east.id, date(2026, 8, 1), 2, verified=False)
    with pytest.raises(NotAllowed):  # only west's secretary decides for west
        await hours_domain.set_counting(
            db, await actor(db, 1), west.id, hours_domain.Counting.WITH_ATTESTED
        )
    await hours_domain.set_counting(
        db, await actor(db, 2), west.id, hours_domain.Counting.WITH_ATTESTED
    )

    quarter = periods.quarter(2026, 3)
    figures = {f.person_id: f for f in await cadre_figures.gather(db, quarter, TZ)}
    moved, east_only = figures[person_id], figures[stayed]
    assert (moved.hours_verified, moved.hours_attested, moved.hours_counted) == (3.5, 4.0, 4.5)
    assert moved.counts_attested and moved.counted_as == "核实+自报"
    assert (east_only.hours_counted, east_only.counted_as) == (0.0, "核实")
    unit = (await unit_store.all_units(db))[0]
    text = quarterly_feedback.message_text(unit, quarter, list(figures.values()))
    assert "服务时长（核实+自报）：4.5 小时，其中已核实 3.5 小时" in text
    assert "服务时长：已核实 0 小时，自报（待核实）1 小时" in text
    book = load_workbook(
        io.BytesIO(quarterly_feedback.unit_workbook(unit, quarter, list(figures.values())))
    )
    rows = list(book["汇总"].iter_rows(2, values_only=True))
    columns = {name: i for i, name in enumerate(rows[0])}
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["搬家处长"][columns["计入时长（小时）"]] == 4.5
    assert by_name["搬家处长"][columns["计入口径"]] == "核实+自报"
    assert by_name["东边科长"][columns["计入口径"]] == "核实"

    county = load_workbook(io.BytesIO(county_report.workbook(periods.half(2026, 2), [moved])))
    west_row = next(
        r for r in county["分支部"].iter_rows(3, values_only=True) if r[0] == "西湖社区党支部"
    )
    assert west_row[7:9] == (4.5, "核实+自报")


@pytest.mark.parametrize(
    ("locale", "registered", "leave", "short_leave"),
    [
        ("zh_Hans", ("是", "否"), "请假至 2026年12月31日（外出学习）", "请假至 2026年11月30日"),
        (
            "en",
            ("yes", "no"),
            "On leave until December 31, 2026 (study trip)",
            "On leave until November 30, 2026",
        ),
    ],
)
def test_a_cadre_row_says_registration_and_leave_in_the_readers_words(
    locale, registered, leave, short_leave
):
    figure = cadre_figures.CadreFigures(
        person_id=1,
        name="李明",
        unit_id=1,
        unit_name="县教育局党组",
        branches=("幸福社区党支部",),
        branch_ids=(1,),
        position="副局长",
        rank="section",
        registered=True,
        registered_on=date(2026, 1, 5),
        on_leave_until=date(2026, 12, 31),
        leave_note="外出学习" if locale == "zh_Hans" else "study trip",
    )
    unregistered = replace(
        figure, person_id=2, registered=False, on_leave_until=date(2026, 11, 30), leave_note=None
    )
    t = translator(locale)
    sheet = cadre_sheets.cadre_sheet("汇总", "反馈表", [figure, unregistered], t)
    columns = {title: i for i, (title, _) in enumerate(sheet.headers)}
    assert [row[columns["年度注册"]] for row in sheet.rows] == list(registered)
    assert [row[columns["请假情况"]] for row in sheet.rows] == [leave, short_leave]
    assert sheet.rows[0][columns["职级"]] == cadres.rank_label(t, "section")


def test_the_reminders_register_button_is_the_conversations_own():
    ((_, data),) = cadre_jobs.REGISTER_BUTTON[0]
    assert StartRegistration.parse(data) == StartRegistration()
