"""Registering as a mobile member: outflow (外出) or inflow (流入), one question per field,
then the review screen, where any field may be typed again before it is sent."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler, MessageHandler

from bot.context import BotContext
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, Translator
from domain.mobile import registrations
from domain.mobile.models import Direction
from domain.mobile.rules import DATES, FIELDS, OPTIONAL, check_dates, field_value
from handlers.common import (
    answer_and_drop,
    answer_query,
    drop_buttons,
    error_text,
    my_today,
    tr,
    who,
)
from handlers.conversation import CANCEL_HINT, answer_stale, offer, on_press
from handlers.flow_kit import TYPED
from handlers.mobile.buttons import (
    Blank,
    Day,
    Edit,
    Month,
    NotKnownYet,
    Reason,
    Register,
    Submit,
    UsePhone,
)
from handlers.mobile.date_picker import date_picker, shows_a_month, typed_day
from handlers.mobile.steps import FIELD_STEP, MemberStep
from handlers.mobile.views import details_lines, field_pressed, show_fields

DRAFT = "mobile"

PROMPTS: dict[str, str] = {
    "destination": N_(
        "Where are you going? Please give the province and city (e.g. Hangzhou, Zhejiang)."
    ),
    "address": N_("What is your address there?"),
    "employer": N_("Who is your employer, or what work will you do?"),
    "org": N_(
        "Which party organisation will you join there? If you do not know yet, press the button."
    ),
    "org_contact": N_("Who is the contact person of that party organisation?"),
    "org_phone": N_("What is the contact person's phone number?"),
    "departure": N_("When do you leave (or when did you leave)? Type the date or pick it."),
    "expected_return": N_("When do you expect to come back? Type the date or pick it."),
    "reason": N_("Why are you going? Choose or type the reason."),
    "phone": N_("On which phone number can the branch reach you?"),
    "origin_branch": N_("Which party branch do you come from?"),
    "origin_contact": N_("Who is the contact person at that branch?"),
    "origin_phone": N_("What is that contact person's phone number?"),
    "arrival": N_("When did you arrive in the community? Type the date or pick it."),
}
REASONS: dict[str, str] = {
    "work": N_("Work"),
    "business": N_("Business"),
    "study": N_("Study"),
    "family": N_("Moving with family"),
}


def _draft(context: BotContext) -> dict:
    return context.user_data[DRAFT]


@on_press()
async def begin(update: Update, context: BotContext, query, t, me) -> str | int:
    direction = Register.of(update).direction
    await answer_and_drop(query)
    try:
        seen = await registrations.overview(context.db, me)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    if seen.registration is not None:
        # Checked again on submit; said now so nobody fills in ten fields for nothing.
        same = seen.registration.direction is direction
        code = f"{direction}_already_open" if same else "other_direction_open"
        await update.effective_message.reply_text(error_text(t, DomainError(code)))
        return ConversationHandler.END
    context.user_data[DRAFT] = {"direction": str(direction), "details": {}, "editing": False}
    await update.effective_message.reply_text(t.gettext(CANCEL_HINT))
    return await _ask(update, context, t, FIELDS[direction][0])


async def _ask(update: Update, context: BotContext, t: Translator, field: str) -> MemberStep:
    rows = []
    if field in OPTIONAL:
        rows.append([NotKnownYet().button(t.pgettext("button", "Not known yet"))])
    if field == "reason":
        rows += [[Reason(key).button(t.gettext(label))] for key, label in REASONS.items()]
    if field == "phone":
        # The number given when joining is offered rather than typed again.
        me = (await who(update, context)).person
        if me is not None and me.phone:
            rows.append([UsePhone().button(t.gettext("📞 Use {phone}", phone=me.phone))])
    markup = InlineKeyboardMarkup(rows) if rows else None
    if field in DATES:
        today = await my_today(update, context)
        markup = date_picker(t, today.year, today.month)
    _draft(context)["field"] = field
    if markup is None:
        await update.effective_message.reply_text(t.gettext(PROMPTS[field]))
    else:
        await offer(update, context, t.gettext(PROMPTS[field]), markup)
    return FIELD_STEP[field]


async def _accept(update: Update, context: BotContext, t: Translator, value: str) -> MemberStep:
    """Store one field's checked value and go on: the next field, or back to the review."""
    draft = _draft(context)
    field, direction = draft["field"], Direction(draft["direction"])
    today = await my_today(update, context)
    try:
        checked = field_value(field, value, today) if value else ""
        check_dates(draft["details"] | {field: checked}, today)
    except DomainError as exc:
        if field in DATES:
            # A fresh picker comes with the refusal and takes the place of the one above.
            await offer(
                update, context, error_text(t, exc), date_picker(t, today.year, today.month)
            )
        else:
            await update.effective_message.reply_text(error_text(t, exc))
        return FIELD_STEP[field]
    draft["details"][field] = checked
    if field == "org" and not checked:
        draft["details"].update(org_contact="", org_phone="")
    order = FIELDS[direction]
    remaining = [f for f in order[order.index(field) + 1 :] if f not in draft["details"]]
    if draft["editing"] or not remaining:
        return await _review(update, context, t)
    return await _ask(update, context, t, remaining[0])


