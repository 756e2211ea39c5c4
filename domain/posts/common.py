"""What every flow of the posts shares: who counts as a member, the branch's current
cycle (seeded on first use), a post of the branch, the checks on typed text and the notice
a member gets about a post."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain import notices
from domain.access import Actor, require
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.models import Person, Role
from domain.post_models import (
    COUNTY_POSTS,
    DEFAULT_CAPACITY,
    Action,
    Claim,
    Cycle,
    Post,
    Stage,
    check_stage,
)
from domain.unit_of_work import unit_of_work
from domain.validation import clean_text
from storage import people
from storage import posts as store
from storage.db import Database, utcnow

BRANCH_CHAT = "branch"
# Outbox templates, rendered by handlers/posts/notices.py.
NOTICE_TEMPLATE = "posts.notice"
PUBLICATION_TEMPLATE = "posts.publication"
TEXT_MAX = 1000
NAME_MAX = 30


def member(actor: Actor) -> Person:
    """An active member with a branch; posts are a member's business only."""
    if not actor.member:
        raise NotAllowed("post_members_only")
    return actor.person


async def cycle_of(db: Database, branch_id: int, today: date) -> Cycle:
    """The branch's current cycle, seeding its posts and first cycle when needed."""
    cycle = await store.latest_cycle(db, branch_id)
    if cycle is not None and await store.is_seeded(db, branch_id):
        return cycle
    # Nobody acts: whoever first opened the posts only read them.
    async with unit_of_work(db, None, branch_id=branch_id) as work:
        if not await store.is_seeded(work.conn, branch_id):
            added = await store.seed(
                work.conn, branch_id, [p.code for p in COUNTY_POSTS], DEFAULT_CAPACITY, utcnow()
            )
            await work.audit("posts.seeded", "branch", branch_id, added=added)
        if await store.latest_cycle(work.conn, branch_id) is None:
            await store.create_cycle(work.conn, branch_id, today.year, Stage.SURVEY, utcnow())
        cycle = await store.latest_cycle(work.conn, branch_id)
    assert cycle is not None
    return cycle


async def member_cycle(
    db: Database, actor: Actor, today: date, action: Action | None = None
) -> tuple[Person, Cycle]:
    """The member and their branch's cycle; with `action`, refused unless its stage allows it."""
    me = member(actor)
    assert me.branch_id is not None
    cycle = await cycle_of(db, me.branch_id, today)
    if action is not None:
        check_stage(cycle.stage, action)
    return me, cycle


async def secretary_cycle(db: Database, actor: Actor, branch_id: int, today: date) -> Cycle:
    """The branch's cycle for its secretary, checked before a first use seeds it."""
    require(actor, Role.SECRETARY, branch_id)
    return await cycle_of(db, branch_id, today)


async def check_current(conn, cycle: Cycle) -> None:
    """Inside the write: the cycle read before it is still the branch's current one."""
    if await store.latest_cycle(conn, cycle.branch_id) != cycle:
        raise Conflict("post_stage_changed")


async def post_of_branch(conn, post_id: int, branch_id: int, *, active: bool = True) -> Post:
    post = await store.get_post(conn, post_id)
    # Another branch's post reads exactly like a missing one: its existence is not shown.
    if post is None or post.branch_id != branch_id:
        raise NotFound("post_unknown")
    if active and post.retired:
        raise Conflict("post_retired")
    return post


def checked_text(value: str, *, limit: int = TEXT_MAX, code: str = "post_text_empty") -> str:
    text = clean_text(value or "")
    if not text:
        raise InvalidInput(code)
    if len(text) > limit:
        raise InvalidInput("post_text_too_long", max=limit)
    return text


async def tell_member(
    conn, person: Person | None, key: str, text: str, post: Post, **params: object
) -> None:
    """A member learns something about `post` (rendered with the post's name in their
    language; see NOTICE_TEMPLATE)."""
    if person is not None:
        await notices.to_person(
            conn,
            person.telegram_id,
            key,
            template=NOTICE_TEMPLATE,
            params={"text": text, "post": post.id, **params},
            branch_id=post.branch_id,
        )


@dataclass(frozen=True)
class Holder:
    claim: Claim
    person: Person


async def people_by_id(db: Database, ids: Iterable[int]) -> dict[int, Person]:
    found = {}
    for person_id in set(ids):
        person = await people.get(db, person_id)
        if person is not None:
            found[person_id] = person
    return found


async def holders_of(db: Database, claims: list[Claim]) -> list[Holder]:
    who = await people_by_id(db, (c.person_id for c in claims))
    return [Holder(c, who[c.person_id]) for c in claims]


async def load_claim(conn, claim_id: int) -> Claim:
    found = await store.get_claim(conn, claim_id)
    if found is None:
        raise NotFound("post_claim_unknown")
    return found


async def claim_and_post(db: Database, claim_id: int) -> tuple[Claim, Post]:
    found = await load_claim(db, claim_id)
    post = await store.get_post(db, found.post_id)
    assert post is not None
    return found, post
