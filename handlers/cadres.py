"""Cadres (副科级以上党员干部): the annual registration conversation, the secretary's
confirmation, /cadre (my registration and what my unit receives) and /away."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import sender
from bot.context import BotContext
from domain import cadre_jobs, cadres, dates, feedback, periods, units, validation
from domain.errors import Conflict, DomainError, InvalidInput
from domain.i18n import N_, Translator
from domain.models import CadreRegistration
from handlers.common import (
    add_errors,
    answer_query,
    drop_buttons,
    error_text,
    parse_callback,
    tr,
    who,
)
from handlers.conversation import CANCEL_HINT, answer_stale
from handlers.onboarding import unexpected
from storage import cadres as cadre_store
from storage import units as unit_store
from storage.db import Database

add_errors(
    {
        "cadre_not_member": N_(
            "Only registered members of a branch can register as cadres. Please join your branch first."
        ),
        "registration_pending": N_(
            "Your registration is already waiting for the secretary's confirmation."
        ),
        "registration_none": N_("You have no earlier registration to renew. Please register."),
        "cadre_registration_unknown": N_("This registration no longer exists."),
        "already_registered": N_("You are already registered for {year}."),
        "unit_missing": N_("Please choose your unit."),
        "unit_unknown": N_("That unit organisation does not exist."),
        "unit_exists": N_("A unit organisation named {name} already exists."),
        "unit_name_too_short": N_(
            "Please enter the full name of the unit (at least 2 characters)."
        ),
        "unit_name_too_long": N_("That name is too long (at most {max} characters)."),
        "position_too_short": N_("Please enter your position (at least 2 characters)."),
        "position_too_long": N_("That is too long (at most {max} characters)."),
        "address_too_short": N_("Please enter your full home address."),
        "address_too_long": N_("That is too long (at most {max} characters)."),
        "rank_invalid": N_("Please choose your rank with the buttons."),
        "leave_date_invalid": N_(
            "Please give a date from today up to a year ahead, like 2026-12-31."
        ),
        "leave_note_too_long": N_("That is too long (at most {max} characters)."),
        "not_unit_contact": N_("Only the contact of a unit party organisation can do that."),
        "link_code_unknown": N_("This link code is not valid or was already used."),
        "remark_too_short": N_("Please write a remark of at least 2 characters."),
        "remark_too_long": N_("That is too long (at most {max} characters)."),
    }
)

NAME, UNIT, UNIT_NAME, POSITION, RANK, ADDRESS, PHONE, CONFIRM = (
    f"cadre.{step}"
    for step in ("name", "unit", "unit_name", "position", "rank", "address", "phone", "confirm")
)
DRAFT = "cadre"
NOT_LISTED = "none"

_UNIT_DATA = re.compile(r"cadre:unit:(\d{1,12}|none)")
_RANK_DATA = re.compile(r"cadre:rank:([a-z_]{1,20})")
_DECISION = re.compile(r"cadre:(confirm|reject):(\d{1,12})")


def today(context: BotContext) -> date:
    return datetime.now(context.settings.tz).date()


@sender.renderer(cadre_jobs.NUDGE_TEMPLATE)
async def nudge(t: Translator, db: Database, params: dict) -> sender.Rendered:
    return sender.Rendered(
        t.gettext(cadre_jobs.NUDGE, date=t.date(date.fromisoformat(params["date"])))
    )


# ------------------------------------------------------------------- the questions


async def ask(update: Update, context: BotContext, t: Translator, state: str) -> str:
    """Ask the question of `state`; returns it so callers can `return await ask(...)`."""
    message = update.effective_message
    if state == UNIT:
        choices = [
            [InlineKeyboardButton(u.name, callback_data=f"cadre:unit:{u.id}")]
            for u in await unit_store.all_units(context.db)
        ]
        choices.append(
            [
                InlineKeyboardButton(
                    t.pgettext("button", "My unit is not listed"),
                    callback_data=f"cadre:unit:{NOT_LISTED}",
                )
            ]
        )
        await message.reply_text(
            t.gettext("Which unit party organisation do you belong to?"),
            reply_markup=InlineKeyboardMarkup(choices),
        )
    elif state == RANK:
        await message.reply_text(
            t.gettext("What is your rank?"),
            reply_markup=InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(t.gettext(label), callback_data=f"cadre:rank:{key}")]
                    for key, label in feedback.RANK_LABELS.items()
                ]
            ),
        )
    else:
        await message.reply_text(t.gettext(QUESTIONS[state]))
    return state


QUESTIONS = {
    NAME: N_("What is your full name?"),
    UNIT_NAME: N_(
        "Please type the full name of your unit's party organisation. The secretary will add it."
    ),
    POSITION: N_(
        "What is your position at work (e.g. deputy director of the county education bureau)?"
    ),
    ADDRESS: N_("What is your home address in the community?"),
    PHONE: N_("What is your phone number?"),
}

# text step → (draft key, validator, next step)
TEXT_STEPS: dict[str, tuple[str, Callable[[str], str], str]] = {
    NAME: ("name", validation.person_name, UNIT),
    UNIT_NAME: ("unit_name", units.unit_name, POSITION),
    POSITION: ("position", cadres.position, RANK),
    ADDRESS: ("address", cadres.address, PHONE),
    PHONE: ("phone", validation.mainland_phone, CONFIRM),
}


# What the bot knows from joining is not asked again; the review screen shows it.
PREFILLED = {NAME: "name", PHONE: "phone"}


async def _next(update: Update, context: BotContext, t: Translator, state: str) -> str:
    if state in PREFILLED and context.user_data[DRAFT].get(PREFILLED[state]):
        state = TEXT_STEPS[state][2]
    if state == CONFIRM:
        await show_review(update, context, t)
        return CONFIRM
    return await ask(update, context, t, state)


def text_step(state: str) -> Callable:
    key, validate, following = TEXT_STEPS[state]

    async def got_text(update: Update, context: BotContext) -> str:
        t = await tr(update, context)
        try:
            value = validate(update.effective_message.text)
        except DomainError as exc:
            await update.effective_message.reply_text(error_text(t, exc))
            return state
        context.user_data[DRAFT][key] = value
        return await _next(update, context, t, following)

    return got_text


# ------------------------------------------------------------------ the conversation


async def begin(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    if update.callback_query:
        await answer_query(update.callback_query)
        await drop_buttons(update.callback_query)
    me = await who(update, context)
    if not me.member:
        await update.effective_message.reply_text(error_text(t, InvalidInput("cadre_not_member")))
        return ConversationHandler.END
    context.user_data[DRAFT] = {"name": me.person.name, "phone": me.person.phone}
    await update.effective_message.reply_text(
        t.gettext(
            "Let's register you as a cadre living in the community for {year}. Your name "
            "and phone are taken from when you joined; you check them at the end.",
            year=today(context).year,
        )
        + "\n"
        + t.gettext(CANCEL_HINT)
    )
    return await _next(update, context, t, NAME)


async def got_unit(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _UNIT_DATA)
    unit = None
    if match and match.group(1) != NOT_LISTED:
        unit = await unit_store.get(context.db, int(match.group(1)))
    if match is None or (unit is None and match.group(1) != NOT_LISTED):
        await answer_stale(query, t)
        return UNIT
    await answer_query(query)
    await drop_buttons(query)
    draft = context.user_data[DRAFT]
    if unit is None:
        draft.update(unit_id=None)
        return await _next(update, context, t, UNIT_NAME)
    draft.update(unit_id=unit.id, unit_label=unit.name, unit_name=None)
    return await _next(update, context, t, POSITION)


async def got_rank(update: Update, context: BotContext) -> str:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _RANK_DATA)
    if match is None or match.group(1) not in cadres.RANKS:
        await answer_stale(query, t)
        return RANK
    await answer_query(query)
    await drop_buttons(query)
    context.user_data[DRAFT]["rank"] = match.group(1)
    return await _next(update, context, t, ADDRESS)


def facts_lines(t: Translator, facts: cadres.Facts, unit_label: str) -> list[str]:
    return [
        t.gettext("Name: {name}", name=facts.name),
        t.gettext("Unit: {unit}", unit=unit_label),
        t.gettext("Position: {position}", position=facts.position),
        t.gettext("Rank: {rank}", rank=feedback.rank_label(t, facts.rank)),
        t.gettext("Home address: {address}", address=facts.address),
        t.gettext("Phone: {phone}", phone=facts.phone),
    ]


def draft_facts(draft: dict) -> cadres.Facts:
    return cadres.Facts(
        name=draft["name"],
        unit_id=draft.get("unit_id"),
        unit_name=draft.get("unit_name"),
        position=draft["position"],
        rank=draft["rank"],
        address=draft["address"],
        phone=draft["phone"],
    )


def unit_label(t: Translator, facts: cadres.Facts, known: str | None) -> str:
    if known:
        return known
    return t.gettext("{unit} (not listed yet; the secretary adds it)", unit=facts.unit_name)


async def show_review(update: Update, context: BotContext, t: Translator) -> None:
    draft = context.user_data[DRAFT]
    facts = draft_facts(draft)
    lines = [
        t.gettext("Please check your registration:"),
        *facts_lines(t, facts, unit_label(t, facts, draft.get("unit_label"))),
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t.pgettext("button", "✅ Submit"), callback_data="cadre:submit")],
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✏️ Start over, name and phone too"),
                    callback_data="cadre:redo",
                )
            ],
        ]
    )
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard)


async def redo(update: Update, context: BotContext) -> str:
    t = await tr(update, context)
    await answer_query(update.callback_query)
    await drop_buttons(update.callback_query)
    context.user_data[DRAFT] = {}
    return await _next(update, context, t, NAME)


async def submit(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    query = update.callback_query
    await answer_query(query)
    await drop_buttons(query)
    facts = draft_facts(context.user_data.pop(DRAFT))
    try:
        submitted = await cadres.submit(
            context.db, await who(update, context), facts, today(context).year
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    await sent_to_secretary(update, context, t, submitted)
    return ConversationHandler.END


async def sent_to_secretary(
    update: Update, context: BotContext, t: Translator, submitted: cadres.Submitted
) -> None:
    await update.effective_message.reply_text(
        t.gettext(
            "Thank you! Your registration has been sent to the secretary of {branch} for confirmation.",
            branch=submitted.branch.name,
        )
    )


@sender.renderer(cadres.TO_CONFIRM_TEMPLATE)
async def to_confirm(t: Translator, db: Database, params: dict) -> sender.Rendered:
    registration = await cadre_store.get(db, params["registration"])
    if registration is None:
        raise KeyError("cadre registration gone")
    unit = await unit_store.get(db, registration.unit_id) if registration.unit_id else None
    return sender.Rendered(
        registration_text(t, registration, unit and unit.name),
        decision_keyboard(t, registration.id),
    )


def registration_text(t: Translator, registration: CadreRegistration, unit: str | None) -> str:
    facts = cadres.Facts.of(registration)
    return "\n".join(
        [
            t.gettext("Cadre registration for {year} to confirm:", year=registration.year),
            *facts_lines(t, facts, unit_label(t, facts, unit)),
        ]
    )


def decision_keyboard(t: Translator, registration_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✅ Confirm"),
                    callback_data=f"cadre:confirm:{registration_id}",
                ),
                InlineKeyboardButton(
                    t.pgettext("button", "❌ Reject"),
                    callback_data=f"cadre:reject:{registration_id}",
                ),
            ]
        ]
    )


async def decide(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _DECISION)
    if match is None:
        await answer_stale(query, t)
        return
    approve = match.group(1) == "confirm"
    try:
        decided = await cadres.decide(
            context.db, await who(update, context), int(match.group(2)), approve=approve
        )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        if isinstance(exc, Conflict):
            await drop_buttons(query)
        return
    outcome = (
        t.gettext("✅ Confirmed: {name}", name=decided.registration.name)
        if approve
        else t.gettext("❌ Rejected: {name}", name=decided.registration.name)
    )
    await answer_query(query, outcome)
    await query.edit_message_text(f"{query.message.text}\n\n{outcome}")


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    context.user_data.pop(DRAFT, None)
    if update.callback_query:
        await answer_query(update.callback_query)
    await update.effective_message.reply_text(t.gettext("Cancelled. Nothing was saved."))
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[
            CommandHandler("cadre_register", begin),
            CallbackQueryHandler(begin, pattern=r"^cadre:register$"),
        ],
        states={
            **{state: [MessageHandler(text, text_step(state))] for state in TEXT_STEPS},
            UNIT: [CallbackQueryHandler(got_unit, pattern=r"^cadre:unit:")],
            RANK: [CallbackQueryHandler(got_rank, pattern=r"^cadre:rank:")],
            CONFIRM: [
                CallbackQueryHandler(submit, pattern=r"^cadre:submit$"),
                CallbackQueryHandler(redo, pattern=r"^cadre:redo$"),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(filters.ALL & ~filters.COMMAND, unexpected),
            CallbackQueryHandler(unexpected, pattern=r"^cadre:(unit:|rank:|submit$|redo$)"),
        ],
        allow_reentry=True,
        name="cadre_registration",
        persistent=True,
    )


# ------------------------------------------------------------------------- /cadre


async def show_cadre(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    day = today(context)
    try:
        mine = await cadres.mine(context.db, me, day)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    shown = mine.current or mine.pending or mine.previous
    buttons = []
    if mine.current:
        head = t.gettext("Your cadre registration for {year} is confirmed.", year=mine.year)
    elif mine.pending:
        head = t.gettext(
            "Your registration for {year} is waiting for the secretary's confirmation.",
            year=mine.pending.year,
        )
    elif mine.previous:
        head = t.gettext(
            "You are not yet registered for {year}. Your last registration was for {last}; please renew it.",
            year=mine.year,
            last=mine.previous.year,
        )
        buttons = [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "🔁 Renew unchanged"), callback_data="cadre:renew"
                )
            ],
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✏️ Register with changes"), callback_data="cadre:register"
                )
            ],
        ]
    else:
        head = t.gettext("You are not registered as a cadre for {year}.", year=mine.year)
        buttons = [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "📝 Register"), callback_data="cadre:register"
                )
            ]
        ]
    lines = [head]
    if shown:
        facts = cadres.Facts.of(shown)
        lines += ["", *facts_lines(t, facts, unit_label(t, facts, mine.unit and mine.unit.name))]
    if mine.leave:
        lines += ["", t.gettext("On leave until {date}", date=t.date(mine.leave.until))]
    figure = await this_quarter(context, me.person.id, day)
    if figure is not None:
        quarter = periods.quarter_of(day)
        lines += [
            "",
            t.gettext(
                "This quarter ({period}) your unit will receive:",
                period=feedback.period_label(t, quarter),
            ),
            *("• " + line for line in feedback.cadre_lines(t, figure, mine.year)),
        ]
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons) if buttons else None
    )


async def this_quarter(
    context: BotContext, person_id: int, day: date
) -> feedback.CadreFigures | None:
    """My line of this quarter's feedback, with the figures my unit will receive."""
    figures = await feedback.gather(context.db, periods.quarter_of(day), context.settings.tz)
    return next((f for f in figures if f.person_id == person_id), None)


