"""The error handler: log with context, tell the person, never leak details."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError

from bot.context import BotContext
from handlers.common import (
    tr,
)
from handlers.conversation import answer_stale

log = logging.getLogger(__name__)

# Telegram's words when the pressed message cannot be edited any more (too old, deleted).
_CANNOT_EDIT = ("message can't be edited", "message to edit not found")


def stale_press(update: object, error: object) -> bool:
    """A press whose handler could not edit the pressed message: the message is stale,
    nothing broke. Every handler edits that way, so it is told here, not in each."""
    return (
        isinstance(error, BadRequest)
        and isinstance(update, Update)
        and update.callback_query is not None
        and any(words in str(error).lower() for words in _CANNOT_EDIT)
    )


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        log.warning("forbidden: %s", error)
        return
    if stale_press(update, error):
        assert isinstance(update, Update) and update.callback_query is not None
        log.warning("%s: the pressed message cannot be edited: %s", _describe(update), error)
        # Unless the handler answered the press already (Telegram takes one answer).
        await answer_stale(update.callback_query, await tr(update, context))
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        log.warning("network error outside an update: %s", error)
        return
    log.error("unhandled error while handling %s", _describe(update), exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        t = await tr(update, context)
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                t.gettext(
                    "Sorry, something went wrong on my side. What you confirmed before is "
                    "saved; please try the last step again."
                ),
            )
        except Exception:  # the chat may be unreachable; the log above is what matters
            log.warning("could not tell chat %s about the error", update.effective_chat.id)


def _describe(update: object) -> str:
    if not isinstance(update, Update):
        return repr(type(update).__name__)
    kind = "callback" if update.callback_query else "message" if update.message else "update"
    user = update.effective_user.id if update.effective_user else None
    return f"{kind} {update.update_id} from user {user}"
