"""One queue of everything waiting for a secretary, oldest first.

The queue only reads: each item is decided by its own feature (the buttons the handler
shows are the features' own, whose domain functions check the role again). The one
decision made here is approving many hours records at once, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain import hours
from domain.access import Actor, require
from domain.activity import HourStatus
from domain.effects import effect
from domain.errors import Conflict, NotAllowed, NotFound
from domain.models import Role
from domain.unit_of_work import unit_of_work
from storage import hours as hours_store
from storage import pending as store
from storage import people
from storage.db import Database, parse_iso


class Kind(StrEnum):
    JOIN = "join"  # an application to join the branch
    MOBILE = "mobile"  # a mobile member's registration
    CHANGE = "change"  # changes a mobile member reported
    CLAIM = "claim"  # a claim on a responsibility post
    LEAVE = "leave"  # a post holder asking to give the post up
    HOURS = "hours"  # an activity hours record
    CADRE = "cadre"  # a cadre's registration for the year


@dataclass(frozen=True)
class Item:
    kind: Kind
    id: int
    branch_id: int
    person_id: int
    name: str
    since: datetime
    detail: str | None  # what it is about: a post, a kind of activity, a direction…
    amount: int | None  # hours: half-hours; mobile change: its registration; claim: the post


def _item(row) -> Item:
    since = parse_iso(row["since"])
    assert since is not None
    return Item(
        Kind(row["kind"]),
        row["id"],
        row["branch_id"],
        row["person_id"],
        row["name"] or "?",
        since,
        row["detail"],
        row["amount"],
    )


async def queue(db: Database, actor: Actor) -> list[Item]:
    """What waits in every branch where `actor` is secretary, oldest first."""
    branches = actor.branches_where(Role.SECRETARY)
    if not branches:
        raise NotAllowed("not_allowed")
    found = [_item(r) for b in branches for r in await store.in_branch(db, b)]
    return sorted(found, key=lambda i: (i.since, i.kind, i.id))


async def counts(db: Database, branch_id: int) -> dict[Kind, int]:
    """Waiting items per kind, for the digest (a job; no one asks)."""
    return {Kind(k): n for k, n in (await store.counts(db, branch_id)).items()}


async def item(db: Database, actor: Actor, kind: str, item_id: int) -> Item:
    """One waiting item, for a secretary of its branch."""
    row = await store.one(db, kind, item_id)
    if row is None:
        raise NotFound("pending_gone")
    require(actor, Role.SECRETARY, row["branch_id"])
    return _item(row)


async def phone_of(db: Database, item: Item) -> str | None:
    """The phone of the person an item is about, shown to the secretary who opened it."""
    person = await people.get(db, item.person_id)
    return person.phone if person is not None else None


@dataclass(frozen=True)
class Batch:
    approved: int
    own: int  # the secretary's own records, skipped: another secretary must verify them


def batches(items: list[Item], actor: Actor) -> dict[int, list[Item]]:
    """The hours records in `items` that `actor` may approve together, per branch: two or
    more, and not their own (another secretary approves those)."""
    own = actor.person.id if actor.person else None
    found: dict[int, list[Item]] = {}
    for item in items:
        if item.kind is Kind.HOURS and item.person_id != own:
            found.setdefault(item.branch_id, []).append(item)
    return {branch: records for branch, records in found.items() if len(records) >= 2}


@effect
async def approve_hours(db: Database, actor: Actor, branch_id: int, last_id: int) -> Batch:
    """Verify the branch's pending hours records up to `last_id` (those the secretary was
    shown) at once: all or none, except the secretary's own, which are skipped. Each
    member is told about each record."""
    async with unit_of_work(db, actor) as work:
        secretary = work.require(Role.SECRETARY, branch_id)
        found = await store.hours_up_to(work.conn, branch_id, last_id)
        records = [r for r in found if r["person_id"] != secretary.id]
        own = len(found) - len(records)
        if not records:
            if own:
                await hours.refuse_own(db, secretary.id, branch_id, own)
            raise Conflict("pending_hours_none")
        for record in records:
            await hours_store.set_status(
                work.conn, record["id"], HourStatus.VERIFIED, decided_by=secretary.id
            )
            await work.audit("hours.approved", "hour_record", record["id"], batch=True)
            await hours.tell_decision(work.conn, record["id"])
    return Batch(len(records), own)
