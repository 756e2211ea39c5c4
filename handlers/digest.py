"""/digest: the secretary picks daily or weekly and the time; and how the digest reads
(queued by domain/digest.py)."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import digest
from domain.activity import as_hours
from domain.errors import DomainError, NotAllowed
from domain.hours import Counting
from domain.i18n import N_, Translator
from domain.models import Role
from domain.pending import Kind
from handlers.common import (
    add_errors,
    answer_query,
    branch_today,
    drop_buttons,
    error_text,
    parse_callback,
    tr,
    who,
)
from handlers.conversation import answer_stale
from handlers.pending import KIND_NAMES
from storage.db import Database

_FREQUENCY = re.compile(r"digest:freq:(d|w)")
_DAY = re.compile(r"digest:day:([0-6])")
# `d` for daily, else the weekday as crontab counts it.
_SET = re.compile(r"digest:set:(d|[0-6]):(\d{2})(\d{2})")
FREQUENCY, WEEKDAY, TIME = "digest_frequency", "digest_weekday", "digest_time"

GREETINGS = {
    digest.DayPart.MORNING: N_("Good morning. Here is what needs your attention:"),
    digest.DayPart.AFTERNOON: N_("Good afternoon. Here is what needs your attention:"),
    digest.DayPart.EVENING: N_("Good evening. Here is what needs your attention:"),
}

add_errors(
    {
        "digest_quiet_hours": N_(
            "That time is within the quiet hours; please choose another. Nothing was changed."
        ),
    }
)


def _names(t: Translator, names: list[str]) -> str:
    return format_list(names, locale=t.babel_locale)


def _waiting_lines(t: Translator, params: dict) -> list[str]:
    lines = []
    if params["waiting"]:
        lines.append(
            t.ngettext(
                "{n} request to join the branch is waiting for your decision.",
                "{n} requests to join the branch are waiting for your decision.",
                params["waiting"],
            )
        )
    for kind, n in params.get("pending", {}).items():
        lines.append(t.gettext("{what}: {n} waiting", what=t.gettext(KIND_NAMES[Kind(kind)]), n=n))
    if len(lines) > 0:
        lines.append(t.gettext("Send /pending to decide them."))
    return lines


def _activity_lines(t: Translator, params: dict) -> list[str]:
    weekly = params.get("weekly", False)
    lines = []
    if params.get("new"):
        lines.append(
            t.gettext("New registrations this week: {n}", n=params["new"])
            if weekly
            else t.gettext("New registrations since yesterday: {n}", n=params["new"])
        )
    if params.get("half_hours"):
        hours = t.number(as_hours(params["half_hours"]))
        if params.get("counting") == Counting.WITH_ATTESTED:
            lines.append(
                t.gettext("Hours (verified + self-reported) this week: {hours} h", hours=hours)
                if weekly
                else t.gettext(
                    "Hours (verified + self-reported) since yesterday: {hours} h", hours=hours
                )
            )
        else:
            lines.append(
                t.gettext("Hours verified this week: {hours} h", hours=hours)
                if weekly
                else t.gettext("Hours verified since yesterday: {hours} h", hours=hours)
            )
    zone = ZoneInfo(params.get("tz") or "UTC")
    for title, starts in params.get("events", []):
        when = t.datetime(datetime.fromisoformat(starts), zone)
        lines.append(t.gettext("Coming up: {title}, {when}", title=title, when=when))
    return lines


def _missing_lines(t: Translator, params: dict) -> list[str]:
    lines = []
    if params.get("reports_overdue"):
        lines.append(
            t.gettext(
                "Outflow members whose status report is overdue: {n}", n=params["reports_overdue"]
            )
        )
    if params.get("expiring"):
        lines.append(
            t.gettext("Activity certificates expiring within 30 days: {n}", n=params["expiring"])
        )
    if params.get("unconfirmed"):
        lines.append(
            t.gettext(
                "Cadre registrations waiting for your confirmation: {names}",
                names=_names(t, params["unconfirmed"]),
            )
        )
    if params.get("unregistered"):
        lines.append(
            t.gettext(
                "Cadres not yet registered this year: {names}",
                names=_names(t, params["unregistered"]),
            )
        )
    if params.get("remarks"):
        lines.append(
            t.gettext(
                "The quarter ends within a week: please write the remarks for the units of "
                "{names} (/remark).",
                names=_names(t, params["remarks"]),
            )
        )
    return lines


def _delivery_lines(t: Translator, params: dict) -> list[str]:
    lines = []
    if params["unreachable"]:
        lines.append(
            t.ngettext(
                "{n} member cannot get messages from the bot (they blocked it or never "
                "started it): {names}. Please remind them to open the bot and press Start.",
                "{n} members cannot get messages from the bot (they blocked it or never "
                "started it): {names}. Please remind them to open the bot and press Start.",
                len(params["unreachable"]),
                names=_names(t, params["unreachable"]),
            )
        )
    if params["failed"]:
        lines.append(
            t.ngettext(
                "{n} notification of the last day could not be delivered.",
                "{n} notifications of the last day could not be delivered.",
                params["failed"],
            )
        )
    if params.get("dead"):
        lines.append(
            t.gettext(
                "Of these, {n} were given up after errors (ask the operator: partybot outbox).",
                n=params["dead"],
            )
        )
    return lines


@renderer(digest.TEMPLATE)
async def digest_message(t: Translator, db: Database, params: dict) -> Rendered:
    # Digests queued before the greeting followed the time of day have no part: mornings.
    part = digest.DayPart(params.get("part", digest.DayPart.MORNING))
    lines = [t.gettext(GREETINGS[part])]
    for part in (_waiting_lines, _activity_lines, _missing_lines, _delivery_lines):
        lines += part(t, params)
    return Rendered("\n".join(lines))


def weekday_name(t: Translator, weekday: int) -> str:
    """Crontab's weekday (Sunday 0) by name in the reader's language (Babel's Monday is 0)."""
    return get_day_names("wide", locale=t.babel_locale)[(weekday - 1) % 7]


def _rhythm(t: Translator, schedule: digest.Schedule) -> str:
    at = schedule.at.strftime("%H:%M")
    if schedule.weekday is not None:
        return t.gettext(
            "weekly on {weekday} at {time}", weekday=weekday_name(t, schedule.weekday), time=at
        )
    return t.gettext("daily at {time}", time=at)


async def show_schedule(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    me = await who(update, context)
    branches = me.branches_where(Role.SECRETARY)
    if not branches:
        await update.effective_message.reply_text(error_text(t, NotAllowed("not_allowed")))
        return ConversationHandler.END
    schedule = await digest.schedule_of(context.db, branches[0])
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t.gettext("Daily"), callback_data="digest:freq:d"),
                InlineKeyboardButton(t.gettext("Weekly"), callback_data="digest:freq:w"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        t.gettext(
            "Your digest comes {rhythm}. How often should it come?",
            rhythm=_rhythm(t, schedule),
        ),
        reply_markup=keyboard,
    )
    return FREQUENCY


async def _pressed(update: Update, context: BotContext, pattern: re.Pattern):
    """The button's match, or None once the presser was told it is not theirs to press."""
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, pattern)
    if match is None or not (await who(update, context)).is_secretary:
        await answer_query(query, error_text(t, NotAllowed("not_allowed")), alert=True)
        return None, t
    await answer_query(query)
    await drop_buttons(query)
    return match, t


