"""Events: creation, Going / Not going, check-in and check-out, verified hours, reminders.

The check-in code rotates every few minutes and is derived (HMAC of the event's secret and
the time step), so nothing is stored per rotation and any worker computes the same code.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

import aiosqlite

from domain import dates, hours, notices, worktime
from domain.access import Actor, require
from domain.activity import (
    ActivityKind,
    Attendance,
    CheckMethod,
    Event,
    HourRecord,
    HourStatus,
    Rsvp,
)
from domain.effects import effect
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.guesses import WRONG_CODE_WINDOW, wait_after_wrong_codes
from domain.models import Category, Person, Role
from domain.notification import Kind
from domain.validation import clean_text
from storage import audit
from storage import events as store
from storage.db import Database, parse_iso


class Settings(Protocol):
    """What the events' job reads of the bot's configuration."""

    @property
    def worktime_defaults(self) -> worktime.Defaults: ...


CODE_STEP_SECONDS = 300
CODE_DIGITS = 6
CHECK_IN_OPENS = timedelta(minutes=30)  # before the start
CHECK_OUT_CLOSES = timedelta(minutes=30)  # after the end
RADIUS_METRES = 200
MIN_PRESENCE = (3, 5)  # 60 %: below it, presence earns no verified hours
MAX_LENGTH = timedelta(hours=12)
TITLE_MAX = 80
PLACE_MAX = 120
CAPACITY_MAX = 10_000
DEFAULT_LEAD_MINUTES = 120
LEAD_CHOICES = (30, 60, 120, 240, 1440)
UPCOMING_DAYS = 60
RECENT = timedelta(days=7)
INVITED_ROLES = ("member", "cadre")
ATTENDING_ROLES = ("member", "cadre", "secretary")

# Outbox templates, rendered by handlers/events.py.
INVITE_TEMPLATE = "events.invite"
REMINDER_TEMPLATE = "events.reminder"
CHECKED_OUT_TEMPLATE = "events.checked_out"

_WHEN = re.compile(
    r"(?P<date>\S+?)\s*(?P<h1>\d{1,2})[:：](?P<m1>\d{2})\s*[-–~至到]\s*(?P<h2>\d{1,2})[:：](?P<m2>\d{2})"
)


# ---------------------------------------------------------------- pure rules


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


def title(text: str) -> str:
    value = clean_text(text or "").replace("\n", " ")
    if not value:
        raise InvalidInput("title_empty")
    if len(value) > TITLE_MAX:
        raise InvalidInput("title_too_long", max=TITLE_MAX)
    return value


def place(text: str) -> str:
    value = clean_text(text or "").replace("\n", " ")
    if not value:
        raise InvalidInput("place_empty")
    if len(value) > PLACE_MAX:
        raise InvalidInput("place_too_long", max=PLACE_MAX)
    return value


def capacity(text: str) -> int:
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw.isdigit() or not 0 < int(raw) <= CAPACITY_MAX:
        raise InvalidInput("capacity_invalid", max=CAPACITY_MAX)
    return int(raw)


def _step(moment: datetime) -> int:
    return int(moment.timestamp()) // CODE_STEP_SECONDS


def code_for_step(event: Event, step: int) -> str:
    digest = hmac.new(event.secret.encode(), f"{event.id}:{step}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest()[:8], "big") % 10**CODE_DIGITS
    return f"{number:0{CODE_DIGITS}d}"


def window(event: Event) -> tuple[datetime, datetime]:
    """When check-in and check-out are possible."""
    return event.starts_at - CHECK_IN_OPENS, event.ends_at + CHECK_OUT_CLOSES


def is_open(event: Event, now: datetime) -> bool:
    opens, closes = window(event)
    return opens <= now <= closes


def current_code(event: Event, now: datetime) -> tuple[str, datetime]:
    """The code to show now, and when it changes; only inside the event's window."""
    if not is_open(event, now):
        raise Conflict("event_not_open")
    step = _step(now)
    return code_for_step(event, step), datetime.fromtimestamp(
        (step + 1) * CODE_STEP_SECONDS, now.tzinfo
    )


def normalise_code(text: str) -> str:
    raw = re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", raw):
        raise InvalidInput("code_format", digits=CODE_DIGITS)
    return raw


PAYLOAD = re.compile(rf"ci-(\d{{1,12}})-(\d{{{CODE_DIGITS}}})")


def link_payload(event: Event, code: str) -> str:
    """The /start parameter of a check-in deep link (letters, digits, - and _ only)."""
    return f"ci-{event.id}-{code}"


