"""The date picker of a registration's dates: a month of buttons, turned a month at a time."""

from __future__ import annotations

import calendar
from datetime import date

from telegram import InlineKeyboardMarkup

from domain.i18n import Translator
from handlers.mobile.buttons import Blank, Day, Month


def date_picker(t: Translator, year: int, month: int) -> InlineKeyboardMarkup:
    """A month of buttons; each day is re-checked as a date when pressed."""
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    rows = [
        [
            Month(*previous).button("‹"),
            Blank().button(t.month(date(year, month, 1))),
            Month(*following).button("›"),
        ]
    ]
    for week in calendar.Calendar().monthdayscalendar(year, month):
        rows.append(
            [Day(year, month, day).button(str(day)) if day else Blank().button("·") for day in week]
        )
    return InlineKeyboardMarkup(rows)


def typed_day(pressed: Day) -> str:
    """The pressed day as the member would type it; checked like a typed date."""
    return f"{pressed.year:04d}-{pressed.month:02d}-{pressed.day:02d}"


def shows_a_month(pressed: Month) -> bool:
    return 1 <= pressed.month <= 12 and date.min.year <= pressed.year <= date.max.year
