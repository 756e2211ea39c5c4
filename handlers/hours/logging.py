"""Logging hours, step by step: the kind of activity, the day, the hours, a description,
an optional photo, then the review screen. The record stays pending until a secretary
decides; the secretaries are asked at once."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain import dates, hours
from domain.activity import ActivityKind
from domain.errors import DomainError, InvalidInput
from domain.i18n import NP_, Translator
from handlers.common import (
    answer_and_drop,
    answer_query,
    branch_today,
    error_text,
    home_branch,
    tr,
    who,
)
from handlers.conversation import CANCEL_HINT, on_press, review_keyboard, skip_keyboard
from handlers.flow_kit import reply_outcome, typed_step
from handlers.hours.amounts import ask_amount, typed_hours
from handlers.hours.buttons import Amount, Cancel, Day, Kind, NoPhoto, Submit
from handlers.hours.states import DRAFT, State, end
from handlers.hours.views import kind_keyboard, kind_name, show
from handlers.in_place import answer_and_replace

log = logging.getLogger(__name__)


@on_press()
async def start_log(update: Update, context: BotContext, t) -> str | int:
    await answer_query(update.callback_query)
    if not (await who(update, context)).member:
        await update.effective_message.reply_text(error_text(t, DomainError("members_only")))
        return ConversationHandler.END
    context.user_data[DRAFT] = {}
    await update.effective_message.reply_text(
        t.gettext("What kind of activity was it?") + "\n" + t.gettext(CANCEL_HINT),
        reply_markup=kind_keyboard(t, Kind),
    )
    return State.KIND


@on_press()
async def got_kind(update: Update, context: BotContext, query, t) -> str:
    kind = Kind.of(update).kind
    if kind is ActivityKind.POST_DUTY:
        await answer_query(query)
        await update.effective_message.reply_text(
            error_text(t, InvalidInput("post_duty_via_posts"))
        )
        return State.KIND
    await answer_and_replace(query)
    context.user_data[DRAFT]["kind"] = str(kind)
    keyboard = InlineKeyboardMarkup(
        [
            [
                Day("today").button(t.pgettext("button", "Today")),
                Day("yesterday").button(t.pgettext("button", "Yesterday")),
            ],
            [Day("pick").button(t.pgettext("button", "📅 Another day"))],
        ]
    )
    await update.effective_message.reply_text(
        t.gettext("{kind}. On which day?", kind=kind_name(t, kind)), reply_markup=keyboard
    )
    return State.DAY


@on_press()
async def got_day_button(update: Update, context: BotContext, query, t) -> str:
    day = Day.of(update).day
    await answer_and_replace(query)
    if day == "pick":
        await update.effective_message.reply_text(
            t.gettext("Please type the date, for example 2026-11-20, 11月20日 or yesterday.")
        )
        return State.DAY_TYPED
    today = await branch_today(context, home_branch(await who(update, context)))
    chosen = today if day == "today" else today - timedelta(days=1)
    return await _accept_day(update, context, t, chosen, today)


async def got_day_text(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    today = await branch_today(context, home_branch(await who(update, context)))
    try:
        day = dates.parse_date(update.effective_message.text, today, dates.Year.PAST)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return State.DAY_TYPED
    return await _accept_day(update, context, t, day, today)


async def _accept_day(
    update: Update, context: BotContext, t: Translator, day: date, today: date
) -> str:
    try:
        await hours.check_member_day(context.db, await who(update, context), day, today)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return State.DAY_TYPED
    context.user_data[DRAFT]["day"] = day.isoformat()
    question = t.gettext(
        "How many hours on {day}? Press one or type it: steps of half an hour, "
        "at most {max}, for example 1.5.",
        day=t.date(day),
        max=hours.MAX_HALF_HOURS_PER_RECORD // 2,
    )
    await ask_amount(update, context, t, question, Amount)
    return State.AMOUNT


async def got_amount(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    half_hours = await typed_hours(update, context, t, Amount, date.fromisoformat(draft["day"]))
    if half_hours is None:
        return State.AMOUNT
    draft["half_hours"] = half_hours
    await update.effective_message.reply_text(
        t.gettext(
            "Please describe briefly what you did (at most {max} characters).",
            max=hours.DESCRIPTION_MAX,
        )
    )
    return State.DESCRIBE


@typed_step(DRAFT, "description", hours.description)
async def got_description(update: Update, context: BotContext, t) -> str:
    await update.effective_message.reply_text(
        t.gettext("If you have a photo as evidence, send it now; otherwise press Skip."),
        reply_markup=skip_keyboard(t, NoPhoto()),
    )
    return State.PHOTO


async def got_photo(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    context.user_data[DRAFT]["photo"] = update.effective_message.photo[-1].file_id
    await show_review(update, context, t)
    return State.CONFIRM


@on_press()
async def skip_photo(update: Update, context: BotContext, t) -> str:
    await answer_and_replace(update.callback_query)
    context.user_data[DRAFT].pop("photo", None)
    await show_review(update, context, t)
    return State.CONFIRM


def _draft(context: BotContext) -> hours.Draft:
    draft = context.user_data[DRAFT]
    return hours.Draft(
        kind=ActivityKind(draft["kind"]),
        day=date.fromisoformat(draft["day"]),
        half_hours=draft["half_hours"],
        description=draft["description"],
        photo_file_id=draft.get("photo"),
    )


async def show_review(update: Update, context: BotContext, t: Translator) -> None:
    draft = _draft(context)
    lines = [
        t.gettext("Please check:"),
        t.gettext("Activity: {kind}", kind=kind_name(t, draft.kind)),
        t.gettext("Date: {day}", day=t.date(draft.day)),
        t.gettext("Hours: {hours}", hours=show(t, hours.as_hours(draft.half_hours))),
        t.gettext("Description: {text}", text=draft.description),
    ]
    if draft.photo_file_id:
        lines.append(t.gettext("Photo: attached"))
    keyboard = review_keyboard(t, Submit(), Cancel(), redo_label=NP_("button", "✖️ Cancel"))
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard)


@on_press()
async def submit(update: Update, context: BotContext, query, t) -> int:
    await answer_and_drop(query)
    me = await who(update, context)
    today = await branch_today(context, home_branch(me))
    draft = _draft(context)
    photo = await evidence(context, draft)
    done = lambda record: t.gettext(  # noqa: E731
        "Saved as record #{id}: {hours} h, pending until the secretary approves it.",
        id=record.id,
        hours=show(t, record.hours),
    )
    await reply_outcome(
        update, t, hours.log(context.db, me, draft, today=today, evidence=photo), done
    )
    return end(context)


async def evidence(context: BotContext, draft: hours.Draft) -> bytes | None:
    """The photo's bytes, for the secretaries' review; the record stands without them."""
    if draft.photo_file_id is None:
        return None
    try:
        file = await context.bot.get_file(draft.photo_file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError:
        log.warning("could not fetch the evidence photo %s", draft.photo_file_id)
        return None
