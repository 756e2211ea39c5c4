"""/newevent, /events, /checkin, /checkout: events with answers, check-in and attendance."""

from __future__ import annotations

import io
import re
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import events, hours, spreadsheets
from domain.activity import ActivityKind, Event, Rsvp, as_hours
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, Translator
from domain.models import Role
from handlers.branch_choice import branch_or_ask, choice_handler
from handlers.common import (
    add_errors,
    answer_query,
    branch_zone,
    drop_buttons,
    edit_text,
    error_text,
    now,
    parse_callback,
    tr,
    who,
)
from handlers.conversation import CANCEL_HINT, answer_stale, cancelled, offer, unexpected
from handlers.hours import button, kind_keyboard, kind_name, show
from handlers.labels import METHOD_LABELS
from storage import events as event_store
from storage.db import Database

TITLE, KIND, WHEN, PLACE, LOCATION, CAPACITY, REVIEW = (
    "event.title",
    "event.kind",
    "event.when",
    "event.place",
    "event.location",
    "event.capacity",
    "event.review",
)
PICK, PROOF = "checkin.pick", "checkin.proof"
DRAFT, CHECK = "event", "checkin"

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
LEAD_LABELS = {
    30: N_("30 minutes"),
    60: N_("1 hour"),
    120: N_("2 hours"),
    240: N_("4 hours"),
    1440: N_("1 day"),
}

_RSVP = re.compile(r"ev:rsvp:(\d{1,12}):(going|not_going)")
_EVENT_ACTION = re.compile(r"ev:(ics|roster|live|code|mark|export):(\d{1,12})")
_PRESENT = re.compile(r"ev:present:(\d{1,12}):(\d{1,12})")
_LEAD = re.compile(r"ev:lead:(\d{1,5})")
_PICK = re.compile(r"ev:pick:(\d{1,12})")
_KIND_DATA = re.compile(r"ev:kind:([a-z_]{1,16})")


def _local(moment: datetime, tz: tzinfo) -> datetime:
    return moment.astimezone(tz)


def when_text(t: Translator, event: Event | events.Draft, tz: tzinfo) -> str:
    return t.gettext(
        "{day} {start}–{end}",
        day=t.date(_local(event.starts_at, tz).date()),
        start=t.time(event.starts_at, tz),
        end=t.time(event.ends_at, tz),
    )


def event_text(
    t: Translator, event: Event | events.Draft, tz: tzinfo, answer: Rsvp | None = None
) -> str:
    lines = [
        f"📌 {event.title}",
        t.gettext("Type: {kind}", kind=kind_name(t, event.kind)),
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
            button(t.pgettext("button", "✅ Going"), f"ev:rsvp:{event.id}:going"),
            button(t.pgettext("button", "🚫 Not going"), f"ev:rsvp:{event.id}:not_going"),
        ]
    ]
    if answer is Rsvp.GOING:
        rows.append([button(t.pgettext("button", "📅 Add to calendar"), f"ev:ics:{event.id}")])
    if secretary:
        rows += [
            [
                button(t.pgettext("button", "👥 Attendance"), f"ev:roster:{event.id}"),
                button(t.pgettext("button", "🔢 Check-in code"), f"ev:code:{event.id}"),
            ],
            [
                button(t.pgettext("button", "✍️ Mark attendance"), f"ev:mark:{event.id}"),
                button(t.pgettext("button", "📤 Export"), f"ev:export:{event.id}"),
            ],
        ]
    return InlineKeyboardMarkup(rows)


# ---------------------------------------------------------------- /newevent


