"""A secretary's settings of the branch from /hours: how many days back members may log,
and what the branch's summaries count."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain import hours
from domain.access import Actor
from domain.errors import DomainError
from domain.i18n import Translator
from handlers.branch_choice import acting_branch
from handlers.common import answer_query, drop_buttons, error_text, tr, who
from handlers.hours.buttons import Count, Window
from handlers.hours.views import COUNTING_LABELS

SettingRows = list[list[InlineKeyboardButton]]


async def _branch_setting(
    update: Update,
    context: BotContext,
    value: object | None,
    ask: Callable[[Translator], tuple[str, SettingRows]],
    apply: Callable[[Translator, Actor, int], Awaitable[str]],
) -> None:
    """The first press (no `value`) asks a question with rows of buttons, the second
    applies the chosen value, which the domain checks again, and says what is now in
    force."""
    query = update.callback_query
    t = await tr(update, context)
    me = await who(update, context)
    if not me.is_secretary:
        await answer_query(query, error_text(t, DomainError("not_allowed")), alert=True)
        return
    await answer_query(query)
    if value is None:
        question, rows = ask(t)
        await update.effective_message.reply_text(question, reply_markup=InlineKeyboardMarkup(rows))
        return
    try:
        done = await apply(t, me, acting_branch(context, me))
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await drop_buttons(query)
    await update.effective_message.reply_text(done)


def _ask_counting(t: Translator) -> tuple[str, SettingRows]:
    question = t.gettext(
        "What should the branch's summaries (digest, register, feedback to units, "
        "county report, exports) count? Members always see both in their own totals."
    )
    rows = [[Count(c).button(t.gettext(label))] for c, label in COUNTING_LABELS.items()]
    return question, rows


async def choose_counting(update: Update, context: BotContext) -> None:
    """Whether the branch's summaries count attested hours too."""
    chosen = Count.of(update).counting

    async def apply(t: Translator, me: Actor, branch_id: int) -> str:
        counting = await hours.set_counting(context.db, me, branch_id, chosen)
        what = t.gettext(COUNTING_LABELS[counting])
        return t.gettext("The branch's summaries now count {what}.", what=what)

    await _branch_setting(update, context, chosen, _ask_counting, apply)


async def choose_window(update: Update, context: BotContext) -> None:
    """How many days back the branch's members may log hours."""
    chosen = Window.of(update).days

    def ask(t: Translator) -> tuple[str, SettingRows]:
        rows = [[Window(d).button(str(d)) for d in hours.WINDOW_CHOICES]]
        return t.gettext("How many days back may members log hours?"), rows

    async def apply(t: Translator, me: Actor, branch_id: int) -> str:
        days = await hours.set_window(context.db, me, branch_id, chosen)
        return t.gettext("Members may now log hours up to {days} days back.", days=days)

    await _branch_setting(update, context, chosen, ask, apply)
