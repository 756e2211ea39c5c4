"""/hours: log activity hours, see one's own totals and history; the secretary decides.

A member sees only their own figures; there is no ranking anywhere (a 2023 national rule
against formalism in apps discourages it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import dates, hours
from domain.access import Actor
from domain.activity import ActivityKind, HourRecord, HourSource, HourStatus, as_hours
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, Translator
from handlers.branch_choice import acting_branch, branch_or_ask, choice_handler
from handlers.common import (
    add_errors,
    amount_buttons,
    answer_query,
    branch_today,
    drop_buttons,
    error_text,
    home_branch,
    parse_callback,
    tr,
    who,
)
from handlers.conversation import CANCEL_HINT, answer_stale, cancel_with, offer, unexpected
from handlers.labels import KIND_LABELS
from storage import hours as hour_store
from storage import people
from storage.db import Database

KIND, DAY, DAY_TYPED, AMOUNT, DESCRIBE, PHOTO, CONFIRM = (
    "hours.kind",
    "hours.day",
    "hours.day_typed",
    "hours.amount",
    "hours.describe",
    "hours.photo",
    "hours.confirm",
)
EDIT_AMOUNT, REASON, CORRECT_AMOUNT = "hours.edit", "hours.reason", "hours.correct"
DRAFT = "hours"

COUNTING_LABELS: dict[hours.Counting, str] = {
    hours.Counting.VERIFIED: N_("verified hours only"),
    hours.Counting.WITH_ATTESTED: N_("verified + self-reported hours"),
}
STATUS_LABELS: dict[HourStatus, str] = {
    HourStatus.PENDING: N_("pending"),
    HourStatus.VERIFIED: N_("verified"),
    HourStatus.REJECTED: N_("rejected"),
    HourStatus.WITHDRAWN: N_("withdrawn"),
}

add_errors(
    {
        "members_only": N_("Only registered members of a branch can do that."),
        "hours_day_full": N_(
            "A day has only 24 hours: at most {left} more hours fit on that day. Nothing was saved."
        ),
        "post_duty_via_posts": N_(
            "Hours on a responsibility post are recorded with the duty itself: send /posts and "
            "choose “📒 Record duty”. Please choose another type here."
        ),
        "date_in_future": N_(
            "That date is in the future; only activities already done can be logged."
        ),
        "date_too_old": N_(
            "That date is more than {days} days ago and can no longer be logged. Please ask your secretary."
        ),
        "description_empty": N_("Please describe briefly what you did."),
        "description_too_long": N_("Please keep the description within {max} characters."),
        "reason_empty": N_("Please type a reason."),
        "reason_too_long": N_("Please keep the reason within {max} characters."),
        "hours_unknown": N_("That record does not exist."),
        "hours_decided": N_("This record has already been decided. Nothing was changed."),
        "window_invalid": N_("Please choose one of the offered numbers of days."),
        "hours_from_event": N_(
            "Hours from an event are decided by the secretary. Nothing was changed."
        ),
        "hours_own": N_(
            "You cannot verify your own hours: another secretary of the branch must. "
            "Nothing was changed."
        ),
        "hours_own_no_other": N_(
            "You cannot verify your own hours, and the branch has no other secretary to do "
            "it. Please ask for a second secretary. Nothing was changed."
        ),
        "hours_not_pending": N_(
            "That record has already been decided or withdrawn, so it cannot be changed."
        ),
    }
)

_KIND_DATA = re.compile(r"hours:kind:([a-z_]{1,16})")
_AMOUNT_DATA = re.compile(r"hours:(?:amt|eamt|camt):(\d{1,2})")
_DAY_DATA = re.compile(r"hours:day:(today|yesterday|pick)")
_TOTALS_DATA = re.compile(r"hours:totals(?::(week|month))?")
_PAGE_DATA = re.compile(r"hours:hist:(\d{1,4})")
_WINDOW_DATA = re.compile(r"hours:window(?::(\d{1,4}))?")
_COUNTING_DATA = re.compile(r"hours:count(?::(verified|with_attested))?")
_RECORD_DATA = re.compile(r"hours:(edit|withdraw|approve|reject|correct):(\d{1,12})")

log = logging.getLogger(__name__)


def show(t: Translator, value: Decimal) -> str:
    return t.number(value)


def kind_name(t: Translator, kind: ActivityKind) -> str:
    return t.gettext(KIND_LABELS[kind])


def record_line(t: Translator, record: HourRecord) -> str:
    line = t.gettext(
        "#{id} {day} · {kind} · {hours} h · {status}",
        id=record.id,
        day=t.date(record.day),
        kind=kind_name(t, record.kind),
        hours=show(t, record.hours),
        status=t.gettext(STATUS_LABELS[record.status]),
    )
    if record.reason:
        line += "\n   " + t.gettext("Reason: {reason}", reason=record.reason)
    return line


def button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


# ---------------------------------------------------------------- menu, totals, history


async def show_menu(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    me = await who(update, context)
    if not (me.member or me.is_secretary):
        await update.effective_message.reply_text(error_text(t, DomainError("members_only")))
        return ConversationHandler.END
    rows = []
    if me.member:  # a secretary the roster does not list has only the register
        rows = [
            [button(t.pgettext("button", "➕ Log hours"), "hours:log")],
            [
                button(t.pgettext("button", "📊 My totals"), "hours:totals"),
                button(t.pgettext("button", "📜 My history"), "hours:hist:0"),
            ],
        ]
    branch_id = await branch_or_ask(update, context, me, "hours") if me.is_secretary else None
    if me.is_secretary and branch_id is None:
        return ConversationHandler.END  # asked which branch; the press shows the menu again
    if branch_id is not None:
        waiting = len(await hours.pending_for(context.db, me))
        label = t.pgettext("button", "📥 To approve ({n})").format(n=waiting)
        rows.append([button(label, "hours:pending")])
        rows.append([button(t.pgettext("button", "📋 Branch this quarter"), "hours:branch")])
        days = await hours.window_of(context.db, me, branch_id)
        label = t.pgettext("button", "⚙️ Logging window: {days} days").format(days=days)
        rows.append([button(label, "hours:window")])
        counting = t.gettext(COUNTING_LABELS[await hours.counting_of(context.db, branch_id)])
        label = t.pgettext("button", "⚖️ Summaries count: {what}").format(what=counting)
        rows.append([button(label, "hours:count")])
    await update.effective_message.reply_text(
        t.gettext("Activity hours: what would you like to do?"),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return ConversationHandler.END


def totals_block(t: Translator, title: str, totals: hours.Totals) -> list[str]:
    lines = [title]
    for kind in totals.kinds:
        lines.append(
            t.gettext(
                "{kind}: {verified} h verified, {attested} h pending",
                kind=kind_name(t, kind),
                verified=show(t, totals.verified.get(kind, Decimal(0))),
                attested=show(t, totals.attested.get(kind, Decimal(0))),
            )
        )
    lines.append(
        t.gettext(
            "Total: {verified} h verified, {attested} h pending",
            verified=show(t, totals.total_verified),
            attested=show(t, totals.total_attested),
        )
    )
    return lines


PERIOD_TITLES: dict[hours.Period, str] = {
    hours.Period.WEEK: N_("Your hours this week:"),
    hours.Period.MONTH: N_("Your hours this month:"),
    hours.Period.QUARTER: N_("Your hours this quarter:"),
    hours.Period.YEAR: N_("Your hours this year:"),
}


async def show_totals(update: Update, context: BotContext) -> None:
    """This quarter and this year; the buttons show the week or the month instead."""
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _TOTALS_DATA)
    me = await who(update, context)
    if match is None or not me.member:
        await answer_query(query, error_text(t, DomainError("members_only")), alert=True)
        return
    await answer_query(query)
    today = await branch_today(context, home_branch(me))
    periods = (
        [hours.Period(match.group(1))]
        if match.group(1)
        else [hours.Period.QUARTER, hours.Period.YEAR]
    )
    lines: list[str] = []
    for period in periods:
        totals = await hours.period_totals(context.db, me.person.id, period, today)
        lines += ["", *totals_block(t, t.gettext(PERIOD_TITLES[period]), totals)]
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(t.pgettext("button", "This week"), "hours:totals:week"),
                button(t.pgettext("button", "This month"), "hours:totals:month"),
            ]
        ]
    )
    await update.effective_message.reply_text("\n".join(lines[1:]), reply_markup=keyboard)


async def show_history(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _PAGE_DATA)
    me = await who(update, context)
    if match is None or not me.member:
        await answer_stale(query, t)
        return
    await answer_query(query)
    page = int(match.group(1))
    records, more = await hours.history(context.db, me, page)
    if not records:
        await update.effective_message.reply_text(t.gettext("You have no records yet."))
        return
    rows = [
        [
            button(t.pgettext("button", "✏️ Edit #{id}").format(id=r.id), f"hours:edit:{r.id}"),
            button(
                t.pgettext("button", "↩️ Withdraw #{id}").format(id=r.id), f"hours:withdraw:{r.id}"
            ),
        ]
        for r in records
        if r.status is HourStatus.PENDING and r.source is HourSource.SELF
    ]
    paging = []
    if page > 0:
        paging.append(button(t.pgettext("button", "◀ Newer"), f"hours:hist:{page - 1}"))
    if more:
        paging.append(button(t.pgettext("button", "Older ▶"), f"hours:hist:{page + 1}"))
    if paging:
        rows.append(paging)
    text = "\n".join(
        [t.gettext("Your records (page {page}):", page=page + 1)]
        + [record_line(t, r) for r in records]
    )
    await update.effective_message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows))


# ---------------------------------------------------------------- logging


def kind_keyboard(t: Translator, prefix: str = "hours:kind") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(t.gettext(label), f"{prefix}:{kind}")] for kind, label in KIND_LABELS.items()]
    )


async def start_log(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    await answer_query(update.callback_query)
    if not (await who(update, context)).member:
        await update.effective_message.reply_text(error_text(t, DomainError("members_only")))
        return ConversationHandler.END
    context.user_data[DRAFT] = {}
    await update.effective_message.reply_text(
        t.gettext("What kind of activity was it?") + "\n" + t.gettext(CANCEL_HINT),
        reply_markup=kind_keyboard(t),
    )
    return KIND


async def got_kind(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _KIND_DATA)
    if match is None or match.group(1) not in set(ActivityKind):
        await answer_stale(query, t)
        return KIND
    if match.group(1) == ActivityKind.POST_DUTY:
        await answer_query(query)
        await update.effective_message.reply_text(
            error_text(t, InvalidInput("post_duty_via_posts"))
        )
        return KIND
    await answer_query(query)
    await drop_buttons(query)
    context.user_data[DRAFT]["kind"] = match.group(1)
    keyboard = InlineKeyboardMarkup(
        [
            [
                button(t.pgettext("button", "Today"), "hours:day:today"),
                button(t.pgettext("button", "Yesterday"), "hours:day:yesterday"),
            ],
            [button(t.pgettext("button", "📅 Another day"), "hours:day:pick")],
        ]
    )
    await update.effective_message.reply_text(
        t.gettext("{kind}. On which day?", kind=kind_name(t, ActivityKind(match.group(1)))),
        reply_markup=keyboard,
    )
    return DAY


async def got_day_button(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _DAY_DATA)
    if match is None:
        await answer_stale(query, t)
        return DAY
    await answer_query(query)
    await drop_buttons(query)
    if match.group(1) == "pick":
        await update.effective_message.reply_text(
            t.gettext("Please type the date, for example 2026-11-20, 11月20日 or yesterday.")
        )
        return DAY_TYPED
    today = await branch_today(context, home_branch(await who(update, context)))
    day = today if match.group(1) == "today" else today - timedelta(days=1)
    return await _accept_day(update, context, t, day, today)


async def got_day_text(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    today = await branch_today(context, home_branch(await who(update, context)))
    try:
        day = dates.parse_date(update.effective_message.text, today, dates.Year.PAST)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return DAY_TYPED
    return await _accept_day(update, context, t, day, today)


async def _accept_day(
    update: Update, context: BotContext, t: Translator, day: date, today: date
) -> str:
    try:
        await hours.check_member_day(context.db, await who(update, context), day, today)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return DAY_TYPED
    context.user_data[DRAFT]["day"] = day.isoformat()
    await offer(
        update,
        context,
        t.gettext(
            "How many hours on {day}? Press one or type it: steps of half an hour, "
            "at most {max}, for example 1.5.",
            day=t.date(day),
            max=hours.MAX_HALF_HOURS_PER_RECORD // 2,
        ),
        amount_buttons(t, "hours:amt"),
    )
    return AMOUNT


async def _typed_hours(
    update: Update, context: BotContext, t: Translator, day: date | None
) -> int | None:
    """Half-hours typed or pressed (an amount button), or None after saying what is wrong."""
    query = update.callback_query
    try:
        if query is None:
            half_hours = hours.parse_hours(update.effective_message.text)
        else:
            match = parse_callback(query.data, _AMOUNT_DATA)
            if match is None:
                await answer_stale(query, t)
                return None
            await answer_query(query)
            half_hours = hours.common_amount(int(match.group(1)))
        if day is not None:
            await hours.check_room(context.db, await who(update, context), day, half_hours)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return None
    if query is not None:
        await drop_buttons(query)
    return half_hours


async def got_amount(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    half_hours = await _typed_hours(update, context, t, date.fromisoformat(draft["day"]))
    if half_hours is None:
        return AMOUNT
    draft["half_hours"] = half_hours
    await update.effective_message.reply_text(
        t.gettext(
            "Please describe briefly what you did (at most {max} characters).",
            max=hours.DESCRIPTION_MAX,
        )
    )
    return DESCRIBE


async def got_description(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    try:
        text = hours.description(update.effective_message.text)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return DESCRIBE
    context.user_data[DRAFT]["description"] = text
    await update.effective_message.reply_text(
        t.gettext("If you have a photo as evidence, send it now; otherwise press Skip."),
        reply_markup=InlineKeyboardMarkup(
            [[button(t.pgettext("button", "Skip"), "hours:nophoto")]]
        ),
    )
    return PHOTO


async def got_photo(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    context.user_data[DRAFT]["photo"] = update.effective_message.photo[-1].file_id
    await show_review(update, context, t)
    return CONFIRM


async def skip_photo(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    await answer_query(update.callback_query)
    await drop_buttons(update.callback_query)
    context.user_data[DRAFT].pop("photo", None)
    await show_review(update, context, t)
    return CONFIRM


def _draft(context: BotContext) -> hours.Draft:
    draft = context.user_data[DRAFT]
    return hours.Draft(
        kind=ActivityKind(draft["kind"]),
        day=date.fromisoformat(draft["day"]),
        half_hours=draft["half_hours"],
        description=draft["description"],
        photo_file_id=draft.get("photo"),
    )


async def show_review(update: Update, context: BotContext, t: Translator) -> None:
    draft = _draft(context)
    lines = [
        t.gettext("Please check:"),
        t.gettext("Activity: {kind}", kind=kind_name(t, draft.kind)),
        t.gettext("Date: {day}", day=t.date(draft.day)),
        t.gettext("Hours: {hours}", hours=show(t, hours.as_hours(draft.half_hours))),
        t.gettext("Description: {text}", text=draft.description),
    ]
    if draft.photo_file_id:
        lines.append(t.gettext("Photo: attached"))
    keyboard = InlineKeyboardMarkup(
        [
            [button(t.pgettext("button", "✅ Submit"), "hours:submit")],
            [button(t.pgettext("button", "✖️ Cancel"), "hours:cancel")],
        ]
    )
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard)


async def submit(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    query = update.callback_query
    await answer_query(query)
    await drop_buttons(query)
    me = await who(update, context)
    today = await branch_today(context, home_branch(me))
    try:
        draft = _draft(context)
        record = await hours.log(
            context.db, me, draft, today=today, evidence=await evidence(context, draft)
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        context.user_data.pop(DRAFT, None)
        return ConversationHandler.END
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(
        t.gettext(
            "Saved as record #{id}: {hours} h, pending until the secretary approves it.",
            id=record.id,
            hours=show(t, record.hours),
        )
    )
    return ConversationHandler.END


async def evidence(context: BotContext, draft: hours.Draft) -> bytes | None:
    """The photo's bytes, for the secretaries' review; the record stands without them."""
    if draft.photo_file_id is None:
        return None
    try:
        file = await context.bot.get_file(draft.photo_file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError:
        log.warning("could not fetch the evidence photo %s", draft.photo_file_id)
        return None


# ---------------------------------------------------------------- the member's changes


async def start_edit(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _RECORD_DATA)
    if match is None or match.group(1) != "edit":
        await answer_stale(query, t)
        return ConversationHandler.END
    try:
        record = await hours.own_record(context.db, await who(update, context), int(match[2]))
        if record.status is not HourStatus.PENDING:
            raise DomainError("hours_not_pending")
        if record.source is not HourSource.SELF:
            raise DomainError("hours_from_event")
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return ConversationHandler.END
    await answer_query(query)
    context.user_data[DRAFT] = {"record": record.id}
    await offer(
        update,
        context,
        t.gettext("Record #{id}: how many hours should it be?", id=record.id),
        amount_buttons(t, "hours:eamt"),
    )
    return EDIT_AMOUNT


async def got_edit_amount(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    half_hours = await _typed_hours(update, context, t, None)
    if half_hours is None:
        return EDIT_AMOUNT
    record_id = context.user_data[DRAFT]["record"]
    try:
        record = await hours.edit_hours(
            context.db, await who(update, context), record_id, half_hours
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return EDIT_AMOUNT if exc.code == "hours_day_full" else _end(context)
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(
        t.gettext("Record #{id} now has {hours} h.", id=record.id, hours=show(t, record.hours))
    )
    return ConversationHandler.END


def _end(context: BotContext) -> int:
    context.user_data.pop(DRAFT, None)
    return ConversationHandler.END


async def withdraw(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _RECORD_DATA)
    if match is None or match.group(1) != "withdraw":
        await answer_stale(query, t)
        return
    try:
        record = await hours.withdraw(context.db, await who(update, context), int(match[2]))
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query)
    await update.effective_message.reply_text(
        t.gettext("Record #{id} was withdrawn.", id=record.id)
    )


# ---------------------------------------------------------------- the secretary's decisions


async def review_text(t: Translator, db: Database, record: HourRecord) -> str:
    member = await people.get(db, record.person_id)
    return "\n".join(
        [
            t.gettext("Hours to approve, record #{id}:", id=record.id),
            t.gettext("Member: {name}", name=member.display_name if member else "—"),
            t.gettext("Activity: {kind}", kind=kind_name(t, record.kind)),
            t.gettext("Date: {day}", day=t.date(record.day)),
            t.gettext("Hours: {hours}", hours=show(t, record.hours)),
            t.gettext("Description: {text}", text=record.description),
            *(
                [t.gettext("Checked in at this event but never checked out: counted to its end.")]
                if record.source is HourSource.EVENT
                else []
            ),
        ]
    )


def decision_keyboard(t: Translator, record_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(t.pgettext("button", "✅ Approve"), f"hours:approve:{record_id}"),
                button(t.pgettext("button", "❌ Reject"), f"hours:reject:{record_id}"),
                button(t.pgettext("button", "✏️ Correct"), f"hours:correct:{record_id}"),
            ]
        ]
    )


@renderer(hours.REVIEW_TEMPLATE)
async def review_message(t: Translator, db: Database, params: dict) -> Rendered:
    record = await hour_store.get(db, params["record"])
    assert record is not None
    return Rendered(await review_text(t, db, record), decision_keyboard(t, record.id))


async def show_pending(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    await answer_query(update.callback_query)
    me = await who(update, context)
    if not me.is_secretary:
        await update.effective_message.reply_text(error_text(t, DomainError("not_allowed")))
        return
    waiting = await hours.pending_for(context.db, me)
    if not waiting:
        await update.effective_message.reply_text(t.gettext("No hours are waiting for approval."))
        return
    for record in waiting[:10]:
        await update.effective_message.reply_text(
            await review_text(t, context.db, record), reply_markup=decision_keyboard(t, record.id)
        )


async def show_branch(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    await answer_query(update.callback_query)
    me = await who(update, context)
    try:
        branch_id = acting_branch(context, me)
        start, end = hours.period_bounds(
            hours.Period.QUARTER, await branch_today(context, branch_id)
        )
        lines = [
            t.gettext(
                "Hours of the branch members from {start} to {end}:",
                start=t.date(start),
                end=t.date(end),
            )
        ]
        members = await hours.branch_totals(context.db, me, branch_id, start, end)
        counting = await hours.counting_of(context.db, branch_id)
        lines += [register_line(t, member, counting) for member in members]
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    for chunk in chunks(lines):
        await update.effective_message.reply_text(chunk)


def register_line(t: Translator, member: hours.MemberTotals, counting: hours.Counting) -> str:
    """A member's line in the register; the counted figure is labelled when the branch
    counts attested hours too."""
    totals = member.totals
    if counting is hours.Counting.WITH_ATTESTED:
        return t.gettext(
            "{name}: {counted} h (verified + self-reported): {verified} h verified, "
            "{attested} h pending",
            name=member.name,
            counted=show(t, hours.counted_total(totals, counting)),
            verified=show(t, totals.total_verified),
            attested=show(t, totals.total_attested),
        )
    return t.gettext(
        "{name}: {verified} h verified, {attested} h pending",
        name=member.name,
        verified=show(t, totals.total_verified),
        attested=show(t, totals.total_attested),
    )


SettingRows = list[list[tuple[str, str]]]


async def _branch_setting(
    update: Update,
    context: BotContext,
    pattern: re.Pattern[str],
    ask: Callable[[Translator], tuple[str, SettingRows]],
    apply: Callable[[Translator, Actor, int, str], Awaitable[str]],
) -> None:
    """A secretary's setting of the branch from /hours: the first press asks (a question and
    rows of (label, callback data)), the second applies the chosen value, which the domain
    checks again, and says what is now in force."""
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, pattern)
    me = await who(update, context)
    if match is None or not me.is_secretary:
        await answer_query(query, error_text(t, DomainError("not_allowed")), alert=True)
        return
    await answer_query(query)
    if match.group(1) is None:
        question, rows = ask(t)
        await update.effective_message.reply_text(
            question,
            reply_markup=InlineKeyboardMarkup(
                [[button(label, data) for label, data in row] for row in rows]
            ),
        )
        return
    try:
        done = await apply(t, me, acting_branch(context, me), match.group(1))
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await drop_buttons(query)
    await update.effective_message.reply_text(done)


def _ask_counting(t: Translator) -> tuple[str, SettingRows]:
    question = t.gettext(
        "What should the branch's summaries (digest, register, feedback to units, "
        "county report, exports) count? Members always see both in their own totals."
    )
    rows = [[(t.gettext(label), f"hours:count:{c}")] for c, label in COUNTING_LABELS.items()]
    return question, rows


async def choose_counting(update: Update, context: BotContext) -> None:
    """Whether the branch's summaries count attested hours too."""

    async def apply(t: Translator, me: Actor, branch_id: int, value: str) -> str:
        counting = await hours.set_counting(context.db, me, branch_id, hours.Counting(value))
        what = t.gettext(COUNTING_LABELS[counting])
        return t.gettext("The branch's summaries now count {what}.", what=what)

    await _branch_setting(update, context, _COUNTING_DATA, _ask_counting, apply)


