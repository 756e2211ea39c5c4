"""Every button of events, declared once (handlers/buttons.py).

The `ev:` prefixes are those the invitations already in members' chats carry, so their
answer buttons keep working; each names what it does (`ev:rsvp`, `ev:export`…).
"""

from __future__ import annotations

from typing import Literal

from domain.access import Audience
from domain.activity import ActivityKind, Rsvp
from handlers.buttons import Button

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


class Attendance(Button, prefix="ev:roster", audience=Audience.SECRETARY):
    event_id: int


class RefreshAttendance(Button, prefix="ev:live", audience=Audience.SECRETARY):
    """The attendance list again, in the same message: live during the event."""

    event_id: int


class CheckInCode(Button, prefix="ev:code", audience=Audience.SECRETARY):
    event_id: int


class MarkAttendance(Button, prefix="ev:mark", audience=Audience.SECRETARY):
    """The list of who may still be marked present."""

    event_id: int


class Present(Button, prefix="ev:present", audience=Audience.SECRETARY):
    event_id: int
    person_id: int


class Export(Button, prefix="ev:export", audience=Audience.SECRETARY):
    event_id: int


# ---------------------------------------------------------------- /newevent


class Kind(Button, prefix="ev:kind", audience=Audience.SECRETARY):
    kind: ActivityKind


class NoLocation(Button, prefix="ev:no-location", audience=Audience.SECRETARY):
    pass


class NoLimit(Button, prefix="ev:no-limit", audience=Audience.SECRETARY):
    """No limit on the places."""


class Toggle(Button, prefix="ev:toggle", audience=Audience.SECRETARY):
    """Open to cadres, open to inflow members: yes / no."""

    who: Literal["cadres", "inflow"]


class Create(Button, prefix="ev:create", audience=Audience.SECRETARY):
    pass


class Cancel(Button, prefix="ev:cancel", audience=Audience.SECRETARY):
    pass


# ---------------------------------------------------------------- /checkin, /checkout


class Pick(Button, prefix="ev:pick", audience=Audience.MEMBER):
    """Which of the events open now."""

    event_id: int
