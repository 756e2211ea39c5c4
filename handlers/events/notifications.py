"""What the outbox sends about events, in the recipient's language: the invitation with
its answer buttons, the reminder, and the check-out the events' job made."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.sender import Rendered, renderer
from domain import events
from domain.activity import Rsvp
from domain.i18n import Translator
from handlers.events.views import checked_out_message, event_keyboard, event_text
from storage.db import Database


@renderer(events.INVITE_TEMPLATE)
async def invitation(t: Translator, db: Database, params: dict) -> Rendered:
    event = await events.get(db, params["event"])
    assert event is not None
    text = t.gettext("You are invited:") + "\n" + event_text(t, event, ZoneInfo(params["tz"]))
    return Rendered(text, event_keyboard(t, event, None, secretary=False))


@renderer(events.REMINDER_TEMPLATE)
async def reminder(t: Translator, db: Database, params: dict) -> Rendered:
    event = await events.get(db, params["event"])
    assert event is not None
    tz = ZoneInfo(params["tz"])
    return Rendered(t.gettext("⏰ Reminder:") + "\n" + event_text(t, event, tz, Rsvp.GOING))


@renderer(events.CHECKED_OUT_TEMPLATE)
async def checked_out(t: Translator, db: Database, params: dict) -> Rendered:
    return Rendered(checked_out_message(t, params))
