"""The waiting list of a full post: a freed place goes to whoever came first, and the
secretary decides as for any claim."""

from __future__ import annotations

from datetime import datetime

from domain.i18n import N_
from domain.models import Person
from domain.post_models import Claim, ClaimStatus, Post
from domain.posts.common import tell_member
from domain.unit_of_work import UnitOfWork
from storage import people
from storage import posts as store


async def promote(conn, post: Post, year: int, now: datetime) -> list[Claim]:
    """Freed places go to the waiting list in order of arrival."""
    free = post.capacity - await store.places_taken(conn, post.id, year)
    promoted = []
    for waiting in (await store.claims_of_post(conn, post.id, year, (ClaimStatus.WAITING,)))[
        : max(free, 0)
    ]:
        if await store.set_claim_status(conn, waiting, ClaimStatus.PENDING, now):
            promoted.append(waiting)
            await tell_member(
                conn,
                await people.get_for_update(conn, waiting.person_id),
                f"post-promoted:{waiting.id}:{now.isoformat()}",
                N_(
                    "A place on {post} is free and it is yours if the secretary approves: "
                    "you were first on the waiting list."
                ),
                post,
            )
            # Nobody acted: the place came free (within the change of whoever freed it).
            work = UnitOfWork.joining(conn, branch_id=post.branch_id)
            await work.audit("posts.promoted", "post_claim", waiting.id, post=post.id)
    return promoted


async def free_places_of(conn, person: Person, now: datetime) -> None:
    """Called when `person` has left the branch: their claims of this year stay in its record
    but hold no place any more, so each post's waiting list moves up."""
    assert person.branch_id is not None
    cycle = await store.latest_cycle(conn, person.branch_id)
    if cycle is None:
        return
    claims = await store.open_claims_of(
        conn, person.id, cycle.year, (ClaimStatus.APPROVED, ClaimStatus.WITHDRAWN)
    )
    for post_id in dict.fromkeys(c.post_id for c in claims):
        post = await store.get_post(conn, post_id)
        assert post is not None
        await promote(conn, post, cycle.year, now)
