"""The appraisal's rules without Telegram: who takes part, what each stage allows, the
secret ballot and its counts, final grades with reasons, disposals, reminders, and the
cadre's final grade in the quarterly feedback and the county report."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from domain import admin, appraisal, departures, periods, quarterly_feedback, units
from domain.access import actor
from domain.appraisal.grading import reason_needed
from domain.appraisal.models import MAX_REMINDERS, ORDER, Counts, Disposal, Grade, Stage
from domain.cadre_figures import RegistrationOnly
from domain.county_report import workbook as county_workbook
from domain.departures import DepartureKind
from domain.errors import Conflict, InvalidInput, NotAllowed
from domain.models import Role
from storage import appraisal as store
from storage import inbox
from storage.db import Database, utcnow
from tests import cadre_support
from tests.world import active_person, member_actor

YEAR = 2026
TZ = ZoneInfo("Asia/Shanghai")
ONLY = RegistrationOnly()
DAY = date(2026, 12, 20)


@pytest.fixture
async def db(tmp_path):
    async with Database(tmp_path / "appraisal.db") as database:
        yield database


@pytest.fixture
async def world(db):
    branch = await admin.add_branch(db, "幸福社区党支部")
    other = await admin.add_branch(db, "光明社区党支部")
    await admin.add_secretary(db, branch.id, 1)
    await admin.add_secretary(db, other.id, 2)
    members = [await member_actor(db, branch.id, 100 + i, f"成员{i}") for i in range(6)]
    async with db.transaction() as conn:
        await active_person(conn, branch.id, 300, "联系人", category=None, role=Role.UNIT)
    return branch, await actor(db, 1), await actor(db, 2), members


async def snapshot(db: Database) -> list:
    tables = (
        "appraisal_rounds",
        "appraisal_participants",
        "appraisal_tallies",
        "appraisal_comments",
        "appraisal_disposals",
    )
    return [[tuple(r) for r in await db.fetchall(f"SELECT * FROM {t}")] for t in tables]


async def to_stage(db, secretary, round_id: int, stage: Stage) -> None:
    current = (await store.get_round(db, round_id)).stage
    while current is not stage:
        current = (await appraisal.advance(db, secretary, round_id, current)).stage


def grades_for(me, members, pick=lambda other: Grade.QUALIFIED) -> dict[int, Grade]:
    return {m.person.id: pick(m) for m in members if m.person.id != me.person.id}


async def test_every_member_takes_part_and_no_contact(db, world):
    branch, secretary, _, members = world
    opened = await appraisal.open_round(db, secretary, branch.id, YEAR, DAY)
    assert (opened.participants, opened.away) == (6, 0)
    ids = {p.person_id for p in await appraisal.participants(db, secretary, opened.round.id)}
    assert ids == {m.person.id for m in members}
    with pytest.raises(Conflict):
        await appraisal.open_round(db, secretary, branch.id, YEAR, DAY)
    for year in (YEAR - 2, YEAR + 1, 0, 10**12 - 1):  # only this year or the last
        with pytest.raises(InvalidInput, match="appraisal_year"):
            await appraisal.open_round(db, secretary, branch.id, year, DAY)


async def test_the_stages_go_in_order_and_each_allows_only_its_actions(db, world):
    branch, secretary, _, members = world
    round_id = (await appraisal.open_round(db, secretary, branch.id, YEAR, DAY)).round.id
    me = members[0]
    for stage in ORDER[:-1]:
        before = await snapshot(db)
        if stage is not Stage.SUMMARY:
            with pytest.raises(Conflict, match="appraisal_wrong_stage"):
                await appraisal.submit(db, me, round_id, text="总结")
        if stage is not Stage.RATING:
            with pytest.raises(Conflict, match="appraisal_wrong_stage"):
                await appraisal.cast(db, me, round_id, grades_for(me, members), {})
        if stage is not Stage.GRADING:
            with pytest.raises(Conflict, match="appraisal_wrong_stage"):
                await appraisal.set_grade(
                    db, secretary, round_id, me.person.id, Grade.QUALIFIED, "x"
                )
        if stage is not Stage.DISPOSAL:
            with pytest.raises(Conflict, match="appraisal_wrong_stage"):
                await appraisal.dispose(
                    db, secretary, round_id, me.person.id, Disposal.REMOVE, date.today()
                )
        assert await snapshot(db) == before
        # A stale confirmation (of another stage) changes nothing either.
        with pytest.raises(Conflict, match="appraisal_stage_changed"):
            wrong = ORDER[(ORDER.index(stage) + 1) % (len(ORDER) - 1)]
            await appraisal.advance(db, secretary, round_id, wrong)
        if stage is Stage.GRADING:
            for m in members:
                await appraisal.set_grade(db, secretary, round_id, m.person.id, Grade.BASIC, "理由")
        await appraisal.advance(db, secretary, round_id, stage)
    assert (await store.get_round(db, round_id)).stage is Stage.CLOSED


async def test_a_secretary_of_another_branch_and_members_cannot_steer_the_round(db, world):
    branch, secretary, stranger, members = world
    round_id = (await appraisal.open_round(db, secretary, branch.id, YEAR, DAY)).round.id
    before = await snapshot(db)
    for who in (stranger, members[0]):
        with pytest.raises(NotAllowed):
            await appraisal.advance(db, who, round_id, Stage.STUDY)
        with pytest.raises(NotAllowed):
            await appraisal.participants(db, who, round_id)
        with pytest.raises(NotAllowed):
            await appraisal.lines(db, who, round_id)
    with pytest.raises(NotAllowed):
        await appraisal.open_round(db, stranger, branch.id, YEAR - 1, DAY)
    assert await snapshot(db) == before


async def test_the_ballot_refuses_self_rating_gaps_and_a_second_vote(db, world):
    branch, secretary, _, members = world
    round_id = (await appraisal.open_round(db, secretary, branch.id, YEAR, DAY)).round.id
    await to_stage(db, secretary, round_id, Stage.RATING)
    me = members[0]
    full = grades_for(me, members)
    before = await snapshot(db)
    with pytest.raises(InvalidInput, match="appraisal_self"):
        await appraisal.cast(db, me, round_id, full | {me.person.id: Grade.EXCELLENT}, {})
    with pytest.raises(InvalidInput, match="appraisal_ballot_incomplete"):
        await appraisal.cast(db, me, round_id, dict(list(full.items())[:3]), {})
    with pytest.raises(InvalidInput, match="appraisal_text_too_long"):
        await appraisal.cast(db, me, round_id, full, {members[1].person.id: "长" * 301})
    assert await snapshot(db) == before
    assert (await appraisal.cast(db, me, round_id, full, {})).rated == 5
    with pytest.raises(Conflict, match="appraisal_rated_twice"):
        await appraisal.cast(db, me, round_id, full, {})
    with pytest.raises(Conflict, match="appraisal_rated_twice"):
        await appraisal.ballot(db, me, round_id)


async def test_counts_only_after_the_rating_and_only_from_five_raters(db, world):
    branch, secretary, _, members = world
    round_id = (await appraisal.open_round(db, secretary, branch.id, YEAR, DAY)).round.id
    await to_stage(db, secretary, round_id, Stage.RATING)
    last = members[-1]
    for me in members[:-1]:  # the last does not vote: only they are rated by five
        await appraisal.cast(db, me, round_id, grades_for(me, members), {})
    with pytest.raises(Conflict, match="appraisal_wrong_stage"):
        await appraisal.counts(db, secretary, round_id)
    await appraisal.advance(db, secretary, round_id, Stage.RATING)
    counts = await appraisal.counts(db, secretary, round_id)
    assert counts[last.person.id].shown and counts[last.person.id].votes[Grade.QUALIFIED] == 5
    for m in members[:-1]:
        assert counts[m.person.id] == Counts(0)  # not even how many rated
    progress = await appraisal.progress(db, branch.id, YEAR)
    assert (progress.participants, progress.rated) == (6, 5)


def test_a_reason_is_due_where_the_grade_differs_from_the_majority():
    votes = {Grade.EXCELLENT: 4, Grade.QUALIFIED: 1, Grade.BASIC: 0, Grade.UNQUALIFIED: 0}
    assert not reason_needed(Grade.EXCELLENT, votes)
    assert reason_needed(Grade.QUALIFIED, votes)
    tie = {Grade.EXCELLENT: 3, Grade.QUALIFIED: 3, Grade.BASIC: 0, Grade.UNQUALIFIED: 0}
    assert not reason_needed(Grade.QUALIFIED, tie) and not reason_needed(Grade.EXCELLENT, tie)
    # Too few raters: no majority is shown, so the branch gives its reason.
    few = {Grade.EXCELLENT: 4, Grade.QUALIFIED: 0, Grade.BASIC: 0, Grade.UNQUALIFIED: 0}
    assert reason_needed(Grade.EXCELLENT, few)


async def test_grading_disposal_and_follow_up(db, world):
    branch, secretary, _, members = world
    round_id = (await appraisal.open_round(db, secretary, branch.id, YEAR, DAY)).round.id
    await to_stage(db, secretary, round_id, Stage.GRADING)
    target = members[0].person.id
    with pytest.raises(InvalidInput, match="appraisal_reason_needed"):
        await appraisal.set_grade(db, secretary, round_id, target, Grade.UNQUALIFIED, None)
    with pytest.raises(Conflict, match="appraisal_not_all_graded"):
        await appraisal.advance(db, secretary, round_id, Stage.GRADING)
    for m in members:
        grade = Grade.UNQUALIFIED if m.person.id == target else Grade.QUALIFIED
        await appraisal.set_grade(db, secretary, round_id, m.person.id, grade, "理由")
    await appraisal.advance(db, secretary, round_id, Stage.GRADING)
    today = date(2026, 12, 20)
    with pytest.raises(Conflict, match="appraisal_not_unqualified"):
        await appraisal.dispose(
            db, secretary, round_id, members[1].person.id, Disposal.REMOVE, today
        )
    with pytest.raises(InvalidInput, match="appraisal_deadline_past"):
        await appraisal.dispose(db, secretary, round_id, target, Disposal.CORRECT, today, today)
    with pytest.raises(Conflict, match="appraisal_no_correction"):
        await appraisal.follow_up(db, secretary, round_id, target, "已改正", today)
    with pytest.raises(Conflict, match="appraisal_not_all_disposed"):
        await appraisal.advance(db, secretary, round_id, Stage.DISPOSAL)
    deadline = today + timedelta(days=60)
    await appraisal.dispose(db, secretary, round_id, target, Disposal.CORRECT, today, deadline)
    with pytest.raises(Conflict, match="appraisal_disposed_twice"):
        await appraisal.dispose(db, secretary, round_id, target, Disposal.REMOVE, today)
    done = await appraisal.follow_up(db, secretary, round_id, target, "已改正", today)
    assert (done.deadline, done.follow_up) == (deadline, "已改正")
    # The deadline reminder goes to the secretaries once, when the day has come.
    before = datetime(2027, 2, 17, 2, tzinfo=UTC)
    assert await appraisal.deadlines(db, branch.id, before, TZ) == 0
    at = datetime(2027, 2, 18, 2, tzinfo=UTC)
    assert await appraisal.deadlines(db, branch.id, at, TZ) == 1
    assert await appraisal.deadlines(db, branch.id, at + timedelta(days=1), TZ) == 0
    await appraisal.advance(db, secretary, round_id, Stage.DISPOSAL)


async def test_reminders_go_to_those_who_have_not_done_it_three_times_at_most(db, world):
    branch, secretary, _, members = world
    round_id = (await appraisal.open_round(db, secretary, branch.id, YEAR, DAY)).round.id
    await to_stage(db, secretary, round_id, Stage.SUMMARY)
    for m in members[1:]:
        await appraisal.submit(db, m, round_id, text="总结")
    now = utcnow()
    assert await appraisal.remind(db, branch.id, now, TZ) == 0  # not a day into the stage yet
    sent = [
        await appraisal.remind(db, branch.id, now + timedelta(days=d), TZ)
        for d in (1, 2, 4, 7, 10, 13)
    ]
    assert sent == [1, 0, 1, 1, 0, 0]
    rows = await db.fetchall("SELECT chat_id, text FROM outbox WHERE key LIKE 'appraisal-remind:%'")
    assert {r["chat_id"] for r in rows} == {100} and len(rows) == MAX_REMINDERS
    assert all("成员" not in r["text"] for r in rows)  # nobody named to anyone
    # A new stage starts the count again, for those who have not rated.
    await appraisal.advance(db, secretary, round_id, Stage.SUMMARY)
    later = now + timedelta(days=20)
    assert await appraisal.remind(db, branch.id, later, TZ) == 6


async def test_one_who_leaves_during_the_round_is_no_longer_rated(db, world):
    branch, secretary, _, members = world
    round_id = (await appraisal.open_round(db, secretary, branch.id, YEAR, DAY)).round.id
    await to_stage(db, secretary, round_id, Stage.RATING)
    gone = members[-1]
    await departures.record(db, secretary, gone.person.id, DepartureKind.TRANSFER_OUT, date.today())
    ratees = await appraisal.ballot(db, members[0], round_id)
    assert gone.person.id not in {r.person_id for r in ratees} and len(ratees) == 4


async def test_the_cadres_final_grade_flows_into_the_feedback_and_the_county_report(db, world):
    branch, secretary, _, members = world
    unit = await units.add_unit(db, None, "县水利局机关党委")
    telegram_id = await cadre_support.member(db, branch.id, "水利局长")
    cadre_id = await cadre_support.registered(db, telegram_id, 1, unit.id, YEAR)
    round_id = (await appraisal.open_round(db, secretary, branch.id, YEAR, DAY)).round.id
    await to_stage(db, secretary, round_id, Stage.GRADING)
    for m in [*members, await actor(db, telegram_id)]:
        await appraisal.set_grade(db, secretary, round_id, m.person.id, Grade.EXCELLENT, "好")
    quarter = periods.quarter(YEAR, 4)
    # Not until the branch has fixed the grades (the round is past 组织定格).
    [feedback] = await quarterly_feedback.unit_feedback(
        db, quarter, TZ, provider=RegistrationOnly()
    )
    assert "民主评议" not in feedback.text
    await appraisal.advance(db, secretary, round_id, Stage.GRADING)
    [feedback] = await quarterly_feedback.unit_feedback(
        db, quarter, TZ, provider=RegistrationOnly()
    )
    assert f"{YEAR}年度民主评议党员组织定格：优秀" in feedback.text
    [figure] = feedback.figures
    assert figure.person_id == cadre_id and figure.appraisal is Grade.EXCELLENT
    sheet = load_workbook(io.BytesIO(feedback.xlsx)).worksheets[0]
    assert sheet.cell(row=2, column=18).value == "民主评议"
    assert sheet.cell(row=3, column=18).value == f"{YEAR}年度 优秀"
    county = load_workbook(io.BytesIO(county_workbook(periods.half(YEAR, 2), feedback.figures)))
    details = county["干部明细"]
    assert details.cell(row=3, column=18).value == f"{YEAR}年度 优秀"


async def test_a_forgotten_update_keeps_only_a_digest_that_still_stops_a_redelivery(db):
    press = {"update_id": 7, "callback_query": {"data": "appraisal:rate:1:3:excellent"}}
    assert await inbox.receive(db, 7, press)
    async with db.transaction() as conn:
        await inbox.mark_handled(conn, 7, forget=True)
    [row] = await db.fetchall("SELECT data, handled_at FROM ptb_inbox")
    assert "appraisal" not in row["data"] and row["handled_at"] is not None
    assert not await inbox.receive(db, 7, press)  # Telegram sent it again: dropped
    assert await inbox.receive(db, 7, press | {"other": 1})  # a new update of a reused id
