"""Quarters, half-years and working days for the cadre rules.

Working days are the layered calendar of `domain.workdays` (holidays and make-up working
days, 调休), passed in: the one source of truth for the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import InvalidInput
from domain.workdays import Calendar

_QUARTER = re.compile(r"(\d{4})Q([1-4])")
_HALF = re.compile(r"(\d{4})H([12])")


def next_working_day(day: date, calendar: Calendar) -> date:
    """`day` itself when it is a working day, else the next one."""
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def first_working_day_of_year(year: int, calendar: Calendar) -> date:
    return next_working_day(date(year, 1, 1), calendar)


@dataclass(frozen=True, order=True)
class Period:
    """A closed range of days, labelled like 2026Q3 or 2026H2."""

    start: date
    end: date
    label: str

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def year(self) -> int:
        return self.start.year

    def report_day(self, calendar: Calendar) -> date:
        """The first working day after the period ends: when its summary is sent."""
        return next_working_day(self.end + timedelta(days=1), calendar)


def _months(year: int, first: int, last: int, label: str) -> Period:
    end = date(year + 1, 1, 1) if last == 12 else date(year, last + 1, 1)
    return Period(date(year, first, 1), end - timedelta(days=1), label)


def quarter(year: int, number: int) -> Period:
    return _months(year, 3 * number - 2, 3 * number, f"{year}Q{number}")


def half(year: int, number: int) -> Period:
    return _months(year, 6 * number - 5, 6 * number, f"{year}H{number}")


def parse_quarter(text: str) -> Period:
    match = _QUARTER.fullmatch(text.strip().upper())
    if not match:
        raise InvalidInput("quarter_invalid", value=text)
    return quarter(int(match.group(1)), int(match.group(2)))


def parse_half(text: str) -> Period:
    match = _HALF.fullmatch(text.strip().upper())
    if not match:
        raise InvalidInput("half_invalid", value=text)
    return half(int(match.group(1)), int(match.group(2)))


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def quarters_of(period: Period) -> list[Period]:
    found, day = [], period.start
    while day <= period.end:
        found.append(quarter_of(day))
        day = found[-1].end + timedelta(days=1)
    return found
