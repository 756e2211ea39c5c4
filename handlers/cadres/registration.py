"""A cadre's annual registration (年度注册) with the branch where they live: the questions
(unit, position, rank, address; name and phone only when joining did not give them), the
review screen, and sending it to the secretary (/cadre_register, or a "Register" button)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from domain import cadres, units, validation
from domain.access import Audience
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, NP_, Translator
from domain.models import UnitOrg
from handlers.buttons import Button, family
from handlers.common import answer_and_drop, error_text, tr, who
from handlers.conversation import (
    CANCEL_HINT,
    answer_stale,
    cancel_with,
    on_press,
    review_keyboard,
    unexpected,
)
from handlers.flow_kit import TYPED, typed_step


class Step(StrEnum):
    """The registration's steps. The values are persisted (ptb_conversations): keep them."""

    NAME = "cadre.name"
    UNIT = "cadre.unit"
    UNIT_NAME = "cadre.unit_name"
    POSITION = "cadre.position"
    RANK = "cadre.rank"
    ADDRESS = "cadre.address"
    PHONE = "cadre.phone"
    CONFIRM = "cadre.confirm"


DRAFT = "cadre"


class StartRegistration(Button, prefix="cadre:register", audience=Audience.CADRE):
    """Starts the conversation: from /cadre, and under every registration reminder
    (domain/cadre_jobs.REGISTER_BUTTON holds this data, packed by hand in domain/)."""


class ChooseUnit(Button, prefix="cadre:unit", audience=Audience.CADRE):
    unit_id: int


class UnitNotListed(Button, prefix="cadre:unit-not-listed", audience=Audience.CADRE):
    pass


class ChooseRank(Button, prefix="cadre:rank", audience=Audience.CADRE):
    rank: cadres.Rank


Submit, Redo = family(Audience.CADRE, "cadre:submit", "cadre:redo")


def today(context: BotContext) -> date:
    """The bot's local day: the registration year and the feedback quarter follow it."""
    return datetime.now(context.settings.tz).date()


# ------------------------------------------------------------------- the questions


async def ask(update: Update, context: BotContext, t: Translator, state: Step) -> Step:
    """Ask the question of `state`; returns it so callers can `return await ask(...)`."""
    message = update.effective_message
    if state is Step.UNIT:
        choices = [[ChooseUnit(u.id).button(u.name)] for u in await units.all_units(context.db)]
        choices.append([UnitNotListed().button(t.pgettext("button", "My unit is not listed"))])
        await message.reply_text(
            t.gettext("Which unit party organisation do you belong to?"),
            reply_markup=InlineKeyboardMarkup(choices),
        )
    elif state is Step.RANK:
        await message.reply_text(
            t.gettext("What is your rank?"),
            reply_markup=InlineKeyboardMarkup(
                [
                    [ChooseRank(rank).button(t.gettext(label))]
                    for rank, label in cadres.RANK_LABELS.items()
                ]
            ),
        )
    else:
        await message.reply_text(t.gettext(QUESTIONS[state]))
    return state


QUESTIONS = {
    Step.NAME: N_("What is your full name?"),
    Step.UNIT_NAME: N_(
        "Please type the full name of your unit's party organisation. The secretary will add it."
    ),
    Step.POSITION: N_(
        "What is your position at work (e.g. deputy director of the county education bureau)?"
    ),
    Step.ADDRESS: N_("What is your home address in the community?"),
    Step.PHONE: N_("What is your phone number?"),
}

# text step → (draft key, validator, next step)
TEXT_STEPS: dict[Step, tuple[str, Callable[[str], str], Step]] = {
    Step.NAME: ("name", validation.person_name, Step.UNIT),
    Step.UNIT_NAME: ("unit_name", units.unit_name, Step.POSITION),
    Step.POSITION: ("position", cadres.position, Step.RANK),
    Step.ADDRESS: ("address", cadres.address, Step.PHONE),
    Step.PHONE: ("phone", validation.mainland_phone, Step.CONFIRM),
}


# What the bot knows from joining is not asked again; the review screen shows it.
PREFILLED = {Step.NAME: "name", Step.PHONE: "phone"}


