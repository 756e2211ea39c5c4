"""The first step of /assess and /targets: which of the district's branches (the button of
that pick, the question, and the press that answers it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain import assessment
from domain.access import Actor, Audience
from domain.assessment import Targets
from domain.errors import DomainError, NotAllowed
from domain.i18n import Translator
from domain.models import Branch
from handlers.buttons import Button, family
from handlers.common import answer_and_drop, answer_query, error_text, who
from handlers.conversation import CANCEL_HINT


def branch_pick(feature: str) -> type[Button]:
    """The button of `feature`'s branch pick, pressed by a district's contact:
    `<feature>:branch` with the branch's id, what `which_branch` shows."""
    (pick,) = family(Audience.DISTRICT, f"{feature}:branch", branch_id=int)
    return pick


async def which_branch(
    update: Update,
    context: BotContext,
    t: Translator,
    question: str,
    button: type[Button],
    marked: Callable[[Actor], Awaitable[set[int]]] | None = None,
) -> bool:
    """Asks the district's contact `question` with a `branch_pick` button per branch (✅
    before those `marked` returns); False, once told, for someone who is no district's
    contact."""
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


async def picked_branch(
    update: Update, context: BotContext, t: Translator, me: Actor, pick: type[Button], year: int
) -> tuple[Branch, Targets | None] | None:
    """The branch pressed on `pick`, which must be of the contact's district, and its
    targets of `year`; None once a refusal is told in an alert (the pick stays open)."""
    branch_id = pick.of(update).branch_id
    try:
        branch = await assessment.require_district(context.db, me, branch_id)
        targets = await assessment.targets_of(context.db, me, branch_id, year)
    except DomainError as exc:
        await answer_query(update.callback_query, error_text(t, exc), alert=True)
        return None
    await answer_and_drop(update.callback_query)
    return branch, targets
