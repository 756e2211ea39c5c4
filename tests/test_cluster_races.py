"""The writes that must be serial stay serial with several instances on one PostgreSQL
database: each instance is a `Database` handle of its own, so nothing in this process
orders them; PostgreSQL's write lock (storage.db.WRITER_LOCK, taken by every write
transaction as SQLite's `BEGIN IMMEDIATE` takes its own) does. The same races as the rule
suites' (one handle), spread over three instances."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import date

import pytest

from domain import admin, hours, mobile
from domain import posts as rules
from domain.access import actor
from domain.activity import ActivityKind
from domain.errors import Conflict, InvalidInput
from storage import inbox
from storage.db import Database
from tests.test_mobile_rules import outflows_to_decide
from tests.test_posts_rules import TODAY as POSTS_TODAY
from tests.test_posts_rules import one_place_open
from tests.world import branch_with_member, member_actor

INSTANCES = 3


@pytest.fixture
async def handles(postgres_url):
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(Database(postgres_url)) for _ in range(INSTANCES)]


def _spread(handles: list[Database], count: int) -> list[Database]:
    return [handles[i % len(handles)] for i in range(count)]


async def test_the_last_place_of_a_post_has_one_winner_across_instances(handles):
    db = handles[0]
    branch = await admin.add_branch(db, "幸福社区党支部")
    await admin.add_secretary(db, branch.id, 1)
    secretary = await actor(db, 1)
    members = [
        await member_actor(db, branch.id, 100 + i, f"成员{i}", category=None) for i in range(6)
    ]
    post = await one_place_open(db, branch, secretary)
    outcomes = await asyncio.gather(
        *(
            rules.claim(on, m, post.id, POSTS_TODAY)
            for on, m in zip(_spread(handles, 6), members, strict=True)
        ),
        return_exceptions=True,
    )
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(lost) == 5, outcomes
    assert all(isinstance(e, Conflict) and e.code == "post_full" for e in lost)
    assert await db.fetchval("SELECT COUNT(*) FROM post_claims") == 1


async def test_certificate_serials_have_no_gaps_or_duplicates_across_instances(handles):
    today = date.today()
    secretary, _, _, ids = await outflows_to_decide(handles[0], 9, today)
    decided = await asyncio.gather(
        *(
            mobile.decide(on, secretary, i, approve=True, today=today)
            for on, i in zip(_spread(handles, 9), ids, strict=True)
        )
    )
    serials = sorted(int(d.certificate.number.rsplit("-", 1)[1]) for d in decided)
    assert serials == list(range(1, 10))


async def test_a_day_never_exceeds_24_hours_across_instances(handles):
    db = handles[0]
    _, member = await branch_with_member(db)
    day = date(2026, 11, 25)
    draft = hours.Draft(ActivityKind.VOLUNTEER, day, 24, "值班")
    results = await asyncio.gather(
        *(hours.log(on, member, draft, today=day) for on in _spread(handles, 6)),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(refused) == 4 and all(r.code == "hours_day_full" for r in refused), results
    assert await db.fetchval("SELECT SUM(half_hours) FROM hour_records") == 48


async def test_a_redelivery_reaching_every_instance_at_once_is_stored_once(handles):
    updates = [
        {"update_id": n, "message": {"text": "/start", "chat": {"id": n}}} for n in range(30)
    ]
    stored = await asyncio.gather(
        *(
            inbox.receive(on, update["update_id"], update, 7, shared=True)
            for update in updates
            for on in handles
        )
    )
    assert stored.count(True) == len(updates)
    assert await handles[0].fetchval("SELECT COUNT(*) FROM ptb_inbox") == len(updates)
