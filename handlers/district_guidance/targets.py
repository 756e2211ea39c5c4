"""/targets: at the start of the year the district records, per branch, the creation
targets (创建目标) and the signing of the responsibility pledge (党建工作责任状): its date
and a photo or document of the signed paper (kept by Telegram's file_id)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from domain import assessment
from domain.access import Audience
from domain.dates import Year, parse_date
from domain.errors import DomainError
from domain.i18n import N_, Translator
from handlers.buttons import family
from handlers.common import answer_and_drop, error_text, my_today, tr, who
from handlers.conversation import answer_stale, on_press
from handlers.district_guidance.choosing import branch_pick, picked_branch, which_branch
from handlers.flow_kit import TYPED, expecting
from handlers.flow_kit import conversation as draft_conversation

T = TypeVar("T")
DRAFT = "targets_draft"


class Step(StrEnum):
    """The steps of /targets. The values are persisted (ptb_conversations): keep them."""

    BRANCH = "targets.branch"
    CHOICE = "targets.choice"
    TEXT = "targets.text"
    PLEDGE_DAY = "targets.pledge_day"
    PLEDGE_FILE = "targets.pledge_file"


TargetsBranch = branch_pick("targets")


# What the district records of the chosen branch: its targets, or its signed pledge.
EditTargets, RecordPledge = family(Audience.DISTRICT, "targets:edit", "targets:pledge")


def _summary(t: Translator, name: str, year: int, found: assessment.Targets | None) -> str:
    lines = [t.gettext("{branch}, {year}:", branch=name, year=year)]
    if found and found.targets:
        lines.append(t.gettext("Creation targets: {targets}", targets=found.targets))
    else:
        lines.append(t.gettext("Creation targets: not recorded yet."))
    if found and found.pledge_signed_on:
        lines.append(
            t.gettext("Responsibility pledge signed on {day}.", day=t.date(found.pledge_signed_on))
        )
    else:
        lines.append(t.gettext("Responsibility pledge: not recorded yet."))
    return "\n".join(lines)


async def start(update: Update, context: BotContext) -> Step | int:
    t = await tr(update, context)
    year = (await my_today(update, context)).year
    question = t.gettext("Targets and responsibility pledges {year}: which branch?", year=year)
    if not await which_branch(update, context, t, question, TargetsBranch):
        return ConversationHandler.END
    return Step.BRANCH


@on_press()
async def pick_branch(update: Update, context: BotContext, t, me) -> Step:
    year = (await my_today(update, context)).year
    picked = await picked_branch(update, context, t, me, TargetsBranch, year)
    if picked is None:
        return Step.BRANCH
    branch, found = picked
    context.user_data[DRAFT] = {"branch_id": branch.id, "branch": branch.name, "year": year}
    if found and found.pledge_file_id:
        send = (
            update.effective_message.reply_photo
            if found.pledge_file_kind == "photo"
            else update.effective_message.reply_document
        )
        await send(found.pledge_file_id)
    keyboard = InlineKeyboardMarkup(
        [
            [EditTargets().button(t.gettext("✏️ Creation targets"))],
            [RecordPledge().button(t.gettext("📝 Responsibility pledge"))],
        ]
    )
    await update.effective_message.reply_text(
        _summary(t, branch.name, year, found), reply_markup=keyboard
    )
    return Step.CHOICE


async def _drafted(update: Update, context: BotContext) -> dict | None:
    draft = context.user_data.get(DRAFT)
    if draft is None:
        await answer_stale(update.callback_query, await tr(update, context))
    else:
        await answer_and_drop(update.callback_query)
    return draft


def _asking(question: str, step: Step) -> Callable[[Update, BotContext], Awaitable[Step | int]]:
    """A press on the branch's summary: the question (an `N_` message) of what it records."""

    async def pressed(update: Update, context: BotContext) -> Step | int:
        if await _drafted(update, context) is None:
            return ConversationHandler.END
        t = await tr(update, context)
        await update.effective_message.reply_text(t.gettext(question))
        return step

    return pressed


async def _saved(update: Update, context: BotContext, found: assessment.Targets) -> int:
    t = await tr(update, context)
    draft = context.user_data.pop(DRAFT)
    await update.effective_message.reply_text(
        t.gettext("Saved.") + "\n" + _summary(t, draft["branch"], draft["year"], found)
    )
    return ConversationHandler.END


edit_targets = _asking(N_("Please write the branch's creation targets for the year."), Step.TEXT)
record_pledge = _asking(
    N_("On which day was the responsibility pledge signed? (for example 2027-01-15)"),
    Step.PLEDGE_DAY,
)


async def _for_drafted(
    update: Update, context: BotContext, call: Callable[..., Awaitable[T]], *more: Any
) -> T:
    """`call` by the sender for the branch and the year of the draft, with `more` after them."""
    draft = context.user_data[DRAFT]
    return await call(
        context.db, await who(update, context), draft["branch_id"], draft["year"], *more
    )


async def targets_written(update: Update, context: BotContext) -> Step | int:
    t = await tr(update, context)
    try:
        found = await _for_drafted(
            update, context, assessment.set_targets, update.effective_message.text
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return Step.TEXT
    return await _saved(update, context, found)


async def pledge_day(update: Update, context: BotContext) -> Step:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    try:
        day = parse_date(update.effective_message.text, await my_today(update, context), Year.PAST)
        assessment.targets.pledge_day(day, draft["year"])
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return Step.PLEDGE_DAY
    draft["signed_on"] = day.isoformat()
    await update.effective_message.reply_text(
        t.gettext("Please send a photo or a document (PDF, scan) of the signed pledge.")
    )
    return Step.PLEDGE_FILE


async def pledge_file(update: Update, context: BotContext) -> Step | int:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    message = update.effective_message
    if message.photo:
        file_id, kind = message.photo[-1].file_id, "photo"
    else:
        file_id, kind = message.document.file_id, "document"
    try:
        found = await _for_drafted(
            update,
            context,
            assessment.record_pledge,
            date.fromisoformat(draft["signed_on"]),
            file_id,
            kind,
        )
    except DomainError as exc:
        await message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    return await _saved(update, context, found)


file_expected = expecting(N_("Please send a photo or a document of the signed pledge, or /cancel."))


def conversation() -> ConversationHandler:
    stray = filters.UpdateType.MESSAGE & ~filters.COMMAND
    return draft_conversation(
        "targets",
        [CommandHandler("targets", start)],
        {
            Step.BRANCH: [TargetsBranch.handler(pick_branch)],
            Step.CHOICE: [EditTargets.handler(edit_targets), RecordPledge.handler(record_pledge)],
            Step.TEXT: [MessageHandler(TYPED, targets_written)],
            Step.PLEDGE_DAY: [MessageHandler(TYPED, pledge_day)],
            Step.PLEDGE_FILE: [
                MessageHandler(filters.PHOTO | filters.Document.ALL, pledge_file),
                MessageHandler(stray, file_expected),
            ],
        },
        DRAFT,
        stray=stray,
    )
