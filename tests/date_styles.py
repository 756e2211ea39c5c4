"""The one style per language of dates and times in what people read (docs/i18n.md), and
the styles refused, as checks any test can run on a text it saw."""

from __future__ import annotations

import re
from functools import cache

from babel.messages.pofile import read_po

from domain.i18n import locales_dir, translator
from tests.date_samples import MOMENT, ZONE, Shows

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ABBREVIATED = r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.?"

# Refused in every language: numeric dates, ISO 8601 in prose, 12-hour Chinese clocks.
_NUMERIC = {
    "y/m/d": r"\b\d{4}/\d{1,2}/\d{1,2}\b",
    "d/m/y or m/d/y": r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    "ISO date": r"\b\d{4}-\d{1,2}-\d{1,2}",
    "dotted date": r"\b\d{4}\.\d{1,2}\.\d{1,2}\b",
}
REFUSED = {
    "zh_Hans": _NUMERIC
    | {
        "English month": rf"\b(?:{_MONTHS})\b|{_ABBREVIATED}",
        "AM/PM": r"\b[AaPp]\.?[Mm]\b\.?",
        "上午/下午 clock": r"[上下]午\s*\d",
        "zero-padded day or month": r"年0\d月|月0\d日",
        "day without its year": r"(?<![年\d])\d{1,2}月\d{1,2}日",
        "12-hour clock": r"(?<!\d)\d:\d{2}\b",  # zh-Hans times are 14:30 and 09:05
    },
    "en": _NUMERIC
    | {
        "Chinese date": r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*[日号]",
        "abbreviated month": _ABBREVIATED,
        "day before month": rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b",
        "24-hour clock": r"\b\d{1,2}:\d{2}(?::\d{2})?\b(?![\s\u202f]?[AP]M)",
        "date and time without a comma": r"\b\d{4} \d{1,2}:\d{2}",
        "month without its year": rf"\b(?:{_MONTHS}) \d{{1,2}}\b(?!, \d{{4}})",
    },
}


def expected(locale: str, shows: Shows) -> str:
    """MOMENT as the one style of `locale` writes it."""
    t = translator(locale)
    if shows is Shows.DATE:
        return t.date(MOMENT.astimezone(ZONE).date())
    if shows is Shows.DATETIME:
        return t.datetime(MOMENT, ZONE)
    return t.time(MOMENT, ZONE)


def style_faults(text: str, locale: str, shows: tuple[Shows, ...] = ()) -> list[str]:
    """What is wrong with the dates in `text` for a reader of `locale`: a refused style
    found, or a form of MOMENT it should show and does not. Empty when it is right."""
    faults = [
        f"{name}: {found.group(0)!r}"
        for name, pattern in REFUSED[locale].items()
        for found in re.finditer(pattern, text)
    ]
    faults += [
        f"{kind} not shown as {expected(locale, kind)!r}"
        for kind in shows
        if expected(locale, kind) not in text
    ]
    return faults


def assert_one_style(text: str, locale: str, shows: tuple[Shows, ...] = ()) -> None:
    faults = style_faults(text, locale, shows)
    assert not faults, f"{locale} text breaks its date style: {faults}\n{text}"


@cache
def input_hints(locale: str) -> tuple[str, ...]:
    """The prompts that show how to type a date (2026-03-01, 3月1日): forms the bot reads,
    not dates it tells, so a screen check leaves them out."""
    with (locales_dir() / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    t = translator(locale)
    return tuple(
        t.gettext(message.id)
        for message in catalog
        if isinstance(message.id, str)
        and re.search(r"\b(?:like|for example)\b", message.id)
        and re.search(r"\d{4}-\d{2}-\d{2}|\d月\d", message.id)
    )


def assert_screens_in_style(texts: list[str], locale: str) -> None:
    """Every text a person was sent, input hints aside, in the one style of `locale`."""
    for text in texts:
        for hint in input_hints(locale):
            text = text.replace(hint, "")
        assert_one_style(text, locale)
