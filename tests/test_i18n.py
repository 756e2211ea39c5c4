"""Every message is translated in both catalogs, with the same placeholders."""

import io
import re
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from domain import i18n

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def catalog(locale):
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def test_catalogs_are_up_to_date_and_complete():
    result = subprocess.run(
        [sys.executable, "tools/i18n.py", "check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_message_is_translated_with_matching_placeholders(locale):
    messages = [m for m in catalog(locale) if m.id]
    assert len(messages) > 50
    for message in messages:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings), f"{locale}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{locale}: fuzzy {message.id!r}"
        expected = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, f"{locale}: {message.id!r}"


def test_chinese_is_really_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    for message in catalog("zh_Hans"):
        if message.id and message.id != "Switch language: 中文 / English":
            strings = [message.string] if isinstance(message.string, str) else message.string
            assert all(han.search(s) for s in strings), f"not Chinese: {message.string!r}"


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [
        (None, "zh-hans", "zh_Hans"),
        (None, "zh-CN", "zh_Hans"),
        (None, "en-US", "en"),
        (None, "de", "zh_Hans"),
        (None, None, "zh_Hans"),
        ("en", "zh-hans", "en"),
        ("zh_Hans", "en", "zh_Hans"),
    ],
)
def test_language_resolution(stored, telegram, expected):
    assert i18n.resolve(stored, telegram) == expected


def test_dates_and_numbers_follow_the_locale_and_zone():
    zh, en = i18n.translator("zh_Hans"), i18n.translator("en")
    moment = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 00:30 next day in Shanghai
    shanghai = ZoneInfo("Asia/Shanghai")
    assert zh.date(date(2026, 3, 1)) == "2026年3月1日"
    assert en.date(date(2026, 3, 1)) == "March 1, 2026"
    assert zh.datetime(moment, shanghai) == "2026年3月2日 00:30"
    assert en.number(12345.5) == "12,345.5"
    assert zh.gettext("Welcome back, {name}!", name="李明") == "欢迎回来，李明！"


def test_the_wheel_carries_each_catalog_compiled_and_nothing_left_to_parse(tmp_path):
    # An installed bot reads the .mo the build wrote (tools/hatch_catalogs.py); were the
    # wheel to carry the .po instead, every start would parse both catalogs again.
    build = ["pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path)]
    subprocess.run(
        [sys.executable, "-m", *build, str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("partybot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        catalogs = sorted(n for n in archive.namelist() if "/locales/" in n)
        assert catalogs == sorted(
            f"domain/locales/{locale}/LC_MESSAGES/messages.mo" for locale in i18n.LOCALES
        )
        for locale in i18n.LOCALES:
            compiled = Translations(
                io.BytesIO(archive.read(f"domain/locales/{locale}/LC_MESSAGES/messages.mo"))
            )
            for message in (m for m in catalog(locale) if m.id and isinstance(m.id, str)):
                found = (
                    compiled.pgettext(message.context, message.id)
                    if message.context
                    else compiled.gettext(message.id)
                )
                assert found == message.string, (locale, message.id)
