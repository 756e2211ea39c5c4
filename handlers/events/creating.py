"""/newevent: the secretary types the title, kind, time, place, location and places of an
event, checks it on the review screen, and creates it; the members are invited."""

from __future__ import annotations

from datetime import datetime, tzinfo
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from domain import events
from domain.activity import ActivityKind
from domain.errors import DomainError
from domain.i18n import Translator
from handlers.branch_choice import branch_command, branch_for
from handlers.common import (
    answer_and_drop,
    answer_query,
    branch_zone,
    error_text,
    now,
    tr,
    who,
)
from handlers.conversation import (
    CANCEL_HINT,
    cancel_with,
    offer,
    offer_skip,
    on_press,
    unexpected,
)
from handlers.events.buttons import Cancel, Create, Kind, NoLimit, NoLocation, Toggle
from handlers.events.views import event_text
from handlers.flow_kit import TYPED, reply_outcome, typed_step


class Step(StrEnum):
    """The steps of /newevent. The values are persisted (ptb_conversations): keep them."""

    TITLE = "event.title"
    KIND = "event.kind"
    WHEN = "event.when"
    PLACE = "event.place"
    LOCATION = "event.location"
    CAPACITY = "event.capacity"
    REVIEW = "event.review"


# The draft's key in user_data (persisted too).
DRAFT = "event"

cancel = cancel_with(DRAFT)


async def start(update: Update, context: BotContext) -> str | int:
    branch_id = await branch_for(update, context, "newevent")
    if branch_id is None:
        return ConversationHandler.END  # refused, or asked which branch: the press starts again
    t = await tr(update, context)
    context.user_data[DRAFT] = {"branch": branch_id}
    await update.effective_message.reply_text(
        t.gettext("New event. What is its title?") + "\n" + t.gettext(CANCEL_HINT)
    )
    return Step.TITLE


async def _pressed(update: Update) -> None:
    await answer_and_drop(update.callback_query)


def kind_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[Kind(kind).button(t.gettext(kind.label))] for kind in ActivityKind]
    )


@typed_step(DRAFT, "title", events.title)
async def got_title(update: Update, context: BotContext, t) -> str:
    await update.effective_message.reply_text(
        t.gettext("What kind of activity is it?"), reply_markup=kind_keyboard(t)
    )
    return Step.KIND


@on_press()
async def got_kind(update: Update, context: BotContext, t) -> str:
    await _pressed(update)
    context.user_data[DRAFT]["kind"] = str(Kind.of(update).kind)
    await update.effective_message.reply_text(
        t.gettext("When? Type the date, start and end, for example 2026-12-01 14:00-16:00.")
    )
    return Step.WHEN


