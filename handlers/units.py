"""Unit party organisations in the chat: a secretary adds one and gets its contact's
invitation (/unit_add); the contact links the unit's group (/unit_link, then /link CODE
in the group); /cadres lists the cadres the asker may see; /remark for the feedback."""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import cadre_figures, cadre_jobs, cadres, periods, privacy, quarterly_feedback, units
from domain.access import Audience
from domain.errors import DomainError, NotAllowed
from domain.i18n import N_, Translator
from domain.models import Role
from handlers.branch_choice import acting_branch, branch_command, branch_or_ask
from handlers.buttons import Button
from handlers.cadres.registration import today
from handlers.common import (
    answer_and_drop,
    error_text,
    tr,
    who,
)
from handlers.conversation import CANCEL_HINT, cancel_with, offer, on_press
from handlers.flow_kit import TYPED, reply_invitation
from storage.db import Database

UNIT_ADDED = N_(
    "Added {unit}. Send this invitation to the unit's contact person: {link}\n"
    "You approve them when they have joined."
)


class UnitAddStep(StrEnum):
    """/unit_add's steps. The values are persisted (ptb_conversations): keep them."""

    NAME = "unit.name"


class RemarkStep(StrEnum):
    """/remark's steps. The values are persisted (ptb_conversations): keep them."""

    TEXT = "remark.text"


REMARK_FOR = "remark_for"


class RemarkOn(Button, prefix="remark", audience=Audience.SECRETARY):
    """The cadre a secretary's remark is about."""

    person_id: int


async def _refuse(update: Update, context: BotContext, exc: DomainError) -> int:
    t = await tr(update, context)
    await update.effective_message.reply_text(error_text(t, exc))
    return ConversationHandler.END


async def unit_add(update: Update, context: BotContext) -> UnitAddStep | int:
    t = await tr(update, context)
    me = await who(update, context)
    if not me.has(Role.SECRETARY):
        return await _refuse(update, context, NotAllowed("not_allowed"))
    # The unit's contact is approved in the branch chosen here.
    if await branch_or_ask(update, context, me, "unit_add") is None:
        return ConversationHandler.END
    await update.effective_message.reply_text(
        t.gettext("What is the full name of the unit party organisation?")
        + "\n"
        + t.gettext(CANCEL_HINT)
    )
    return UnitAddStep.NAME


async def unit_named(update: Update, context: BotContext) -> UnitAddStep | int:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        branch_id = acting_branch(context, me)
        unit = await units.add_unit(context.db, me, update.effective_message.text)
        invite = await units.invite_contact(context.db, me, unit.id, branch_id)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return UnitAddStep.NAME
    await reply_invitation(update, context, t, UNIT_ADDED, invite.code, unit=unit.name)
    return ConversationHandler.END


async def unit_link(update: Update, context: BotContext) -> None:
    """The unit contact gets a code to send in the unit's group chat."""
    t = await tr(update, context)
    me = await who(update, context)
    mine = await units.contact_units(context.db, me)
    if not mine:
        await _refuse(update, context, NotAllowed("not_unit_contact"))
        return
    codes = [await units.new_link_code(context.db, me, unit_id) for unit_id in mine]
    lines = [
        t.gettext(
            "Add me to your unit's group chat, then send there: /link {code} (for {unit})",
            code=code.code,
            unit=code.unit.name,
        )
        for code in codes
    ]
    await update.effective_message.reply_text("\n".join(lines))


