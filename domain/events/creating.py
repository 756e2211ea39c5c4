"""/newevent: what a secretary types checked into an event, the event created, and each
eligible member invited."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo

import aiosqlite

from domain import dates, notices
from domain.access import Actor
from domain.activity import ActivityKind, Event

# What a secretary confirms in /newevent is the event's own noun, which storage stores.
from domain.activity import EventDraft as Draft
from domain.effects import effect
from domain.errors import InvalidInput
from domain.events.listing import known
from domain.models import Category, Person, Role
from domain.notification import Kind
from domain.unit_of_work import unit_of_work
from domain.validation import clean_text
from storage import events as store
from storage.db import Database

MAX_LENGTH = timedelta(hours=12)
TITLE_MAX = 80
PLACE_MAX = 120
CAPACITY_MAX = 10_000
INVITED_ROLES = ("member", "cadre")

# Outbox template, rendered by handlers/events.
INVITE_TEMPLATE = "events.invite"

_WHEN = re.compile(
    r"(?P<date>\S+?)\s*(?P<h1>\d{1,2})[:：](?P<m1>\d{2})\s*[-–~至到]\s*(?P<h2>\d{1,2})[:：](?P<m2>\d{2})"
)


def parse_when(text: str, now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """Reads "2026-12-01 14:00-16:00" (the date in any form domain.dates reads) as start
    and end in `tz`."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    match = _WHEN.fullmatch(raw)
    if match is None:
        raise InvalidInput("when_invalid")
    day = dates.parse_date(match["date"], now.astimezone(tz).date(), dates.Year.FUTURE)
    try:
        start = datetime(day.year, day.month, day.day, int(match["h1"]), int(match["m1"]))
        end = datetime(day.year, day.month, day.day, int(match["h2"]), int(match["m2"]))
    except ValueError:
        raise InvalidInput("when_invalid") from None
    start, end = start.replace(tzinfo=tz), end.replace(tzinfo=tz)
    if end <= start:
        raise InvalidInput("when_end_before_start")
    if end - start > MAX_LENGTH:
        raise InvalidInput("when_too_long", max=int(MAX_LENGTH.total_seconds() // 3600))
    if start <= now:
        raise InvalidInput("when_in_past")
    return start, end


def _one_line(text: str, limit: int, empty: str, too_long: str) -> str:
    value = clean_text(text or "").replace("\n", " ")
    if not value:
        raise InvalidInput(empty)
    if len(value) > limit:
        raise InvalidInput(too_long, max=limit)
    return value


def title(text: str) -> str:
    return _one_line(text, TITLE_MAX, "title_empty", "title_too_long")


def place(text: str) -> str:
    return _one_line(text, PLACE_MAX, "place_empty", "place_too_long")


def capacity(text: str) -> int:
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw.isdigit() or not 0 < int(raw) <= CAPACITY_MAX:
        raise InvalidInput("capacity_invalid", max=CAPACITY_MAX)
    return int(raw)


@dataclass(frozen=True)
class Created:
    event: Event
    invitees: list[Person]


@effect
async def create(
    db: Database, actor: Actor, draft: Draft, now: datetime, tz: tzinfo = UTC
) -> Created:
    """The event and one invitation per eligible member, queued together; `tz` is the zone
    the invitations show times in."""
    async with unit_of_work(db, actor, role=Role.SECRETARY, branch_id=draft.branch_id) as work:
        if draft.starts_at <= now:
            raise InvalidInput("when_in_past")
        if not draft.starts_at < draft.ends_at <= draft.starts_at + MAX_LENGTH:
            raise InvalidInput("when_invalid")
        if draft.capacity is not None and not 0 < draft.capacity <= CAPACITY_MAX:
            raise InvalidInput("capacity_invalid", max=CAPACITY_MAX)
        secretary = work.person
        checked = replace(
            draft, title=title(draft.title), kind=ActivityKind(draft.kind), place=place(draft.place)
        )
        event_id = await store.insert(work.conn, checked, secrets.token_hex(16), secretary.id)
        await work.audit("event.created", "event", event_id, title=draft.title)
        event = await known(work.conn, event_id)
        invitees = [
            p
            for p in await store.eligible_people(work.conn, event, INVITED_ROLES)
            if p.id != secretary.id
        ]
        for person in invitees:
            await invite(work.conn, event, person, tz)
    return Created(event, invitees)


def audience_kind(category: str | None) -> Kind:
    """A cadre hears about community activity only outside the working day (八小时以外)."""
    return Kind.AFTER_HOURS if category == Category.CADRE else Kind.NORMAL


async def invite(
    conn: aiosqlite.Connection,
    event: Event,
    person: Person,
    tz: tzinfo,
    now: datetime | None = None,
) -> int:
    """The one message a person gets about an event: the invitation, with its answer
    buttons. Keyed by event and person, so whoever invites later (the cadres' notice a few
    days before) sends nothing to someone already invited."""
    return await notices.to_person(
        conn,
        person.telegram_id,
        f"event-invite:{event.id}:{person.id}",
        template=INVITE_TEMPLATE,
        params={"event": event.id, "tz": str(tz)},
        kind=audience_kind(person.category),
        branch_id=event.branch_id,
        not_before=now,
    )
