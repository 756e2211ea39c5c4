"""The steps of the /hours conversation and its draft."""

from __future__ import annotations

from enum import StrEnum

from telegram.ext import ConversationHandler

from bot.context import BotContext


class State(StrEnum):
    """The values are persisted (ptb_conversations): renaming one needs a migration of the
    stored conversations."""

    KIND = "hours.kind"
    DAY = "hours.day"
    DAY_TYPED = "hours.day_typed"
    AMOUNT = "hours.amount"
    DESCRIBE = "hours.describe"
    PHOTO = "hours.photo"
    CONFIRM = "hours.confirm"
    EDIT_AMOUNT = "hours.edit"
    REASON = "hours.reason"
    CORRECT_AMOUNT = "hours.correct"


# The conversation's draft in user_data.
DRAFT = "hours"


def end(context: BotContext) -> int:
    """The conversation ends and its draft goes."""
    context.user_data.pop(DRAFT, None)
    return ConversationHandler.END