async def choose_window(update: Update, context: BotContext) -> None:
    """How many days back the branch's members may log hours."""

    def ask(t: Translator) -> tuple[str, SettingRows]:
        rows = [[(str(d), f"hours:window:{d}") for d in hours.WINDOW_CHOICES]]
        return t.gettext("How many days back may members log hours?"), rows

    async def apply(t: Translator, me: Actor, branch_id: int, value: str) -> str:
        days = await hours.set_window(context.db, me, branch_id, int(value))
        return t.gettext("Members may now log hours up to {days} days back.", days=days)

    await _branch_setting(update, context, _WINDOW_DATA, ask, apply)


def chunks(lines: list[str], limit: int = 3500) -> list[str]:
    """Join lines into messages under Telegram's length limit, never splitting a line."""
    found, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            found.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*found, current] if current else found


@renderer(hours.DECIDED_TEMPLATE)
async def decided_message(t: Translator, db: Database, params: dict) -> Rendered:
    """The decision as it was made (the record may have changed since)."""
    record = await hour_store.get(db, params["record"])
    assert record is not None
    hours_text = show(t, as_hours(params["half_hours"]))
    if params["status"] == HourStatus.REJECTED:
        return Rendered(
            t.gettext(
                "Your hours record #{id} ({hours} h on {day}) was not accepted. Reason: {reason}",
                id=record.id,
                hours=hours_text,
                day=t.date(record.day),
                reason=params["reason"] or "—",
            )
        )
    return Rendered(
        t.gettext(
            "Your hours record #{id} is verified: {hours} h on {day}.",
            id=record.id,
            hours=hours_text,
            day=t.date(record.day),
        )
    )


