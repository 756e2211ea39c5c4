"""The member's status report (动态报告): three questions, then what has changed (each
change waits for the secretary), then send."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain.errors import DomainError
from domain.i18n import N_, Translator
from domain.mobile import registrations, reports
from domain.mobile.models import Direction
from domain.mobile.rules import CHANGEABLE, NOTE_MAX, REPORT_FIELDS, field_value, text_field
from handlers.common import answer_and_drop, answer_query, drop_buttons, error_text, my_today, tr
from handlers.conversation import CANCEL_HINT, on_press
from handlers.mobile.buttons import ChangeField, SendReport, StartReport
from handlers.mobile.steps import REPORT_STEP, MemberStep
from handlers.mobile.views import (
    FIELD_LABELS,
    field_pressed,
    field_value_text,
    labelled,
    show_fields,
)

DRAFT = "mobile_report"

PROMPTS: dict[str, str] = {
    "whereabouts": N_("Where are you now, and what work are you doing?"),
    "study": N_("What have you studied recently (documents, lessons)?"),
    "activities": N_("Which party activities have you joined?"),
}


@on_press(StartReport)
async def begin(update: Update, context: BotContext, query, t, pressed, me) -> MemberStep | int:
    await answer_query(query)
    try:
        seen = await registrations.overview(context.db, me)
        registration = seen.registration
        if registration is None or registration.id != pressed.registration_id:
            raise DomainError("registration_unknown")
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    await drop_buttons(query)
    context.user_data[DRAFT] = {
        "id": registration.id,
        "direction": str(registration.direction),
        "answers": {},
        "changes": {},
    }
    await update.effective_message.reply_text(
        t.gettext(CANCEL_HINT) + "\n" + t.gettext(PROMPTS[REPORT_FIELDS[0]])
    )
    return REPORT_STEP[REPORT_FIELDS[0]]


def answer_of(field: str):
    """The callback taking the typed answer to one report question."""

    async def answered(update: Update, context: BotContext) -> MemberStep:
        t = await tr(update, context)
        try:
            value = text_field(update.effective_message.text, NOTE_MAX)
        except DomainError as exc:
            await update.effective_message.reply_text(error_text(t, exc))
            return REPORT_STEP[field]
        context.user_data[DRAFT]["answers"][field] = value
        if field != REPORT_FIELDS[-1]:
            following = REPORT_FIELDS[REPORT_FIELDS.index(field) + 1]
            await update.effective_message.reply_text(t.gettext(PROMPTS[following]))
            return REPORT_STEP[following]
        return await _changes(update, context, t)

    return answered


async def _changes(update: Update, context: BotContext, t: Translator) -> MemberStep:
    draft = context.user_data[DRAFT]
    direction = Direction(draft["direction"])
    lines = [t.gettext("Has anything changed? Choose what to update, or send the report.")]
    lines += [
        labelled(t, FIELD_LABELS[f], field_value_text(t, f, v)) for f, v in draft["changes"].items()
    ]
    send = SendReport().button(t.pgettext("button", "✅ Send the report"))
    await show_fields(update, t, lines, ChangeField, CHANGEABLE[direction], send)
    return MemberStep.CHANGES


async def change_chosen(update: Update, context: BotContext) -> MemberStep:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    field = await field_pressed(update, t, ChangeField, CHANGEABLE[Direction(draft["direction"])])
    if field is None:
        return MemberStep.CHANGES
    draft["field"] = field
    await update.effective_message.reply_text(
        t.gettext("Please type the new value of “{field}”.", field=t.gettext(FIELD_LABELS[field]))
    )
    return MemberStep.CHANGE_VALUE


async def change_typed(update: Update, context: BotContext) -> MemberStep:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    try:
        value = field_value(
            draft["field"], update.effective_message.text, await my_today(update, context)
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return MemberStep.CHANGE_VALUE
    draft["changes"][draft["field"]] = value
    return await _changes(update, context, t)


@on_press()
async def send(update: Update, context: BotContext, query, t, me) -> int:
    draft = context.user_data.pop(DRAFT)
    await answer_and_drop(query)
    try:
        reported = await reports.report(
            context.db,
            me,
            draft["id"],
            draft["answers"],
            draft["changes"],
            await my_today(update, context),
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    thanks = t.gettext(
        "Thank you, your report is recorded (version {version}).",
        version=reported.registration.version,
    )
    if reported.change is not None:
        thanks += "\n" + t.gettext(
            "Your changes take effect when the secretary approves them; I will tell you."
        )
    await update.effective_message.reply_text(thanks)
    return ConversationHandler.END
