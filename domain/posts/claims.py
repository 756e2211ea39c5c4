"""Claims (申报上岗): a member claims a post or joins its waiting list, withdraws or asks
to leave; the secretary approves, rejects and lets holders go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict, NotFound
from domain.i18n import N_
from domain.models import Person, Role
from domain.post_models import (
    Action,
    Claim,
    ClaimStatus,
    Cycle,
    Post,
    check_claim,
    check_stage,
    check_waiting,
)
from domain.posts.common import (
    NOTICE_TEMPLATE,
    Holder,
    check_current,
    checked_text,
    claim_and_post,
    holders_of,
    load_claim,
    member_cycle,
    post_of_branch,
    secretary_cycle,
    tell_member,
)
from domain.posts.waiting_list import promote
from domain.unit_of_work import UnitOfWork, unit_of_work
from storage import people
from storage import posts as store
from storage.db import Database, utcnow

# What the member is told of the secretary's decision: (status before, after) → message.
OUTCOME_NEWS = {
    (ClaimStatus.PENDING, ClaimStatus.APPROVED): N_(
        "Your claim of {post} is approved. Thank you for taking it on!"
    ),
    (ClaimStatus.LEAVING, ClaimStatus.WITHDRAWN): N_(
        "The secretary agreed: you no longer hold {post}."
    ),
    (ClaimStatus.LEAVING, ClaimStatus.APPROVED): N_(
        "The secretary asks you to stay on {post} for now; please talk with them."
    ),
    (ClaimStatus.PENDING, ClaimStatus.REJECTED): N_(
        "Your claim of {post} was not approved. Reason: {reason}"
    ),
}


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    post: Post
    person: Person
    secretaries: list[Person] = field(default_factory=list)
    # Waiting members who got a freed place: they are told, the secretary decides.
    promoted: list[Holder] = field(default_factory=list)


async def _claim_checks(conn, me: Person, post_id: int, cycle: Cycle):
    post = await post_of_branch(conn, post_id, me.branch_id)
    params = dict(
        open_claims=len(await store.open_claims_of(conn, me.id, cycle.year)),
        limit=await store.member_limit(conn, me.branch_id),
        taken=await store.places_taken(conn, post.id, cycle.year),
        capacity=post.capacity,
        twice=await store.open_claim(conn, post.id, me.id, cycle.year) is not None,
    )
    return post, params


async def _ask_secretaries(
    work: UnitOfWork, key: str, text: str, post: Post, claim_id: int, keyboard: str
) -> None:
    """The branch's secretaries get a member's request with the buttons to decide it."""
    assert work.person is not None
    await work.tell_secretaries(
        key,
        template=NOTICE_TEMPLATE,
        params={
            "text": text,
            "post": post.id,
            "name": work.person.display_name,
            "keyboard": keyboard,
            "claim": claim_id,
        },
    )


@effect
async def _open_claim(
    db: Database, actor: Actor, post_id: int, today: date, *, waiting: bool
) -> ClaimResult:
    me, cycle = await member_cycle(db, actor, today, Action.CLAIM)
    # Counting the places and taking one happen in one write transaction, so two members
    # pressing for the last place at once are served one after the other.
    async with unit_of_work(db, actor, branch_id=me.branch_id) as work:
        await check_current(work.conn, cycle)
        post, params = await _claim_checks(work.conn, me, post_id, cycle)
        (check_waiting if waiting else check_claim)(**params)
        status = ClaimStatus.WAITING if waiting else ClaimStatus.PENDING
        claim_id = await store.insert_claim(work.conn, post.id, me.id, cycle.year, status, utcnow())
        await work.audit(
            "posts.waiting" if waiting else "posts.claimed",
            "post_claim",
            claim_id,
            post=post.id,
            year=cycle.year,
        )
        claim = await store.get_claim(work.conn, claim_id)
        if not waiting:
            await _ask_secretaries(
                work,
                f"post-claim:{claim_id}",
                N_("{name} claims the post {post}."),
                post,
                claim_id,
                "claim",
            )
    assert claim is not None
    return ClaimResult(claim, post, me, await people.secretaries(db, me.branch_id))


async def claim(db: Database, actor: Actor, post_id: int, today: date) -> ClaimResult:
    return await _open_claim(db, actor, post_id, today, waiting=False)


async def join_waiting_list(db: Database, actor: Actor, post_id: int, today: date) -> ClaimResult:
    return await _open_claim(db, actor, post_id, today, waiting=True)


async def _reload(conn, claim_id: int) -> tuple[Claim, Person]:
    claim = await store.get_claim(conn, claim_id)
    assert claim is not None
    person = await people.get_for_update(conn, claim.person_id)
    assert person is not None
    return claim, person


@effect
async def _settle(
    db: Database,
    actor: Actor,
    claim_id: int,
    today: date,
    expected: ClaimStatus,
    target: ClaimStatus,
    action: str,
    reason: str | None = None,
) -> ClaimResult:
    """The secretary moves a claim on from `expected`, once; a place that frees up goes
    to the waiting list."""
    found, post = await claim_and_post(db, claim_id)
    cycle = await secretary_cycle(db, actor, post.branch_id, today)
    if found.status is not expected or found.year != cycle.year:
        raise Conflict("already_decided")
    check_stage(cycle.stage, Action.DECIDE)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=post.branch_id) as work:
        now = utcnow()
        if not await store.set_claim_status(
            work.conn, found, target, now, decided_by=work.person.id, reason=reason
        ):
            raise Conflict("already_decided")
        frees = target in (ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN)
        promoted = await promote(work.conn, post, found.year, now) if frees else []
        await work.audit(action, "post_claim", found.id, reason=reason)
        claim, person = await _reload(work.conn, found.id)
        await tell_member(
            work.conn,
            person,
            f"post-decided:{found.id}:{expected}-{target}:{now.isoformat()}",
            OUTCOME_NEWS[expected, target],
            post,
            reason=reason or "",
        )
    return ClaimResult(claim, post, person, promoted=await holders_of(db, promoted))


async def decide_claim(
    db: Database,
    actor: Actor,
    claim_id: int,
    *,
    approve: bool,
    reason: str | None,
    today: date,
) -> ClaimResult:
    """The secretary approves a pending claim, or rejects it with a reason."""
    if not approve:
        reason = checked_text(reason or "", limit=200, code="post_reason_empty")
    target = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
    action = "posts.claim_approved" if approve else "posts.claim_rejected"
    return await _settle(db, actor, claim_id, today, ClaimStatus.PENDING, target, action, reason)


@effect
async def withdraw(db: Database, actor: Actor, claim_id: int, today: date) -> ClaimResult:
    """A member takes back a pending claim or leaves the waiting list at once; an approved
    holder only asks, and the secretary consents (`decide_leave`)."""
    me, cycle = await member_cycle(db, actor, today)
    async with unit_of_work(db, actor, branch_id=me.branch_id) as work:
        found = await load_claim(work.conn, claim_id)
        if found.person_id != me.id:
            raise NotFound("post_claim_unknown")
        if found.year != cycle.year:
            raise Conflict("post_wrong_stage", stage=str(cycle.stage))
        if found.status is not ClaimStatus.WAITING:
            check_stage(cycle.stage, Action.WITHDRAW)
        post = await store.get_post(work.conn, found.post_id)
        assert post is not None
        now = utcnow()
        if found.status in (ClaimStatus.PENDING, ClaimStatus.WAITING):
            target = ClaimStatus.WITHDRAWN
        elif found.status is ClaimStatus.APPROVED:
            target = ClaimStatus.LEAVING
        else:
            raise Conflict("post_withdraw_done")
        if not await store.set_claim_status(work.conn, found, target, now, decided_by=None):
            raise Conflict("conflict")
        promoted = (
            await promote(work.conn, post, found.year, now)
            if found.status is ClaimStatus.PENDING
            else []
        )
        await work.audit(
            "posts.withdrawn" if target is ClaimStatus.WITHDRAWN else "posts.leave_asked",
            "post_claim",
            found.id,
        )
        claim, person = await _reload(work.conn, found.id)
        if target is ClaimStatus.LEAVING:
            await _ask_secretaries(
                work,
                f"post-leave:{found.id}:{now.isoformat()}",
                N_("{name} asks to withdraw from {post}."),
                post,
                found.id,
                "leave",
            )
    return ClaimResult(
        claim,
        post,
        person,
        secretaries=await people.secretaries(db, me.branch_id),
        promoted=await holders_of(db, promoted),
    )


async def decide_leave(
    db: Database, actor: Actor, claim_id: int, *, agree: bool, today: date
) -> ClaimResult:
    """The secretary lets a holder go, or keeps them on the post."""
    target = ClaimStatus.WITHDRAWN if agree else ClaimStatus.APPROVED
    action = "posts.leave_agreed" if agree else "posts.leave_refused"
    return await _settle(db, actor, claim_id, today, ClaimStatus.LEAVING, target, action)


async def pending(db: Database, actor: Actor, branch_id: int, today: date) -> list[Holder]:
    """Claims and leave requests waiting for the secretary, oldest post first."""
    cycle = await secretary_cycle(db, actor, branch_id, today)
    claims = await store.branch_claims(
        db, branch_id, cycle.year, (ClaimStatus.PENDING, ClaimStatus.LEAVING)
    )
    return await holders_of(db, claims)
