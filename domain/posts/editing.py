"""The secretary edits the branch's posts: duties, places, retiring one, adding one, and
how many posts one member may hold."""

from __future__ import annotations

from datetime import date

from domain.access import Actor
from domain.effects import effect
from domain.errors import Conflict, NotFound
from domain.models import Role
from domain.post_models import DEFAULT_CAPACITY, Post, check_capacity, check_member_limit
from domain.posts.common import (
    NAME_MAX,
    Holder,
    checked_text,
    holders_of,
    secretary_cycle,
)
from domain.posts.waiting_list import promote
from domain.unit_of_work import unit_of_work
from storage import posts as store
from storage.db import Database, iso, utcnow


@effect
async def _edit(
    db: Database, actor: Actor, post_id: int, action: str, **fields
) -> tuple[Post, list[Holder]]:
    async with unit_of_work(db, actor) as work:
        conn = work.conn
        post = await store.get_post(conn, post_id)
        if post is None:
            raise NotFound("post_unknown")
        work.require(Role.SECRETARY, post.branch_id)
        if post.retired:
            raise Conflict("post_retired")
        cycle = await store.latest_cycle(conn, post.branch_id)
        if "capacity" in fields:
            holding = await store.places_taken(conn, post.id, cycle.year) if cycle else 0
            fields["capacity"] = check_capacity(fields["capacity"], holding)
        await store.update_post(conn, post.id, **fields)
        promoted = []
        if "capacity" in fields and cycle is not None:
            fresh = await store.get_post(conn, post.id)
            promoted = await promote(conn, fresh, cycle.year, utcnow())
        await work.audit(
            action, "post", post.id, **{k: v for k, v in fields.items() if k != "retired_at"}
        )
        updated = await store.get_post(conn, post.id)
    assert updated is not None
    return updated, await holders_of(db, promoted)


async def edit_duties(db: Database, actor: Actor, post_id: int, text: str) -> Post:
    post, _none = await _edit(db, actor, post_id, "posts.duties_edited", duties=checked_text(text))
    return post


async def set_capacity(
    db: Database, actor: Actor, post_id: int, capacity: int
) -> tuple[Post, list[Holder]]:
    """More places go to the waiting list first: those promoted are returned to be told."""
    return await _edit(db, actor, post_id, "posts.capacity_set", capacity=capacity)


async def retire(db: Database, actor: Actor, post_id: int) -> Post:
    """Closed to new claims; its holders and records stay in the history."""
    post, _none = await _edit(db, actor, post_id, "posts.retired", retired_at=iso(utcnow()))
    return post


async def member_limit(db: Database, branch_id: int) -> int:
    return await store.member_limit(db, branch_id)


@effect
async def set_member_limit(
    db: Database, actor: Actor, branch_id: int, limit: int, today: date
) -> int:
    """How many posts one member may hold; claims already made are kept when it drops."""
    await secretary_cycle(db, actor, branch_id, today)
    limit = check_member_limit(limit)
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        await store.set_member_limit(work.conn, branch_id, limit)
        await work.audit("posts.limit_set", "branch", branch_id, limit=limit)
    return limit


@effect
async def add_post(db: Database, actor: Actor, branch_id: int, name: str, today: date) -> Post:
    await secretary_cycle(db, actor, branch_id, today)
    name = checked_text(name, limit=NAME_MAX, code="post_name_empty")
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        existing = await store.branch_posts(work.conn, branch_id)
        if any(p.name == name for p in existing):
            raise Conflict("post_name_taken")
        post_id = await store.add_post(work.conn, branch_id, name, DEFAULT_CAPACITY, utcnow())
        await work.audit("posts.added", "post", post_id, name=name)
        post = await store.get_post(work.conn, post_id)
    assert post is not None
    return post
