"""A branch's hours settings: how many days back members may log, and what its summaries
count (verified hours only, or attested hours too)."""

from __future__ import annotations

import aiosqlite

from domain.access import Actor, require
from domain.effects import effect
from domain.errors import InvalidInput
from domain.hours.rules import DEFAULT_WINDOW_DAYS, WINDOW_CHOICES
from domain.hours.totals import Counting
from domain.models import Role
from domain.unit_of_work import unit_of_work
from storage import hours as store
from storage.db import Database


async def window(db: Database | aiosqlite.Connection, branch_id: int) -> int:
    """How many days back the branch's members may log hours."""
    found = await store.window_days(db, branch_id)
    return DEFAULT_WINDOW_DAYS if found is None else found


async def window_of(db: Database, actor: Actor, branch_id: int) -> int:
    require(actor, Role.SECRETARY, branch_id)
    return await window(db, branch_id)


@effect
async def set_window(db: Database, actor: Actor, branch_id: int, days: int) -> int:
    """How many days back the branch's members may log hours."""
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=branch_id) as work:
        if days not in WINDOW_CHOICES:
            raise InvalidInput("window_invalid")
        await store.set_window_days(work.conn, branch_id, days)
        await work.audit("hours.window_set", "branch", branch_id, days=days)
    return days


async def counting_of(db: Database, branch_id: int) -> Counting:
    counts = await store.count_attested(db, branch_id)
    return Counting.WITH_ATTESTED if counts else Counting.VERIFIED


async def counting_branches(db: Database) -> set[int]:
    """The branches whose summaries count attested hours too."""
    return await store.branches_counting_attested(db)


@effect
async def set_counting(
    db: Database, actor: Actor | None, branch_id: int, counting: Counting
) -> Counting:
    """What the branch's summaries count; a secretary of the branch decides (`actor`), or
    the operator from the command line (no actor)."""
    role = None if actor is None else Role.SECRETARY
    counting = Counting(counting)
    async with unit_of_work(db, actor, role=role, branch_id=branch_id) as work:
        await store.set_count_attested(work.conn, branch_id, counting is Counting.WITH_ATTESTED)
        await work.audit("hours.counting_set", "branch", branch_id, counting=str(counting))
    return counting
