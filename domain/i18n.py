"""Translations and locale-aware formatting (gettext catalogs through Babel).

Catalogs live in `locales/<locale>/LC_MESSAGES/messages.po`. A compiled `.mo` beside the
`.po` is used when it is at least as new; otherwise the `.po` is compiled in memory, so
a source checkout works without a build step and a stale `.mo` can never win. An installed
wheel carries the `.mo` alone (tools/hatch_catalogs.py).
"""

from __future__ import annotations

import io
from datetime import date, datetime, tzinfo
from datetime import time as clock_time
from decimal import Decimal
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import BinaryIO

from babel import Locale, dates, numbers
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DOMAIN = "messages"
LOCALES = ("zh_Hans", "en")
DEFAULT_LOCALE = "zh_Hans"


def locales_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "locales", here.parent / "locales"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no locales folder beside the bot package")


def _load(locale: str) -> NullTranslations:
    folder = locales_dir() / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    if not po.exists():
        return NullTranslations()
    buffer = io.BytesIO()
    compile_catalog(locale, buffer)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def compile_catalog(locale: str, out: BinaryIO) -> None:
    """The `.po` of `locale` compiled into `out`: what a checkout loads, `compile_catalogs`
    writes and the wheel carries (tools/hatch_catalogs.py)."""
    with (locales_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        write_mo(out, read_po(fh, locale=locale))


def compile_catalogs() -> list[Path]:
    """Write each `.mo` beside its `.po`, for a checkout (`tools/i18n.py compile`)."""
    written = []
    for locale in LOCALES:
        folder = locales_dir() / locale / "LC_MESSAGES"
        # Written aside, then put in place: a bot starting meanwhile reads the old or the new.
        partial = folder / f"{DOMAIN}.partial.mo"
        with partial.open("wb") as fh:
            compile_catalog(locale, fh)
        written.append(partial.replace(folder / f"{DOMAIN}.mo"))
    return written


def normalise(code: str | None) -> str | None:
    """Map a stored choice or Telegram's `language_code` to a supported locale."""
    if not code:
        return None
    code = code.replace("_", "-").lower()
    if code.startswith("zh"):
        return "zh_Hans"
    if code.startswith("en"):
        return "en"
    return None


def resolve(stored: str | None, telegram_code: str | None, default: str = DEFAULT_LOCALE) -> str:
    return normalise(stored) or normalise(telegram_code) or default


class Translator:
    """One locale's gettext functions plus Babel formatting in the bot's time zone."""

    def __init__(self, locale: str, translations: NullTranslations) -> None:
        self.locale = locale
        self.babel_locale = Locale.parse(locale)
        self._t = translations
        # Babel builds a formatter per call (~40 µs); a printed table holds the same few
        # days thousands of times (the quarterly feedback's registration dates).
        self._dates: dict[date, str] = {}

    def gettext(self, message: str, **params: object) -> str:
        text = self._t.gettext(message)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        return self._t.ngettext(singular, plural, n).format(n=n, **params)

    def pgettext(self, context: str, message: str) -> str:
        return self._t.pgettext(context, message)

    # One style per language for every date and time shown (2026年12月2日 14:30 /
    # December 2, 2026, 2:30 PM): Babel's long date and short time, joined as it joins them.
    # docs/i18n.md lists the styles; tests/test_date_styles.py holds every message to them.
    def date(self, value: date) -> str:
        if value.__class__ is not date:  # a datetime: its own moment, not memoised
            return dates.format_date(value, format="long", locale=self.babel_locale)
        text = self._dates.get(value)
        if text is None:
            text = self._dates[value] = dates.format_date(
                value, format="long", locale=self.babel_locale
            )
        return text

    def month(self, value: date) -> str:
        """A month in the same style: 2026年12月 / December 2026."""
        return dates.format_skeleton("yMMMM", value, locale=self.babel_locale)

    def datetime(self, value: datetime, tz: tzinfo) -> str:
        day = dates.format_date(value.astimezone(tz), format="long", locale=self.babel_locale)
        clock = dates.format_time(value, format="short", tzinfo=tz, locale=self.babel_locale)
        return self.babel_locale.datetime_formats["medium"].format(clock, day)

    def time(
        self, value: datetime | clock_time, tz: tzinfo | None = None, fmt: str = "short"
    ) -> str:
        """A moment's time of day in `tz`, or a wall-clock time (a schedule's 07:30) as is."""
        if isinstance(value, clock_time):
            return dates.format_time(value, format=fmt, locale=self.babel_locale)
        return dates.format_time(value, format=fmt, tzinfo=tz, locale=self.babel_locale)

    def join(self, items: list[str]) -> str:
        """A list as the language writes one: 地址、电话和单位 / address, phone, and employer."""
        return format_list(items, locale=self.babel_locale)

    def number(self, value: int | float | Decimal) -> str:
        return numbers.format_decimal(value, locale=self.babel_locale)


@cache
def translator(locale: str) -> Translator:
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    return Translator(locale, _load(locale))


def N_(message: str) -> str:
    """Mark a string for extraction where it is translated later (tables, enums)."""
    return message


def NP_(context: str, message: str) -> str:
    """`N_` for a message translated later with `Translator.pgettext(context, message)`."""
    return message


class LabelledEnum(StrEnum):
    """A `StrEnum` whose members carry a label marked for translation, declared together:
    `SCHOOL = "school", N_("School")`. The value is what is stored (unchanged by the
    label); `t.gettext(member.label)` is how it reads."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
