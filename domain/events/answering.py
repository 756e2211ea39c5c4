"""Going / Not going: a member's answer to an invitation, within the event's places."""

from __future__ import annotations

from datetime import datetime

from domain.access import Actor
from domain.activity import Event, Rsvp
from domain.effects import effect
from domain.errors import Conflict
from domain.events.listing import attending
from domain.unit_of_work import unit_of_work
from storage import events as store
from storage.db import Database


@effect
async def answer(
    db: Database, actor: Actor, event_id: int, value: Rsvp, now: datetime
) -> tuple[Event, Rsvp]:
    event, person = await attending(db, actor, event_id)
    if now >= event.ends_at:
        raise Conflict("event_over")
    value = Rsvp(value)
    async with unit_of_work(db, actor, branch_id=event.branch_id) as work:
        if (
            value is Rsvp.GOING
            and event.capacity is not None
            and await store.going_count(work.conn, event.id, besides=person.id) >= event.capacity
        ):
            raise Conflict("event_full", capacity=event.capacity)
        await store.set_answer(work.conn, event.id, person.id, value, now)
        await work.audit("event.answered", "event", event.id, answer=str(value))
    return event, value
