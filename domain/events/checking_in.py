"""/checkin and /checkout: a member proves they are there, by the current code or a live
location near the place; live-location updates keep their presence fresh."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, tzinfo

from domain.access import Actor
from domain.activity import Attendance, CheckMethod, Event
from domain.effects import effect
from domain.errors import Conflict, InvalidInput
from domain.events.attendance import CheckedOut, finish
from domain.events.codes import check_code, code_matches, is_open, normalise_code, window
from domain.events.listing import attending, open_in_branch, open_now, takes_part
from domain.guesses import WRONG_CODE_WINDOW, wait_after_wrong_codes
from domain.unit_of_work import unit_of_work
from storage import events as store
from storage.db import Database

RADIUS_METRES = 200


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine); plenty exact at the scale of a radius."""
    earth = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * earth * math.asin(math.sqrt(a))


def check_location(event: Event, latitude: float, longitude: float, live: bool) -> None:
    if not event.has_location:
        raise Conflict("event_no_location")
    if not live:
        raise InvalidInput("location_not_live")
    distance = distance_metres(event.latitude, event.longitude, latitude, longitude)
    if distance > RADIUS_METRES:
        raise InvalidInput("location_too_far", distance=round(distance), radius=RADIUS_METRES)


@dataclass(frozen=True)
class Proof:
    """How someone shows they are there: the current code, or a live location."""

    code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    live: bool = False

    @property
    def method(self) -> CheckMethod:
        return CheckMethod.CODE if self.code is not None else CheckMethod.LOCATION


async def _verify(db: Database, event: Event, person_id: int, proof: Proof, now: datetime) -> None:
    if proof.code is None:
        assert proof.latitude is not None and proof.longitude is not None
        check_location(event, proof.latitude, proof.longitude, proof.live)
        return
    # Codes have a million values and last minutes: a ceiling on wrong guesses per person
    # keeps them from being tried in bulk. Refused here without looking at the code.
    failures = await store.wrong_codes_since(db, person_id, now - WRONG_CODE_WINDOW)
    if minutes := wait_after_wrong_codes(failures, now):
        raise Conflict("code_too_many", minutes=minutes)
    try:
        check_code(event, proof.code, now)
    except InvalidInput as exc:
        if exc.code != "code_wrong":
            raise
        for other in await open_in_branch(db, event.branch_id, now):
            if other.id != event.id and code_matches(other, normalise_code(proof.code), now):
                raise InvalidInput("code_other_event", title=other.title) from None
        async with db.transaction() as conn:
            await store.add_wrong_code(conn, person_id, now, forget_before=now - WRONG_CODE_WINDOW)
        raise


@effect
async def check_in(
    db: Database, actor: Actor, event_id: int, proof: Proof, now: datetime
) -> tuple[Event, Attendance]:
    event, person = await attending(db, actor, event_id)
    opens, _ = window(event)
    if not opens <= now <= event.ends_at:
        raise Conflict("event_not_open")
    await _verify(db, event, person.id, proof, now)
    async with unit_of_work(db, actor, branch_id=event.branch_id) as work:
        if not await store.check_in(work.conn, event.id, person.id, now, proof.method):
            raise Conflict("already_checked_in")
        if proof.method is CheckMethod.LOCATION:
            await store.seen(work.conn, event.id, person.id, now)
        await work.audit("event.checked_in", "event", event.id, method=str(proof.method))
        found = await store.attendance_of(work.conn, event.id, person.id)
    assert found is not None
    return event, found


@effect
async def check_out(
    db: Database, actor: Actor, event_id: int, proof: Proof, now: datetime, tz: tzinfo
) -> CheckedOut:
    """Check out and credit verified hours; `tz` dates the hours (the bot's zone)."""
    event, person = await attending(db, actor, event_id)
    if not is_open(event, now):
        raise Conflict("event_not_open")
    await _verify(db, event, person.id, proof, now)
    async with unit_of_work(db, actor, branch_id=event.branch_id) as work:
        present = await store.attendance_of(work.conn, event.id, person.id)
        if present is None:
            raise Conflict("not_checked_in")
        if not await store.check_out(work.conn, event.id, person.id, now, proof.method):
            raise Conflict("already_checked_out")
        await work.audit("event.checked_out", "event", event.id, method=str(proof.method))
        return await finish(work.conn, event, person.id, present.checked_in_at, now, person.id, tz)


@effect
async def seen_at(
    db: Database, actor: Actor, latitude: float, longitude: float, now: datetime
) -> int:
    """A live-location update: refreshes the presence at each open event the person checked
    in to and is still near; returns how many were refreshed."""
    if not takes_part(actor):
        return 0
    refreshed = 0
    for event in await open_now(db, actor, now):
        if not event.has_location:
            continue
        if distance_metres(event.latitude, event.longitude, latitude, longitude) > RADIUS_METRES:
            continue
        async with db.transaction() as conn:
            refreshed += await store.seen(conn, event.id, actor.person.id, now)
    return refreshed
