"""Performing a post (上岗履职): holders record what they did (the hours go to the activity
ledger) and note residents' requests for the secretary to follow up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain import hours
from domain.access import Actor
from domain.activity import ActivityKind
from domain.effects import effect
from domain.errors import InvalidInput, NotAllowed
from domain.models import Person, Role
from domain.post_models import Action, ClaimStatus, Cycle, DutyRecord, Post
from domain.posts.common import (
    checked_text,
    member_cycle,
    people_by_id,
    post_of_branch,
    secretary_cycle,
)
from domain.unit_of_work import unit_of_work
from storage import posts as store
from storage.db import Database, parse_iso, utcnow


async def _held_claim(conn, me: Person, post_id: int, cycle: Cycle) -> Post:
    post = await post_of_branch(conn, post_id, me.branch_id, active=False)
    held = await store.open_claim(conn, post.id, me.id, cycle.year)
    if held is None or held.status not in (ClaimStatus.APPROVED, ClaimStatus.LEAVING):
        raise NotAllowed("post_not_holder")
    return post


def check_duty_date(done_on: date, today: date, year: int) -> date:
    if done_on > today:
        raise InvalidInput("post_date_future")
    if done_on.year < year:
        raise InvalidInput("post_date_before_year", year=year)
    return done_on


@effect
async def record_duty(
    db: Database,
    actor: Actor,
    post_id: int,
    *,
    done_on: date,
    text: str,
    photo_file_id: str | None,
    minutes: int | None,
    today: date,
) -> DutyRecord:
    me, cycle = await member_cycle(db, actor, today, Action.RECORD)
    check_duty_date(done_on, today, cycle.year)
    half_hours = None if minutes is None else hours.half_hours_of(minutes)
    record = DutyRecord(
        post_id, me.id, cycle.year, done_on, checked_text(text), photo_file_id, minutes
    )
    async with unit_of_work(db, actor, branch_id=me.branch_id) as work:
        conn = work.conn
        await _held_claim(conn, me, post_id, cycle)
        record_id = await store.insert_duty(conn, record, utcnow())
        if half_hours is not None:
            # The hours go to the activity ledger as attested post-duty hours, for the
            # secretary to verify like any other record; a day already full refuses both.
            draft = hours.Draft(
                kind=ActivityKind.POST_DUTY,
                day=done_on,
                half_hours=half_hours,
                description=record.text.replace("\n", " ")[: hours.DESCRIPTION_MAX],
                photo_file_id=photo_file_id,
                post_id=post_id,
            )
            entry = await hours.log_in(work, draft, today=today)
            await store.link_ledger_entry(conn, record_id, entry.id)
        await work.audit(
            "posts.duty_recorded", "duty_record", record_id, post=post_id, minutes=minutes
        )
    return DutyRecord(**{**record.__dict__, "id": record_id})


@effect
async def note_request(db: Database, actor: Actor, post_id: int, text: str, today: date) -> int:
    """A resident's request noted against a post, by one of its holders or the secretary."""
    me, cycle = await member_cycle(db, actor, today, Action.NOTE_REQUEST)
    text = checked_text(text)
    async with unit_of_work(db, actor, branch_id=me.branch_id) as work:
        if actor.has(Role.SECRETARY, me.branch_id):
            await post_of_branch(work.conn, post_id, me.branch_id)
        else:
            await _held_claim(work.conn, me, post_id, cycle)
        request_id = await store.insert_request(
            work.conn, post_id, me.id, cycle.year, text, utcnow()
        )
        await work.audit("posts.request_noted", "resident_request", request_id, post=post_id)
    return request_id


async def my_duties(db: Database, actor: Actor, today: date) -> list[DutyRecord]:
    me, cycle = await member_cycle(db, actor, today)
    return await store.duties_of(db, me.id, cycle.year)


@dataclass(frozen=True)
class ResidentRequest:
    post: Post
    noted_by: Person
    text: str
    noted_at: datetime


async def resident_requests(
    db: Database, actor: Actor, branch_id: int, today: date
) -> list[ResidentRequest]:
    """The year's residents' requests, for the secretary to follow up."""
    cycle = await secretary_cycle(db, actor, branch_id, today)
    found = await store.requests_in(db, branch_id, cycle.year)
    who = await people_by_id(db, (r["noted_by"] for r in found))
    posts = {p.id: p for p in await store.branch_posts(db, branch_id, retired=True)}
    return [
        ResidentRequest(
            posts[r["post_id"]], who[r["noted_by"]], r["text"], parse_iso(r["created_at"])
        )
        for r in found
    ]
