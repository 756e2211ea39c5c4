"""Every date and time a person reads is in their language's one style (docs/i18n.md).

Every registered outbox template is rendered in both languages from its sample in
tests/date_samples.py: a template registered without a sample fails here, so a new one is
covered as soon as it lands. The screens that show dates are walked through the chat in
tests/test_date_screens.py.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import handlers
from bot import sender
from domain.errors import DomainError
from domain.i18n import LOCALES, translator
from storage.db import Database
from tests.date_samples import DAY, SAMPLES, Shows, World
from tests.date_styles import assert_one_style, style_faults

# Every module of handlers/, so every `@renderer` has registered, the bot's or not.
for _module in pkgutil.walk_packages(handlers.__path__, "handlers."):
    importlib.import_module(_module.name)

TEMPLATES = sorted(sender.RENDERERS)


def test_the_templates_are_all_found():
    assert {"hours.decided", "events.invite", "secretary.digest"} <= set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
async def test_each_template_shows_dates_in_the_readers_style(name, tmp_path):
    sample = SAMPLES.get(name)
    if sample is None:
        pytest.fail(
            f"outbox template {name!r} has no sample: add a row to SAMPLES in "
            "tests/date_samples.py (how: /work/notes/s14-dates.md)"
        )
    async with Database(tmp_path / "dates.db") as db:
        world = await World.make(db)
        for locale in LOCALES:
            world.locale = locale
            t = translator(locale)
            for params in await sample.build(world):
                rendered = await sender.RENDERERS[name](t, db, params)
                assert rendered.text.strip(), f"{name} rendered nothing in {locale}"
                assert_one_style(rendered.text, locale, sample.shows)


def test_no_sample_is_left_without_its_template():
    assert sorted(set(SAMPLES) - set(TEMPLATES)) == []


@pytest.mark.parametrize(
    ("text", "locale", "fault"),
    [
        ("提交时间：2026/12/2 02:26", "zh_Hans", "y/m/d"),
        ("日期：2026-12-02", "zh_Hans", "ISO date"),
        ("日期：Dec 2, 2026", "zh_Hans", "English month"),
        ("时间：2026年12月2日 下午2:30", "zh_Hans", "上午/下午 clock"),
        ("日期：12月2日", "zh_Hans", "day without its year"),
        ("Date: 2026年12月2日", "en", "Chinese date"),
        ("Date: 2 Dec 2026", "en", "abbreviated month"),
        ("Date: 2 December 2026", "en", "day before month"),
        ("At December 2, 2026, 14:30", "en", "24-hour clock"),
        ("Date: 12/2/2026", "en", "d/m/y or m/d/y"),
        ("Time: December 2, 2026 2:30\u202fPM–4:30\u202fPM", "en", "date and time without"),
    ],
)
def test_the_refused_styles_are_caught(text, locale, fault):
    assert any(found.startswith(fault) for found in style_faults(text, locale))


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("2026年12月2日 14:30，2026年12月，09:05", "zh_Hans"),
        ("December 2, 2026, 2:30\u202fPM; December 2026; 9:05\u202fAM", "en"),
    ],
)
def test_the_one_styles_pass(text, locale):
    assert style_faults(text, locale, (Shows.DATE,)) == []


def test_every_refusal_naming_a_day_shows_it_in_the_readers_style():
    """A refusal's text with a {day} or {date}, its day given as the domain gives it."""
    from handlers.common import ERROR_TEXT, error_text

    dated = {code: text for code, text in ERROR_TEXT.items() if re.search(r"\{(day|date)\}", text)}
    assert dated, "no refusal names a day"
    for code, text in dated.items():
        filled = {name: "x" for name in re.findall(r"\{(\w+)\}", text)}
        for given in (DAY, DAY.isoformat()):
            error = DomainError(code, **(filled | {"day": given, "date": given}))
            for locale in LOCALES:
                shown = error_text(translator(locale), error)
                assert_one_style(shown, locale, (Shows.DATE,))