async def start_new(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    try:
        branch_id = await branch_or_ask(update, context, await who(update, context), "newevent")
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    if branch_id is None:
        return ConversationHandler.END  # asked which branch; the press starts again
    context.user_data[DRAFT] = {"branch": branch_id}
    await update.effective_message.reply_text(
        t.gettext("New event. What is its title?") + "\n" + t.gettext(CANCEL_HINT)
    )
    return TITLE


async def _typed(update: Update, context: BotContext, key: str, parse) -> bool:
    """Validate the message with `parse` into the draft; on failure say why."""
    t = await tr(update, context)
    try:
        context.user_data[DRAFT][key] = parse(update.effective_message.text)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return False
    return True


async def got_title(update: Update, context: BotContext) -> str:
    if not await _typed(update, context, "title", events.title):
        return TITLE
    t = await tr(update, context)
    await update.effective_message.reply_text(
        t.gettext("What kind of activity is it?"), reply_markup=kind_keyboard(t, "ev:kind")
    )
    return KIND


async def got_kind(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _KIND_DATA)
    if match is None or match.group(1) not in set(ActivityKind):
        await answer_stale(query, t)
        return KIND
    await answer_query(query)
    await drop_buttons(query)
    context.user_data[DRAFT]["kind"] = match.group(1)
    await update.effective_message.reply_text(
        t.gettext("When? Type the date, start and end, for example 2026-12-01 14:00-16:00.")
    )
    return WHEN


async def got_when(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    tz = await branch_zone(context, context.user_data[DRAFT]["branch"])
    try:
        start, end = events.parse_when(update.effective_message.text, now(context), tz)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return WHEN
    context.user_data[DRAFT] |= {"start": start.isoformat(), "end": end.isoformat()}
    await update.effective_message.reply_text(t.gettext("Where? Type the place."))
    return PLACE


async def got_place(update: Update, context: BotContext) -> str:
    if not await _typed(update, context, "place", events.place):
        return PLACE
    t = await tr(update, context)
    await offer(
        update,
        context,
        t.gettext(
            "Share the location of the place (📎 → Location) so members can check in by location, or press Skip."
        ),
        InlineKeyboardMarkup([[button(t.pgettext("button", "Skip"), "ev:noloc")]]),
    )
    return LOCATION


async def _ask_capacity(update: Update, context: BotContext, t: Translator) -> str:
    await offer(
        update,
        context,
        t.gettext("How many places are there? Type a number, or press No limit."),
        InlineKeyboardMarkup([[button(t.pgettext("button", "No limit"), "ev:nocap")]]),
    )
    return CAPACITY


async def got_location(update: Update, context: BotContext) -> str:
    location = update.effective_message.location
    context.user_data[DRAFT] |= {"lat": location.latitude, "lon": location.longitude}
    return await _ask_capacity(update, context, await tr(update, context))


async def skip_location(update: Update, context: BotContext) -> str:
    await answer_query(update.callback_query)
    await drop_buttons(update.callback_query)
    return await _ask_capacity(update, context, await tr(update, context))


async def got_capacity(update: Update, context: BotContext) -> str:
    if not await _typed(update, context, "capacity", events.capacity):
        return CAPACITY
    await show_review(update, context)
    return REVIEW


async def skip_capacity(update: Update, context: BotContext) -> str:
    await answer_query(update.callback_query)
    await drop_buttons(update.callback_query)
    await show_review(update, context)
    return REVIEW


async def _event_zone(context: BotContext, event_id: int) -> ZoneInfo:
    """The zone of the event's branch: its times are shown and its hours dated in it."""
    event = await event_store.get(context.db, event_id)
    return await branch_zone(context, event.branch_id if event is not None else None)


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
                button(t.pgettext("button", "Cadres: yes / no"), "ev:toggle:cadres"),
                button(t.pgettext("button", "Inflow: yes / no"), "ev:toggle:inflow"),
            ],
            [button(t.pgettext("button", "✅ Create and invite"), "ev:create")],
            [button(t.pgettext("button", "✖️ Cancel"), "ev:cancel")],
        ]
    )
    return "\n".join(lines), keyboard


