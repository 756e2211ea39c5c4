"""What a typed or pressed amount, day, description or reason must be before it is kept.

Hours are counted in whole half-hours everywhere below the user interface, so sums are
exact integers and a total becomes a `Decimal` only when shown.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from domain.activity import HourStatus, as_hours
from domain.errors import InvalidInput
from domain.validation import clean_text

MAX_HALF_HOURS_PER_RECORD = 24  # 12 hours
MAX_HALF_HOURS_PER_DAY = 48  # 24 hours, across all records of one day
# The amounts offered as buttons wherever hours are asked: 0.5, 1, 1.5, 2 and 3 hours.
COMMON_HALF_HOURS = (1, 2, 3, 4, 6)
DEFAULT_WINDOW_DAYS = 90
WINDOW_CHOICES = (30, 60, 90, 180, 365)
DESCRIPTION_MAX = 200
REASON_MAX = 200
PAGE_SIZE = 8

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_HOUR_SUFFIXES = ("小时", "hours", "hour", "hrs", "hr", "h")

# Statuses that occupy time on a day: a withdrawn or rejected record frees it again.
COUNTING = (HourStatus.PENDING, HourStatus.VERIFIED)


def parse_hours(text: str) -> int:
    """Typed hours → half-hours: a number in steps of 0.5, above 0, at most 12. The one
    reader of a typed duration: a value it would have to round or cap is refused instead."""
    raw = unicodedata.normalize("NFKC", text or "").strip().lower().replace("，", ".")
    for suffix in _HOUR_SUFFIXES:
        if raw.endswith(suffix):
            raw = raw.removesuffix(suffix).strip()
            break
    if not _NUMBER.fullmatch(raw):
        raise InvalidInput("hours_not_number")
    value = Decimal(raw)
    if value <= 0:
        raise InvalidInput("hours_not_positive")
    if value > as_hours(MAX_HALF_HOURS_PER_RECORD):
        raise InvalidInput("hours_too_many", max=MAX_HALF_HOURS_PER_RECORD // 2)
    doubled = value * 2
    if doubled != doubled.to_integral_value():
        raise InvalidInput("hours_not_step")
    return int(doubled)


def half_hours_of(minutes: int) -> int:
    """Minutes held elsewhere (a duty record) as whole half-hours, by the same limits as a
    typed amount: a value that is not one is refused, never rounded or capped."""
    if minutes <= 0:
        raise InvalidInput("hours_not_positive")
    if minutes > MAX_HALF_HOURS_PER_RECORD * 30:
        raise InvalidInput("hours_too_many", max=MAX_HALF_HOURS_PER_RECORD // 2)
    if minutes % 30:
        raise InvalidInput("hours_not_step")
    return minutes // 30


def minutes_to_half_hours(minutes: float) -> int:
    """Presence is credited in whole half-hours, rounding down."""
    return int(minutes // 30)


def common_amount(half_hours: int) -> int:
    """A pressed amount button; its data comes from the client, so it is checked."""
    if half_hours not in COMMON_HALF_HOURS:
        raise InvalidInput("hours_not_step")
    return half_hours


def check_day(day: date, today: date, window_days: int = DEFAULT_WINDOW_DAYS) -> date:
    if day > today:
        raise InvalidInput("date_in_future")
    if (today - day).days > window_days:
        raise InvalidInput("date_too_old", days=window_days)
    return day


def check_day_total(already: int, adding: int) -> None:
    """`already` half-hours are on the day; one day holds at most 24 hours."""
    if already + adding > MAX_HALF_HOURS_PER_DAY:
        left = max(0, MAX_HALF_HOURS_PER_DAY - already)
        raise InvalidInput("hours_day_full", left=as_hours(left))


def description(text: str) -> str:
    value = clean_text(text or "").replace("\n", " ")
    if not value:
        raise InvalidInput("description_empty")
    if len(value) > DESCRIPTION_MAX:
        raise InvalidInput("description_too_long", max=DESCRIPTION_MAX)
    return value


def reason(text: str) -> str:
    value = clean_text(text or "")
    if not value:
        raise InvalidInput("reason_empty")
    if len(value) > REASON_MAX:
        raise InvalidInput("reason_too_long", max=REASON_MAX)
    return value
