"""The rules of instructors' notes, targets and the year-end assessment, below the chat."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain import admin, assessment, instructors
from domain.access import actor
from domain.assessment.assessing import comment_text, complete
from domain.assessment.models import CRITERIA, Criterion, Grade
from domain.assessment.targets import pledge_day, targets_text
from domain.errors import Conflict, InvalidInput, NotAllowed
from domain.models import Category, PersonStatus, Role
from handlers.district_guidance.assessing import assessment_year
from storage import districts, migrations, people
from storage.db import Database, iso, utcnow
from tests.world import active_person, database_before

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_GOOD = {str(c): "good" for c in CRITERIA}


def test_every_criterion_is_graded_on_the_scale():
    graded = complete({**ALL_GOOD, "masses": "poor"})
    assert list(graded) == list(CRITERIA) and graded[Criterion.MASSES] is Grade.POOR
    for bad in (
        {k: v for k, v in ALL_GOOD.items() if k != "cadres"},
        {**ALL_GOOD, "masses": "excellent"},
        {**ALL_GOOD, "charm": "good"},
    ):
        with pytest.raises(InvalidInput, match="assessment_incomplete"):
            complete(bad)
    assert [g.value for g in Grade] == ["good", "fairly_good", "average", "poor"]


def test_texts_and_days_are_checked():
    with pytest.raises(InvalidInput, match="assessment_comment_too_short"):
        comment_text(" 好 ")
    with pytest.raises(InvalidInput, match="assessment_comment_too_long"):
        comment_text("很" * 1001)
    with pytest.raises(InvalidInput, match="targets_too_short"):
        targets_text("目标")
    with pytest.raises(InvalidInput, match="note_guided_too_short"):
        instructors.note_text("", "note_guided")
    assert pledge_day(date(2026, 12, 20), 2027) == date(2026, 12, 20)
    for outside in (date(2026, 9, 30), date(2028, 1, 1)):
        with pytest.raises(InvalidInput, match="pledge_day_outside"):
            pledge_day(outside, 2027)


def test_the_year_assessed_and_the_month_of_a_note():
    assert assessment_year(date(2027, 11, 1)) == 2027
    assert assessment_year(date(2028, 1, 20)) == 2027
    assert instructors.month_of(date(2027, 3, 9)) == "2027-03"


async def _district(db: Database):
    """Two branches of 城关区 with a secretary each, the district's contact (Telegram 10),
    an instructor (11) and a patron (12) of branch A, and a member of A with hours."""
    a = await admin.add_branch(db, "幸福社区党支部", "城关区")
    b = await admin.add_branch(db, "和平社区党支部", "城关区")
    await admin.add_secretary(db, a.id, 1)
    await admin.add_secretary(db, b.id, 2)
    async with db.transaction() as conn:
        contact = await people.insert(
            conn,
            telegram_id=10,
            branch_id=None,
            name="孙主任",
            phone=None,
            category=None,
            status=PersonStatus.ACTIVE,
        )
        await districts.grant_role(conn, contact, a.district_id, Role.DISTRICT)
        await active_person(conn, a.id, 11, "周指导", category=None, role=Role.INSTRUCTOR)
        await active_person(conn, a.id, 12, "郑常委", category=None, role=Role.PATRON)
        member = await active_person(conn, a.id, 3, "李明", category=Category.RESIDENT)
        await conn.execute(
            "INSERT INTO hour_records (person_id, branch_id, kind, day, half_hours, status,"
            " description, source, created_at, updated_at) VALUES (?, ?, 'volunteer',"
            " '2027-05-01', 5, 'verified', '义务清扫', 'self', ?, ?)",
            (member, a.id, iso(utcnow()), iso(utcnow())),
        )
    return a, b


async def test_the_assessment_is_the_districts_and_told_once_per_revision(tmp_path):
    async with Database(tmp_path / "p.db") as db:
        a, b = await _district(db)
        district, secretary_b, instructor = [await actor(db, i) for i in (10, 2, 11)]
        found = await assessment.assess(db, district, a.id, 2027, ALL_GOOD, "班子团结")
        assert found.revision == 1 and found.figures.members == 1
        assert found.figures.half_hours_verified == 5
        again = await assessment.assess(
            db, district, a.id, 2027, {**ALL_GOOD, "masses": "average"}, "群众满意度待提高"
        )
        assert again.revision == 2 and again.grades[Criterion.MASSES] is Grade.AVERAGE
        keys = [
            r[0] for r in await db.fetchall("SELECT key FROM outbox WHERE key LIKE 'assessment:%'")
        ]
        # The secretary and the patron of A, each revision.
        assert len(keys) == 4 and len(set(keys)) == 4
        for outsider in (secretary_b, instructor):
            with pytest.raises(NotAllowed):
                await assessment.assess(db, outsider, a.id, 2027, ALL_GOOD, "越权评定")
            with pytest.raises(NotAllowed):
                await assessment.result_for(db, outsider, a.id, 2027)
        assert await assessment.result_for(db, secretary_b, b.id, 2027) is None
        with pytest.raises(NotAllowed, match="not_county"):
            await assessment.county_table(db, district, 2027)


async def test_a_note_a_month_and_one_reminder(tmp_path):
    async with Database(tmp_path / "p.db") as db:
        a, b = await _district(db)
        instructor = await actor(db, 11)
        with pytest.raises(NotAllowed, match="not_instructor"):
            await instructors.file_note(db, instructor, b.id, "2027-03", "指导学习", "无")
        moment = datetime(2027, 3, 25, 1, 45, tzinfo=UTC)
        assert await instructors.remind_notes(db, a.id, moment, SHANGHAI) == 1
        assert await instructors.remind_notes(db, a.id, moment, SHANGHAI) == 0
        await instructors.file_note(db, instructor, a.id, "2027-04", "指导学习", "台账不全")
        with pytest.raises(Conflict, match="note_already_filed"):
            await instructors.file_note(db, instructor, a.id, "2027-04", "再写一次", "无")
        april = datetime(2027, 4, 25, 1, 45, tzinfo=UTC)
        assert await instructors.remind_notes(db, a.id, april, SHANGHAI) == 0
        told = await db.fetchval("SELECT COUNT(*) FROM outbox WHERE key LIKE 'instructor-note:%'")
        assert told == 1  # the district's one contact


async def test_upgrading_to_0020_keeps_the_data(tmp_path):
    before = await database_before(
        tmp_path,
        "_instructors_assessment.sql",
        "INSERT INTO branches (id, name, code, created_at) VALUES (1, 'b', 'B0001', 'x');",
    )
    async with Database(before) as upgraded:
        assert await upgraded.schema_version() == migrations.latest_version()
        assert await upgraded.fetchval("SELECT name FROM branches") == "b"
        async with upgraded.transaction() as conn:
            await conn.execute(
                "INSERT INTO branch_targets (branch_id, year, targets, updated_at)"
                " VALUES (1, 2027, 't', 'x')"
            )
        with pytest.raises(sqlite3.IntegrityError):
            async with upgraded.transaction() as conn:
                await conn.execute(
                    "INSERT INTO branch_targets (branch_id, year, pledge_file_kind, updated_at)"
                    " VALUES (1, 2028, 'video', 'x')"
                )
