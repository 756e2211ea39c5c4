"""Where the bot's texts go in the person's chat, for every handler at once.

* In place of a pressed step. A press that ends a step whose message the person needs no
  record of (a question answered, a menu chosen) is answered with `answer_and_replace`:
  the next text the update sends to that chat edits the pressed message instead (answer +
  edit: two Bot API calls where answer + drop the keyboard + send were three), and no dead
  keyboard stays behind. An update that sends no text drops the buttons, as
  `answer_and_drop` did. Where the person needs a record (a decision, a certificate) the
  handler keeps `answer_and_drop` and a new message.
* The open question. Every inline keyboard an update shows in the person's own chat is
  noted (`shown_keyboard`), so the conversation kit can take it away once a typed
  message supersedes it (`conversation.settle_offer`), whether it was asked with `offer` or
  is a buttons-only step.

`PressBot` is the application's bot (bot/app.py); the state is per update (its task)."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import BadRequest
from telegram.ext import ExtBot

from handlers.common import answer_query

# The pressed message the update's next text may replace.
_pressed: ContextVar[Message | None] = ContextVar("pressed_message", default=None)
# The newest inline keyboard the update showed, per chat: (chat id, message id).
_shown: ContextVar[dict[int, tuple[int, int]] | None] = ContextVar("shown", default=None)

# send_message's arguments an edit carries over; any other one set keeps it a new message.
_EDITABLE = {
    "chat_id",
    "text",
    "parse_mode",
    "entities",
    "reply_markup",
    "link_preview_options",
    "disable_web_page_preview",
    "read_timeout",
    "write_timeout",
    "connect_timeout",
    "pool_timeout",
}


def begin_update() -> None:
    _pressed.set(None)
    _shown.set({})


async def answer_and_replace(query: CallbackQuery) -> None:
    """A step's button was taken: answer the press; the step's next text takes the pressed
    message's place (or, if none comes, its buttons go)."""
    await answer_query(query)
    message = query.message
    if isinstance(message, Message):
        _pressed.set(message)


def shown_keyboard(chat_id: int) -> tuple[int, int] | None:
    """The newest inline keyboard this update showed in `chat_id`."""
    return (_shown.get() or {}).get(chat_id)


async def end_update(bot: ExtBot) -> None:
    """A press whose step sent no text: its buttons go, so it is not answered twice."""
    pressed = _pressed.get()
    _pressed.set(None)
    if pressed is not None and pressed.reply_markup:
        # Already without buttons, or deleted by the person: nothing is left to remove.
        with contextlib.suppress(BadRequest):
            await bot.edit_message_reply_markup(
                chat_id=pressed.chat_id, message_id=pressed.message_id, reply_markup=None
            )


def _set(value: object) -> bool:
    return value is not None and not isinstance(value, DefaultValue)


def _note(sent: object) -> None:
    shown = _shown.get()
    if shown is not None and isinstance(sent, Message):
        if isinstance(sent.reply_markup, InlineKeyboardMarkup):
            shown[sent.chat_id] = (sent.chat_id, sent.message_id)
        elif shown.get(sent.chat_id) == (sent.chat_id, sent.message_id):
            del shown[sent.chat_id]


class PressBot(ExtBot):
    """The bot whose `send_message` edits the pressed message when `answer_and_replace`
    asked for it, and which notes the keyboards an update shows."""

    async def send_message(self, chat_id: int | str, text: str, *args: Any, **kwargs: Any):
        pressed = _pressed.get()
        if (
            pressed is not None
            and pressed.text is not None
            and pressed.chat_id == chat_id
            and not args
            and not any(_set(v) for k, v in kwargs.items() if k not in _EDITABLE)
            and isinstance(kwargs.get("reply_markup"), InlineKeyboardMarkup | None)
        ):
            _pressed.set(None)
            carried = {k: v for k, v in kwargs.items() if k in _EDITABLE}
            edited = await self.edit_message_text(
                text, chat_id=chat_id, message_id=pressed.message_id, **carried
            )
            # True: Telegram found it showing this text already ("not modified").
            sent = edited if isinstance(edited, Message) else pressed
        else:
            sent = await super().send_message(chat_id, text, *args, **kwargs)
        _note(sent)
        return sent

    async def edit_message_text(self, text: str, *args: Any, **kwargs: Any):
        edited = await super().edit_message_text(text, *args, **kwargs)
        _note(edited)
        return edited

    async def edit_message_reply_markup(self, *args: Any, **kwargs: Any):
        edited = await super().edit_message_reply_markup(*args, **kwargs)
        _note(edited)
        return edited
