"""The screens that show dates, walked through the chat in both languages: every text the
person is sent holds its dates in the one style of their language (docs/i18n.md), and the
date the screen is about reads as that style writes it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain import digest, mobile
from domain.i18n import translator
from tests.cadre_support import event
from tests.date_styles import assert_screens_in_style
from tests.flows import approved_member, new_event, register_outflow, today
from tests.test_events import START, Clock

SHANGHAI = ZoneInfo("Asia/Shanghai")

LOCALES = ("zh_Hans", "en")


def button(locale: str, msgid: str) -> str:
    return translator(locale).pgettext("button", msgid)


def words(locale: str, msgid: str) -> str:
    return translator(locale).gettext(msgid)


async def reader(bot, branch, locale: str, **joining):
    """李明, approved by the secretary, reading `locale`."""
    person = await approved_member(bot, branch, "李", "李明", "13800138000", **joining)
    if locale == "en":
        await person.send("/language")
        await person.press("English")
    return person


@pytest.mark.parametrize("locale", LOCALES)
async def test_hours_screens(bot, branch, locale):
    li = await reader(bot, branch, locale)
    await li.send("/hours")
    await li.press(button(locale, "➕ Log hours"))
    await li.press(words(locale, "Party lesson"))
    await li.press(button(locale, "Yesterday"))
    await li.types("1.5", "学习党章")
    await li.press(button(locale, "Skip"))
    await li.press(button(locale, "✅ Submit"))
    await branch.secretary.press("✅ 通过")
    await li.send("/hours")
    await li.press(button(locale, "📜 My history"))
    yesterday = translator(locale).date(today() - timedelta(days=1))
    assert yesterday in li.last_text
    assert yesterday in li.texts[-3]  # the verification: "… verified: 1.5 h on …"
    assert_screens_in_style(li.texts, locale)
    assert_screens_in_style(branch.secretary.texts, "zh_Hans")


@pytest.mark.parametrize("locale", LOCALES)
async def test_events_screens(bot, branch, locale):
    bot.app.bot_data["clock"] = Clock(START - timedelta(days=6))
    li = await reader(bot, branch, locale)
    await new_event(branch.secretary)
    await li.send("/events")
    when = translator(locale).datetime(START, SHANGHAI)  # 1 December 2026, 14:00
    assert "\n".join(li.texts).count(when) >= 2  # the invitation, the list
    assert_screens_in_style(li.texts, locale)
    assert_screens_in_style(branch.secretary.texts, "zh_Hans")


@pytest.mark.parametrize("locale", LOCALES)
async def test_mobile_screens(bot, branch, locale):
    li = await reader(bot, branch, locale, category="流动党员")
    if locale == "en":
        await li.send("/mobile")
        await li.press(button(locale, "🚶 Register outflow"))
        await li.types("Shanghai", "Pudong", "A bank")
        await li.press(button(locale, "Not known yet"))
        leave = today() + timedelta(days=5)
        await li.send(f"{leave.year}/{leave.month}/{leave.day}")
        await li.send((today() + timedelta(days=100)).isoformat())
        await li.press(words(locale, "Work"))
        await li.send("13800138000")
    else:
        await register_outflow(li)
    await li.press(button(locale, "✅ Submit"))
    await branch.secretary.press("✅ 通过")
    await li.send("/mobile")
    t = translator(locale)
    assert t.date(today() + timedelta(days=5)) in "\n".join(li.texts)  # the review
    assert t.date(today() + timedelta(days=100)) in "\n".join(li.texts)
    await li.press(button(locale, "🪪 Show my certificate"))
    assert t.date(today()) in li.last_text  # issued today
    # The secretary's dossier: its history names the renewal's dates (stored ISO).
    secretary = branch.secretary
    await secretary.send("/mobile_list")
    await secretary.presses(
        "外出党员 · 1",
        f"李明 · {'Shanghai' if locale == 'en' else '浙江省杭州市'}",
        "🔄 活动证续期",
    )
    renewed = [line for line in secretary.last_text.splitlines() if "活动证续期" in line]
    valid_until = translator("zh_Hans").date(mobile.dates.add_months(today(), 6))
    assert renewed and valid_until in renewed[-1], secretary.last_text
    assert_screens_in_style(li.texts, locale)
    assert_screens_in_style(secretary.texts, "zh_Hans")


@pytest.mark.parametrize("locale", LOCALES)
async def test_mydata_is_for_a_machine_and_its_caption_for_the_reader(bot, branch, locale):
    li = await reader(bot, branch, locale)
    await li.send("/mydata")
    sent = li.last["_files"]["document"]
    data = json.loads(sent["content"])
    # A file for programs: its moments stay ISO 8601, which any of them reads back.
    assert datetime.fromisoformat(data["generated_at"]).tzinfo is not None
    assert_screens_in_style(li.texts, locale)


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_digest(bot, branch, locale):
    secretary = branch.secretary
    if locale == "en":
        await secretary.send("/language")
        await secretary.press("English")
    await secretary.send("/digest")
    assert translator(locale).time(datetime(2026, 1, 1, 8, 30).time()) in secretary.last_text
    await secretary.send("/cancel")
    now = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # noon in Shanghai
    starts = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)  # 15:30 the same day
    await event(bot.db, branch.id, starts)
    bot.sender.clock = lambda: now
    assert await digest.secretary_digest(bot.db, branch.id, now, SHANGHAI) == 1
    await bot.drain_outbox()
    assert translator(locale).datetime(starts, SHANGHAI) in secretary.last_text
    assert_screens_in_style(secretary.texts, locale)


def test_the_screens_dates_are_the_ones_shown():
    """The English one style, as the checks above expect it."""
    t = translator("en")
    assert t.date(date(2026, 12, 2)) == "December 2, 2026"
    assert t.datetime(START, SHANGHAI) == "December 1, 2026, 2:00\u202fPM"
    assert translator("zh_Hans").datetime(START, SHANGHAI) == "2026年12月1日 14:00"
