"""How events read: the event card and its buttons, the check-out message, and what the
domain's refusals say."""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.context import BotContext
from domain import events
from domain.activity import Event, Rsvp, as_hours
from domain.i18n import N_, Translator
from handlers.common import add_errors, branch_zone
from handlers.events.buttons import (
    Answer,
    Attendance,
    CalendarFile,
    CheckInCode,
    Export,
    MarkAttendance,
)

add_errors(
    {
        "event_unknown": N_("That event does not exist."),
        "event_not_for_you": N_("This event is not open to you."),
        "event_over": N_("This event is already over."),
        "event_full": N_("Sorry, this event is full ({capacity} places)."),
        "event_not_open": N_(
            "Check-in is possible only from 30 minutes before the start until the end, and check-out until 30 minutes after the end."
        ),
        "event_not_started": N_("This event has not started yet."),
        "event_no_location": N_("This event has no location set; please use the code."),
        "event_person_unknown": N_("That person cannot attend this event."),
        "already_checked_in": N_("You are already checked in. Nothing was changed."),
        "not_checked_in": N_("You have not checked in to this event."),
        "already_checked_out": N_("Attendance is already complete. Nothing was changed."),
        "code_format": N_("Please send the {digits}-digit code the secretary shows."),
        "code_wrong": N_("That code is not right. Please check the code the secretary shows."),
        "code_too_many": N_(
            "Too many wrong codes. Please wait {minutes} minutes before trying again, or ask "
            "the secretary to mark your attendance."
        ),
        "code_expired": N_(
            "That code has expired; the code changes every few minutes. Please use the current one."
        ),
        "code_other_event": N_("That code is for another event: {title}."),
        "location_not_live": N_(
            "Please share your live location (📎 → Location → Share my live location)."
        ),
        "location_too_far": N_(
            "You are {distance} m from the event place; check-in works within {radius} m."
        ),
        "when_invalid": N_(
            "Please type the date and time like 2026-12-01 14:00-16:00 (start and end on one day)."
        ),
        "when_end_before_start": N_("The end must be after the start."),
        "when_too_long": N_("An event can last at most {max} hours."),
        "when_in_past": N_("The start must be in the future."),
        "title_empty": N_("Please type a title."),
        "title_too_long": N_("Please keep the title within {max} characters."),
        "place_empty": N_("Please type the place."),
        "place_too_long": N_("Please keep the place within {max} characters."),
        "capacity_invalid": N_("Please type a whole number from 1 to {max}, or press No limit."),
        "lead_invalid": N_("Please choose one of the offered times."),
        "ics_not_going": N_("The calendar file is for events you are going to."),
    }
)

ANSWER_LABELS = {Rsvp.GOING: N_("Going"), Rsvp.NOT_GOING: N_("Not going")}


async def event_zone(context: BotContext, event_id: int) -> ZoneInfo:
    """The zone of the event's branch: its times are shown and its hours dated in it."""
    event = await events.get(context.db, event_id)
    return await branch_zone(context, event.branch_id if event is not None else None)


def when_text(t: Translator, event: Event | events.Draft, tz: tzinfo) -> str:
    return t.gettext(
        "{day} {start}–{end}",
        day=t.date(event.starts_at.astimezone(tz).date()),
        start=t.time(event.starts_at, tz),
        end=t.time(event.ends_at, tz),
    )


def event_text(
    t: Translator, event: Event | events.Draft, tz: tzinfo, answer: Rsvp | None = None
) -> str:
    lines = [
        f"📌 {event.title}",
        t.gettext("Type: {kind}", kind=t.gettext(event.kind.label)),
        t.gettext("Time: {when}", when=when_text(t, event, tz)),
        t.gettext("Place: {place}", place=event.place),
    ]
    if event.capacity:
        lines.append(t.gettext("Places: {capacity}", capacity=event.capacity))
    if answer is not None:
        lines.append(t.gettext("Your answer: {answer}", answer=t.gettext(ANSWER_LABELS[answer])))
    return "\n".join(lines)


def event_keyboard(
    t: Translator, event: Event, answer: Rsvp | None, secretary: bool
) -> InlineKeyboardMarkup:
    rows = [
        [
            Answer(event.id, Rsvp.GOING).button(t.pgettext("button", "✅ Going")),
            Answer(event.id, Rsvp.NOT_GOING).button(t.pgettext("button", "🚫 Not going")),
        ]
    ]
    if answer is Rsvp.GOING:
        rows.append([CalendarFile(event.id).button(t.pgettext("button", "📅 Add to calendar"))])
    if secretary:
        rows += [
            [
                Attendance(event.id).button(t.pgettext("button", "👥 Attendance")),
                CheckInCode(event.id).button(t.pgettext("button", "🔢 Check-in code")),
            ],
            [
                MarkAttendance(event.id).button(t.pgettext("button", "✍️ Mark attendance")),
                Export(event.id).button(t.pgettext("button", "📤 Export")),
            ],
        ]
    return InlineKeyboardMarkup(rows)


def checked_out_text(t: Translator, done: events.CheckedOut) -> str:
    return checked_out_message(t, events.checked_out_params(done))


def checked_out_message(t: Translator, params: dict) -> str:
    title, minutes = params["title"], params["minutes"]
    if params.get("auto_closed") and params["half_hours"] is not None:
        return t.gettext(
            "You did not check out of {title}, so you were checked out at its end: {minutes} minutes from your check-in. The {hours} h wait for the secretary's approval.",
            title=title,
            minutes=minutes,
            hours=t.number(as_hours(params["half_hours"])),
        )
    if params["full_day"]:
        return t.gettext(
            "Checked out of {title}. You were present {minutes} minutes, but that day already has 24 hours logged, so no hours were added.",
            title=title,
            minutes=minutes,
        )
    if params["half_hours"] is None:
        return t.gettext(
            "Checked out of {title}. You were present {minutes} minutes, less than 60 % of the event, so no hours are verified. You can still log them with /hours for the secretary to approve.",
            title=title,
            minutes=minutes,
        )
    return t.gettext(
        "Checked out of {title}. You were present {minutes} minutes: {hours} h verified.",
        title=title,
        minutes=minutes,
        hours=t.number(as_hours(params["half_hours"])),
    )
