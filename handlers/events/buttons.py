"""Every button of events, declared once (handlers/buttons.py).

The `ev:` prefixes are those the invitations already in members' chats carry, so their
answer buttons keep working; each names what it does (`ev:rsvp`, `ev:export`…).
"""

from __future__ import annotations

from typing import Literal

from domain.access import Audience
from domain.activity import ActivityKind, Rsvp
from handlers.buttons import Button, family

# ---------------------------------------------------------------- under an event


class Answer(Button, prefix="ev:rsvp", audience=Audience.MEMBER):
    """Going / Not going."""

    event_id: int
    answer: Rsvp


class CalendarFile(Button, prefix="ev:ics", audience=Audience.MEMBER):
    """The .ics file, for an event one is going to."""

    event_id: int


class Lead(Button, prefix="ev:lead", audience=Audience.MEMBER):
    """How long before an event the reminder comes."""

    minutes: int


# The secretary's actions on one event: its attendance list, its check-in code, the export.
Attendance, CheckInCode, Export = family(
    Audience.SECRETARY, "ev:roster", "ev:code", "ev:export", event_id=int
)


class RefreshAttendance(Button, prefix="ev:live", audience=Audience.SECRETARY):
    """The attendance list again, in the same message: live during the event."""

    event_id: int


class MarkAttendance(Button, prefix="ev:mark", audience=Audience.SECRETARY):
    """The list of who may still be marked present."""

    event_id: int


class Present(Button, prefix="ev:present", audience=Audience.SECRETARY):
    event_id: int
    person_id: int


# ---------------------------------------------------------------- /newevent


class Kind(Button, prefix="ev:kind", audience=Audience.SECRETARY):
    kind: ActivityKind


# The skips of the two questions that may be left out: no location, no limit on the places.
NoLocation, NoLimit = family(Audience.SECRETARY, "ev:no-location", "ev:no-limit")


class Toggle(Button, prefix="ev:toggle", audience=Audience.SECRETARY):
    """Open to cadres, open to inflow members: yes / no."""

    who: Literal["cadres", "inflow"]


Create, Cancel = family(Audience.SECRETARY, "ev:create", "ev:cancel")


# ---------------------------------------------------------------- /checkin, /checkout


class Pick(Button, prefix="ev:pick", audience=Audience.MEMBER):
    """Which of the events open now."""

    event_id: int