async def pick_frequency(update: Update, context: BotContext) -> str | int:
    match, t = await _pressed(update, context, _FREQUENCY)
    if match is None:
        return FREQUENCY
    if match[1] == "d":
        return await _ask_time(update, t, "d")
    # Monday first, as calendars here are read.
    days = [(d % 7) for d in range(digest.MONDAY, digest.MONDAY + 7)]
    buttons = [
        InlineKeyboardButton(weekday_name(t, d), callback_data=f"digest:day:{d}") for d in days
    ]
    await update.effective_message.reply_text(
        t.gettext("On which day of the week?"),
        reply_markup=InlineKeyboardMarkup([buttons[:4], buttons[4:]]),
    )
    return WEEKDAY


async def pick_weekday(update: Update, context: BotContext) -> str | int:
    match, t = await _pressed(update, context, _DAY)
    if match is None:
        return WEEKDAY
    return await _ask_time(update, t, match[1])


async def _ask_time(update: Update, t: Translator, day: str) -> str:
    buttons = [
        InlineKeyboardButton(at.strftime("%H:%M"), callback_data=f"digest:set:{day}:{at:%H%M}")
        for at in digest.TIMES
    ]
    await update.effective_message.reply_text(
        t.gettext("At what time?"),
        reply_markup=InlineKeyboardMarkup([buttons[:4], buttons[4:]]),
    )
    return TIME


async def set_time(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _SET)
    if match is None or int(match[2]) > 23 or int(match[3]) > 59:
        await answer_stale(query, t)
        return TIME
    me = await who(update, context)
    branches = me.branches_where(Role.SECRETARY)
    weekday = None if match[1] == "d" else int(match[1])
    chosen = digest.Schedule(time(int(match[2]), int(match[3])), weekday)
    try:
        if not branches:
            raise NotAllowed("not_allowed")
        today = await branch_today(context, branches[0])
        await digest.set_schedule(
            context.db, me, branches[0], chosen, context.settings.worktime_defaults, today
        )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return TIME
    await answer_query(query)
    await drop_buttons(query)
    await update.effective_message.reply_text(
        t.gettext("Done: your digest comes {rhythm}.", rhythm=_rhythm(t, chosen))
    )
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    await update.effective_message.reply_text(t.gettext("Nothing was changed."))
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    """A conversation, so that its buttons act only right after /digest."""
    return ConversationHandler(
        entry_points=[CommandHandler("digest", show_schedule)],
        states={
            FREQUENCY: [CallbackQueryHandler(pick_frequency, pattern=r"^digest:freq:")],
            WEEKDAY: [CallbackQueryHandler(pick_weekday, pattern=r"^digest:day:")],
            TIME: [CallbackQueryHandler(set_time, pattern=r"^digest:set:")],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        allow_reentry=True,
        name="digest",
        persistent=True,
    )
