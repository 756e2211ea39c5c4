"""China's working days, in layers, each overriding the ones below it:

1. a branch's own days (`partybot branch day`, applied by `domain.working_time.WorkTime`);
2. the county's official schedule as the operator entered it from the State Council's
   notice (`partybot calendar set` / `import`);
3. the `chinesecalendar` package's official data, for the years it really covers;
4. for a year neither covers, the public holidays by rule from the `holidays` package
   (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆; the make-up working days, 调休, are unknown);
5. Monday to Friday.

The State Council publishes next year's schedule in November or December and a package
update may come later or never. A year the package covers keeps its data, the operator's
days overriding single days of it; a year it does not cover, once the operator entered
it, is taken as the whole notice: the rules no longer apply to it (a rule's guess of a
bridge day must not survive the published schedule). From 1 November the operator is
warned while next year has no official schedule (`calendar_notice`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import chinese_calendar

from domain import notices
from domain.errors import InvalidInput
from domain.i18n import N_
from domain.spreadsheets import read_table
from storage import branches, outbox, workdays
from storage.db import Database, utcnow

log = logging.getLogger(__name__)

WARN_FROM_MONTH = 11  # the notice usually comes in November or December
MAKE_UP_DAY = "调休上班"
_RANGE = ".."
_HOLIDAY_WORDS = {"holiday", "off", "放假", "休", "假"}
_WORKDAY_WORDS = {"workday", "working", "上班", "班", "调休"}


class Source(StrEnum):
    BRANCH = "branch"
    OPERATOR = "operator"
    PACKAGE = "chinesecalendar"
    RULES = "rules"
    WEEKDAY = "weekday"


@dataclass(frozen=True)
class Day:
    day: date
    working: bool
    source: Source
    name: str = ""


@functools.cache
def package_covers(year: int) -> bool:
    """Whether `chinesecalendar` has the official data of `year` (it raises otherwise,
    rather than guess: 1.11 stops at 2026)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def package_years() -> tuple[int, int]:
    """The first and last year whose official schedule `chinesecalendar` carries."""
    known = chinese_calendar.holidays
    return min(known).year, max(known).year


@functools.cache
def _rule_holidays(year: int) -> dict[date, str]:
    # Imported when a year needs it: the package is ~10 MiB of the bot's idle memory.
    import holidays

    return dict(holidays.China(years=year, language="zh_CN"))


def _package_day(day: date) -> Day:
    working = chinese_calendar.is_workday(day)
    name = ""
    if not working:
        _, english = chinese_calendar.get_holiday_detail(day)
        name = next((h.chinese for h in chinese_calendar.Holiday if h.value == english), "")
    elif day.weekday() >= 5:
        name = MAKE_UP_DAY
    return Day(day, working, Source.PACKAGE, name)


@dataclass(frozen=True)
class Calendar:
    """Layers 2 to 5; `entered` is what the operator entered (day → working, name)."""

    entered: Mapping[date, tuple[bool, str]] = field(default_factory=dict)

    @functools.cached_property
    def entered_years(self) -> frozenset[int]:
        return frozenset(day.year for day in self.entered)

    def year_source(self, year: int) -> Source:
        """Where the year's holidays come from."""
        if package_covers(year):
            return Source.PACKAGE
        if year in self.entered_years:
            return Source.OPERATOR
        return Source.RULES

    def official(self, year: int) -> bool:
        return self.year_source(year) is not Source.RULES

    def day(self, day: date) -> Day:
        if day in self.entered:
            working, name = self.entered[day]
            return Day(day, working, Source.OPERATOR, name)
        source = self.year_source(day.year)
        if source is Source.PACKAGE:
            return _package_day(day)
        if source is Source.RULES and day in _rule_holidays(day.year):
            return Day(day, False, Source.RULES, _rule_holidays(day.year)[day])
        return Day(day, day.weekday() < 5, Source.WEEKDAY)

    def is_working_day(self, day: date) -> bool:
        return self.day(day).working


async def load(db: Database) -> Calendar:
    return Calendar(await workdays.load(db))


CALENDAR_MISSING = N_(
    "The official holiday schedule for {year} has not reached the bot yet. Until the "
    "operator enters the State Council's notice, the bot counts the public holidays of "
    "{year} by rule and no make-up working days (调休), so a reminder or report may fall "
    "on a day that turns out to be worked, or the reverse. Nothing for you to do; tell "
    "the operator if the notice is out."
)


def calendar_notice(calendar: Calendar, today: date) -> int | None:
    """The coming year, when from 1 November it still has no official schedule."""
    if today.month >= WARN_FROM_MONTH and not calendar.official(today.year + 1):
        return today.year + 1
    return None


def operator_warning(calendar: Calendar, today: date) -> str | None:
    """The line for the log, `partybot health` and `job list` (None: nothing to say)."""
    year = calendar_notice(calendar, today)
    if year is None:
        return None
    return (
        f"warning: no official holiday schedule for {year} yet (chinesecalendar has none);"
        f" {year} runs on rule-based holidays without make-up days until it is entered:"
        f" partybot calendar set {year} ... or partybot calendar import FILE"
    )


async def current_warning(db: Database, tz: ZoneInfo, now: datetime) -> str | None:
    return operator_warning(await load(db), now.astimezone(tz).date())


