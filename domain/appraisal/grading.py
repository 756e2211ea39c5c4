"""组织定格 and 处置: the branch sets each participant's final grade (with a reason where it
differs from the majority of the ratings), and decides what follows a 不合格: 限期改正 with
a deadline and a follow-up, 劝退 or 除名, each recorded with its dates."""

from __future__ import annotations

from datetime import date

from domain.access import Actor
from domain.appraisal.ballots import counts_of
from domain.appraisal.models import Disposal, DisposalRecord, Grade, Stage
from domain.appraisal.rounds import in_stage, round_for_secretary, written
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotFound
from domain.models import Role
from domain.unit_of_work import unit_of_work
from domain.validation import clean_text
from storage import appraisal as store
from storage import appraisal_disposals as disposal_store
from storage.db import Database, utcnow

NOTE_MAX = 500
# A 限期改正 runs at most this long (the branch follows it up within the year).
DEADLINE_DAYS_MAX = 366


def reason_needed(grade: Grade, tally: dict[Grade, int]) -> bool:
    """A reason is due where the grade differs from the majority of the ratings, and also
    where too few rated to show a majority: the branch then decides without one."""
    shown = counts_of(tally)
    return grade not in shown.majority


async def needs_reason(
    db: Database, actor: Actor, round_id: int, person_id: int, grade: Grade
) -> bool:
    round_ = await round_for_secretary(db, actor, round_id)
    in_stage(round_, Stage.GRADING)
    tallies = await store.tallies(db, round_id)
    if person_id not in tallies:
        raise NotFound("appraisal_not_participant")
    return reason_needed(grade, tallies[person_id])


@effect
async def set_grade(
    db: Database, actor: Actor, round_id: int, person_id: int, grade: Grade, note: str | None
) -> bool:
    """The participant's final grade and the branch's comment, which they will read; True
    when a reason was due (and given). May be changed until the stage ends."""
    round_ = await round_for_secretary(db, actor, round_id)
    in_stage(round_, Stage.GRADING)
    tallies = await store.tallies(db, round_id)
    if person_id not in tallies:
        raise NotFound("appraisal_not_participant")
    due = reason_needed(grade, tallies[person_id])
    note = clean_text(note or "") or None
    if due and note is None:
        raise InvalidInput("appraisal_reason_needed")
    if note and len(note) > NOTE_MAX:
        raise InvalidInput("appraisal_text_too_long", max=NOTE_MAX)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=round_.branch_id) as work:
        await store.set_grade(work.conn, round_id, person_id, grade, note, work.person.id, utcnow())
        await work.audit(
            "appraisal.graded",
            "person",
            person_id,
            round=round_id,
            grade=str(grade),
            differs_from_majority=due,
        )
    return due


def check_deadline(deadline: date | None, kind: Disposal, today: date) -> date | None:
    if kind is not Disposal.CORRECT:
        return None
    if deadline is None or deadline <= today:
        raise InvalidInput("appraisal_deadline_past")
    if (deadline - today).days > DEADLINE_DAYS_MAX:
        raise InvalidInput("appraisal_deadline_far", days=DEADLINE_DAYS_MAX)
    return deadline


@effect
async def dispose(
    db: Database,
    actor: Actor,
    round_id: int,
    person_id: int,
    kind: Disposal,
    today: date,
    deadline: date | None = None,
) -> DisposalRecord:
    """What follows a 不合格, decided today; once per person and round."""
    round_ = await round_for_secretary(db, actor, round_id)
    in_stage(round_, Stage.DISPOSAL)
    person = await store.participant(db, round_id, person_id)
    if person is None:
        raise NotFound("appraisal_not_participant")
    if person.grade is not Grade.UNQUALIFIED:
        raise Conflict("appraisal_not_unqualified")
    deadline = check_deadline(deadline, kind, today)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=round_.branch_id) as work:
        disposal_id = await disposal_store.add_disposal(
            work.conn, round_id, person_id, kind, today, deadline, work.person.id
        )
        if disposal_id is None:
            raise Conflict("appraisal_disposed_twice")
        await work.audit(
            "appraisal.disposed",
            "person",
            person_id,
            round=round_id,
            kind=str(kind),
            decided_on=today.isoformat(),
            deadline=deadline.isoformat() if deadline else None,
        )
    return DisposalRecord(disposal_id, round_id, person_id, kind, today, deadline, None, None)


async def disposals(db: Database, actor: Actor, round_id: int) -> dict[int, DisposalRecord]:
    await round_for_secretary(db, actor, round_id)
    return await disposal_store.disposals(db, round_id)


@effect
async def follow_up(
    db: Database, actor: Actor, round_id: int, person_id: int, text: str, today: date
) -> DisposalRecord:
    """How a 限期改正 went, recorded on the day; may be written again as it goes on."""
    round_ = await round_for_secretary(db, actor, round_id)
    in_stage(round_, Stage.DISPOSAL, Stage.CLOSED)
    found = (await disposal_store.disposals(db, round_id)).get(person_id)
    if found is None or found.kind is not Disposal.CORRECT:
        raise Conflict("appraisal_no_correction")
    note = written(text, NOTE_MAX)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=round_.branch_id) as work:
        await disposal_store.record_follow_up(work.conn, found.id, note, today)
        await work.audit(
            "appraisal.followed_up", "person", person_id, round=round_id, on=today.isoformat()
        )
    return DisposalRecord(
        found.id, round_id, person_id, found.kind, found.decided_on, found.deadline, note, today
    )
