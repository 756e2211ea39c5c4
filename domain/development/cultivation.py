"""Cultivation (培养): the 培养联系人 the secretary chooses among the branch's full members,
and the half-yearly 考察 notes they write. Audited; a note's text never goes to the audit."""

from __future__ import annotations

from datetime import date

from domain.access import Actor
from domain.development.files import File, existing, is_secretary_of, load
from domain.development.rules import INTRODUCERS_MAX, STEP, Stage
from domain.effects import effect
from domain.errors import InvalidInput, NotAllowed
from domain.models import Role
from domain.unit_of_work import unit_of_work
from domain.validation import within
from storage import development as store
from storage.db import Database, utcnow

# A 考察 note is a paragraph, not an essay.
REVIEW_MAX = 1000


async def candidates_for_introducer(db: Database, actor: Actor, file_id: int) -> list[dict]:
    found = await existing(db, file_id)
    if not is_secretary_of(actor, found):
        raise NotAllowed("not_allowed")
    return [m for m in await store.full_members(db, found.branch_id) if m["id"] != found.person_id]


@effect
async def toggle_introducer(db: Database, actor: Actor, file_id: int, person_id: int) -> File:
    """Choose (or unchoose) one of the branch's full members as 培养联系人, at most two."""
    async with unit_of_work(db, actor) as work:
        found = await existing(work.conn, file_id)
        work.require(Role.SECRETARY, found.branch_id)
        if found.stage not in (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE):
            raise InvalidInput("dev_introducers_stage")
        now = utcnow()
        if found.introduced_by(person_id):
            await store.remove_introducer(work.conn, file_id, person_id)
            await work.audit(
                "development.introducer_removed", "development_file", file_id, person=person_id
            )
        else:
            allowed = {m["id"] for m in await store.full_members(work.conn, found.branch_id)}
            if person_id not in allowed or person_id == found.person_id:
                raise InvalidInput("dev_not_full_member")
            if len(found.introducers) >= INTRODUCERS_MAX:
                raise InvalidInput("dev_introducers_max", max=INTRODUCERS_MAX)
            await store.add_introducer(work.conn, file_id, person_id, work.person.id, now)
            await work.audit(
                "development.introducer_chosen", "development_file", file_id, person=person_id
            )
        changed = await load(work.conn, file_id)
    assert changed is not None
    return changed


def check_review_stage(found: File) -> None:
    """考察 notes are written from the decision as an activist to the branch meeting."""
    if "activist" not in found.days or "admitted" in found.days:
        raise InvalidInput("dev_review_stage")


def check_review(found: File, day: date, today: date) -> None:
    check_review_stage(found)
    if day > today:
        raise InvalidInput("dev_day_future")
    if day < found.days["activist"]:
        raise InvalidInput(
            "dev_day_before", step=STEP["activist"].label, day=found.days["activist"].isoformat()
        )


def check_review_text(text: str) -> str:
    return within((text or "").strip(), 4, REVIEW_MAX, "dev_review_short", "dev_review_long")


def may_review(actor: Actor, found: File) -> bool:
    me = actor.person
    return (
        actor.active
        and me is not None
        and (found.introduced_by(me.id) or is_secretary_of(actor, found))
    )


@effect
async def add_review(
    db: Database, actor: Actor, file_id: int, day: date, text: str, today: date
) -> File:
    """A 考察 note by one of the file's 培养联系人 (or its branch's secretary)."""
    text = check_review_text(text)
    async with unit_of_work(db, actor) as work:
        found = await existing(work.conn, file_id)
        if not may_review(actor, found):
            raise NotAllowed("not_allowed")
        work.branch_id = found.branch_id
        check_review(found, day, today)
        await store.add_review(work.conn, file_id, day, text, actor.person.id, utcnow())
        await work.audit("development.review", "development_file", file_id, day=day.isoformat())
        changed = await load(work.conn, file_id)
    assert changed is not None
    return changed
