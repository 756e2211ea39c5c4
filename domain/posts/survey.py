"""The survey (调查摸底): members say which posts they would take and when they are free;
the secretary reads the counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict
from domain.models import Person
from domain.post_models import Action, Availability, Cycle, check_stage
from domain.posts.common import cycle_of, member, people_by_id, post_of_branch, secretary_cycle
from domain.validation import clean_text
from storage import audit
from storage import posts as store
from storage.db import Database, utcnow


@dataclass(frozen=True)
class SurveySummary:
    cycle: Cycle
    respondents: int
    willing: dict[int, int]
    availability: dict[str, int]
    skills: list[tuple[Person, str]]


@effect
async def answer_survey(
    db: Database,
    actor: Actor,
    post_ids: list[int],
    availability: Availability,
    skills: str,
    today: date,
) -> None:
    me = member(actor)
    assert me.branch_id is not None
    cycle = await cycle_of(db, me.branch_id, today)
    check_stage(cycle.stage, Action.SURVEY)
    skills = clean_text(skills or "")[:200]
    async with db.transaction() as conn:
        if (await store.latest_cycle(conn, me.branch_id)) != cycle:
            raise Conflict("post_stage_changed")
        for post_id in set(post_ids):
            await post_of_branch(conn, post_id, me.branch_id)
        await store.save_survey(
            conn, cycle, me.id, sorted(set(post_ids)), availability, skills, utcnow()
        )
        await audit.record(
            conn,
            action="posts.survey_answered",
            subject_type="person",
            subject_id=me.id,
            actor_id=me.id,
            branch_id=me.branch_id,
            year=cycle.year,
            posts=sorted(set(post_ids)),
            availability=str(availability),
        )


async def survey_summary(db: Database, actor: Actor, branch_id: int, today: date) -> SurveySummary:
    _secretary, cycle = await secretary_cycle(db, actor, branch_id, today)
    respondents, willing, by_time = await store.survey_counts(db, cycle)
    raw = await store.survey_skills(db, cycle)
    who = await people_by_id(db, (p for p, _ in raw))
    skills = [(who[p], text) for p, text in raw if p in who]
    return SurveySummary(cycle, respondents, willing, by_time, skills)