def parse_payload(text: str) -> tuple[int, str]:
    match = PAYLOAD.fullmatch(text or "")
    if match is None:
        raise InvalidInput("code_format", digits=CODE_DIGITS)
    return int(match[1]), match[2]


def code_matches(event: Event, code: str, now: datetime) -> bool:
    """The current code, or the one just before it (shown a moment before it rotated)."""
    step = _step(now)
    return any(hmac.compare_digest(code_for_step(event, s), code) for s in (step, step - 1))


def check_code(event: Event, typed: str, now: datetime) -> None:
    code = normalise_code(typed)
    if not is_open(event, now):
        raise Conflict("event_not_open")
    if code_matches(event, code, now):
        return
    opens, _ = window(event)
    if any(code_for_step(event, s) == code for s in range(_step(opens), _step(now) - 1)):
        raise InvalidInput("code_expired")
    raise InvalidInput("code_wrong")


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


def presence(event: Event, checked_in: datetime, checked_out: datetime) -> timedelta:
    """Time present during the event itself: before the start and after the end do not count."""
    return max(timedelta(0), min(checked_out, event.ends_at) - max(checked_in, event.starts_at))


def credited_half_hours(event: Event, checked_in: datetime, checked_out: datetime) -> int:
    """Verified half-hours for a presence: none under 60 % of the event, never beyond it."""
    length = event.ends_at - event.starts_at
    present = presence(event, checked_in, checked_out)
    share, whole = MIN_PRESENCE
    if present * whole < length * share:
        return 0
    return hours.minutes_to_half_hours(present.total_seconds() / 60)


def ics(event: Event, now: datetime) -> str:
    """An iCalendar file for one event (RFC 5545), times in UTC."""

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//partybot//events//ZH",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:event-{event.id}-{event.branch_id}@partybot",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(event.starts_at)}",
        f"DTEND:{stamp(event.ends_at)}",
        f"SUMMARY:{escape(event.title)}",
        f"LOCATION:{escape(event.place)}",
    ]
    if event.has_location:
        lines.append(f"GEO:{event.latitude:.6f};{event.longitude:.6f}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def _fold(line: str, limit: int = 75) -> str:
    """RFC 5545 lines are at most 75 octets; longer ones continue after CRLF and a space."""
    parts, current = [], ""
    for ch in line:
        if len((current + ch).encode()) > limit:
            parts.append(current)
            current = " "
        current += ch
    return "\r\n".join([*parts, current])


# ---------------------------------------------------------------- changes


@dataclass(frozen=True)
class Draft:
    """What a secretary confirmed in /newevent."""

    branch_id: int
    title: str
    kind: ActivityKind
    starts_at: datetime
    ends_at: datetime
    place: str
    latitude: float | None = None
    longitude: float | None = None
    capacity: int | None = None
    open_to_cadres: bool = True
    open_to_inflow: bool = True


@dataclass(frozen=True)
class Created:
    event: Event
    invitees: list[Person]


async def _event(db: Database | aiosqlite.Connection, event_id: int) -> Event:
    found = await store.get(db, event_id)
    if found is None:
        raise NotFound("event_unknown")
    return found


@effect
async def create(
    db: Database, actor: Actor, draft: Draft, now: datetime, tz: tzinfo = UTC
) -> Created:
    """The event and one invitation per eligible member, queued together; `tz` is the zone
    the invitations show times in."""
    secretary = require(actor, Role.SECRETARY, draft.branch_id)
    if draft.starts_at <= now:
        raise InvalidInput("when_in_past")
    if not draft.starts_at < draft.ends_at <= draft.starts_at + MAX_LENGTH:
        raise InvalidInput("when_invalid")
    if draft.capacity is not None and not 0 < draft.capacity <= CAPACITY_MAX:
        raise InvalidInput("capacity_invalid", max=CAPACITY_MAX)
    async with db.transaction() as conn:
        event_id = await store.insert(
            conn,
            branch_id=draft.branch_id,
            title=title(draft.title),
            kind=ActivityKind(draft.kind),
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            place=place(draft.place),
            latitude=draft.latitude,
            longitude=draft.longitude,
            capacity=draft.capacity,
            open_to_cadres=draft.open_to_cadres,
            open_to_inflow=draft.open_to_inflow,
            secret=secrets.token_hex(16),
            created_by=secretary.id,
        )
        await audit.record(
            conn,
            action="event.created",
            subject_type="event",
            subject_id=event_id,
            actor_id=secretary.id,
            branch_id=draft.branch_id,
            title=draft.title,
        )
        event = await _event(conn, event_id)
        invitees = [
            p
            for p in await store.eligible_people(conn, event, INVITED_ROLES)
            if p.id != secretary.id
        ]
        for person in invitees:
            await invite(conn, event, person, tz)
    return Created(event, invitees)


def audience_kind(person: Person) -> Kind:
    """A cadre hears about community activity only outside the working day (八小时以外)."""
    return Kind.AFTER_HOURS if person.category == Category.CADRE else Kind.NORMAL


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
        kind=audience_kind(person),
        branch_id=event.branch_id,
        not_before=now,
    )


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