async def renew(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    await answer_query(query)
    await drop_buttons(query)
    try:
        submitted = await cadres.renew(context.db, await who(update, context), today(context).year)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await sent_to_secretary(update, context, t, submitted)


async def away(update: Update, context: BotContext) -> None:
    """/away 2026-12-31 [note] pauses reminders; /away off ends it."""
    t = await tr(update, context)
    args = context.args or []
    if not args:
        await update.effective_message.reply_text(
            t.gettext(
                "To pause reminders while you are away, send /away followed by the last day, e.g. /away 2026-12-31 study trip. Send /away off when you are back."
            )
        )
        return
    day = today(context)
    try:
        until = (
            None if args[0].lower() == "off" else dates.parse_date(args[0], day, dates.Year.FUTURE)
        )
        await cadres.set_leave(
            context.db, await who(update, context), until, " ".join(args[1:]) or None, day
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await update.effective_message.reply_text(
        t.gettext("Reminders are back on.")
        if until is None
        else t.gettext(
            "Noted: on leave until {date}. Reminders pause and your unit's summary will say so.",
            date=t.date(until),
        )
    )


def handlers() -> list:
    return [
        CommandHandler("cadre", show_cadre),
        CommandHandler("away", away),
        CallbackQueryHandler(renew, pattern=r"^cadre:renew$"),
        CallbackQueryHandler(decide, pattern=r"^cadre:(confirm|reject):"),
    ]