async def show_review(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    zone = await branch_zone(context, context.user_data[DRAFT]["branch"])
    text, keyboard = _review(t, _draft(context), zone)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


async def toggle(update: Update, context: BotContext) -> str:
    query = update.callback_query
    await answer_query(query)
    key = "cadres" if query.data.endswith("cadres") else "inflow"
    context.user_data[DRAFT][key] = not context.user_data[DRAFT].get(key, True)
    t = await tr(update, context)
    zone = await branch_zone(context, context.user_data[DRAFT]["branch"])
    text, keyboard = _review(t, _draft(context), zone)
    await query.edit_message_text(text, reply_markup=keyboard)
    return REVIEW


async def create(update: Update, context: BotContext) -> int:
    query = update.callback_query
    t = await tr(update, context)
    await answer_query(query)
    await drop_buttons(query)
    me = await who(update, context)
    try:
        created = await events.create(
            context.db,
            me,
            _draft(context),
            now(context),
            await branch_zone(context, context.user_data[DRAFT]["branch"]),
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return _end(context, DRAFT)
    _end(context, DRAFT)
    await update.effective_message.reply_text(
        t.ngettext(
            "Event #{id} created; {n} member was invited.",
            "Event #{id} created; {n} members were invited.",
            len(created.invitees),
            id=created.event.id,
        )
    )
    return ConversationHandler.END


@renderer(events.INVITE_TEMPLATE)
async def invitation(t: Translator, db: Database, params: dict) -> Rendered:
    event = await event_store.get(db, params["event"])
    assert event is not None
    text = t.gettext("You are invited:") + "\n" + event_text(t, event, ZoneInfo(params["tz"]))
    return Rendered(text, event_keyboard(t, event, None, secretary=False))


@renderer(events.REMINDER_TEMPLATE)
async def reminder(t: Translator, db: Database, params: dict) -> Rendered:
    event = await event_store.get(db, params["event"])
    assert event is not None
    tz = ZoneInfo(params["tz"])
    return Rendered(t.gettext("⏰ Reminder:") + "\n" + event_text(t, event, tz, Rsvp.GOING))


@renderer(events.CHECKED_OUT_TEMPLATE)
async def checked_out(t: Translator, db: Database, params: dict) -> Rendered:
    return Rendered(checked_out_message(t, params))


def _end(context: BotContext, key: str) -> int:
    context.user_data.pop(key, None)
    return ConversationHandler.END


# ---------------------------------------------------------------- /events and answers


async def list_events(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        found = await events.upcoming(context.db, me, now(context))
        lead = await events.lead_of(context.db, me)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    if not found:
        await update.effective_message.reply_text(t.gettext("There are no upcoming events."))
    for event, answer in found[:10]:
        secretary = me.has(Role.SECRETARY, event.branch_id)
        await update.effective_message.reply_text(
            event_text(t, event, await branch_zone(context, event.branch_id), answer),
            reply_markup=event_keyboard(t, event, answer, secretary),
        )
    await update.effective_message.reply_text(
        t.gettext(
            "I remind you {lead} before each event you are going to. Change it:",
            lead=t.gettext(LEAD_LABELS.get(lead, LEAD_LABELS[events.DEFAULT_LEAD_MINUTES])),
        ),
        reply_markup=InlineKeyboardMarkup(
            [[button(t.gettext(label), f"ev:lead:{m}")] for m, label in LEAD_LABELS.items()]
        ),
    )


async def rsvp(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _RSVP)
    if match is None:
        await answer_stale(query, t)
        return
    me = await who(update, context)
    try:
        event, answer = await events.answer(
            context.db, me, int(match[1]), Rsvp(match[2]), now(context)
        )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query, t.gettext("Saved: {answer}", answer=t.gettext(ANSWER_LABELS[answer])))
    secretary = me.has(Role.SECRETARY, event.branch_id)
    await query.edit_message_text(
        event_text(t, event, await branch_zone(context, event.branch_id), answer),
        reply_markup=event_keyboard(t, event, answer, secretary),
    )


async def set_lead(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _LEAD)
    try:
        if match is None:
            raise InvalidInput("lead_invalid")
        minutes = await events.set_lead(context.db, await who(update, context), int(match[1]))
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query)
    await drop_buttons(query)
    await update.effective_message.reply_text(
        t.gettext(
            "I will remind you {lead} before each event.", lead=t.gettext(LEAD_LABELS[minutes])
        )
    )


async def event_action(update: Update, context: BotContext) -> None:
    """The buttons under an event: calendar file for members, the rest for the secretary."""
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _EVENT_ACTION)
    if match is None:
        await answer_stale(query, t)
        return
    action, event_id = match[1], int(match[2])
    me = await who(update, context)
    try:
        await ACTIONS[action](update, context, t, me, event_id)
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query)


async def send_ics(update, context, t, me, event_id) -> None:
    event, answer = await events.event_for(context.db, me, event_id)
    if answer is not Rsvp.GOING:
        raise InvalidInput("ics_not_going")
    data = events.ics(event, now(context)).encode()
    await update.effective_message.reply_document(
        io.BytesIO(data), filename=f"event-{event.id}.ics", caption=event.title
    )


def roster_text(t: Translator, roster: events.Roster, tz: tzinfo, moment: datetime) -> str:
    separator = "、" if t.locale.startswith("zh") else ", "

    def names(lines: list[events.Line]) -> str:
        return separator.join(line.name for line in lines) or "—"

    return "\n".join(
        [
            t.gettext("Attendance of {title}:", title=roster.event.title),
            t.gettext("Going ({n}): {names}", n=len(roster.going), names=names(roster.going)),
            t.gettext(
                "Checked in ({n}): {names}",
                n=len(roster.checked_in),
                names=names(roster.checked_in),
            ),
            t.gettext("Missing ({n}): {names}", n=len(roster.missing), names=names(roster.missing)),
            *(
                [
                    t.gettext(
                        "Never checked out, closed at the end ({n}): {names}. Their hours wait "
                        "in /pending.",
                        n=len(roster.auto_closed),
                        names=names(roster.auto_closed),
                    )
                ]
                if roster.auto_closed
                else []
            ),
            t.gettext("As of {time}", time=t.time(moment, tz, "medium")),
        ]
    )


