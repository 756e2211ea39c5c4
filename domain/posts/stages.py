"""The four stages of the year (survey, apply, perform, assess): the secretary moves the
branch forward, or back with a reason, and members are told what they can do now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict
from domain.i18n import N_
from domain.models import Person, Role
from domain.post_models import Cycle, Stage, next_stage, previous_stage
from domain.posts.common import check_current, checked_text, secretary_cycle
from domain.unit_of_work import UnitOfWork, unit_of_work
from storage import posts as store
from storage.db import Database, utcnow

# What members are told when a stage begins.
STAGE_NEWS = {
    Stage.SURVEY: N_(
        "The survey for the {year} responsibility posts has begun. Send /posts to answer it."
    ),
    Stage.APPLY: N_(
        "Applications for the {year} responsibility posts are open. Send /posts to claim a post."
    ),
    Stage.PERFORM: N_("The {year} post holders are now on duty. Record what you do with /posts."),
    Stage.ASSESS: N_(
        "The {year} responsibility posts are being assessed. You will be told your result."
    ),
}


@dataclass(frozen=True)
class StageMove:
    before: Cycle
    after: Cycle
    # Told when the stage moves forward: what they can do now has changed.
    members: list[Person] = field(default_factory=list)


async def _seen(db: Database, actor: Actor, branch_id: int, seen: Stage, today: date) -> Cycle:
    """The branch's cycle, if it is still at the stage the secretary confirmed: a stale or
    repeated confirmation changes nothing."""
    cycle = await secretary_cycle(db, actor, branch_id, today)
    if cycle.stage is not seen:
        raise Conflict("post_stage_changed")
    return cycle


async def _audit(work: UnitOfWork, action: str, cycle: Cycle, after: str, **details) -> None:
    await work.audit(
        action,
        "branch",
        cycle.branch_id,
        year=cycle.year,
        before=str(cycle.stage),
        after=after,
        **details,
    )


@effect
async def advance(
    db: Database, actor: Actor, branch_id: int, seen: Stage, today: date
) -> StageMove:
    """Forward one stage; from assessment, into the next year's survey."""
    cycle = await _seen(db, actor, branch_id, seen, today)
    target = next_stage(cycle.stage)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        now = utcnow()
        if target is None:
            after = Cycle(branch_id, cycle.year + 1, Stage.SURVEY)
            await check_current(work.conn, cycle)
            await store.create_cycle(work.conn, branch_id, after.year, after.stage, now)
        else:
            after = Cycle(branch_id, cycle.year, target)
            if not await store.move_cycle(work.conn, cycle, target, now):
                raise Conflict("post_stage_changed")
        await _audit(work, "posts.stage_forward", cycle, f"{after.year}:{after.stage}")
        members = await store.active_members(db, branch_id)
        for person in members:
            if person.id != work.person.id:
                await work.tell(
                    person.telegram_id,
                    f"post-stage:{branch_id}:{after.year}:{after.stage}:{now.isoformat()}:{person.id}",
                    text=STAGE_NEWS[after.stage],
                    params={"year": after.year},
                )
    return StageMove(cycle, after, members)


@effect
async def go_back(
    db: Database, actor: Actor, branch_id: int, seen: Stage, reason: str, today: date
) -> StageMove:
    """Back one stage within the year, with a reason for the record."""
    cycle = await _seen(db, actor, branch_id, seen, today)
    target = previous_stage(cycle.stage)
    if target is None:
        raise Conflict("post_stage_first")
    reason = checked_text(reason, limit=200, code="post_reason_empty")
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        if not await store.move_cycle(work.conn, cycle, target, utcnow()):
            raise Conflict("post_stage_changed")
        await _audit(work, "posts.stage_back", cycle, str(target), reason=reason)
    return StageMove(cycle, Cycle(branch_id, cycle.year, target))
