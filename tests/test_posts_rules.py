"""The rules of the responsibility posts without Telegram: the stage machine, capacity,
limits and the record a cadre's feedback reads."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from domain import admin, departures
from domain import posts as rules
from domain.access import actor
from domain.departures import DepartureKind
from domain.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from domain.post_models import (
    ALLOWED,
    STAGES,
    Action,
    Availability,
    ClaimStatus,
    Rating,
    Stage,
    check_capacity,
    check_claim,
    check_stage,
    check_waiting,
    next_stage,
    previous_stage,
)
from storage import audit, people
from storage.db import Database
from tests.world import member_actor

TODAY = date(2026, 3, 1)


def test_the_stages_go_forward_and_back_in_the_policy_order():
    assert STAGES == (Stage.SURVEY, Stage.APPLY, Stage.PERFORM, Stage.ASSESS)
    assert [next_stage(s) for s in STAGES] == [Stage.APPLY, Stage.PERFORM, Stage.ASSESS, None]
    assert [previous_stage(s) for s in STAGES] == [None, Stage.SURVEY, Stage.APPLY, Stage.PERFORM]


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("action", list(Action))
def test_each_stage_allows_only_its_actions(stage, action):
    if action in ALLOWED[stage]:
        check_stage(stage, action)
    else:
        with pytest.raises(Conflict) as refused:
            check_stage(stage, action)
        assert refused.value.code == "post_wrong_stage"


def test_claims_only_while_applying_and_assessment_only_at_the_end():
    assert [s for s in STAGES if Action.CLAIM in ALLOWED[s]] == [Stage.APPLY]
    assert [s for s in STAGES if Action.ASSESS in ALLOWED[s]] == [Stage.ASSESS]
    assert [s for s in STAGES if Action.SURVEY in ALLOWED[s]] == [Stage.SURVEY]
    assert [s for s in STAGES if Action.RECORD in ALLOWED[s]] == [Stage.PERFORM]


def _claim_code(**overrides) -> str | None:
    params = dict(open_claims=0, limit=3, taken=0, capacity=2, twice=False) | overrides
    try:
        check_claim(**params)
    except Conflict as exc:
        return exc.code
    return None


def test_capacity_and_limit_rules():
    assert _claim_code() is None
    assert _claim_code(taken=1) is None
    assert _claim_code(taken=2) == "post_full"
    assert _claim_code(open_claims=3) == "post_claim_limit"
    assert _claim_code(open_claims=2, limit=2, taken=2) == "post_claim_limit"
    assert _claim_code(twice=True, taken=2) == "post_claim_twice"
    with pytest.raises(Conflict, match="post_not_full"):
        check_waiting(open_claims=0, limit=3, taken=1, capacity=2, twice=False)
    check_waiting(open_claims=0, limit=3, taken=2, capacity=2, twice=False)
    assert check_capacity(3, 3) == 3
    with pytest.raises(Conflict, match="post_capacity_below_holders"):
        check_capacity(1, 2)
    for bad in (0, -1, 51):
        with pytest.raises(InvalidInput):
            check_capacity(bad, 0)


# ---------------------------------------------------------------- with a database


@pytest.fixture
async def db(tmp_path):
    async with Database(tmp_path / "posts.db") as database:
        yield database


async def _snapshot(db: Database) -> list:
    tables = ("posts", "post_cycles", "post_claims", "post_surveys", "duty_records")
    return [[tuple(r) for r in await db.fetchall(f"SELECT * FROM {t}")] for t in tables]


@pytest.fixture
async def world(db):
    branch = await admin.add_branch(db, "幸福社区党支部")
    other = await admin.add_branch(db, "光明社区党支部")
    await admin.add_secretary(db, branch.id, 1)
    secretary = await actor(db, 1)
    members = [
        await member_actor(db, branch.id, 100 + i, f"成员{i}", category=None) for i in range(4)
    ]
    outsider = await member_actor(db, other.id, 200, "外人", category=None)
    return branch, other, secretary, members, outsider


async def one_place_open(db, branch, secretary):
    """Applications open, and the first of the branch's posts cut to a single place."""
    await rules.board(db, branch.id, TODAY)
    await rules.advance(db, secretary, branch.id, Stage.SURVEY, TODAY)
    post = (await rules.board(db, branch.id, TODAY)).posts[0].post
    await rules.set_capacity(db, secretary, post.id, 1)
    return post


