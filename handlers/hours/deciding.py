"""A secretary decides logged hours: the review message (sent to the secretaries when a
member logs, and listed under "To approve"), then approve, reject with a reason, or
correct the hours. The member is told the decision as it was made."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import hours
from domain.activity import HourRecord, HourSource, HourStatus, as_hours
from domain.errors import DomainError
from domain.i18n import Translator
from handlers.common import answer_and_drop, answer_query, error_text, tr, who
from handlers.conversation import decision_keyboard, on_press
from handlers.flow_kit import or_alert
from handlers.hours.amounts import ask_amount, change_amount
from handlers.hours.buttons import Approve, Correct, CorrectAmount, Reject
from handlers.hours.states import DRAFT, State, end
from handlers.hours.views import kind_name, record_line, show
from storage.db import Database


async def review_text(t: Translator, db: Database, record: HourRecord) -> str:
    name = await hours.member_name(db, record)
    return "\n".join(
        [
            t.gettext("Hours to approve, record #{id}:", id=record.id),
            t.gettext("Member: {name}", name=name or "—"),
            t.gettext("Activity: {kind}", kind=kind_name(t, record.kind)),
            t.gettext("Date: {day}", day=t.date(record.day)),
            t.gettext("Hours: {hours}", hours=show(t, record.hours)),
            t.gettext("Description: {text}", text=record.description),
            *(
                [t.gettext("Checked in at this event but never checked out: counted to its end.")]
                if record.source is HourSource.EVENT
                else []
            ),
        ]
    )


def decision_buttons(t: Translator, record_id: int) -> InlineKeyboardMarkup:
    correct = Correct(record_id).button(t.pgettext("button", "✏️ Correct"))
    return decision_keyboard(t, Approve(record_id), Reject(record_id), more=[[correct]])


@renderer(hours.REVIEW_TEMPLATE)
async def review_message(t: Translator, db: Database, params: dict) -> Rendered:
    record = await hours.find(db, params["record"])
    assert record is not None
    return Rendered(await review_text(t, db, record), decision_buttons(t, record.id))


@on_press()
async def show_pending(update: Update, context: BotContext, t) -> None:
    await answer_query(update.callback_query)
    me = await who(update, context)
    if not me.is_secretary:
        await update.effective_message.reply_text(error_text(t, DomainError("not_allowed")))
        return
    waiting = await hours.pending_for(context.db, me)
    if not waiting:
        await update.effective_message.reply_text(t.gettext("No hours are waiting for approval."))
        return
    for record in waiting[:10]:
        await update.effective_message.reply_text(
            await review_text(t, context.db, record), reply_markup=decision_buttons(t, record.id)
        )


@renderer(hours.DECIDED_TEMPLATE)
async def decided_message(t: Translator, db: Database, params: dict) -> Rendered:
    """The decision as it was made (the record may have changed since)."""
    record = await hours.find(db, params["record"])
    assert record is not None
    facts = {
        "id": record.id,
        "hours": show(t, as_hours(params["half_hours"])),
        "day": t.date(record.day),
    }
    if params["status"] == HourStatus.REJECTED:
        return Rendered(
            t.gettext(
                "Your hours record #{id} ({hours} h on {day}) was not accepted. Reason: {reason}",
                reason=params["reason"] or "—",
                **facts,
            )
        )
    return Rendered(t.gettext("Your hours record #{id} is verified: {hours} h on {day}.", **facts))


def decided(t: Translator, record: HourRecord) -> str:
    return t.gettext("Decided: {line}", line=record_line(t, record))


@on_press()
async def approve(update: Update, context: BotContext, query, t, me) -> None:
    record = await or_alert(query, t, hours.approve(context.db, me, Approve.of(update).record_id))
    if record is None:
        return
    await answer_and_drop(query)
    await update.effective_message.reply_text(decided(t, record))


@on_press()
async def start_decision(update: Update, context: BotContext, query, t) -> str | int:
    """Reject or correct: both need one more answer typed by the secretary."""
    pressed = Reject.parse(query.data) or Correct.of(update)
    me = await who(update, context)
    verifying = isinstance(pressed, Correct)
    record = await or_alert(
        query,
        t,
        hours.record_for_secretary(
            context.db, me, pressed.record_id, verifying=verifying, deciding=True
        ),
    )
    if record is None:
        return ConversationHandler.END
    await answer_query(query)
    context.user_data[DRAFT] = {"record": record.id}
    if isinstance(pressed, Reject):
        await update.effective_message.reply_text(
            t.gettext("Why is record #{id} rejected? The member will read this.", id=record.id)
        )
        return State.REASON
    question = t.gettext("Record #{id}: how many hours are right?", id=record.id)
    await ask_amount(update, context, t, question, CorrectAmount)
    return State.CORRECT_AMOUNT


async def got_reason(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    record_id = context.user_data[DRAFT]["record"]
    try:
        record = await hours.reject(
            context.db, await who(update, context), record_id, update.effective_message.text
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return State.REASON if exc.code.startswith("reason_") else end(context)
    end(context)
    await update.effective_message.reply_text(decided(t, record))
    return ConversationHandler.END


async def got_correction(update: Update, context: BotContext) -> str | int:
    return await change_amount(
        update, context, CorrectAmount, State.CORRECT_AMOUNT, hours.correct, decided
    )