async def show_roster(update, context, t, me, event_id) -> None:
    roster = await events.roster(context.db, me, event_id)
    zone = await branch_zone(context, roster.event.branch_id)
    text = roster_text(t, roster, zone, now(context))
    keyboard = InlineKeyboardMarkup(
        [[button(t.pgettext("button", "🔄 Refresh"), f"ev:live:{event_id}")]]
    )
    if update.callback_query.data.startswith("ev:live:"):
        await edit_text(update.callback_query, text, keyboard)
        return
    await update.effective_message.reply_text(text, reply_markup=keyboard)


async def show_code(update, context, t, me, event_id) -> None:
    """The code to read out, and a QR of a deep link that checks in with one scan."""
    event = await events.event_for_secretary(context.db, me, event_id)
    code, until = events.current_code(event, now(context))
    link = f"https://t.me/{context.bot.username}?start={events.link_payload(event, code)}"
    text = t.gettext(
        "Check-in code for {title}: {code}\nShow it at the event; it changes at {until}. Members send /checkin and then the code, or scan the QR code.",
        title=event.title,
        code=code,
        until=t.time(until, await branch_zone(context, event.branch_id)),
    )
    import qrcode  # see domain.spreadsheets.new_workbook

    picture = io.BytesIO()
    qrcode.make(link).save(picture, format="PNG")
    await update.effective_message.reply_photo(picture.getvalue(), caption=f"{text}\n{link}")


async def show_marking(update, context, t, me, event_id) -> None:
    roster = await events.roster(context.db, me, event_id)
    done = {line.person_id for line in roster.lines if line.checked_out_at is not None}
    rows = [
        [button(p.display_name, f"ev:present:{event_id}:{p.id}")]
        for p in roster.eligible
        if p.id not in done
    ]
    await update.effective_message.reply_text(
        t.gettext(
            "Who was present at {title}? Press a name to record attendance.",
            title=roster.event.title,
        )
        if rows
        else t.gettext("Everyone's attendance is recorded."),
        reply_markup=InlineKeyboardMarkup(rows[:50]) if rows else None,
    )


def attendance_table(t: Translator, roster: events.Roster, tz: tzinfo) -> list[list]:
    def stamp(moment: datetime | None) -> str:
        return _local(moment, tz).strftime("%Y-%m-%d %H:%M") if moment else ""

    header = [
        t.gettext("Name"),
        t.gettext("Answer"),
        t.gettext("Checked in"),
        t.gettext("Checked out"),
        t.gettext("Checked in by"),
        t.gettext("Verified hours"),
        t.gettext("Never checked out (closed at the end)"),
    ]
    return [header] + [
        [
            line.name,
            t.gettext(ANSWER_LABELS[line.answer]) if line.answer else "",
            stamp(line.checked_in_at),
            stamp(line.checked_out_at),
            t.gettext(METHOD_LABELS[line.method]) if line.method else "",
            hours.as_hours(line.half_hours or 0),
            t.gettext("yes") if line.auto_closed else "",
        ]
        for line in roster.lines
    ]


async def send_export(update, context, t, me, event_id) -> None:
    roster = await events.roster(context.db, me, event_id)
    table = attendance_table(t, roster, await branch_zone(context, roster.event.branch_id))
    xlsx = spreadsheets.write_workbook([spreadsheets.Sheet("attendance", table[0], table[1:])])
    for data, extension in ((spreadsheets.write_csv(table), "csv"), (xlsx, "xlsx")):
        await update.effective_message.reply_document(
            io.BytesIO(data),
            filename=f"attendance-{event_id}.{extension}",
            caption=roster.event.title,
        )


ACTIONS = {
    "ics": send_ics,
    "roster": show_roster,
    "live": show_roster,
    "code": show_code,
    "mark": show_marking,
    "export": send_export,
}


async def mark_present(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _PRESENT)
    if match is None:
        await answer_stale(query, t)
        return
    try:
        done = await events.mark_present(
            context.db,
            await who(update, context),
            int(match[1]),
            int(match[2]),
            now(context),
            await _event_zone(context, int(match[1])),
        )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query)
    credited = done.record.hours if done.record else hours.as_hours(0)
    await update.effective_message.reply_text(
        t.gettext("Attendance recorded: {hours} h verified.", hours=show(t, credited))
    )


# ---------------------------------------------------------------- /checkin and /checkout