@effect
async def answer(
    db: Database, actor: Actor, event_id: int, value: Rsvp, now: datetime
) -> tuple[Event, Rsvp]:
    event = await _event(db, event_id)
    person = may_attend(actor, event)
    if now >= event.ends_at:
        raise Conflict("event_over")
    value = Rsvp(value)
    async with db.transaction() as conn:
        if (
            value is Rsvp.GOING
            and event.capacity is not None
            and await store.going_count(conn, event.id, besides=person.id) >= event.capacity
        ):
            raise Conflict("event_full", capacity=event.capacity)
        await store.set_answer(conn, event.id, person.id, value, now)
        await audit.record(
            conn,
            action="event.answered",
            subject_type="event",
            subject_id=event.id,
            actor_id=person.id,
            branch_id=event.branch_id,
            answer=str(value),
        )
    return event, value


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
        for other in await _open_in_branch(db, event.branch_id, now):
            if other.id != event.id and code_matches(other, normalise_code(proof.code), now):
                raise InvalidInput("code_other_event", title=other.title) from None
        async with db.transaction() as conn:
            await store.add_wrong_code(conn, person_id, now, forget_before=now - WRONG_CODE_WINDOW)
        raise


@effect
async def check_in(
    db: Database, actor: Actor, event_id: int, proof: Proof, now: datetime
) -> tuple[Event, Attendance]:
    event = await _event(db, event_id)
    person = may_attend(actor, event)
    opens, _ = window(event)
    if not opens <= now <= event.ends_at:
        raise Conflict("event_not_open")
    await _verify(db, event, person.id, proof, now)
    async with db.transaction() as conn:
        if not await store.check_in(conn, event.id, person.id, now, proof.method):
            raise Conflict("already_checked_in")
        if proof.method is CheckMethod.LOCATION:
            await store.seen(conn, event.id, person.id, now)
        await audit.record(
            conn,
            action="event.checked_in",
            subject_type="event",
            subject_id=event.id,
            actor_id=person.id,
            branch_id=event.branch_id,
            method=str(proof.method),
        )
        found = await store.attendance_of(conn, event.id, person.id)
    assert found is not None
    return event, found


@dataclass(frozen=True)
class CheckedOut:
    event: Event
    attendance: Attendance
    present: timedelta
    record: HourRecord | None


async def _finish(
    conn: aiosqlite.Connection,
    event: Event,
    person_id: int,
    checked_in: datetime,
    checked_out: datetime,
    actor_id: int | None,
    tz: tzinfo,
    status: HourStatus = HourStatus.VERIFIED,
) -> CheckedOut:
    """Credit hours for a completed attendance, in the caller's transaction."""
    half_hours = credited_half_hours(event, checked_in, checked_out)
    record = None
    if half_hours:
        record = await hours.credit_event(
            conn,
            person_id=person_id,
            branch_id=event.branch_id,
            event_id=event.id,
            kind=event.kind,
            day=event.starts_at.astimezone(tz).date(),
            half_hours=half_hours,
            title=event.title,
            actor_id=actor_id,
            status=status,
        )
    found = await store.attendance_of(conn, event.id, person_id)
    assert found is not None
    return CheckedOut(event, found, presence(event, checked_in, checked_out), record)


@effect
async def check_out(
    db: Database, actor: Actor, event_id: int, proof: Proof, now: datetime, tz: tzinfo
) -> CheckedOut:
    """Check out and credit verified hours; `tz` dates the hours (the bot's zone)."""
    event = await _event(db, event_id)
    person = may_attend(actor, event)
    if not is_open(event, now):
        raise Conflict("event_not_open")
    await _verify(db, event, person.id, proof, now)
    async with db.transaction() as conn:
        present = await store.attendance_of(conn, event.id, person.id)
        if present is None:
            raise Conflict("not_checked_in")
        if not await store.check_out(conn, event.id, person.id, now, proof.method):
            raise Conflict("already_checked_out")
        await audit.record(
            conn,
            action="event.checked_out",
            subject_type="event",
            subject_id=event.id,
            actor_id=person.id,
            branch_id=event.branch_id,
            method=str(proof.method),
        )
        return await _finish(conn, event, person.id, present.checked_in_at, now, person.id, tz)