async def test_posts_are_seeded_once_with_the_ten_county_posts(db, world):
    branch, _other, *_ = world
    first = await rules.board(db, branch.id, TODAY)
    again = await rules.board(db, branch.id, TODAY)
    assert [v.post.code for v in first.posts] == [v.post.code for v in again.posts]
    assert len(first.posts) == 10
    assert first.cycle.stage is Stage.SURVEY and first.cycle.year == 2026
    assert await db.fetchval("SELECT COUNT(*) FROM posts WHERE branch_id = ?", (branch.id,)) == 10


async def test_a_race_for_the_last_place_has_exactly_one_winner(db, world):
    branch, _other, secretary, members, _outsider = world
    post = await one_place_open(db, branch, secretary)
    outcomes = await asyncio.gather(
        *(rules.claim(db, m, post.id, TODAY) for m in members), return_exceptions=True
    )
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 1 and len(lost) == 3
    assert all(isinstance(e, Conflict) and e.code == "post_full" for e in lost)
    assert await db.fetchval("SELECT COUNT(*) FROM post_claims") == 1


async def test_refusals_change_nothing(db, world):
    branch, other, secretary, members, outsider = world
    li = members[0]
    board = await rules.board(db, branch.id, TODAY)
    first, second, third, fourth = (v.post.id for v in board.posts[:4])
    foreign = (await rules.board(db, other.id, TODAY)).posts[0].post.id
    before = await _snapshot(db)
    with pytest.raises(Conflict, match="post_wrong_stage"):
        await rules.claim(db, li, first, TODAY)
    with pytest.raises(NotAllowed):
        await rules.advance(db, li, branch.id, Stage.SURVEY, TODAY)
    with pytest.raises(NotAllowed):
        await rules.claim(db, await actor(db, 999), first, TODAY)
    assert await _snapshot(db) == before

    await rules.advance(db, secretary, branch.id, Stage.SURVEY, TODAY)
    with pytest.raises(Conflict, match="post_stage_changed"):
        await rules.advance(db, secretary, branch.id, Stage.SURVEY, TODAY)
    await rules.retire(db, secretary, fourth)
    for post_id in (first, second, third):
        await rules.claim(db, li, post_id, TODAY)
    before = await _snapshot(db)
    refusals: list[tuple[int, type[DomainError], str]] = [
        (first, Conflict, "post_claim_twice"),
        (fourth, Conflict, "post_retired"),
        (foreign, NotFound, "post_unknown"),
        (board.posts[5].post.id, Conflict, "post_claim_limit"),
        (999_999, NotFound, "post_unknown"),
    ]
    for post_id, kind, code in refusals:
        with pytest.raises(kind) as refused:
            await rules.claim(db, li, post_id, TODAY)
        assert refused.value.code == code
    with pytest.raises(NotAllowed):
        await rules.decide_claim(db, outsider, 1, approve=True, reason=None, today=TODAY)
    with pytest.raises(NotFound):
        await rules.withdraw(db, members[1], 1, TODAY)
    with pytest.raises(InvalidInput):
        await rules.go_back(db, secretary, branch.id, Stage.APPLY, "  ", TODAY)
    with pytest.raises(InvalidInput):
        await rules.decide_claim(db, secretary, 1, approve=False, reason="", today=TODAY)
    assert await _snapshot(db) == before


