"""Totals of hours: a person's by period, a branch's register, and what summaries count.

A member sees only their own figures and a secretary a register in name order; there is
no ranking anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.access import Actor, require
from domain.activity import ActivityKind, HourStatus, as_hours
from domain.models import Role
from storage import hours as store
from storage.db import Database


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def period_bounds(period: Period, day: date) -> tuple[date, date]:
    """The first and last day (inclusive) of the period containing `day`; weeks start Monday."""
    if period is Period.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period is Period.YEAR:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    months = 1 if period is Period.MONTH else 3
    first_month = day.month if months == 1 else 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    after = first_month + months
    end = date(day.year + (after > 12), (after - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class Totals:
    """Hours by activity type: verified, and attested (self-reported, still pending)."""

    verified: dict[ActivityKind, Decimal] = field(default_factory=dict)
    attested: dict[ActivityKind, Decimal] = field(default_factory=dict)

    @property
    def total_verified(self) -> Decimal:
        return sum(self.verified.values(), Decimal(0))

    @property
    def total_attested(self) -> Decimal:
        return sum(self.attested.values(), Decimal(0))

    @property
    def kinds(self) -> list[ActivityKind]:
        return [k for k in ActivityKind if k in self.verified or k in self.attested]


def sum_totals(rows: list[tuple[ActivityKind, HourStatus, int]]) -> Totals:
    """(kind, status, half-hours) rows → exact totals; rejected and withdrawn count nothing."""
    verified: dict[ActivityKind, int] = defaultdict(int)
    attested: dict[ActivityKind, int] = defaultdict(int)
    for kind, status, half_hours in rows:
        if status is HourStatus.VERIFIED:
            verified[kind] += half_hours
        elif status is HourStatus.PENDING:
            attested[kind] += half_hours
    return Totals(
        {k: as_hours(v) for k, v in verified.items()},
        {k: as_hours(v) for k, v in attested.items()},
    )


class Counting(StrEnum):
    """What a branch's summaries count: verified hours only (the default), or attested
    (self-reported, still pending) hours too. Members' own totals always show both."""

    VERIFIED = "verified"
    WITH_ATTESTED = "with_attested"


def counted(verified: int, attested: int, counting: Counting) -> int:
    """The half-hours a summary counts, from verified and attested half-hours."""
    return verified + (attested if counting is Counting.WITH_ATTESTED else 0)


def counted_total(totals: Totals, counting: Counting) -> Decimal:
    extra = totals.total_attested if counting is Counting.WITH_ATTESTED else Decimal(0)
    return totals.total_verified + extra


async def person_totals(db: Database, person_id: int, start: date, end: date) -> Totals:
    """A person's verified and attested hours by type from `start` to `end` inclusive.

    For the quarterly feedback to a cadre's unit, which reports verified hours."""
    return sum_totals(await store.sums(db, person_id, start, end))


async def people_totals(
    db: Database, person_ids: Sequence[int], start: date, end: date
) -> dict[int, Totals]:
    """`person_totals` for many people in one statement, whoever has hours counting."""
    found = await store.sums_of(db, person_ids, start, end)
    return {person_id: sum_totals(found[person_id]) for person_id in found}


async def period_totals(db: Database, person_id: int, period: Period, day: date) -> Totals:
    start, end = period_bounds(period, day)
    return await person_totals(db, person_id, start, end)


@dataclass(frozen=True)
class MemberTotals:
    person_id: int
    name: str
    totals: Totals


async def branch_totals(
    db: Database, actor: Actor, branch_id: int, start: date, end: date
) -> list[MemberTotals]:
    """Every member's totals for the secretary, in name order: a register, not a ranking."""
    require(actor, Role.SECRETARY, branch_id)
    grouped: dict[int, tuple[str, list]] = {}
    for person_id, name, kind, status, total in await store.branch_sums(db, branch_id, start, end):
        entry = grouped.setdefault(person_id, (name or f"#{person_id}", []))
        if kind is not None and status is not None:
            entry[1].append((kind, status, total))
    return [MemberTotals(pid, name, sum_totals(rows)) for pid, (name, rows) in grouped.items()]
