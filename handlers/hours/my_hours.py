"""A member's own hours: totals by period, the history of records, and changing or
withdrawing a record while it is still pending. Nobody sees another member's figures."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain import hours
from domain.activity import HourRecord, HourSource, HourStatus
from domain.errors import DomainError
from domain.i18n import Translator
from handlers.common import answer_query, branch_today, error_text, home_branch, who
from handlers.conversation import answer_stale, on_press
from handlers.flow_kit import or_alert
from handlers.hours.amounts import ask_amount, change_amount
from handlers.hours.buttons import Edit, EditAmount, MyHistory, MyTotals, Withdraw
from handlers.hours.states import DRAFT, State
from handlers.hours.views import PERIOD_TITLES, record_line, show, totals_block


@on_press()
async def show_totals(update: Update, context: BotContext, query, t) -> None:
    """This quarter and this year; the buttons show the week or the month instead."""
    pressed = MyTotals.parse(query.data)
    me = await who(update, context)
    if pressed is None or not me.member:
        await answer_query(query, error_text(t, DomainError("members_only")), alert=True)
        return
    await answer_query(query)
    today = await branch_today(context, home_branch(me))
    periods = (
        [hours.Period(pressed.period)]
        if pressed.period
        else [hours.Period.QUARTER, hours.Period.YEAR]
    )
    lines: list[str] = []
    for period in periods:
        totals = await hours.period_totals(context.db, me.person.id, period, today)
        lines += ["", *totals_block(t, t.gettext(PERIOD_TITLES[period]), totals)]
    keyboard = InlineKeyboardMarkup(
        [
            [
                MyTotals("week").button(t.pgettext("button", "This week")),
                MyTotals("month").button(t.pgettext("button", "This month")),
            ]
        ]
    )
    await update.effective_message.reply_text("\n".join(lines[1:]), reply_markup=keyboard)


@on_press()
async def show_history(update: Update, context: BotContext, query, t) -> None:
    pressed = MyHistory.parse(query.data)
    me = await who(update, context)
    if pressed is None or not me.member:
        await answer_stale(query, t)
        return
    await answer_query(query)
    page = pressed.page
    records, more = await hours.history(context.db, me, page)
    if not records:
        await update.effective_message.reply_text(t.gettext("You have no records yet."))
        return
    rows = [
        [
            Edit(r.id).button(t.pgettext("button", "✏️ Edit #{id}").format(id=r.id)),
            Withdraw(r.id).button(t.pgettext("button", "↩️ Withdraw #{id}").format(id=r.id)),
        ]
        for r in records
        if r.status is HourStatus.PENDING and r.source is HourSource.SELF
    ]
    paging = []
    if page > 0:
        paging.append(MyHistory(page - 1).button(t.pgettext("button", "◀ Newer")))
    if more:
        paging.append(MyHistory(page + 1).button(t.pgettext("button", "Older ▶")))
    if paging:
        rows.append(paging)
    text = "\n".join(
        [t.gettext("Your records (page {page}):", page=page + 1)]
        + [record_line(t, r) for r in records]
    )
    # Nothing left to edit or page (every record decided): no keyboard, not an empty one.
    markup = InlineKeyboardMarkup(rows) if rows else None
    await update.effective_message.reply_text(text, reply_markup=markup)


@on_press()
async def start_edit(update: Update, context: BotContext, query, t) -> str | int:
    pressed = Edit.parse(query.data)
    if pressed is None:
        await answer_stale(query, t)
        return ConversationHandler.END
    try:
        me = await who(update, context)
        record = await hours.own_record(context.db, me, pressed.record_id, editable=True)
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return ConversationHandler.END
    await answer_query(query)
    context.user_data[DRAFT] = {"record": record.id}
    question = t.gettext("Record #{id}: how many hours should it be?", id=record.id)
    await ask_amount(update, context, t, question, EditAmount)
    return State.EDIT_AMOUNT


async def got_edit_amount(update: Update, context: BotContext) -> str | int:
    def done(t: Translator, record: HourRecord) -> str:
        return t.gettext(
            "Record #{id} now has {hours} h.", id=record.id, hours=show(t, record.hours)
        )

    return await change_amount(
        update, context, EditAmount, State.EDIT_AMOUNT, hours.edit_hours, done
    )


@on_press()
async def withdraw(update: Update, context: BotContext, query, t) -> None:
    pressed = Withdraw.parse(query.data)
    if pressed is None:
        await answer_stale(query, t)
        return
    me = await who(update, context)
    record = await or_alert(query, t, hours.withdraw(context.db, me, pressed.record_id))
    if record is None:
        return
    await answer_query(query)
    await update.effective_message.reply_text(
        t.gettext("Record #{id} was withdrawn.", id=record.id)
    )