async def test_a_year_with_waiting_list_withdrawal_and_assessment(db, world):
    branch, _other, secretary, members, _outsider = world
    li, zhang, zhao, _ = members
    post = (await rules.board(db, branch.id, TODAY)).posts[2].post
    await rules.answer_survey(db, li, [post.id], Availability.WEEKENDS, "会修电脑", TODAY)
    await rules.answer_survey(db, zhang, [post.id], Availability.BOTH, "", TODAY)
    summary = await rules.survey_summary(db, secretary, branch.id, TODAY)
    assert summary.respondents == 2 and summary.willing == {post.id: 2}
    assert [text for _p, text in summary.skills] == ["会修电脑"]

    await rules.advance(db, secretary, branch.id, Stage.SURVEY, TODAY)
    await rules.set_capacity(db, secretary, post.id, 1)
    mine = await rules.claim(db, li, post.id, TODAY)
    with pytest.raises(Conflict, match="post_full"):
        await rules.claim(db, zhang, post.id, TODAY)
    waiting = await rules.join_waiting_list(db, zhang, post.id, TODAY)
    assert waiting.claim.status is ClaimStatus.WAITING
    rejected = await rules.decide_claim(
        db, secretary, mine.claim.id, approve=False, reason="名额已满", today=TODAY
    )
    assert rejected.claim.status is ClaimStatus.REJECTED
    assert [h.person.name for h in rejected.promoted] == ["成员1"]
    approved = await rules.decide_claim(
        db, secretary, waiting.claim.id, approve=True, reason=None, today=TODAY
    )
    assert approved.claim.status is ClaimStatus.APPROVED
    leaving = await rules.withdraw(db, zhang, waiting.claim.id, TODAY)
    assert leaving.claim.status is ClaimStatus.LEAVING
    kept = await rules.decide_leave(db, secretary, waiting.claim.id, agree=False, today=TODAY)
    assert kept.claim.status is ClaimStatus.APPROVED

    await rules.advance(db, secretary, branch.id, Stage.APPLY, TODAY)
    record = await rules.record_duty(
        db,
        zhang,
        post.id,
        done_on=TODAY,
        text="走访三户",
        photo_file_id=None,
        minutes=90,
        today=TODAY,
    )
    assert record.id is not None
    with pytest.raises(NotAllowed, match="post_not_holder"):
        await rules.record_duty(
            db,
            zhao,
            post.id,
            done_on=TODAY,
            text="x",
            photo_file_id=None,
            minutes=None,
            today=TODAY,
        )
    await rules.note_request(db, zhang, post.id, "楼道灯坏了", TODAY)
    moved = await rules.advance(db, secretary, branch.id, Stage.PERFORM, TODAY)
    assert moved.after.stage is Stage.ASSESS
    back = await rules.go_back(db, secretary, branch.id, Stage.ASSESS, "补录履职记录", TODAY)
    assert back.after.stage is Stage.PERFORM
    await rules.advance(db, secretary, branch.id, Stage.PERFORM, TODAY)
    await rules.assess(db, secretary, waiting.claim.id, Rating.EXCELLENT, "认真负责", TODAY)
    with pytest.raises(Conflict, match="post_not_holder_of_year"):
        await rules.assess(db, secretary, mine.claim.id, Rating.COMPETENT, "", TODAY)

    held = await rules.person_posts(db, zhang.person.id, date(2026, 1, 1), date(2026, 12, 31))
    assert len(held) == 1
    assert held[0].assessment.rating is Rating.EXCELLENT
    assert (held[0].duty_count, held[0].duty_minutes) == (1, 90)
    assert await rules.person_posts(db, li.person.id, date(2026, 1, 1), date(2026, 12, 31)) == []

    next_year = await rules.advance(db, secretary, branch.id, Stage.ASSESS, TODAY)
    assert (next_year.after.year, next_year.after.stage) == (2027, Stage.SURVEY)
    actions = [e["action"] for e in await audit.entries(db)]
    assert actions.count("posts.stage_forward") == 5 and "posts.stage_back" in actions


async def test_the_first_stage_has_no_stage_before_it_and_strangers_see_no_posts(db, world):
    branch, _other, secretary, _members, _outsider = world
    before = await _snapshot(db)
    await rules.board(db, branch.id, TODAY)
    seeded = await _snapshot(db)
    with pytest.raises(Conflict, match="post_stage_first"):
        await rules.go_back(db, secretary, branch.id, Stage.SURVEY, "重新开始", TODAY)
    with pytest.raises(NotAllowed, match="post_members_only"):
        await rules.member_board(db, await actor(db, 424242), TODAY)
    assert before != seeded and await _snapshot(db) == seeded


