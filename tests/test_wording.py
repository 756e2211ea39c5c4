"""Small wording rules that hold across features."""

from __future__ import annotations

from tests.conftest import invite, onboard

HINT = {"zh": "（随时发送 /cancel 可以中止。）", "en": "(Send /cancel to stop at any time.)"}


async def test_every_conversation_tells_how_to_stop_in_one_wording(bot, branch):
    secretary = branch.secretary
    for command in ("/newevent", "/broadcast", "/import"):
        await secretary.send(command)
        assert any(HINT["zh"] in text for text in secretary.texts[-2:]), command
        await secretary.send("/cancel")
    member = bot.person("李")
    await onboard(member, await invite(bot, branch.id), "李明", "13800138000", "居民党员")
    await secretary.press("✅ 通过")
    await member.send("/hours")
    await member.press("➕ 登记时长")
    assert HINT["zh"] in member.last_text


async def test_the_hint_in_english(bot, branch):
    john = bot.person("John", language_code="en")
    await john.send(f"/start {await invite(bot, branch.id)}")
    assert any(HINT["en"] in text for text in john.texts)


def test_dates_and_times_read_in_one_style_per_language():
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from domain.i18n import translator

    zh, en = translator("zh_Hans"), translator("en")
    moment, shanghai = datetime(2026, 12, 1, 18, 26, tzinfo=UTC), ZoneInfo("Asia/Shanghai")
    assert zh.date(date(2026, 12, 2)) == "2026年12月2日"
    assert zh.datetime(moment, shanghai) == "2026年12月2日 02:26"  # not 2026/12/2 02:26
    assert zh.month(date(2026, 12, 1)) == "2026年12月"
    assert en.date(date(2026, 12, 2)) == "December 2, 2026"
    assert en.datetime(moment, shanghai) == "December 2, 2026, 2:26\u202fAM"


async def test_a_strangers_menu_has_only_what_a_stranger_can_do(bot, server):
    stranger_menu = ["start", "help", "language", "verify"]
    for language in ("", "en", "zh"):
        published = [c["command"] for c in server.commands.get(("default", language), [])]
        assert published == stranger_menu, language
