"""/events and the member's answers: the events to come with Going / Not going, the
reminder's lead time, and the calendar file of an event one is going to."""

from __future__ import annotations

import io

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain import events
from domain.activity import Rsvp
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_
from domain.models import Role
from handlers.common import answer_query, branch_zone, drop_buttons, error_text, now, tr, who
from handlers.conversation import Refuse, on_press
from handlers.events.buttons import Answer, CalendarFile, Lead
from handlers.events.views import ANSWER_LABELS, event_keyboard, event_text

LEAD_LABELS = {
    30: N_("30 minutes"),
    60: N_("1 hour"),
    120: N_("2 hours"),
    240: N_("4 hours"),
    1440: N_("1 day"),
}


async def list_events(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        found = await events.upcoming(context.db, me, now(context))
        lead = await events.lead_of(context.db, me)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    if not found:
        await update.effective_message.reply_text(t.gettext("There are no upcoming events."))
    for event, answer in found[:10]:
        secretary = me.has(Role.SECRETARY, event.branch_id)
        await update.effective_message.reply_text(
            event_text(t, event, await branch_zone(context, event.branch_id), answer),
            reply_markup=event_keyboard(t, event, answer, secretary),
        )
    await update.effective_message.reply_text(
        t.gettext(
            "I remind you {lead} before each event you are going to. Change it:",
            lead=t.gettext(LEAD_LABELS.get(lead, LEAD_LABELS[events.DEFAULT_LEAD_MINUTES])),
        ),
        reply_markup=InlineKeyboardMarkup(
            [[Lead(m).button(t.gettext(label))] for m, label in LEAD_LABELS.items()]
        ),
    )


@on_press(Answer)
async def answer(update: Update, context: BotContext, query, t, pressed, me) -> None:
    try:
        event, answer = await events.answer(
            context.db, me, pressed.event_id, pressed.answer, now(context)
        )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query, t.gettext("Saved: {answer}", answer=t.gettext(ANSWER_LABELS[answer])))
    secretary = me.has(Role.SECRETARY, event.branch_id)
    await query.edit_message_text(
        event_text(t, event, await branch_zone(context, event.branch_id), answer),
        reply_markup=event_keyboard(t, event, answer, secretary),
    )


@on_press(refuse=Refuse.ALERT, answer=True)
async def set_lead(update: Update, context: BotContext, t, me) -> None:
    minutes = await events.set_lead(context.db, me, Lead.of(update).minutes)
    await drop_buttons(update.callback_query)
    await update.effective_message.reply_text(
        t.gettext(
            "I will remind you {lead} before each event.", lead=t.gettext(LEAD_LABELS[minutes])
        )
    )


@on_press(refuse=Refuse.ALERT, answer=True)
async def send_ics(update: Update, context: BotContext, t, me) -> None:
    event, answer = await events.event_for(context.db, me, CalendarFile.of(update).event_id)
    if answer is not Rsvp.GOING:
        raise InvalidInput("ics_not_going")
    data = events.ics(event, now(context)).encode()
    await update.effective_message.reply_document(
        io.BytesIO(data), filename=f"event-{event.id}.ics", caption=event.title
    )


def handlers() -> list:
    return [
        Answer.handler(answer),
        Lead.handler(set_lead),
        CalendarFile.handler(send_ics),
    ]
