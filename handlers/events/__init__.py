"""/newevent, /events, /checkin, /checkout: events with answers, check-in and attendance.

`creating` is the secretary's /newevent, `answering` the member's /events and answers,
`checking_in` /checkin and /checkout, `attendance` the secretary's buttons under an event;
`views` draws the event card, `notifications` the outbox's messages, `buttons` declares
every button. What bot/app.py wires is handed on from here.
"""

from __future__ import annotations

from telegram.ext import CommandHandler

from handlers.events import (
    answering,
    attendance,
    notifications,  # noqa: F401 - registers the outbox's renderers
)
from handlers.events.checking_in import check_conversation, live_location
from handlers.events.creating import new_event_conversation

__all__ = ["check_conversation", "handlers", "live_location", "new_event_conversation"]


def handlers() -> list:
    return [
        CommandHandler("events", answering.list_events),
        *answering.handlers(),
        *attendance.handlers(),
    ]
