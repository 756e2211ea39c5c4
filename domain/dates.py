"""Dates as people type them: 2026-03-01, 2026/3/1, 2026年3月1日, 3月1日."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta

from domain.errors import InvalidInput

_FULL = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")


def parse_date(text: str, today: date) -> date:
    """A calendar date; without a year, the one nearest to `today` (so "3月1日" typed in
    December means next March, typed in April this March)."""
    value = unicodedata.normalize("NFKC", text).strip()
    full = _FULL.fullmatch(value)
    if full:
        return _make(int(full.group(1)), int(full.group(2)), int(full.group(3)))
    short = _MONTH_DAY.fullmatch(value)
    if short:
        month, day = int(short.group(1)), int(short.group(2))
        candidates = []
        for year in (today.year - 1, today.year, today.year + 1):
            try:
                candidates.append(date(year, month, day))
            except ValueError:
                continue  # 2月29日 exists only in some years
        if not candidates:
            raise InvalidInput("date_invalid")
        return min(candidates, key=lambda d: abs((d - today).days))
    raise InvalidInput("date_format")


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
