"""Which events a person sees and may attend: /events, the events open for check-in now,
one event for its buttons."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from domain.access import Actor, require
from domain.activity import Event, Rsvp
from domain.errors import NotAllowed, NotFound
from domain.events.codes import CHECK_IN_OPENS, CHECK_OUT_CLOSES, is_open
from domain.models import Person, Role
from storage import events as store
from storage.db import Database

UPCOMING_DAYS = 60
RECENT = timedelta(days=7)
ATTENDING_ROLES = ("member", "cadre", "secretary")


async def get(db: Database | aiosqlite.Connection, event_id: int) -> Event | None:
    """The event, or None (a message about an event deleted since)."""
    return await store.get(db, event_id)


async def known(db: Database | aiosqlite.Connection, event_id: int) -> Event:
    """The event a press or a command names; refused when there is none."""
    found = await store.get(db, event_id)
    if found is None:
        raise NotFound("event_unknown")
    return found


def may_attend(actor: Actor, event: Event) -> Person:
    """The actor's person if the event is open to them (branch, role, cadre/inflow flags)."""
    if not any(actor.has(Role(role), event.branch_id) for role in ATTENDING_ROLES):
        raise NotAllowed("event_not_for_you")
    person = actor.person
    assert person is not None
    if (person.category == "cadre" and not event.open_to_cadres) or (
        person.category == "mobile" and not event.open_to_inflow
    ):
        raise NotAllowed("event_not_for_you")
    return person


async def attending(db: Database, actor: Actor, event_id: int) -> tuple[Event, Person]:
    """The event and the actor's person, when the event is open to them."""
    event = await known(db, event_id)
    return event, may_attend(actor, event)


def takes_part(actor: Actor) -> bool:
    """Members attend events; so does a secretary the roster does not list (ATTENDING_ROLES)."""
    return actor.member or actor.is_secretary


def _branches(actor: Actor) -> list[int]:
    found = set(actor.branches_where(Role.SECRETARY))
    if actor.member:
        found.add(actor.person.branch_id)
    return sorted(found)


def _visible(actor: Actor, event: Event) -> bool:
    try:
        may_attend(actor, event)
    except NotAllowed:
        return actor.has(Role.SECRETARY, event.branch_id)
    return True


async def open_in_branch(db: Database, branch_id: int, now: datetime) -> list[Event]:
    found = await store.ending_after(db, branch_id, now - CHECK_OUT_CLOSES, now + CHECK_IN_OPENS)
    return [e for e in found if is_open(e, now)]


async def open_now(db: Database, actor: Actor, now: datetime) -> list[Event]:
    """Events the actor may check in to or out of right now."""
    found = []
    for branch_id in _branches(actor):
        found += [e for e in await open_in_branch(db, branch_id, now) if _visible(actor, e)]
    return found


async def upcoming(db: Database, actor: Actor, now: datetime) -> list[tuple[Event, Rsvp | None]]:
    """Events not over yet (for a secretary also last week's), soonest first, with the
    actor's own answer."""
    if not takes_part(actor):
        raise NotAllowed("members_only")
    found = []
    later = now + timedelta(days=UPCOMING_DAYS)
    for branch_id in _branches(actor):
        # Secretaries still see last week's events, to record attendance and export it.
        since = now - RECENT if actor.has(Role.SECRETARY, branch_id) else now
        found += await store.ending_after(db, branch_id, since, later)
    assert actor.person is not None
    return [
        (e, await store.answer(db, e.id, actor.person.id))
        for e in sorted(found, key=lambda e: e.starts_at)
        if _visible(actor, e)
    ]


async def event_for(db: Database, actor: Actor, event_id: int) -> tuple[Event, Rsvp | None]:
    event = await known(db, event_id)
    if not _visible(actor, event):
        raise NotAllowed("event_not_for_you")
    assert actor.person is not None
    return event, await store.answer(db, event.id, actor.person.id)


async def event_for_secretary(db: Database, actor: Actor, event_id: int) -> Event:
    event = await known(db, event_id)
    require(actor, Role.SECRETARY, event.branch_id)
    return event