async def _decided(update: Update, context: BotContext, t: Translator, record: HourRecord) -> None:
    outcome = t.gettext("Decided: {line}", line=record_line(t, record))
    await update.effective_message.reply_text(outcome)


async def approve(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _RECORD_DATA)
    if match is None or match.group(1) != "approve":
        await answer_stale(query, t)
        return
    try:
        record = await hours.approve(context.db, await who(update, context), int(match[2]))
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query)
    await drop_buttons(query)
    await _decided(update, context, t, record)


async def start_decision(update: Update, context: BotContext) -> str | int:
    """Reject or correct: both need one more answer typed by the secretary."""
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _RECORD_DATA)
    if match is None or match.group(1) not in ("reject", "correct"):
        await answer_stale(query, t)
        return ConversationHandler.END
    try:
        record = await hours.record_for_secretary(
            context.db, await who(update, context), int(match[2]), verifying=match[1] == "correct"
        )
        if record.status not in hours.COUNTING:
            raise DomainError("hours_decided")
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return ConversationHandler.END
    await answer_query(query)
    context.user_data[DRAFT] = {"record": record.id}
    if match.group(1) == "reject":
        await update.effective_message.reply_text(
            t.gettext("Why is record #{id} rejected? The member will read this.", id=record.id)
        )
        return REASON
    await offer(
        update,
        context,
        t.gettext("Record #{id}: how many hours are right?", id=record.id),
        amount_buttons(t, "hours:camt"),
    )
    return CORRECT_AMOUNT


