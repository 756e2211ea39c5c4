"""/pending shows the deciding features' own buttons: each must reach that feature's
handler (a renamed prefix left behind here made the claim cards' buttons stale)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

import handlers  # noqa: F401  (registers every feature's buttons)
from domain.i18n import translator
from domain.pending import Item, Kind
from handlers import buttons, menu, pending


@pytest.mark.parametrize("kind", list(Kind))
def test_every_card_button_reaches_a_handler(kind):
    item = Item(kind, 7, 1, 3, "李明", datetime(2026, 11, 1), None, 9)
    keyboard = pending.card_keyboard(translator("zh_Hans"), item)
    for button in keyboard.inline_keyboard[0]:
        data = button.callback_data
        reached = buttons.matching(data) is not None or any(
            re.match(pattern, data) for pattern in menu.BUTTONS
        )
        assert reached, f"{kind}: {data!r} reaches no handler"