async def typed(update: Update, context: BotContext) -> MemberStep:
    t = await tr(update, context)
    return await _accept(update, context, t, update.effective_message.text)


async def _pressed(update: Update, context: BotContext, value: str) -> MemberStep:
    """A button answered the question: it goes with its keyboard, like a typed answer."""
    t = await tr(update, context)
    await answer_and_drop(update.callback_query)
    return await _accept(update, context, t, value)


async def skipped(update: Update, context: BotContext) -> MemberStep:
    return await _pressed(update, context, "")


async def phone_chosen(update: Update, context: BotContext) -> MemberStep:
    me = (await who(update, context)).person
    if _draft(context).get("field") != "phone" or me is None or not me.phone:
        await answer_stale(update.callback_query, await tr(update, context))
        return FIELD_STEP[_draft(context).get("field", "phone")]
    return await _pressed(update, context, me.phone)


@on_press()
async def reason_chosen(update: Update, context: BotContext, t) -> MemberStep:
    return await _pressed(update, context, t.gettext(REASONS[Reason.of(update).reason]))


async def day_picked(update: Update, context: BotContext) -> MemberStep:
    return await _pressed(update, context, typed_day(Day.of(update)))


@on_press(Month)
async def month_turned(update: Update, context: BotContext, query, t, pressed) -> MemberStep:
    step = FIELD_STEP[_draft(context)["field"]]
    if not shows_a_month(pressed):
        await answer_stale(query, t)
        return step
    await answer_query(query)
    await query.edit_message_reply_markup(date_picker(t, pressed.year, pressed.month))
    return step


async def noop(update: Update, context: BotContext) -> None:
    """The picker's title and blank cells: nothing to do."""
    await answer_query(update.callback_query)


async def _review(update: Update, context: BotContext, t: Translator) -> MemberStep:
    draft = _draft(context)
    draft["editing"] = True
    direction = Direction(draft["direction"])
    lines = [t.gettext("Please check your registration:")]
    lines += details_lines(t, direction, draft["details"])
    submit = Submit().button(t.pgettext("button", "✅ Submit"))
    await show_fields(update, t, lines, Edit, FIELDS[direction], submit)
    return MemberStep.REVIEW


async def edit(update: Update, context: BotContext) -> MemberStep:
    t = await tr(update, context)
    field = await field_pressed(update, t, Edit, FIELDS[Direction(_draft(context)["direction"])])
    if field is None:
        return MemberStep.REVIEW
    return await _ask(update, context, t, field)


@on_press()
async def submit(update: Update, context: BotContext, query, t, me) -> MemberStep | int:
    draft = _draft(context)
    await answer_query(query)
    try:
        submitted = await registrations.submit(
            context.db,
            me,
            Direction(draft["direction"]),
            draft["details"],
            await my_today(update, context),
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        if isinstance(exc, InvalidInput):
            return MemberStep.REVIEW
        context.user_data.pop(DRAFT, None)
        return ConversationHandler.END
    await drop_buttons(query)
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(
        t.gettext(
            "Thank you. Your registration has been sent to the secretary of {branch}. I will tell you the decision here.",
            branch=submitted.branch.name,
        )
    )
    return ConversationHandler.END


def field_handlers(field: str) -> list:
    """What answers the question of one field: typing, and its buttons."""
    found = [MessageHandler(TYPED, typed)]
    if field in OPTIONAL:
        found.append(NotKnownYet.handler(skipped))
    if field == "reason":
        found.append(Reason.handler(reason_chosen))
    if field == "phone":
        found.append(UsePhone.handler(phone_chosen))
    if field in DATES:
        found += [Day.handler(day_picked), Month.handler(month_turned), Blank.handler(noop)]
    return found