async def start_check(update: Update, context: BotContext) -> str | int:
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
            reply_markup=InlineKeyboardMarkup(
                [[button(e.title, f"ev:pick:{e.id}")] for e in found]
            ),
        )
        return PICK
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
    return PROOF


async def picked(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _PICK)
    try:
        if match is None:
            raise InvalidInput("event_unknown")
        event, _ = await events.event_for(context.db, await who(update, context), int(match[1]))
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return PICK
    await answer_query(query)
    await drop_buttons(query)
    return await _chosen(update, context, t, event)


async def got_code(update: Update, context: BotContext) -> str | int:
    return await _prove(update, context, events.Proof(code=update.effective_message.text))


async def got_location_proof(update: Update, context: BotContext) -> str | int:
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
    moment, tz = now(context), await _event_zone(context, draft["event"])
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
        return PROOF
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return _end(context, CHECK)
    await update.effective_message.reply_text(text)
    return _end(context, CHECK)


def checked_out_text(t: Translator, done: events.CheckedOut) -> str:
    return checked_out_message(t, events.checked_out_params(done))


def checked_out_message(t: Translator, params: dict) -> str:
    title, minutes = params["title"], params["minutes"]
    if params.get("auto_closed") and params["half_hours"] is not None:
        return t.gettext(
            "You did not check out of {title}, so you were checked out at its end: {minutes} minutes from your check-in. The {hours} h wait for the secretary's approval.",
            title=title,
            minutes=minutes,
            hours=show(t, as_hours(params["half_hours"])),
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
        hours=show(t, as_hours(params["half_hours"])),
    )


async def location_moved(update: Update, context: BotContext) -> None:
    """Live-location updates arrive as edits of the shared message; they keep presence fresh."""
    location = update.edited_message.location
    me = await who(update, context)
    await events.seen_at(context.db, me, location.latitude, location.longitude, now(context))


# ---------------------------------------------------------------- wiring


async def cancel(update: Update, context: BotContext) -> int:
    return await cancelled(update, context, DRAFT, CHECK)


def _fallbacks(callbacks: str) -> list:
    return [
        CommandHandler("cancel", cancel),
        MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, unexpected),
        CallbackQueryHandler(unexpected, pattern=callbacks),
    ]


def new_event_conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[CommandHandler("newevent", start_new), choice_handler("newevent", start_new)],
        states={
            TITLE: [MessageHandler(text, got_title)],
            KIND: [CallbackQueryHandler(got_kind, pattern=r"^ev:kind:")],
            WHEN: [MessageHandler(text, got_when)],
            PLACE: [MessageHandler(text, got_place)],
            LOCATION: [
                MessageHandler(filters.LOCATION, got_location),
                CallbackQueryHandler(skip_location, pattern=r"^ev:noloc$"),
            ],
            CAPACITY: [
                MessageHandler(text, got_capacity),
                CallbackQueryHandler(skip_capacity, pattern=r"^ev:nocap$"),
            ],
            REVIEW: [
                CallbackQueryHandler(toggle, pattern=r"^ev:toggle:(cadres|inflow)$"),
                CallbackQueryHandler(create, pattern=r"^ev:create$"),
                CallbackQueryHandler(cancel, pattern=r"^ev:cancel$"),
            ],
        },
        fallbacks=_fallbacks(r"^ev:(kind:|noloc|nocap|toggle:|create|cancel)"),
        allow_reentry=True,
        name="newevent",
        persistent=True,
    )


def check_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CommandHandler(["checkin", "checkout"], start_check),
            CommandHandler(
                "start", start_from_link, filters.Regex(rf"^/start {events.PAYLOAD.pattern}$")
            ),
        ],
        states={
            PICK: [CallbackQueryHandler(picked, pattern=r"^ev:pick:")],
            PROOF: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, got_code),
                MessageHandler(filters.LOCATION & filters.UpdateType.MESSAGE, got_location_proof),
            ],
        },
        fallbacks=_fallbacks(r"^ev:pick:"),
        allow_reentry=True,
        name="checkin",
        persistent=True,
    )


def live_location() -> MessageHandler:
    return MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.LOCATION, location_moved)


def handlers() -> list:
    return [
        CommandHandler("events", list_events),
        CallbackQueryHandler(rsvp, pattern=r"^ev:rsvp:"),
        CallbackQueryHandler(set_lead, pattern=r"^ev:lead:"),
        CallbackQueryHandler(mark_present, pattern=r"^ev:present:"),
        CallbackQueryHandler(event_action, pattern=r"^ev:(ics|roster|live|code|mark|export):"),
    ]