async def _next(update: Update, context: BotContext, t: Translator, state: Step) -> Step:
    if state in PREFILLED and context.user_data[DRAFT].get(PREFILLED[state]):
        state = TEXT_STEPS[state][2]
    if state is Step.CONFIRM:
        await show_review(update, context, t)
        return Step.CONFIRM
    return await ask(update, context, t, state)


def text_step(state: Step) -> Callable:
    key, validate, following = TEXT_STEPS[state]

    @typed_step(DRAFT, key, validate)
    async def got_text(update: Update, context: BotContext, t) -> Step:
        return await _next(update, context, t, following)

    return got_text


# ------------------------------------------------------------------ the conversation


async def begin(update: Update, context: BotContext) -> Step | int:
    t = await tr(update, context)
    if update.callback_query:
        await answer_and_drop(update.callback_query)
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
    return await _next(update, context, t, Step.NAME)


@on_press()
async def got_unit(update: Update, context: BotContext, query, t) -> Step:
    unit = await units.get(context.db, ChooseUnit.of(update).unit_id)
    if unit is None:
        await answer_stale(query, t)
        return Step.UNIT
    return await _unit_chosen(update, context, t, unit)


async def got_unit_not_listed(update: Update, context: BotContext) -> Step:
    return await _unit_chosen(update, context, await tr(update, context), None)


async def _unit_chosen(
    update: Update, context: BotContext, t: Translator, unit: UnitOrg | None
) -> Step:
    await answer_and_drop(update.callback_query)
    draft = context.user_data[DRAFT]
    if unit is None:
        draft.update(unit_id=None)
        return await _next(update, context, t, Step.UNIT_NAME)
    draft.update(unit_id=unit.id, unit_label=unit.name, unit_name=None)
    return await _next(update, context, t, Step.POSITION)


@on_press()
async def got_rank(update: Update, context: BotContext, t) -> Step:
    await answer_and_drop(update.callback_query)
    context.user_data[DRAFT]["rank"] = ChooseRank.of(update).rank.value
    return await _next(update, context, t, Step.ADDRESS)


def facts_lines(t: Translator, facts: cadres.Facts, unit_label: str) -> list[str]:
    return [
        t.gettext("Name: {name}", name=facts.name),
        t.gettext("Unit: {unit}", unit=unit_label),
        t.gettext("Position: {position}", position=facts.position),
        t.gettext("Rank: {rank}", rank=cadres.rank_label(t, facts.rank)),
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
    keyboard = review_keyboard(
        t, Submit(), Redo(), redo_label=NP_("button", "✏️ Start over, name and phone too")
    )
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard)


@on_press()
async def redo(update: Update, context: BotContext, t) -> Step:
    await answer_and_drop(update.callback_query)
    context.user_data[DRAFT] = {}
    return await _next(update, context, t, Step.NAME)


@on_press()
async def submit(update: Update, context: BotContext, query, t) -> int:
    await answer_and_drop(query)
    facts = draft_facts(context.user_data.pop(DRAFT))
    try:
        submitted = await cadres.submit(
            context.db, await who(update, context), facts, today(context).year
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    await sent_to_secretary(update, t, submitted)
    return ConversationHandler.END


async def sent_to_secretary(update: Update, t: Translator, submitted: cadres.Submitted) -> None:
    await update.effective_message.reply_text(
        t.gettext(
            "Thank you! Your registration has been sent to the secretary of {branch} for confirmation.",
            branch=submitted.branch.name,
        )
    )


_BUTTONS = (ChooseUnit, UnitNotListed, ChooseRank, Submit, Redo)


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CommandHandler("cadre_register", begin),
            StartRegistration.handler(begin),
        ],
        states={
            **{state: [MessageHandler(TYPED, text_step(state))] for state in TEXT_STEPS},
            Step.UNIT: [ChooseUnit.handler(got_unit), UnitNotListed.handler(got_unit_not_listed)],
            Step.RANK: [ChooseRank.handler(got_rank)],
            Step.CONFIRM: [Submit.handler(submit), Redo.handler(redo)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel_with(DRAFT)),
            MessageHandler(filters.ALL & ~filters.COMMAND, unexpected),
            # A press of this conversation's buttons at another step is an old one.
            *(button.handler(unexpected) for button in _BUTTONS),
        ],
        allow_reentry=True,
        name="cadre_registration",
        persistent=True,
    )
