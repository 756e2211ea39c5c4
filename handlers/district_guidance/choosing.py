"""The first step of /assess and /targets: which of the district's branches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain import assessment
from domain.access import Actor
from domain.errors import NotAllowed
from domain.i18n import Translator
from handlers.buttons import Button
from handlers.common import error_text, who
from handlers.conversation import CANCEL_HINT


async def which_branch(
    update: Update,
    context: BotContext,
    t: Translator,
    question: str,
    button: type[Button],
    marked: Callable[[Actor], Awaitable[set[int]]] | None = None,
) -> bool:
    """Asks the district's contact `question` with a button per branch (✅ before those
    `marked` returns); False, once told, for someone who is no district's contact."""
    me = await who(update, context)
    found = await assessment.district_branches(context.db, me)
    if not found:
        await update.effective_message.reply_text(error_text(t, NotAllowed("district_only")))
        return False
    done = await marked(me) if marked else set()
    rows = [[button(b.id).button(("✅ " if b.id in done else "") + b.name)] for b in found]
    await update.effective_message.reply_text(
        question + "\n" + t.gettext(CANCEL_HINT), reply_markup=InlineKeyboardMarkup(rows)
    )
    return True
