"""A press on a message the bot can no longer edit is a stale press, not a failure."""

from __future__ import annotations

import logging

import pytest


@pytest.mark.parametrize(
    "description",
    ["Bad Request: message can't be edited", "Bad Request: message to edit not found"],
)
async def test_a_press_on_a_message_that_cannot_be_edited(bot, caplog, description):
    someone = bot.person("李")
    await someone.send("/language")
    bot.server.inject("editMessageText", status=400, description=description)
    caplog.set_level(logging.WARNING)
    replies = await someone.press("English")
    # Answered: by the handler before it edited (Telegram takes one answer), else as stale.
    assert someone.answer in (None, "此按钮已失效。")
    assert not any(
        "出了点问题" in m.get("text", "") or "went wrong" in m.get("text", "") for m in replies
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert any("cannot be edited" in r.getMessage() for r in caplog.records)