@effect
async def mark_present(
    db: Database, actor: Actor, event_id: int, person_id: int, now: datetime, tz: tzinfo
) -> CheckedOut:
    """The secretary records attendance afterwards: from the check-in (or the start) to the end."""
    event = await _event(db, event_id)
    secretary = require(actor, Role.SECRETARY, event.branch_id)
    if now < event.starts_at:
        raise Conflict("event_not_started")
    async with db.transaction() as conn:
        eligible = await store.eligible_people(conn, event, ATTENDING_ROLES)
        if person_id not in {p.id for p in eligible}:
            raise NotFound("event_person_unknown")
        await store.check_in(conn, event.id, person_id, event.starts_at, CheckMethod.SECRETARY)
        present = await store.attendance_of(conn, event.id, person_id)
        assert present is not None
        if not await store.check_out(
            conn, event.id, person_id, event.ends_at, CheckMethod.SECRETARY, secretary.id
        ):
            raise Conflict("already_checked_out")
        await audit.record(
            conn,
            action="event.marked_present",
            subject_type="event",
            subject_id=event.id,
            actor_id=secretary.id,
            branch_id=event.branch_id,
            person=person_id,
        )
        return await _finish(
            conn, event, person_id, present.checked_in_at, event.ends_at, secretary.id, tz
        )


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