async def test_more_places_go_to_the_waiting_list_first(db, world):
    branch, _other, secretary, members, _outsider = world
    li, zhang, zhao, _ = members
    post = await one_place_open(db, branch, secretary)
    await rules.claim(db, li, post.id, TODAY)
    await rules.join_waiting_list(db, zhang, post.id, TODAY)
    await rules.join_waiting_list(db, zhao, post.id, TODAY)
    _post, promoted = await rules.set_capacity(db, secretary, post.id, 2)
    assert [h.person.name for h in promoted] == ["成员1"]
    view = (await rules.board(db, branch.id, TODAY)).view(post.id)
    assert [h.person.name for h in view.pending] == ["成员0", "成员1"]
    assert [h.person.name for h in view.waiting] == ["成员2"]
    with pytest.raises(Conflict, match="post_capacity_below_holders"):
        await rules.set_capacity(db, secretary, post.id, 1)


async def test_a_holder_who_leaves_frees_the_place_but_stays_in_the_years_record(db, world):
    branch, _other, secretary, members, _outsider = world
    li, zhang, _zhao, _ = members
    post = await one_place_open(db, branch, secretary)
    mine = await rules.claim(db, li, post.id, TODAY)
    await rules.decide_claim(db, secretary, mine.claim.id, approve=True, reason=None, today=TODAY)
    await rules.join_waiting_list(db, zhang, post.id, TODAY)

    await departures.record(db, secretary, li.person.id, DepartureKind.TRANSFER_OUT, TODAY)

    view = (await rules.board(db, branch.id, TODAY)).view(post.id)
    assert view.holders == [] and [h.person.name for h in view.pending] == ["成员1"]
    record = await rules.person_posts(db, li.person.id, date(2026, 1, 1), date(2026, 12, 31))
    assert [r.post.id for r in record] == [post.id]


async def test_a_claim_and_its_decision_are_told_in_their_own_transactions(db, world, monkeypatch):
    branch, _other, secretary, members, _outsider = world
    await rules.board(db, branch.id, TODAY)
    await rules.advance(db, secretary, branch.id, Stage.SURVEY, TODAY)
    post = (await rules.board(db, branch.id, TODAY)).posts[0].post
    told = "SELECT key FROM outbox WHERE key LIKE 'post-claim:%' OR key LIKE 'post-decided:%'"

    async def crash(*_args, **_kwargs):
        raise RuntimeError("the bot died before the commit")

    monkeypatch.setattr(audit, "record", crash)
    with pytest.raises(RuntimeError):
        await rules.claim(db, members[0], post.id, TODAY)
    assert await db.fetchall(told) == []
    assert await db.fetchval("SELECT COUNT(*) FROM post_claims") == 0

    monkeypatch.undo()
    claimed = await rules.claim(db, members[0], post.id, TODAY)
    assert [r["key"] for r in await db.fetchall(told)] == [
        f"post-claim:{claimed.claim.id}:{secretary.person.id}"
    ]
    await rules.decide_claim(
        db, secretary, claimed.claim.id, approve=True, reason=None, today=TODAY
    )
    with pytest.raises(Conflict):
        await rules.decide_claim(
            db, secretary, claimed.claim.id, approve=True, reason=None, today=TODAY
        )
    keys = [r["key"] for r in await db.fetchall(told)]
    assert len(keys) == 2 and keys[1].startswith(f"post-decided:{claimed.claim.id}:")


async def test_no_secretary_records_the_departure_of_a_contact_of_no_branch(db, world):
    """A forged "depart" press naming a district's contact (a person of no branch) is
    refused at both steps and erases nothing: `require` with no branch would have let any
    secretary through."""
    _, _, secretary, _, _ = world
    async with db.transaction() as conn:
        contact_id = await people.insert(
            conn, telegram_id=900, branch_id=None, name="区党工委联系人", phone="13700137000"
        )
    with pytest.raises(NotFound):
        await departures.check(db, secretary, contact_id, DepartureKind.TRANSFER_OUT)
    with pytest.raises(NotFound):
        await departures.record(db, secretary, contact_id, DepartureKind.TRANSFER_OUT, TODAY)
    contact = await people.get(db, contact_id)
    assert contact.phone == "13700137000" and contact.telegram_id == 900
