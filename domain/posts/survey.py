"""The survey (调查摸底): members say which posts they would take and when they are free;
the secretary reads the counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.access import Actor
from domain.effects import effect
from domain.models import Person
from domain.post_models import Action, Availability, Cycle
from domain.posts.common import (
    check_current,
    member_cycle,
    people_by_id,
    post_of_branch,
    secretary_cycle,
)
from domain.unit_of_work import unit_of_work
from domain.validation import clean_text
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
    me, cycle = await member_cycle(db, actor, today, Action.SURVEY)
    skills = clean_text(skills or "")[:200]
    chosen = sorted(set(post_ids))
    async with unit_of_work(db, actor, branch_id=me.branch_id) as work:
        await check_current(work.conn, cycle)
        for post_id in chosen:
            await post_of_branch(work.conn, post_id, me.branch_id)
        await store.save_survey(work.conn, cycle, me.id, chosen, availability, skills, utcnow())
        await work.audit(
            "posts.survey_answered",
            "person",
            me.id,
            year=cycle.year,
            posts=chosen,
            availability=str(availability),
        )


async def survey_summary(db: Database, actor: Actor, branch_id: int, today: date) -> SurveySummary:
    cycle = await secretary_cycle(db, actor, branch_id, today)
    respondents, willing, by_time = await store.survey_counts(db, cycle)
    raw = await store.survey_skills(db, cycle)
    who = await people_by_id(db, (p for p, _ in raw))
    skills = [(who[p], text) for p, text in raw if p in who]
    return SurveySummary(cycle, respondents, willing, by_time, skills)