async def check(db: Database, branch_id: int | None, now: datetime, tz: ZoneInfo) -> int:
    """Job: daily in the log while next year's schedule is missing, and once a year to
    every secretary (the outbox key names the year)."""
    calendar = await load(db)
    today = now.astimezone(tz).date()
    warning = operator_warning(calendar, today)
    if warning is None:
        return 0
    log.warning("%s", warning)
    year = calendar_notice(calendar, today)
    queued = 0
    async with db.transaction() as conn:
        for branch in await branches.all_branches(db):
            queued += await notices.to_secretaries(
                conn,
                db,
                branch.id,
                f"calendar-missing:{year}",
                text=CALENDAR_MISSING,
                params={"year": year},
                not_before=now,
            )
    return queued


def days_of(text: str) -> list[date]:
    """'2027-02-05' or '2027-02-05..2027-02-12' (both included)."""
    first, _, last = text.strip().partition(_RANGE)
    try:
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if last else start
    except ValueError:
        raise InvalidInput("calendar_date", value=text) from None
    if end < start or (end - start).days > 31:
        raise InvalidInput("calendar_range", value=text)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def entries(
    holidays_: Iterable[tuple[str, str]], workdays_: Iterable[tuple[str, str]]
) -> list[tuple[date, bool, str]]:
    """(date or range, name) pairs → the days to enter; a day given twice is refused."""
    found: dict[date, tuple[bool, str]] = {}
    for working, given in ((False, holidays_), (True, workdays_)):
        for text, name in given:
            for day in days_of(text):
                if day in found:
                    raise InvalidInput("calendar_twice", day=day.isoformat())
                found[day] = (working, name.strip() or (MAKE_UP_DAY if working else ""))
    return sorted((day, working, name) for day, (working, name) in found.items())


def read_file(filename: str, content: bytes) -> list[tuple[date, bool, str]]:
    """A CSV or XLSX of the published notice: a header row, then `date` (a day or
    a range `2027-02-05..2027-02-12`), `kind` (holiday/workday, or 放假/上班) and `name`."""
    table = read_table(filename, content)
    columns = {name.lower(): n for n, name in enumerate(table.headers)}
    if "date" not in columns or "kind" not in columns:
        raise InvalidInput("calendar_columns")
    holidays_, workdays_ = [], []
    for number, cells in table.rows:

        def cell(column: str, cells: list = cells) -> str:
            at = columns.get(column)
            value = cells[at].value if at is not None and at < len(cells) else None
            if isinstance(value, datetime):
                value = value.date()
            return "" if value is None else str(value).strip()

        kind = cell("kind").lower()
        if kind in _HOLIDAY_WORDS:
            holidays_.append((cell("date"), cell("name")))
        elif kind in _WORKDAY_WORDS:
            workdays_.append((cell("date"), cell("name")))
        else:
            raise InvalidInput("calendar_kind", row=number, value=kind)
    return entries(holidays_, workdays_)


async def enter(db: Database, years: Iterable[int], days: list[tuple[date, bool, str]]) -> None:
    """Replace the entered schedule of `years` with `days` (all inside those years)."""
    years = set(years)
    outside = [d for d, _, _ in days if d.year not in years]
    if outside:
        raise InvalidInput("calendar_outside", day=outside[0].isoformat())
    async with db.transaction() as conn:
        await workdays.replace_years(conn, years, days)
        # Every branch's working days may have moved: what they held is judged again.
        await outbox.release_held(conn, None, utcnow())


_YEAR_SOURCES = {
    Source.OPERATOR: "the official schedule entered by the operator",
    Source.PACKAGE: "the official data of chinesecalendar (days the operator entered win)",
    Source.RULES: "RULES ONLY: public holidays by rule, make-up working days unknown"
    " (no official schedule entered, none in chinesecalendar); enter the State Council's"
    " notice with `partybot calendar set` or `import`",
}


def year_lines(calendar: Calendar, year: int, own: Mapping[date, bool] | None = None) -> list[str]:
    """`partybot calendar show`: the year month by month, days off starred and weekend days
    worked marked +, then each day unlike Monday to Friday with its name and source."""
    own = own or {}

    def resolved(day: date) -> Day:
        if day in own:
            return Day(day, own[day], Source.BRANCH)
        return calendar.day(day)

    lines = [
        f"{year}: {_YEAR_SOURCES[calendar.year_source(year)]}",
        "* a day off, + a weekend day worked; days not listed: Monday to Friday are worked",
    ]
    for month in range(1, 13):
        first = date(year, month, 1)
        days = []
        day = first
        while day.month == month:
            days.append(resolved(day))
            day += timedelta(days=1)
        lines += ["", f"{year}-{month:02d}   Mo  Tu  We  Th  Fr  Sa  Su"]
        cells = ["    "] * first.weekday()
        for found in days:
            mark = "*" if not found.working else "+" if found.day.weekday() >= 5 else " "
            cells.append(f"{found.day.day:>3}{mark}")
        for start in range(0, len(cells), 7):
            lines.append("        " + "".join(cells[start : start + 7]).rstrip())
        for found in days:
            if (
                found.name
                or found.source is Source.BRANCH
                or found.working != (found.day.weekday() < 5)
            ):
                state = "working" if found.working else "off"
                lines.append(
                    f"  {found.day.isoformat()} {found.day:%a}  {state:<8}"
                    f"{found.name or '-'}  [{found.source}]"
                )
    return lines
