"""What every feature module needs to read an update and answer it."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.error import BadRequest

from bot.context import BotContext
from domain import hours, languages, outbox, working_time
from domain.access import Actor, actor
from domain.errors import DomainError
from domain.i18n import N_, Translator, resolve, translator
from domain.notification import Kind
from domain.working_time import HELD_REASONS, Wait
from handlers.buttons import Button
from storage.db import utcnow

_LOCALE_CACHE = "locale_cache"


async def _languages(context: BotContext, telegram_id: int) -> tuple[str | None, str | None]:
    cache: dict[int, tuple[str | None, str | None]] = context.bot_data.setdefault(_LOCALE_CACHE, {})
    if telegram_id not in cache:
        cache[telegram_id] = await languages.of(context.db, telegram_id)
    return cache[telegram_id]


async def locale_of(context: BotContext, user: User | None) -> str:
    default = context.settings.bot_default_locale
    if user is None:
        return default
    chosen, reported = await _languages(context, user.id)
    if user.language_code and user.language_code != reported:
        # Remembered so that notifications to this person use their client's language too.
        await languages.remember_client(context.db, user.id, user.language_code)
        context.bot_data[_LOCALE_CACHE][user.id] = (chosen, user.language_code)
    return resolve(chosen, user.language_code, default)


async def tr(update: Update, context: BotContext) -> Translator:
    return translator(await locale_of(context, update.effective_user))


async def tr_for(context: BotContext, telegram_id: int) -> Translator:
    """The translator for someone other than the sender (a notification's recipient)."""
    chosen, reported = await _languages(context, telegram_id)
    return translator(resolve(chosen, reported, context.settings.bot_default_locale))


def forget_locale(context: BotContext, telegram_id: int) -> None:
    context.bot_data.setdefault(_LOCALE_CACHE, {}).pop(telegram_id, None)


async def who(update: Update, context: BotContext) -> Actor:
    assert update.effective_user is not None
    return await actor(context.db, update.effective_user.id)


# Refusal codes raised by the rules, and how each reads. Parameters fill `{...}`.
ERROR_TEXT: dict[str, str] = {
    "not_allowed": N_("Sorry, only the branch secretary can do that. Nothing was changed."),
    "not_found": N_("That no longer exists."),
    "invalid": N_("That input is not valid."),
    "conflict": N_("That has changed in the meantime; please look again."),
    "invite_unknown": N_("This invitation code is not valid. Please check the link you got."),
    "invite_expired": N_(
        "This invitation has expired. Please ask your branch secretary for a new one."
    ),
    "invite_used_up": N_(
        "This invitation has already been used. Please ask your branch secretary for a new one."
    ),
    "guesses_too_many": N_(
        "Too many wrong codes. Please wait {minutes} minutes before trying again."
    ),
    "already_member": N_("You are already a registered member."),
    "role_held": N_("You hold that role already."),
    "already_pending": N_("Your application is already waiting for the secretary's approval."),
    "already_decided": N_("This request has already been handled. Nothing was changed."),
    "request_unknown": N_("This request no longer exists."),
    "name_too_short": N_("Please enter your full name (at least 2 characters)."),
    "name_too_long": N_("That name is too long (at most {max} characters)."),
    "name_bad_characters": N_(
        "A name may contain only letters, spaces, “·” and “-”. Please type it again."
    ),
    "phone_invalid": N_(
        "That is not a valid phone number. Please enter an 11-digit mobile number or a landline with its area code."
    ),
    "category_missing": N_("Please choose a category."),
    # The one date reader (domain/dates.py) and the one hours reader (domain/hours/rules.py)
    # refuse in the same words in every flow.
    "date_format": N_(
        "I could not read that date. Please write it like 2026-03-01, 2026/3/1, 3月1日, "
        "today or yesterday."
    ),
    "date_invalid": N_("That date does not exist. Please check the month and day."),
    "hours_not_number": N_("Please type the hours as a number, for example 2 or 1.5."),
    "hours_not_positive": N_("The hours must be more than 0."),
    "hours_too_many": N_(
        "At most {max} hours can be logged in one record. Nothing was changed; please type "
        "the hours again."
    ),
    "hours_not_step": N_(
        "Hours go in steps of half an hour, for example 1, 1.5 or 2. Nothing was rounded; "
        "please type the hours again."
    ),
}


def add_errors(texts: dict[str, str]) -> None:
    """A feature's refusal codes. A code reads the same everywhere: two features giving one
    code different texts would show one of them the other's message, so that fails loudly."""
    for code, text in texts.items():
        if ERROR_TEXT.get(code, text) != text:
            raise RuntimeError(f"refusal code {code!r} has two texts")
    ERROR_TEXT.update(texts)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def error_text(t: Translator, error: DomainError) -> str:
    message = ERROR_TEXT.get(error.code, ERROR_TEXT.get(type(error).code, ERROR_TEXT["invalid"]))
    return t.gettext(message, **{k: _shown(t, v) for k, v in error.params.items()})


def _shown(t: Translator, value: Any) -> Any:
    """A refusal's day (a date, or ISO text as the domain may give it) in the reader's style."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return t.date(value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return t.date(date.fromisoformat(value))
        except ValueError:
            return value  # 2026-02-30: not a day, shown as given
    return value


async def answer_query(query: CallbackQuery, text: str | None = None, *, alert=False) -> None:
    """Answer a button press; a query that is too old to answer is not an error."""
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        if (
            "query is too old" not in str(exc).lower()
            and "query id is invalid" not in str(exc).lower()
        ):
            raise


async def drop_buttons(query: CallbackQuery) -> None:
    """Remove the buttons of a handled message, if it still has any."""
    message = query.message
    if message is None or not getattr(message, "reply_markup", None):
        return
    await unless_unchanged(query.edit_message_reply_markup(None))


async def answer_and_drop(query: CallbackQuery) -> None:
    """A step's button was taken: answer the press and remove the step's buttons, so the
    question is not answered twice."""
    await answer_query(query)
    await drop_buttons(query)


def amount_buttons(
    t: Translator, codec: type[Button], extra: list[InlineKeyboardButton] | None = None
) -> InlineKeyboardMarkup:
    """The common amounts of hours as buttons of `codec`, whose one field is the half-hours;
    typing stays open."""
    row = [
        codec(half).button(t.gettext("{hours} h", hours=t.number(hours.as_hours(half))))
        for half in hours.COMMON_HALF_HOURS
    ]
    return InlineKeyboardMarkup([row, *([extra] if extra else [])])


async def edit_text(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None, **kwargs: Any
) -> None:
    """Replace the pressed message's text; a second press of the same button (a double tap,
    a stale client) asks for the text it already has, which Telegram refuses."""
    await unless_unchanged(query.edit_message_text(text, reply_markup=markup, **kwargs))


async def unless_unchanged(edit: Awaitable[object]) -> None:
    """Await an edit; Telegram's "message is not modified" means it already shows that."""
    try:
        await edit
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def profile_name(user: User) -> str:
    return " ".join(part for part in (user.first_name, user.last_name) if part)


