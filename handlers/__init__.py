"""Every handler of the bot, registered in one place. Order matters.

Group -1 opens the update's scope (domain/effects.py: a replayed update makes no effect
twice). Group 0 holds the features; within it the first matching handler wins, so
conversations come before the plain commands they may shadow, and the catch-alls come last.
Group 1 stores conversation state right after each update.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot import sender
from bot.context import BotContext
from domain import effects, feature_exports, outbox
from handlers import (
    appraisal,
    basics,
    broadcast,
    cadres,
    common,
    conversation,
    development,
    digest,
    district,
    district_guidance,
    events,
    exports,
    hours,
    in_place,
    joins,
    mobile,
    mydata,
    onboarding,
    pending,
    posts,
    resident_units,
    roster,
    units,
)
from handlers.errors import on_error
from handlers.gate import EditsNotRead, PrivateOnly
from handlers.menu import COMMANDS

BEFORE = -1
FEATURES = 0
AFTER = 1

# The only commands that work in a group chat; every other command and every button is
# answered there with a pointer to the private chat (handlers/gate.py). No message the bot
# sends to a group has buttons, so no button is listed.
GROUP_COMMANDS = frozenset({"linkgroup", "link"})

# Modules imported only to register what they add to registries (exports, /mydata).
REGISTER_ONLY = (feature_exports,)


async def open_scope(update: Update, context: BotContext) -> None:
    effects.begin(update.update_id)
    in_place.begin_update()
    conversation.note_offer(update, context)
    outbox.queued_for.set(set())


async def save_state(update: Update, context: BotContext) -> None:
    # Written now rather than at the persistence interval, so a crash cannot rewind a
    # conversation the person has already moved on in; see bot/persistence.py.
    app = context.application
    await in_place.end_update(context.bot)
    await conversation.settle_offer(update, context)
    # python-telegram-bot marks this update's user_data only after all groups ran; mark it
    # now so the draft is saved together with the step it belongs to.
    if update.effective_user is not None:
        app.mark_data_for_update_persistence(user_ids=update.effective_user.id)
    await app.update_persistence()
    await app.persistence.commit(
        handled_update_id=update.update_id,
        forget_effects=effects.made_any(),
        forget_content=effects.content_forgotten(),
    )
    effects.end()
    await common.tell_waits(update, context)
    # Notifications the update's transactions queued go out now.
    if outbox.queued_in_task.get():
        sender.wake(app)


def register(app: Application) -> None:
    app.add_handlers(
        [
            # Before everything: no feature sees an edit or (unless listed) a group chat.
            EditsNotRead(),
            PrivateOnly(GROUP_COMMANDS, known_commands={c.name for c in COMMANDS}),
            # Before the conversations: a live-location move is an edit, never an answer.
            events.live_location(),
            # Before onboarding: its /start would otherwise take the check-in deep links.
            events.check_conversation(),
            # Before onboarding too: the public notice's link is a /start deep link.
            development.conversation(),
            onboarding.conversation(),
            cadres.conversation(),
            *units.conversations(),
            *resident_units.conversations(),
            posts.conversation(),
            *mobile.conversations(),
            roster.conversation(),
            broadcast.conversation(),
            digest.conversation(),
            hours.conversation(),
            appraisal.conversation(),
            events.new_event_conversation(),
            *district_guidance.conversations(),
            *joins.handlers(),
            *cadres.handlers(),
            *units.handlers(),
            *district.handlers(),
            *resident_units.handlers(),
            *posts.handlers(),
            *mobile.handlers(),
            *development.handlers(),
            *exports.handlers(),
            *pending.handlers(),
            *mydata.handlers(),
            *hours.handlers(),
            *appraisal.handlers(),
            *events.handlers(),
            *district_guidance.handlers(),
            *basics.handlers(),
            *basics.last_resort_handlers(),
        ],
        group=FEATURES,
    )
    app.add_handler(TypeHandler(Update, open_scope), group=BEFORE)
    app.add_handler(TypeHandler(Update, save_state), group=AFTER)
    app.add_error_handler(on_error)
