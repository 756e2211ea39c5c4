"""Reminders before an event: each member's lead time, and the job's pass that queues the
reminders whose time has come."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from domain import working_time
from domain.access import Actor
from domain.effects import effect
from domain.errors import InvalidInput, NotAllowed
from domain.events.creating import audience_kind
from domain.events.listing import known, takes_part
from domain.unit_of_work import unit_of_work
from storage import events as store
from storage.db import Database, parse_iso

DEFAULT_LEAD_MINUTES = 120
LEAD_CHOICES = (30, 60, 120, 240, 1440)

# Outbox template, rendered by handlers/events.
REMINDER_TEMPLATE = "events.reminder"


async def lead_of(db: Database, actor: Actor) -> int:
    if not takes_part(actor):
        raise NotAllowed("members_only")
    found = await store.lead_minutes(db, actor.person.id)
    return DEFAULT_LEAD_MINUTES if found is None else found


@effect
async def set_lead(db: Database, actor: Actor, minutes: int) -> int:
    if not takes_part(actor):
        raise NotAllowed("members_only")
    if minutes not in LEAD_CHOICES:
        raise InvalidInput("lead_invalid")
    async with db.transaction() as conn:
        await store.set_lead_minutes(conn, actor.person.id, minutes)
    return minutes


async def send_reminders(
    db: Database, branch_id: int | None, now: datetime, tz: tzinfo, policy: working_time.WorkTime
) -> int:
    """Reminders of the branch's events whose time has come (each member's lead time), each
    claimed and queued in one transaction: running again queues none of them twice. A
    cadre's waits for the end of the working day (`policy`); one that would then come only
    after the start is not sent at all."""
    horizon = now + timedelta(minutes=max(LEAD_CHOICES))
    queued = 0
    async with unit_of_work(db, None, branch_id=branch_id) as work:
        conn = work.conn
        for row in await store.reminder_candidates(conn, now, horizon, DEFAULT_LEAD_MINUTES):
            starts_at = parse_iso(row["starts_at"])
            if starts_at - timedelta(minutes=row["lead"]) > now:
                continue
            event = await known(conn, row["event_id"])
            if event.branch_id != branch_id:
                continue
            if not await store.claim_reminder(conn, event.id, row["person_id"], now):
                continue
            kind = audience_kind(row["category"])
            if policy.next_allowed(kind, now) >= starts_at:
                continue
            queued += await work.tell(
                row["telegram_id"],
                f"event-reminder:{event.id}:{row['person_id']}",
                template=REMINDER_TEMPLATE,
                params={"event": event.id, "tz": str(tz)},
                kind=kind,
            )
    return queued
