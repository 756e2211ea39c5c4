"""Events: a secretary creates one and members are invited (`creating`), they answer Going
or Not going (`answering`), check in and out by a rotating code or a live location
(`codes`, `checking_in`), and earn verified hours by their presence (`attendance`);
`reminders` and `job` send what is due, `listing` says who sees what, `calendar_file`
writes the .ics.

The names below are handed on so that callers say `events.create`, `events.roster`…
without knowing which module holds them.
"""

from domain.events.answering import answer
from domain.events.attendance import (
    CHECKED_OUT_TEMPLATE,
    CheckedOut,
    Line,
    Roster,
    checked_out_params,
    credited_half_hours,
    mark_present,
    roster,
)
from domain.events.calendar_file import ics
from domain.events.checking_in import (
    Proof,
    check_in,
    check_location,
    check_out,
    seen_at,
)
from domain.events.codes import (
    CODE_STEP_SECONDS,
    PAYLOAD,
    check_code,
    code_for_step,
    current_code,
    link_payload,
    parse_payload,
)
from domain.events.creating import (
    INVITE_TEMPLATE,
    Draft,
    capacity,
    create,
    invite,
    parse_when,
    place,
    title,
)
from domain.events.job import run
from domain.events.listing import (
    event_for,
    event_for_secretary,
    get,
    open_now,
    takes_part,
    upcoming,
)
from domain.events.reminders import (
    DEFAULT_LEAD_MINUTES,
    LEAD_CHOICES,
    REMINDER_TEMPLATE,
    lead_of,
    set_lead,
)

# The SQL every module here calls, named for the tests that make a storage call fail.
from storage import events as store

__all__ = [
    "CHECKED_OUT_TEMPLATE",
    "CODE_STEP_SECONDS",
    "DEFAULT_LEAD_MINUTES",
    "INVITE_TEMPLATE",
    "LEAD_CHOICES",
    "PAYLOAD",
    "REMINDER_TEMPLATE",
    "CheckedOut",
    "Draft",
    "Line",
    "Proof",
    "Roster",
    "answer",
    "capacity",
    "check_code",
    "check_in",
    "check_location",
    "check_out",
    "checked_out_params",
    "code_for_step",
    "create",
    "credited_half_hours",
    "current_code",
    "event_for",
    "event_for_secretary",
    "get",
    "ics",
    "invite",
    "lead_of",
    "link_payload",
    "mark_present",
    "open_now",
    "parse_payload",
    "parse_when",
    "place",
    "roster",
    "run",
    "seen_at",
    "set_lead",
    "store",
    "takes_part",
    "title",
    "upcoming",
]