def now(context: BotContext) -> datetime:
    """The current instant; tests put a `clock` callable in bot_data to move time."""
    clock = context.bot_data.get("clock")
    return clock() if clock is not None else utcnow()


async def branch_zone(context: BotContext, branch_id: int | None) -> ZoneInfo:
    """The zone every date a person picks, types or reads of the branch's is in."""
    return await working_time.zone_of(context.db, branch_id, context.settings.bot_timezone)


async def branch_today(context: BotContext, branch_id: int | None) -> date:
    """ "Today" for the branch: 13:30 on 1 December in Shanghai is still 30 November at
    00:30 in New York."""
    return now(context).astimezone(await branch_zone(context, branch_id)).date()


def home_branch(me: Actor) -> int | None:
    """The branch a person's own records (hours, reports) belong to."""
    return me.person.branch_id if me.person is not None else None


async def my_today(update: Update, context: BotContext) -> date:
    """Today in the zone of the person's own branch."""
    return await branch_today(context, home_branch(await who(update, context)))


def _wait_params(t: Translator, wait: Wait, now: datetime) -> dict[str, str]:
    # The day too when it is not today there.
    same_day = wait.until.astimezone(wait.tz).date() == now.astimezone(wait.tz).date()
    when = t.time(wait.until, wait.tz) if same_day else t.datetime(wait.until, wait.tz)
    return {"time": when, "reason": t.gettext(HELD_REASONS[wait.why])}


def wait_text(t: Translator, wait: Wait, now: datetime) -> str:
    """ "将在 08:00 后发送（夜间免打扰）"."""
    return t.gettext("Will be sent after {time} ({reason}).", **_wait_params(t, wait, now))


def told_of_waits() -> None:
    """The update's own answer already said when what it queued goes (a broadcast)."""
    outbox.queued_for.set(None)


async def tell_waits(update: Update, context: BotContext) -> None:
    """After the update: whoever's action queued a notification to someone else that the
    working time holds (quiet hours…) is told until when and why, once. Messages queued
    for later on purpose (reminders) and urgent ones do not wait, so they say nothing."""
    queued = outbox.queued_for.get()
    outbox.queued_for.set(None)
    chat = update.effective_chat
    if not queued or chat is None:
        return
    moment = now(context)
    policies: dict[int | None, working_time.WorkTime] = {}
    waits: list[Wait] = []
    for chat_id, branch_id, kind, not_before in queued:
        if chat_id == chat.id or kind == Kind.URGENT or not_before > moment:
            continue
        if branch_id not in policies:
            policies[branch_id] = await working_time.for_branch(
                context.db, branch_id, context.settings.worktime_defaults
            )
        if (wait := policies[branch_id].wait(Kind(kind), moment)) is not None:
            waits.append(wait)
    if not waits:
        return
    # When everyone will have heard.
    last = max(waits, key=lambda wait: wait.until)
    t = await tr(update, context)
    await context.bot.send_message(
        chat.id,
        t.gettext(
            "They will be notified after {time} ({reason}).", **_wait_params(t, last, moment)
        ),
    )