async def got_when(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    tz = await branch_zone(context, context.user_data[DRAFT]["branch"])
    try:
        start, end = events.parse_when(update.effective_message.text, now(context), tz)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return Step.WHEN
    context.user_data[DRAFT] |= {"start": start.isoformat(), "end": end.isoformat()}
    await update.effective_message.reply_text(t.gettext("Where? Type the place."))
    return Step.PLACE


@typed_step(DRAFT, "place", events.place)
async def got_place(update: Update, context: BotContext, t) -> str:
    question = t.gettext(
        "Share the location of the place (📎 → Location) so members can check in by location, or press Skip."
    )
    await offer_skip(update, context, t, question, NoLocation())
    return Step.LOCATION


async def _ask_capacity(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    await offer(
        update,
        context,
        t.gettext("How many places are there? Type a number, or press No limit."),
        InlineKeyboardMarkup([[NoLimit().button(t.pgettext("button", "No limit"))]]),
    )
    return Step.CAPACITY


async def got_location(update: Update, context: BotContext) -> str:
    location = update.effective_message.location
    context.user_data[DRAFT] |= {"lat": location.latitude, "lon": location.longitude}
    return await _ask_capacity(update, context)


async def skip_location(update: Update, context: BotContext) -> str:
    await _pressed(update)
    return await _ask_capacity(update, context)


@typed_step(DRAFT, "capacity", events.capacity)
async def got_capacity(update: Update, context: BotContext, t) -> str:
    await show_review(update, context)
    return Step.REVIEW


async def skip_capacity(update: Update, context: BotContext) -> str:
    await _pressed(update)
    await show_review(update, context)
    return Step.REVIEW


def _draft(context: BotContext) -> events.Draft:
    d = context.user_data[DRAFT]
    return events.Draft(
        branch_id=d["branch"],
        title=d["title"],
        kind=ActivityKind(d["kind"]),
        starts_at=datetime.fromisoformat(d["start"]),
        ends_at=datetime.fromisoformat(d["end"]),
        place=d["place"],
        latitude=d.get("lat"),
        longitude=d.get("lon"),
        capacity=d.get("capacity"),
        open_to_cadres=d.get("cadres", True),
        open_to_inflow=d.get("inflow", True),
    )


def _review(t: Translator, draft: events.Draft, tz: tzinfo) -> tuple[str, InlineKeyboardMarkup]:
    yes, no = t.gettext("yes"), t.gettext("no")
    lines = [
        t.gettext("Please check the event:"),
        event_text(t, draft, tz),
        t.gettext("Location for check-in: {set}", set=yes if draft.latitude is not None else no),
        t.gettext("Open to cadres: {v}", v=yes if draft.open_to_cadres else no),
        t.gettext("Open to inflow members: {v}", v=yes if draft.open_to_inflow else no),
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [
                Toggle("cadres").button(t.pgettext("button", "Cadres: yes / no")),
                Toggle("inflow").button(t.pgettext("button", "Inflow: yes / no")),
            ],
            [Create().button(t.pgettext("button", "✅ Create and invite"))],
            [Cancel().button(t.pgettext("button", "✖️ Cancel"))],
        ]
    )
    return "\n".join(lines), keyboard


async def _review_of(update: Update, context: BotContext) -> tuple[str, InlineKeyboardMarkup]:
    t = await tr(update, context)
    zone = await branch_zone(context, context.user_data[DRAFT]["branch"])
    return _review(t, _draft(context), zone)


async def show_review(update: Update, context: BotContext) -> None:
    text, keyboard = await _review_of(update, context)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


@on_press()
async def toggle(update: Update, context: BotContext, query) -> str:
    await answer_query(query)
    key = Toggle.of(update).who
    context.user_data[DRAFT][key] = not context.user_data[DRAFT].get(key, True)
    text, keyboard = await _review_of(update, context)
    await query.edit_message_text(text, reply_markup=keyboard)
    return Step.REVIEW


async def create(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    await _pressed(update)
    draft = _draft(context)
    me, zone = await who(update, context), await branch_zone(context, draft.branch_id)
    done = lambda created: t.ngettext(  # noqa: E731
        "Event #{id} created; {n} member was invited.",
        "Event #{id} created; {n} members were invited.",
        len(created.invitees),
        id=created.event.id,
    )
    await reply_outcome(update, t, events.create(context.db, me, draft, now(context), zone), done)
    return _end(context)


def _end(context: BotContext) -> int:
    context.user_data.pop(DRAFT, None)
    return ConversationHandler.END


def new_event_conversation() -> ConversationHandler:
    buttons = (Kind, NoLocation, NoLimit, Toggle, Create, Cancel)
    return ConversationHandler(
        entry_points=branch_command("newevent", start),
        states={
            Step.TITLE: [MessageHandler(TYPED, got_title)],
            Step.KIND: [Kind.handler(got_kind)],
            Step.WHEN: [MessageHandler(TYPED, got_when)],
            Step.PLACE: [MessageHandler(TYPED, got_place)],
            Step.LOCATION: [
                MessageHandler(filters.LOCATION, got_location),
                NoLocation.handler(skip_location),
            ],
            Step.CAPACITY: [MessageHandler(TYPED, got_capacity), NoLimit.handler(skip_capacity)],
            Step.REVIEW: [Toggle.handler(toggle), Create.handler(create), Cancel.handler(cancel)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, unexpected),
            *(button.handler(unexpected) for button in buttons),
        ],
        allow_reentry=True,
        name="newevent",
        persistent=True,
    )
