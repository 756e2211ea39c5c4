"""/checkin and /checkout: the member picks the event open now and proves being there by
the code the secretary shows (typed, or scanned as a QR link) or a live location; live
location updates then keep the presence fresh."""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from domain import events
from domain.activity import Event
from domain.errors import DomainError, InvalidInput
from domain.i18n import Translator
from handlers.common import answer_and_drop, answer_query, error_text, now, tr, who
from handlers.conversation import cancel_with, on_press, unexpected
from handlers.events.buttons import Pick
from handlers.events.views import checked_out_text, event_zone
from handlers.flow_kit import TYPED


class Step(StrEnum):
    """The steps of /checkin and /checkout. The values are persisted (ptb_conversations)."""

    PICK = "checkin.pick"
    PROOF = "checkin.proof"


# The draft's key in user_data (persisted too): in or out, the event, a code typed early.
CHECK = "checkin"

cancel = cancel_with(CHECK)


def _end(context: BotContext) -> int:
    context.user_data.pop(CHECK, None)
    return ConversationHandler.END


async def start(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    mode = "out" if update.effective_message.text.startswith("/checkout") else "in"
    me = await who(update, context)
    moment = now(context)
    found = await events.open_now(context.db, me, moment) if events.takes_part(me) else []
    if mode == "in":
        found = [e for e in found if moment <= e.ends_at]
    if not found:
        await update.effective_message.reply_text(
            t.gettext("No event is open for check-in or check-out right now.")
            + "\n"
            + error_text(t, DomainError("event_not_open"))
        )
        return ConversationHandler.END
    # A code typed with the command is kept for after the choice of event.
    context.user_data[CHECK] = {"mode": mode, "code": context.args[0] if context.args else None}
    if len(found) > 1:
        await update.effective_message.reply_text(
            t.gettext("Which event?"),
            reply_markup=InlineKeyboardMarkup([[Pick(e.id).button(e.title)] for e in found]),
        )
        return Step.PICK
    return await _chosen(update, context, t, found[0])


async def _chosen(update: Update, context: BotContext, t: Translator, event: Event) -> str | int:
    draft = context.user_data[CHECK]
    draft["event"] = event.id
    if draft.get("code"):
        return await _prove(update, context, events.Proof(code=draft.pop("code")))
    return await _ask_proof(update, t, event)


async def start_from_link(update: Update, context: BotContext) -> str | int:
    """/start ci-EVENT-CODE, from scanning the secretary's QR code."""
    event_id, code = events.parse_payload(context.args[0])
    context.user_data[CHECK] = {"mode": "in", "event": event_id}
    return await _prove(update, context, events.Proof(code=code))


async def _ask_proof(update: Update, t: Translator, event: Event) -> str:
    text = t.gettext("{title}: send the 6-digit code the secretary shows.", title=event.title)
    if event.has_location:
        text += "\n" + t.gettext(
            "Or share your live location (📎 → Location → Share my live location)."
        )
    await update.effective_message.reply_text(text)
    return Step.PROOF


@on_press()
async def picked(update: Update, context: BotContext, query, t) -> str | int:
    try:
        event, _ = await events.event_for(
            context.db, await who(update, context), Pick.of(update).event_id
        )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return Step.PICK
    await answer_and_drop(query)
    return await _chosen(update, context, t, event)


async def got_code(update: Update, context: BotContext) -> str | int:
    return await _prove(update, context, events.Proof(code=update.effective_message.text))


async def got_location(update: Update, context: BotContext) -> str | int:
    location = update.effective_message.location
    proof = events.Proof(
        latitude=location.latitude,
        longitude=location.longitude,
        live=location.to_dict().get("live_period") is not None,
    )
    return await _prove(update, context, proof)


async def _prove(update: Update, context: BotContext, proof: events.Proof) -> str | int:
    t = await tr(update, context)
    draft = context.user_data[CHECK]
    me = await who(update, context)
    moment, tz = now(context), await event_zone(context, draft["event"])
    try:
        if draft["mode"] == "in":
            event, attendance = await events.check_in(context.db, me, draft["event"], proof, moment)
            text = t.gettext(
                "Checked in to {title} at {time}. Send /checkout when you leave.",
                title=event.title,
                time=t.time(attendance.checked_in_at, tz),
            )
        else:
            text = checked_out_text(
                t, await events.check_out(context.db, me, draft["event"], proof, moment, tz)
            )
    except InvalidInput as exc:
        await update.effective_message.reply_text(
            error_text(t, exc) + "\n" + t.gettext("Try again, or send /cancel.")
        )
        return Step.PROOF
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return _end(context)
    await update.effective_message.reply_text(text)
    return _end(context)


async def location_moved(update: Update, context: BotContext) -> None:
    """Live-location updates arrive as edits of the shared message; they keep presence fresh."""
    location = update.edited_message.location
    me = await who(update, context)
    await events.seen_at(context.db, me, location.latitude, location.longitude, now(context))


def check_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CommandHandler(["checkin", "checkout"], start),
            CommandHandler(
                "start", start_from_link, filters.Regex(rf"^/start {events.PAYLOAD.pattern}$")
            ),
        ],
        states={
            Step.PICK: [Pick.handler(picked)],
            Step.PROOF: [
                MessageHandler(TYPED, got_code),
                MessageHandler(filters.LOCATION & filters.UpdateType.MESSAGE, got_location),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, unexpected),
            Pick.handler(unexpected),
        ],
        allow_reentry=True,
        name="checkin",
        persistent=True,
    )


def live_location() -> MessageHandler:
    return MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.LOCATION, location_moved)