def checked_out_params(done: CheckedOut) -> dict[str, object]:
    """What a check-out message says: the minutes present and the hours verified, or why none
    (`full_day`: the presence earned hours, but the day already has 24)."""
    attendance = done.attendance
    earned = credited_half_hours(
        done.event, attendance.checked_in_at, attendance.checked_out_at or attendance.checked_in_at
    )
    return {
        "title": done.event.title,
        "minutes": int(done.present.total_seconds() // 60),
        "half_hours": done.record.half_hours if done.record else None,
        "full_day": done.record is None and bool(earned),
    }


async def close_attendance(db: Database, branch_id: int | None, now: datetime, tz: tzinfo) -> int:
    """Once the check-out window has closed, nobody stays checked in, and each is told:

    - checked in by live location: checked out at the last moment their location was seen
      near the place, with verified hours as at any check-out;
    - otherwise (a code; nothing says when they left): checked out at the event's end and
      marked auto-closed; hours by the same 60 % rule from the check-in to the end, but
      attested, not verified: a secretary approves, corrects or rejects them (the review
      request and /pending), and the attendance view lists them.

    Only open attendances are closed, so running the job again changes nothing."""
    queued = 0
    async with db.transaction() as conn:
        for row in await store.open_after_window(conn, now - CHECK_OUT_CLOSES):
            event = await _event(conn, row["event_id"])
            if event.branch_id != branch_id:
                continue
            person_id, last_seen = row["person_id"], parse_iso(row["last_seen_at"])
            if last_seen is not None:
                closed = await store.check_out(
                    conn, event.id, person_id, last_seen, CheckMethod.LOCATION
                )
            else:
                closed = await store.auto_close(conn, event.id, person_id, event.ends_at)
            if not closed:
                continue
            await audit.record(
                conn,
                action="event.checked_out",
                subject_type="event",
                subject_id=event.id,
                branch_id=event.branch_id,
                person=person_id,
                method=str(CheckMethod.LOCATION) if last_seen else None,
                automatic=True,
            )
            left = last_seen or event.ends_at
            status = HourStatus.VERIFIED if last_seen else HourStatus.PENDING
            checked_in = parse_iso(row["checked_in_at"])
            done = await _finish(conn, event, person_id, checked_in, left, None, tz, status)
            if status is HourStatus.PENDING and done.record is not None:
                await hours.ask_review(conn, db, event.branch_id, done.record.id, person_id)
            queued += await notices.to_person(
                conn,
                row["telegram_id"],
                f"event-checked-out:{event.id}:{person_id}",
                template=CHECKED_OUT_TEMPLATE,
                params={**checked_out_params(done), "auto_closed": last_seen is None},
                branch_id=branch_id,
            )
    return queued


async def run(
    db: Database,
    branch_id: int | None,
    now: datetime,
    tz: tzinfo,
    settings: Settings | None = None,
) -> int:
    """The events' job, every minute: reminders, then attendance whose window has closed."""
    defaults = settings.worktime_defaults if settings else worktime.Defaults(str(tz))
    policy = await worktime.for_branch(db, branch_id, defaults)
    return await send_reminders(db, branch_id, now, tz, policy) + await close_attendance(
        db, branch_id, now, tz
    )


# ---------------------------------------------------------------- reading


async def _open_in_branch(db: Database, branch_id: int, now: datetime) -> list[Event]:
    found = await store.ending_after(db, branch_id, now - CHECK_OUT_CLOSES, now + CHECK_IN_OPENS)
    return [e for e in found if is_open(e, now)]


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


async def open_now(db: Database, actor: Actor, now: datetime) -> list[Event]:
    """Events the actor may check in to or out of right now."""
    found = []
    for branch_id in _branches(actor):
        found += [e for e in await _open_in_branch(db, branch_id, now) if _visible(actor, e)]
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
    event = await _event(db, event_id)
    if not _visible(actor, event):
        raise NotAllowed("event_not_for_you")
    assert actor.person is not None
    return event, await store.answer(db, event.id, actor.person.id)


async def event_for_secretary(db: Database, actor: Actor, event_id: int) -> Event:
    event = await _event(db, event_id)
    require(actor, Role.SECRETARY, event.branch_id)
    return event


@dataclass(frozen=True)
class Line:
    person_id: int
    name: str
    answer: Rsvp | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    method: CheckMethod | None
    half_hours: int | None
    auto_closed: bool = False


@dataclass(frozen=True)
class Roster:
    event: Event
    lines: list[Line]
    eligible: list[Person]

    @property
    def going(self) -> list[Line]:
        return [line for line in self.lines if line.answer is Rsvp.GOING]

    @property
    def checked_in(self) -> list[Line]:
        return [line for line in self.lines if line.checked_in_at is not None]

    @property
    def auto_closed(self) -> list[Line]:
        """Never checked out: closed at the end, their hours waiting for a secretary."""
        return [line for line in self.lines if line.auto_closed]

    @property
    def missing(self) -> list[Line]:
        """Said Going and have not checked in."""
        return [line for line in self.going if line.checked_in_at is None]


async def roster(db: Database, actor: Actor, event_id: int) -> Roster:
    """Who is going, who checked in, who is missing: for the secretary only."""
    event = await event_for_secretary(db, actor, event_id)
    lines = [
        Line(
            person_id=r["person_id"],
            name=r["name"] or f"#{r['person_id']}",
            answer=Rsvp(r["answer"]) if r["answer"] else None,
            checked_in_at=parse_iso(r["checked_in_at"]),
            checked_out_at=parse_iso(r["checked_out_at"]),
            method=CheckMethod(r["method_in"]) if r["method_in"] else None,
            half_hours=r["half_hours"],
            auto_closed=bool(r["auto_closed"]),
        )
        for r in await store.roster(db, event.id)
    ]
    return Roster(event, lines, await store.eligible_people(db, event, ATTENDING_ROLES))


# ---------------------------------------------------------------- reminders


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
    db: Database, branch_id: int | None, now: datetime, tz: tzinfo, policy: worktime.WorkTime
) -> int:
    """Reminders of the branch's events whose time has come (each member's lead time), each
    claimed and queued in one transaction: running again queues none of them twice. A
    cadre's waits for the end of the working day (`policy`); one that would then come only
    after the start is not sent at all."""
    horizon = now + timedelta(minutes=max(LEAD_CHOICES))
    queued = 0
    async with db.transaction() as conn:
        for row in await store.reminder_candidates(conn, now, horizon, DEFAULT_LEAD_MINUTES):
            starts_at = parse_iso(row["starts_at"])
            if starts_at - timedelta(minutes=row["lead"]) > now:
                continue
            event = await _event(conn, row["event_id"])
            if event.branch_id != branch_id:
                continue
            if not await store.claim_reminder(conn, event.id, row["person_id"], now):
                continue
            kind = Kind.AFTER_HOURS if row["category"] == Category.CADRE else Kind.NORMAL
            if policy.next_allowed(kind, now) >= starts_at:
                continue
            queued += await notices.to_person(
                conn,
                row["telegram_id"],
                f"event-reminder:{event.id}:{row['person_id']}",
                template=REMINDER_TEMPLATE,
                params={"event": event.id, "tz": str(tz)},
                kind=kind,
                branch_id=branch_id,
            )
    return queued
