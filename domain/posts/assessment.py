"""Assessment (考核评岗): the secretary reads each holder's record and rates it; a person's
posts and ratings over a period, as the quarterly feedback reports them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.access import Actor, require
from domain.effects import effect
from domain.errors import Conflict
from domain.i18n import N_
from domain.models import Role
from domain.post_models import (
    Action,
    Assessment,
    ClaimStatus,
    DutyRecord,
    Post,
    Rating,
    check_stage,
)
from domain.posts.board import board
from domain.posts.common import (
    TEXT_MAX,
    Holder,
    claim_and_post,
    member,
    secretary_cycle,
    tell_member,
)
from domain.unit_of_work import unit_of_work
from domain.validation import clean_text
from storage import people
from storage import posts as store
from storage.db import Database, utcnow


@dataclass(frozen=True)
class HolderRecord:
    """What a holder did on a post this year: the secretary reads it before rating."""

    holder: Holder
    post: Post
    duties: list[DutyRecord]

    @property
    def minutes(self) -> int:
        return sum(d.minutes or 0 for d in self.duties)


async def holder_record(db: Database, actor: Actor, claim_id: int) -> HolderRecord:
    found, post = await claim_and_post(db, claim_id)
    require(actor, Role.SECRETARY, post.branch_id)
    person = await people.get(db, found.person_id)
    assert person is not None
    duties = [
        d for d in await store.duties_of(db, found.person_id, found.year) if d.post_id == post.id
    ]
    return HolderRecord(Holder(found, person), post, duties)


@dataclass(frozen=True)
class Rated:
    holder: Holder
    post: Post
    assessment: Assessment | None


async def assessment_sheet(db: Database, actor: Actor, branch_id: int, today: date) -> list[Rated]:
    """Every holder of the year with their rating so far: the secretary's form."""
    cycle = await secretary_cycle(db, actor, branch_id, today)
    found = await board(db, branch_id, today, retired=True)
    done = await store.assessments_in(db, branch_id, cycle.year)
    return [
        Rated(h, view.post, done.get((view.post.id, h.person.id)))
        for view in found.posts
        for h in view.holders
    ]


@effect
async def assess(
    db: Database,
    actor: Actor,
    claim_id: int,
    rating: Rating,
    comment: str,
    today: date,
) -> Rated:
    found, post = await claim_and_post(db, claim_id)
    cycle = await secretary_cycle(db, actor, post.branch_id, today)
    check_stage(cycle.stage, Action.ASSESS)
    if found.year != cycle.year or found.status not in (ClaimStatus.APPROVED, ClaimStatus.LEAVING):
        raise Conflict("post_not_holder_of_year")
    comment = clean_text(comment or "")[:TEXT_MAX]
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=post.branch_id) as work:
        await store.save_assessment(work.conn, found, rating, comment, work.person.id, utcnow())
        await work.audit("posts.assessed", "post_claim", found.id, rating=str(rating))
        person = await people.get_for_update(work.conn, found.person_id)
        await tell_member(
            work.conn,
            person,
            f"post-assessed:{found.id}:{utcnow().isoformat()}",
            N_("Your assessment on {post}: {rating}."),
            post,
            rating=str(rating),
            comment=comment,
        )
    assert person is not None
    done = await store.assessments_in(db, post.branch_id, cycle.year)
    return Rated(Holder(found, person), post, done.get((post.id, person.id)))


@dataclass(frozen=True)
class PostRecord:
    """One post a person held in a year, with its assessment if made."""

    year: int
    post: Post
    assessment: Assessment | None
    duty_count: int
    duty_minutes: int


async def person_posts(db: Database, person_id: int, start: date, end: date) -> list[PostRecord]:
    """The posts a person held in the cycles of `start`..`end` and their latest
    assessments: what the quarterly feedback to a cadre's unit reports. No role check:
    the caller decides who may read it."""
    return (await people_posts(db, [person_id], start, end)).get(person_id, [])


async def people_posts(
    db: Database, person_ids: Sequence[int], start: date, end: date
) -> dict[int, list[PostRecord]]:
    """`person_posts` for many people in a few statements, whoever has held a post."""
    years = range(start.year, end.year + 1)
    held = await store.held_claims_of(db, person_ids, years)
    rated = {
        (a.person_id, a.post_id, a.year): a
        for a in await store.assessments_of(db, person_ids, years)
    }
    duties: dict[tuple[int, int, int], list[DutyRecord]] = {}
    for record in await store.duties_done(db, person_ids, years, start, end):
        duties.setdefault((record.person_id, record.post_id, record.year), []).append(record)
    posts = await store.posts_by_id(db, (claim.post_id for claim in held))
    found: dict[int, list[PostRecord]] = {}
    for claim in held:
        key = (claim.person_id, claim.post_id, claim.year)
        mine = duties.get(key, [])
        found.setdefault(claim.person_id, []).append(
            PostRecord(
                claim.year,
                posts[claim.post_id],
                rated.get(key),
                len(mine),
                sum(r.minutes or 0 for r in mine),
            )
        )
    return found


async def my_results(db: Database, actor: Actor, today: date) -> list[PostRecord]:
    me = member(actor)
    return await person_posts(db, me.id, date(today.year - 1, 1, 1), today)