async def got_reason(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    record_id = context.user_data[DRAFT]["record"]
    try:
        record = await hours.reject(
            context.db, await who(update, context), record_id, update.effective_message.text
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return REASON if exc.code.startswith("reason_") else _end(context)
    _end(context)
    await _decided(update, context, t, record)
    return ConversationHandler.END


async def got_correction(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    half_hours = await _typed_hours(update, context, t, None)
    if half_hours is None:
        return CORRECT_AMOUNT
    record_id = context.user_data[DRAFT]["record"]
    try:
        record = await hours.correct(context.db, await who(update, context), record_id, half_hours)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return CORRECT_AMOUNT if exc.code == "hours_day_full" else _end(context)
    _end(context)
    await _decided(update, context, t, record)
    return ConversationHandler.END


# ---------------------------------------------------------------- wiring


cancel = cancel_with(DRAFT)


def conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(start_log, pattern=r"^hours:log$"),
            CallbackQueryHandler(start_edit, pattern=r"^hours:edit:"),
            CallbackQueryHandler(start_decision, pattern=r"^hours:(reject|correct):"),
        ],
        states={
            KIND: [CallbackQueryHandler(got_kind, pattern=r"^hours:kind:")],
            DAY: [CallbackQueryHandler(got_day_button, pattern=r"^hours:day:")],
            DAY_TYPED: [MessageHandler(text, got_day_text)],
            AMOUNT: [
                MessageHandler(text, got_amount),
                CallbackQueryHandler(got_amount, pattern=r"^hours:amt:"),
            ],
            DESCRIBE: [MessageHandler(text, got_description)],
            PHOTO: [
                MessageHandler(filters.PHOTO, got_photo),
                CallbackQueryHandler(skip_photo, pattern=r"^hours:nophoto$"),
            ],
            CONFIRM: [
                CallbackQueryHandler(submit, pattern=r"^hours:submit$"),
                CallbackQueryHandler(cancel, pattern=r"^hours:cancel$"),
            ],
            EDIT_AMOUNT: [
                MessageHandler(text, got_edit_amount),
                CallbackQueryHandler(got_edit_amount, pattern=r"^hours:eamt:"),
            ],
            REASON: [MessageHandler(text, got_reason)],
            CORRECT_AMOUNT: [
                MessageHandler(text, got_correction),
                CallbackQueryHandler(got_correction, pattern=r"^hours:camt:"),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, unexpected),
            CallbackQueryHandler(
                unexpected, pattern=r"^hours:(kind:|day:|nophoto$|submit$|cancel$)"
            ),
        ],
        allow_reentry=True,
        name="hours",
        persistent=True,
    )


def handlers() -> list:
    return [
        CommandHandler("hours", show_menu),
        choice_handler("hours", show_menu),
        CallbackQueryHandler(show_totals, pattern=r"^hours:totals"),
        CallbackQueryHandler(show_history, pattern=r"^hours:hist:"),
        CallbackQueryHandler(show_pending, pattern=r"^hours:pending$"),
        CallbackQueryHandler(show_branch, pattern=r"^hours:branch$"),
        CallbackQueryHandler(choose_window, pattern=r"^hours:window"),
        CallbackQueryHandler(choose_counting, pattern=r"^hours:count"),
        CallbackQueryHandler(withdraw, pattern=r"^hours:withdraw:"),
        CallbackQueryHandler(approve, pattern=r"^hours:approve:"),
    ]
