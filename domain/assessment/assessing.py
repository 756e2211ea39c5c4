"""The year-end "五个好" assessment: the district grades a branch on each criterion and
comments; the branch's secretaries and patrons are told, and see their own result only."""

from __future__ import annotations

import dataclasses

from domain.access import Actor
from domain.assessment.common import district_branches, require_district
from domain.assessment.figures import year_figures
from domain.assessment.models import CRITERIA, Assessment, Criterion, Grade
from domain.effects import effect
from domain.errors import InvalidInput, NotAllowed
from domain.models import Role
from domain.unit_of_work import unit_of_work
from domain.validation import free_text
from storage import assessments as store
from storage.db import Database, utcnow

TEMPLATE = "assessment.result"
COMMENT_MAX = 1000


def comment_text(value: str) -> str:
    return free_text(value, "assessment_comment", COMMENT_MAX)


def complete(grades: dict[str, str]) -> dict[Criterion, Grade]:
    """Every criterion graded on the scale, nothing else: a draft missing one is refused."""
    try:
        found = {Criterion(c): Grade(g) for c, g in grades.items()}
    except ValueError:
        raise InvalidInput("assessment_incomplete") from None
    if set(found) != set(CRITERIA):
        raise InvalidInput("assessment_incomplete")
    return {c: found[c] for c in CRITERIA}


@effect
async def assess(
    db: Database, actor: Actor, branch_id: int, year: int, grades: dict[str, str], comment: str
) -> Assessment:
    """Entered again, it replaces the earlier one and is told again (a new revision)."""
    graded = complete(grades)
    comment = comment_text(comment)
    branch = await require_district(db, actor, branch_id)
    figures = await year_figures(db, branch_id, year)
    patrons = await store.patrons(db, branch_id)
    async with unit_of_work(db, actor, branch_id=branch_id) as work:
        revision = await store.save_assessment(
            work.conn, branch_id, year, graded, comment, figures, actor.person.id, utcnow()
        )
        await work.audit(
            "assessment.entered",
            "branch",
            branch_id,
            year=year,
            revision=revision,
            grades={str(c): str(g) for c, g in graded.items()},
        )
        params = {
            "branch": branch.name,
            "year": year,
            "grades": {str(c): str(g) for c, g in graded.items()},
            "comment": comment,
            "figures": dataclasses.asdict(figures),
        }
        key = f"assessment:{branch_id}:{year}:{revision}"
        await work.tell_secretaries(key, template=TEMPLATE, params=params)
        for person_id, chat_id in patrons:
            await work.tell(chat_id, f"{key}:patron:{person_id}", template=TEMPLATE, params=params)
        (found,) = await store.assessments(work.conn, year, [branch_id])
    return found


async def result_for(db: Database, actor: Actor, branch_id: int, year: int) -> Assessment | None:
    """The branch's own result for its secretaries and patrons, or for its district."""
    if not (actor.has(Role.SECRETARY, branch_id) or actor.has(Role.PATRON, branch_id)):
        await require_district(db, actor, branch_id)
    found = await store.assessments(db, year, [branch_id])
    return found[0] if found else None


async def results_for_district(db: Database, actor: Actor, year: int) -> list[Assessment]:
    branches = await district_branches(db, actor)
    if not branches:
        raise NotAllowed("district_only")
    return await store.assessments(db, year, [b.id for b in branches])
