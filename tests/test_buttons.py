"""The button codecs: what a press carries is what the button packed, and nothing else."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Literal

import pytest
from telegram import CallbackQuery, Update, User
from telegram.ext import CallbackQueryHandler, ConversationHandler

from bot.app import build_application
from bot.config import Settings
from domain.access import Audience
from handlers import buttons
from handlers.buttons import Button
from tests.conftest import TOKEN


class Window(StrEnum):
    WEEK = "week"
    MONTH = "month"


class _Decide(Button, prefix="test:decide", audience=Audience.SECRETARY):
    record_id: int
    approve: bool


class _Totals(Button, prefix="test:totals", audience=Audience.MEMBER):
    window: Window | None = None


class _Pick(Button, prefix="test:pick-day", audience=Audience.MEMBER):
    day: Literal["today", "yesterday"]
    page: int | None = None


class _OnRecord:
    """Fields several codecs share come first, from a plain mixin."""

    record_id: int


class _Vote(_OnRecord, Button, prefix="test:vote", audience=Audience.MEMBER):
    choice: Window


# Registered only while a test of this module runs: the role matrix and the fuzz tests read
# the registry as the bot's own buttons.
CODECS = (_Decide, _Totals, _Pick, _Vote)
for _codec in CODECS:
    del buttons.REGISTRY[_codec.prefix]


@pytest.fixture(autouse=True)
def _registered():
    saved = dict(buttons.REGISTRY)
    buttons.REGISTRY.update({codec.prefix: codec for codec in CODECS})
    yield
    buttons.REGISTRY.clear()
    buttons.REGISTRY.update(saved)


@pytest.mark.parametrize(
    "pressed",
    [
        _Decide(12, True),
        _Decide(999_999_999_999, False),
        _Vote(3, Window.MONTH),
        _Totals(),
        _Totals(Window.MONTH),
        _Pick("yesterday"),
        _Pick("today", 3),
    ],
)
def test_a_press_reads_back_what_the_button_packed(pressed):
    data = pressed.button("label").callback_data
    assert type(pressed).parse(data) == pressed
    assert buttons.matching(data) is type(pressed)


@pytest.mark.parametrize(
    "data",
    [
        "test:decide:12",  # a field missing
        "test:decide:12:1:9",  # one too many
        "test:decide:x:1",  # not a number
        "test:decide:-1:1",
        "test:decide:12:2",  # not a yes/no
        "test:totals:year",  # not a window
        "test:totals:",
        "test:pick-day:tomorrow",
        "test:pick-day:today:",
        "test:decide:1234567890123:1",  # longer than any id
        "Test:decide:12:1",
        "test:decide:12:1\n",
        "test:decide:\u0a6f:1",  # a digit of another script (Gurmukhi nine)
        "",
        None,
    ],
)
def test_forged_or_old_data_is_no_press_of_the_kind(data):
    assert _Decide.parse(data) is None
    assert _Totals.parse(data) is None
    assert _Pick.parse(data) is None


def test_who_may_press_comes_from_the_declaration():
    assert buttons.audiences()[_Decide.pattern.pattern] is Audience.SECRETARY
    assert buttons.audiences()[_Totals.pattern.pattern] is Audience.MEMBER


def test_the_handler_is_registered_with_the_codecs_own_pattern():
    assert _Decide.handler(lambda *_: None).pattern is _Decide.pattern


def test_a_prefix_is_one_kind_of_button_only():
    with pytest.raises(ValueError, match="overlaps"):

        class _Again(Button, prefix="test:decide", audience=Audience.MEMBER):
            pass

    with pytest.raises(ValueError, match="overlaps"):

        class _Inside(Button, prefix="test:decide:more", audience=Audience.MEMBER):
            pass

    with pytest.raises(ValueError, match="words"):

        class _Cryptic(Button, prefix="Test:X!", audience=Audience.MEMBER):
            pass


def test_data_longer_than_telegram_takes_is_refused_when_packed():
    class _Long(Button, prefix="test:" + "a" * 50, audience=Audience.MEMBER):
        first: int
        second: int

    with pytest.raises(ValueError, match="does not pack"):
        _Long(123456789, 123456789).pack()


def _handlers_in(found: list) -> list:
    """Every handler, those inside conversations too."""
    out = []
    for handler in found:
        if isinstance(handler, ConversationHandler):
            out += _handlers_in(handler.entry_points)
            for state in handler.states.values():
                out += _handlers_in(state)
            out += _handlers_in(handler.fallbacks)
        else:
            out.append(handler)
    return out


def test_every_button_the_bot_answers_is_declared_by_a_codec(tmp_path):
    settings = Settings(telegram_bot_token=TOKEN, database_url=f"sqlite:///{tmp_path}/b.db")
    app = build_application(settings)
    patterns = [
        h.pattern.pattern
        for h in _handlers_in([h for group in app.handlers.values() for h in group])
        if isinstance(h, CallbackQueryHandler) and h.pattern is not None
    ]
    declared = {codec.pattern.pattern for codec in buttons.REGISTRY.values()}
    assert patterns and [p for p in patterns if p not in declared] == []


def test_data_with_a_newline_after_it_is_not_taken_by_the_handler():
    """`re.match` with `$` would take it, and `of` would then find no press of its kind."""
    handler = _Decide.handler(lambda *_: None)
    user = User(1, "x", False)
    for data, taken in ((_Decide(5, True).pack(), True), (_Decide(5, True).pack() + "\n", False)):
        update = Update(1, callback_query=CallbackQuery("1", user, "chat", data=data))
        assert bool(handler.check_update(update)) is taken


def test_a_press_is_the_value_of_its_fields_and_cannot_change():
    pressed = _Vote(7, choice=Window.WEEK)
    assert (pressed.record_id, pressed.choice) == (7, Window.WEEK)
    assert pressed == _Vote.parse("test:vote:7:week") == _Vote(record_id=7, choice=Window.WEEK)
    assert pressed != _Vote(8, Window.WEEK) and pressed != _Decide(7, True)
    assert len({pressed, _Vote(7, Window.WEEK), _Vote(7, Window.MONTH)}) == 2
    assert repr(pressed) == "_Vote(record_id=7, choice=<Window.WEEK: 'week'>)"
    assert _Totals() == _Totals(None) and _Totals().window is None
    with pytest.raises(AttributeError):
        pressed.record_id = 8
    with pytest.raises(TypeError):
        _Vote(7)
    with pytest.raises(TypeError):
        _Vote(7, Window.WEEK, record_id=8)


def test_a_mixin_that_brings_its_own_constructor_is_refused():
    @dataclasses.dataclass(frozen=True)
    class OnThing:
        thing_id: int

    with pytest.raises(TypeError, match="plain classes"):

        class _Thing(OnThing, Button, prefix="test:thing", audience=Audience.MEMBER):
            pass
