"""/digest: the secretary picks daily or weekly and the time; and how the digest reads
(queued by domain/digest.py)."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from babel.lists import format_list
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import digest
from domain.access import Audience
from domain.activity import as_hours
from domain.errors import DomainError, NotAllowed
from domain.hours import Counting
from domain.i18n import N_, Translator
from domain.pending import Kind
from handlers.branch_choice import acting_branch, branch_command, branch_for
from handlers.buttons import Button
from handlers.common import (
    add_errors,
    answer_and_drop,
    answer_query,
    branch_today,
    error_text,
    tr,
    who,
)
from handlers.conversation import answer_stale, cancel_with, on_press
from handlers.flow_kit import conversation as flow_conversation
from handlers.pending import KIND_NAMES
from storage.db import Database


class Step(StrEnum):
    """The steps of /digest. The values are persisted (ptb_conversations): keep them."""

    FREQUENCY = "digest_frequency"
    WEEKDAY = "digest_weekday"
    TIME = "digest_time"


# The weekday as crontab counts it (Sunday 0).
Weekday = Literal[0, 1, 2, 3, 4, 5, 6]


class PickFrequency(Button, prefix="digest:freq", audience=Audience.SECRETARY):
    often: Literal["d", "w"]  # daily, weekly


class PickWeekday(Button, prefix="digest:day", audience=Audience.SECRETARY):
    weekday: Weekday


class PickTime(Button, prefix="digest:set", audience=Audience.SECRETARY):
    day: Literal["d", "0", "1", "2", "3", "4", "5", "6"]  # daily, or the weekday
    at: str  # HHMM


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
    at = t.time(schedule.at)
    if schedule.weekday is not None:
        return t.gettext(
            "weekly on {weekday} at {time}", weekday=weekday_name(t, schedule.weekday), time=at
        )
    return t.gettext("daily at {time}", time=at)


async def show_schedule(update: Update, context: BotContext) -> Step | int:
    branch_id = await branch_for(update, context, "digest")
    if branch_id is None:
        return ConversationHandler.END  # refused, or asked which branch (the press resumes)
    t = await tr(update, context)
    schedule = await digest.schedule_of(context.db, branch_id)
    keyboard = InlineKeyboardMarkup(
        [
            [
                PickFrequency("d").button(t.gettext("Daily")),
                PickFrequency("w").button(t.gettext("Weekly")),
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
    return Step.FREQUENCY


async def _pressed(update: Update, context: BotContext) -> Translator | None:
    """The presser's translator, or None once they were told it is not theirs to press."""
    query = update.callback_query
    t = await tr(update, context)
    if not (await who(update, context)).is_secretary:
        await answer_query(query, error_text(t, NotAllowed("not_allowed")), alert=True)
        return None
    await answer_and_drop(query)
    return t


async def pick_frequency(update: Update, context: BotContext) -> Step | int:
    t = await _pressed(update, context)
    if t is None:
        return Step.FREQUENCY
    if PickFrequency.of(update).often == "d":
        return await _ask_time(update, t, "d")
    # Monday first, as calendars here are read.
    days = [(d % 7) for d in range(digest.MONDAY, digest.MONDAY + 7)]
    buttons = [PickWeekday(d).button(weekday_name(t, d)) for d in days]
    await update.effective_message.reply_text(
        t.gettext("On which day of the week?"),
        reply_markup=InlineKeyboardMarkup([buttons[:4], buttons[4:]]),
    )
    return Step.WEEKDAY


async def pick_weekday(update: Update, context: BotContext) -> Step | int:
    t = await _pressed(update, context)
    if t is None:
        return Step.WEEKDAY
    return await _ask_time(update, t, str(PickWeekday.of(update).weekday))


async def _ask_time(update: Update, t: Translator, day: str) -> Step:
    buttons = [PickTime(day, f"{at:%H%M}").button(t.time(at)) for at in digest.TIMES]
    await update.effective_message.reply_text(
        t.gettext("At what time?"),
        reply_markup=InlineKeyboardMarkup([buttons[:4], buttons[4:]]),
    )
    return Step.TIME


def _chosen(pressed: PickTime) -> digest.Schedule | None:
    """The schedule a time button names; None for data no button of ours carries."""
    at = pressed.at
    if len(at) != 4 or not at.isdigit() or int(at[:2]) > 23 or int(at[2:]) > 59:
        return None
    weekday = None if pressed.day == "d" else int(pressed.day)
    return digest.Schedule(time(int(at[:2]), int(at[2:])), weekday)


@on_press()
async def set_time(update: Update, context: BotContext, query, t) -> Step | int:
    chosen = _chosen(PickTime.of(update))
    if chosen is None:
        await answer_stale(query, t)
        return Step.TIME
    me = await who(update, context)
    try:
        branch_id = acting_branch(context, me)
        today = await branch_today(context, branch_id)
        await digest.set_schedule(
            context.db, me, branch_id, chosen, context.settings.worktime_defaults, today
        )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return Step.TIME
    await answer_and_drop(query)
    await update.effective_message.reply_text(
        t.gettext("Done: your digest comes {rhythm}.", rhythm=_rhythm(t, chosen))
    )
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    """A conversation, so that its buttons act only right after /digest."""
    return flow_conversation(
        "digest",
        branch_command("digest", show_schedule),
        {
            Step.FREQUENCY: [PickFrequency.handler(pick_frequency)],
            Step.WEEKDAY: [PickWeekday.handler(pick_weekday)],
            Step.TIME: [PickTime.handler(set_time)],
        },
        stray=None,
        # There is no draft, and nothing was changed is all there is to say.
        cancel=cancel_with(said=N_("Nothing was changed.")),
    )
