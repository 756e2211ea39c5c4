"""The question "how many hours?", asked when logging, editing and correcting: the common
amounts as buttons, or typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain import hours
from domain.activity import HourRecord
from domain.errors import DomainError
from domain.i18n import Translator
from handlers.buttons import Button
from handlers.common import amount_buttons, answer_query, drop_buttons, error_text, tr, who
from handlers.conversation import answer_stale, offer
from handlers.hours.states import DRAFT, State, end


async def ask_amount(
    update: Update, context: BotContext, t: Translator, question: str, codec: type[Button]
) -> None:
    """Ask for hours; the amount buttons are `codec`s, and typing stays open."""
    await offer(update, context, question, amount_buttons(t, codec))


async def typed_hours(
    update: Update,
    context: BotContext,
    t: Translator,
    codec: type[Button],
    day: date | None,
) -> int | None:
    """Half-hours typed or pressed (a `codec` amount), or None after saying what is wrong;
    with `day`, whether they still fit on it."""
    query = update.callback_query
    try:
        if query is None:
            half_hours = hours.parse_hours(update.effective_message.text)
        else:
            pressed = codec.parse(query.data)
            if pressed is None:
                await answer_stale(query, t)
                return None
            await answer_query(query)
            half_hours = hours.common_amount(pressed.half_hours)
        if day is not None:
            await hours.check_room(context.db, await who(update, context), day, half_hours)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return None
    if query is not None:
        await drop_buttons(query)
    return half_hours


async def change_amount(
    update: Update,
    context: BotContext,
    codec: type[Button],
    step: State,
    change: Callable[..., Awaitable[HourRecord]],
    done: Callable[[Translator, HourRecord], str],
) -> str | int:
    """The answer to "how many hours?" about the draft's record: `change` it (the
    member's edit, the secretary's correction) and say `done`. A day already full asks
    again; any other refusal ends the conversation."""
    t = await tr(update, context)
    half_hours = await typed_hours(update, context, t, codec, None)
    if half_hours is None:
        return step
    me = await who(update, context)
    try:
        record = await change(context.db, me, context.user_data[DRAFT]["record"], half_hours)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return step if exc.code == "hours_day_full" else end(context)
    end(context)
    await update.effective_message.reply_text(done(t, record))
    return ConversationHandler.END
