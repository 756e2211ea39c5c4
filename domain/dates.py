"""Dates as people type them, one reader for every flow: 2026-03-01, 2026/3/1, 2026.3.1,
2026年3月1日, 20260301, 3月1日, 03-01, 今天/昨天 (today/yesterday)."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import InvalidInput

_FULL = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
# A month and day without a year; "1/3" stays unread, as it means 3 January to some.
_MONTH_DAY = re.compile(r"(\d{1,2})\s*(?:月|-)\s*(\d{1,2})\s*[日号]?")
_RELATIVE = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1}


class Year(StrEnum):
    """Which year a date typed without one falls in."""

    NEAREST = "nearest"  # the one closest to today (a planned departure, a return)
    PAST = "past"  # the latest not after today (something already done)
    FUTURE = "future"  # the earliest not before today (something still to come)


def parse_date(text: str, today: date, year: Year = Year.NEAREST) -> date:
    """A calendar date; `today` is the branch's own day, for 今天/昨天 and a missing year."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if value.lower() in _RELATIVE:
        return today - timedelta(days=_RELATIVE[value.lower()])
    full = _FULL.fullmatch(value) or _COMPACT.fullmatch(value)
    if full:
        return _make(int(full.group(1)), int(full.group(2)), int(full.group(3)))
    short = _MONTH_DAY.fullmatch(value)
    if short:
        return _without_year(int(short.group(1)), int(short.group(2)), today, year)
    raise InvalidInput("date_format")


def _without_year(month: int, day: int, today: date, year: Year) -> date:
    candidates = []
    for guess in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(guess, month, day))
        except ValueError:
            continue  # 2月29日 exists only in some years
    if year is Year.PAST:
        candidates = [d for d in candidates if d <= today]
    elif year is Year.FUTURE:
        candidates = [d for d in candidates if d >= today]
    if not candidates:
        raise InvalidInput("date_invalid")
    return min(candidates, key=lambda d: abs((d - today).days))


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput("date_invalid") from None


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def within(value: date, today: date, *, past_days: int, future_days: int) -> bool:
    return today - timedelta(days=past_days) <= value <= today + timedelta(days=future_days)