async def link_group(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    if not context.args:
        await update.effective_message.reply_text(t.gettext("Please send /link with the code."))
        return
    try:
        unit = await units.link_chat(context.db, context.args[0], update.effective_chat.id)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await update.effective_message.reply_text(
        t.gettext("This group now receives the quarterly feedback for {unit}.", unit=unit.name)
    )


async def list_cadres(update: Update, context: BotContext) -> None:
    """The cadres the asker may see: their branch, their unit, or all for the county."""
    t = await tr(update, context)
    me = await who(update, context)
    viewer = await privacy.viewer_of(context.db, me)
    quarter = periods.quarter_of(today(context))
    figures = privacy.visible(
        viewer, await cadre_figures.gather(context.db, quarter, context.settings.tz)
    )
    if not figures:
        await update.effective_message.reply_text(t.gettext("There are no cadres for you to see."))
        return
    lines = [t.gettext("Cadres ({period}):", period=quarterly_feedback.period_label(t, quarter))]
    for figure in figures:
        mark = "✅" if figure.registered else "⏳"
        lines.append(f"{mark} {figure.name} — {figure.unit_name} — {'、'.join(figure.branches)}")
    await update.effective_message.reply_text("\n".join(lines))


async def remark(update: Update, context: BotContext) -> RemarkStep | int:
    t = await tr(update, context)
    me = await who(update, context)
    if not me.has(Role.SECRETARY):
        return await _refuse(update, context, NotAllowed("not_allowed"))
    year = today(context).year
    found = []
    for branch_id in me.branches_where(Role.SECRETARY):
        found += await cadres.branch_cadres(context.db, me, branch_id, year)
    if not found:
        await update.effective_message.reply_text(
            t.gettext("No cadre of your branch is registered this year.")
        )
        return ConversationHandler.END
    keyboard = InlineKeyboardMarkup([[RemarkOn(r.person_id).button(r.name)] for r in found])
    await offer(
        update, context, t.gettext("Which cadre is your remark for this quarter about?"), keyboard
    )
    return RemarkStep.TEXT


@on_press()
async def remark_whom(update: Update, context: BotContext, query, t) -> RemarkStep:
    await answer_and_drop(query)
    context.user_data[REMARK_FOR] = RemarkOn.of(update).person_id
    await update.effective_message.reply_text(t.gettext("Please write your remark."))
    return RemarkStep.TEXT


async def remark_written(update: Update, context: BotContext) -> RemarkStep | int:
    t = await tr(update, context)
    person_id = context.user_data.get(REMARK_FOR)
    if person_id is None:
        await update.effective_message.reply_text(t.gettext("Please choose the cadre first."))
        return RemarkStep.TEXT
    quarter = periods.quarter_of(today(context))
    try:
        registration = await cadres.add_remark(
            context.db,
            await who(update, context),
            person_id,
            quarter,
            update.effective_message.text,
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        if exc.code == "not_allowed":
            context.user_data.pop(REMARK_FOR, None)
            return ConversationHandler.END
        return RemarkStep.TEXT
    context.user_data.pop(REMARK_FOR, None)
    await update.effective_message.reply_text(
        t.gettext(
            "Saved. Your remark on {name} goes into the feedback for {period}.",
            name=registration.name,
            period=quarterly_feedback.period_label(t, quarter),
        )
    )
    return ConversationHandler.END


def _conversation(name: str, entries: list, states: dict) -> ConversationHandler:
    return ConversationHandler(
        entry_points=entries,
        states=states,
        fallbacks=[CommandHandler("cancel", cancel_with(REMARK_FOR))],
        allow_reentry=True,
        name=name,
        persistent=True,
    )


def conversations() -> list[ConversationHandler]:
    return [
        _conversation(
            "unit_add",
            branch_command("unit_add", unit_add),
            {UnitAddStep.NAME: [MessageHandler(TYPED, unit_named)]},
        ),
        _conversation(
            "remark",
            [CommandHandler("remark", remark)],
            {
                RemarkStep.TEXT: [
                    RemarkOn.handler(remark_whom),
                    MessageHandler(TYPED, remark_written),
                ]
            },
        ),
    ]


def handlers() -> list:
    return [
        CommandHandler("unit_link", unit_link),
        CommandHandler("link", link_group, filters=filters.ChatType.GROUPS),
        CommandHandler("cadres", list_cadres),
    ]


@renderer(cadre_jobs.FEEDBACK_TEMPLATE)
async def feedback_caption(t: Translator, db: Database, params: dict) -> Rendered:
    """Already in the unit's language, which the recipient's own need not be."""
    return Rendered(params["text"])
