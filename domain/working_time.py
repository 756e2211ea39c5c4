"""A branch's working time: when a notification of each kind may be delivered.

Working days are the layered calendar of `domain.workdays` (the county's official schedule,
the package's data, rule-based holidays, weekends); a branch's own exceptions win over it.
Spans are local times `[start, end)`; a span whose end is before its start wraps midnight.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.i18n import N_
from domain.notification import Kind
from domain.workdays import Calendar
from domain.workdays import load as load_calendar
from storage import branches, working_time
from storage.db import Database

DEFAULT_WORKING_HOURS = "09:00-12:00,13:30-18:00"
DEFAULT_QUIET_HOURS = "21:30-08:00"
LOOKAHEAD_DAYS = 40  # longer than any holiday with its weekends

Span = tuple[time, time]
_SPAN = re.compile(r"\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)\s*")


def parse_spans(text: str) -> tuple[Span, ...]:
    """'09:00-12:00,13:30-18:00' → spans; empty text → none. ValueError when malformed."""
    spans = []
    for part in filter(str.strip, text.split(",")):
        match = _SPAN.fullmatch(part)
        if match is None:
            raise ValueError(f"{part.strip()!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = map(int, match.groups())
        if (h1, m1) == (h2, m2):
            raise ValueError(f"{part.strip()!r} is empty")
        spans.append((time(h1, m1), time(h2, m2)))
    return tuple(spans)


class Held(StrEnum):
    """Why a message waits: stored with it (outbox.held_by) and told to whoever sent it."""

    QUIET = "quiet_hours"
    WORKING_DAY = "working_day"  # an after-hours message in the working day (八小时以外)
    OFFICE = "office_hours"  # an office message outside working hours


HELD_REASONS = {
    Held.QUIET: N_("quiet hours"),
    Held.WORKING_DAY: N_("not during the working day"),
    Held.OFFICE: N_("outside office hours"),
}


@dataclass(frozen=True)
class Wait:
    """A message held by the working time: until when (UTC), why, and the zone to say it in."""

    until: datetime
    why: Held
    tz: ZoneInfo


def _inside(spans: tuple[Span, ...], clock: time) -> bool:
    for start, end in spans:
        if start < end:
            if start <= clock < end:
                return True
        elif clock >= start or clock < end:
            return True
    return False


@dataclass(frozen=True)
class WorkTime:
    tz: ZoneInfo
    working: tuple[Span, ...] = parse_spans(DEFAULT_WORKING_HOURS)
    quiet: tuple[Span, ...] = parse_spans(DEFAULT_QUIET_HOURS)
    exceptions: Mapping[date, bool] = field(default_factory=dict)
    calendar: Calendar = field(default_factory=Calendar)

    def is_working_day(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return self.calendar.is_working_day(day)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def in_working_hours(self, moment: datetime) -> bool:
        local = self.local(moment)
        return self.is_working_day(local.date()) and _inside(self.working, local.time())

    def in_working_day_span(self, moment: datetime) -> bool:
        """From the first working hour's start to the last one's end, breaks included: a
        cadre's lunch break is not the "eight hours outside work" (八小时以外)."""
        local = self.local(moment)
        if not self.working or not self.is_working_day(local.date()):
            return False
        first = min(start for start, _ in self.working)
        last = max(end for _, end in self.working)
        return first <= local.time() < last

    def in_quiet_hours(self, moment: datetime) -> bool:
        return _inside(self.quiet, self.local(moment).time())

    def allows(self, kind: Kind, moment: datetime) -> bool:
        if kind is Kind.URGENT:
            return True
        if self.in_quiet_hours(moment):
            return False
        if kind is Kind.AFTER_HOURS:
            return not self.in_working_day_span(moment)
        if kind is Kind.OFFICE_HOURS:
            return self.in_working_hours(moment)
        return True

    def wait(self, kind: Kind, moment: datetime) -> Wait | None:
        """Until when and why `kind` waits at `moment`; None when it may go now."""
        if self.allows(kind, moment):
            return None
        if self.in_quiet_hours(moment):
            why = Held.QUIET
        elif kind is Kind.AFTER_HOURS:
            why = Held.WORKING_DAY
        else:
            why = Held.OFFICE
        until = self.next_allowed(kind, moment)
        return Wait(until, why, self.tz) if until > moment else None

    def next_allowed(self, kind: Kind, moment: datetime) -> datetime:
        """The first instant at or after `moment` when `kind` may be delivered (UTC).

        What is allowed changes only at span boundaries, so the candidates are `moment`
        and the boundaries after it.
        """
        if self.allows(kind, moment):
            return moment.astimezone(UTC)
        start = self.local(moment).date()
        clocks = sorted({t for span in (*self.working, *self.quiet) for t in span})
        for offset in range(LOOKAHEAD_DAYS):
            day = start + timedelta(days=offset)
            for clock in clocks:
                candidate = datetime.combine(day, clock, tzinfo=self.tz)
                if candidate > moment and self.allows(kind, candidate):
                    return candidate.astimezone(UTC)
        # Settings that never allow this kind: deliver rather than hold the message forever.
        return moment.astimezone(UTC)


async def zone_of(db: Database, branch_id: int | None, default: str) -> ZoneInfo:
    """The zone a branch's dates and times are read in (`partybot branch time`); `default`
    (BOT_TIMEZONE) only for no branch or a branch without its own."""
    branch = await branches.get(db, branch_id) if branch_id is not None else None
    return ZoneInfo(branch.timezone if branch is not None and branch.timezone else default)


@dataclass(frozen=True)
class Defaults:
    """The bot-wide settings a branch without its own takes."""

    timezone: str
    working_hours: str = DEFAULT_WORKING_HOURS
    quiet_hours: str = DEFAULT_QUIET_HOURS


async def for_branch(db: Database, branch_id: int | None, defaults: Defaults) -> WorkTime:
    calendar = await load_calendar(db)
    if branch_id is None:
        return WorkTime(
            ZoneInfo(defaults.timezone),
            parse_spans(defaults.working_hours),
            parse_spans(defaults.quiet_hours),
            calendar=calendar,
        )
    own = await working_time.load(db, branch_id)
    return WorkTime(
        ZoneInfo(own.timezone or defaults.timezone),
        parse_spans(own.working_hours if own.working_hours is not None else defaults.working_hours),
        parse_spans(own.quiet_hours if own.quiet_hours is not None else defaults.quiet_hours),
        own.exceptions,
        calendar,
    )
