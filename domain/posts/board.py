"""The board: the branch's posts with their holders, pending claims and waiting lists
this year, as members and the secretary read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.access import Actor, require
from domain.models import PersonStatus, Role
from domain.post_models import HOLDING, Claim, ClaimStatus, Cycle, Post
from domain.posts.common import Holder, cycle_of, member, people_by_id, secretary_cycle
from storage import posts as store
from storage.db import Database


@dataclass(frozen=True)
class PostView:
    post: Post
    holders: list[Holder]
    pending: list[Holder]
    waiting: list[Holder]

    @property
    def taken(self) -> int:
        return len(self.holders) + len(self.pending)


@dataclass(frozen=True)
class Board:
    cycle: Cycle
    limit: int
    posts: list[PostView]
    mine: list[Claim] = field(default_factory=list)

    def view(self, post_id: int) -> PostView | None:
        return next((v for v in self.posts if v.post.id == post_id), None)


async def board(
    db: Database,
    branch_id: int,
    today: date,
    person_id: int | None = None,
    *,
    retired: bool = False,
) -> Board:
    """The posts with their holders this year; `retired` adds retired posts, whose holders
    still belong to the year's record (assessment)."""
    cycle = await cycle_of(db, branch_id, today)
    claims = await store.branch_claims(db, branch_id, cycle.year, (*HOLDING, ClaimStatus.WAITING))
    who = await people_by_id(db, (c.person_id for c in claims))
    views = []
    for post in await store.branch_posts(db, branch_id, retired=retired):
        # Who left the branch is in the year's record (person_posts), not on its board.
        mine = [
            Holder(c, who[c.person_id])
            for c in claims
            if c.post_id == post.id and who[c.person_id].status is not PersonStatus.LEFT
        ]
        views.append(
            PostView(
                post,
                holders=[
                    h for h in mine if h.claim.status in (ClaimStatus.APPROVED, ClaimStatus.LEAVING)
                ],
                pending=[h for h in mine if h.claim.status is ClaimStatus.PENDING],
                waiting=[h for h in mine if h.claim.status is ClaimStatus.WAITING],
            )
        )
    own = [c for c in claims if c.person_id == person_id] if person_id else []
    return Board(cycle, await store.member_limit(db, branch_id), views, own)


async def member_board(db: Database, actor: Actor, today: date) -> Board:
    me = member(actor)
    assert me.branch_id is not None
    return await board(db, me.branch_id, today, me.id)


async def secretary_board(db: Database, actor: Actor, branch_id: int, today: date) -> Board:
    """The board a secretary administers; the secretary may be no member of the branch."""
    require(actor, Role.SECRETARY, branch_id)
    return await board(db, branch_id, today)


async def all_posts(db: Database, actor: Actor, branch_id: int, today: date) -> list[Post]:
    """Every post of the branch, retired ones too (the secretary's list)."""
    await secretary_cycle(db, actor, branch_id, today)
    return await store.branch_posts(db, branch_id, retired=True)


async def post_by_id(db: Database, post_id: int) -> Post:
    """A post named in a queued message, to render it: the role was checked when the
    message was queued."""
    post = await store.get_post(db, post_id)
    assert post is not None
    return post
