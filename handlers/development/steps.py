"""The secretary's and the 培养联系人's short conversations on a file: a new applicant
(name, application day), an activist's file (the day decided), a step (its day, and the
vote for a branch meeting), a 考察 note (its day and text). Each day is checked by the
rules as it is typed; a refusal says why and asks again."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain import validation
from domain.dates import Year, parse_date
from domain.development import cultivation, files
from domain.development.rules import STEP, missing
from domain.errors import DomainError, InvalidInput
from domain.i18n import Translator
from domain.models import Role
from handlers.common import answer_and_drop, answer_query, branch_today, tr, who
from handlers.conversation import CANCEL_HINT
from handlers.development.browsing import show_file
from handlers.development.buttons import NewApplicant, RecordStep, StartActivist, WriteReview
from handlers.development.views import refusal, step_label

DRAFT = "development"


class DevStep(StrEnum):
    """The steps of the "development" conversation (values persisted)."""

    NAME = "dev.name"
    DAY = "dev.day"
    DETAIL = "dev.detail"
    REVIEW = "dev.review"
    PERIOD = "dev.period"
    CONTACT = "dev.contact"
    CONFIRM = "dev.confirm"
    OPINION = "dev.opinion"


def _ask_day(t: Translator, what: str) -> str:
    return (
        t.gettext("On which day: {what}? Type the date, e.g. 2025-03-01, or today.", what=what)
        + "\n"
        + t.gettext(CANCEL_HINT)
    )


async def _refuse(update: Update, t: Translator, exc: DomainError) -> int:
    """A press refused before any question: said on the button, which stays."""
    await answer_query(update.callback_query, refusal(t, exc), alert=True)
    return ConversationHandler.END


async def new_applicant(update: Update, context: BotContext) -> int | DevStep:
    t = await tr(update, context)
    branch_id = NewApplicant.of(update).branch_id
    me = await who(update, context)
    if not me.has(Role.SECRETARY, branch_id):
        return await _refuse(update, t, DomainError("not_allowed"))
    await answer_and_drop(update.callback_query)
    context.user_data[DRAFT] = {"do": "applicant", "branch": branch_id}
    await update.effective_message.reply_text(
        t.gettext("The applicant's full name?") + "\n" + t.gettext(CANCEL_HINT)
    )
    return DevStep.NAME


async def got_name(update: Update, context: BotContext) -> DevStep:
    t = await tr(update, context)
    try:
        name = validation.person_name(update.effective_message.text)
    except DomainError as exc:
        await update.effective_message.reply_text(refusal(t, exc))
        return DevStep.NAME
    context.user_data[DRAFT]["name"] = name
    await update.effective_message.reply_text(_ask_day(t, step_label(t, "applied")))
    return DevStep.DAY


async def start_activist(update: Update, context: BotContext) -> int | DevStep:
    t = await tr(update, context)
    person_id = StartActivist.of(update).person_id
    me = await who(update, context)
    try:
        await files.activist_to_start(context.db, me, person_id)
    except DomainError as exc:
        return await _refuse(update, t, exc)
    await answer_and_drop(update.callback_query)
    context.user_data[DRAFT] = {"do": "activist", "person": person_id}
    await update.effective_message.reply_text(_ask_day(t, step_label(t, "activist")))
    return DevStep.DAY


async def record_step(update: Update, context: BotContext) -> int | DevStep:
    t = await tr(update, context)
    pressed = RecordStep.of(update)
    me = await who(update, context)
    try:
        found = await files.readable(context.db, me, pressed.file_id)
        if not files.is_secretary_of(me, found):
            raise DomainError("not_allowed")
        if pressed.step not in STEP:
            raise InvalidInput("invalid")
        gaps = missing(found.state, pressed.step)
        if gaps:
            raise InvalidInput(gaps[0].code, **gaps[0].params)
    except DomainError as exc:
        return await _refuse(update, t, exc)
    await answer_query(update.callback_query)
    context.user_data[DRAFT] = {"do": "step", "file": found.id, "step": pressed.step}
    await update.effective_message.reply_text(_ask_day(t, step_label(t, pressed.step)))
    return DevStep.DAY


async def write_review(update: Update, context: BotContext) -> int | DevStep:
    t = await tr(update, context)
    file_id = WriteReview.of(update).file_id
    me = await who(update, context)
    try:
        found = await files.readable(context.db, me, file_id)
        if not cultivation.may_review(me, found):
            raise DomainError("not_allowed")
        cultivation.check_review_stage(found)
    except DomainError as exc:
        return await _refuse(update, t, exc)
    await answer_query(update.callback_query)
    context.user_data[DRAFT] = {"do": "review", "file": found.id}
    await update.effective_message.reply_text(
        _ask_day(t, t.gettext("Half-yearly assessment note (考察)"))
    )
    return DevStep.DAY


async def _branch_of(context: BotContext, draft: dict) -> int | None:
    if "branch" in draft:
        return draft["branch"]
    if "file" in draft:
        found = await files.load(context.db, draft["file"])
        return found.branch_id if found else None
    return None


async def got_day(update: Update, context: BotContext) -> int | DevStep:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    branch_id = await _branch_of(context, draft)
    today = await branch_today(context, branch_id)
    me = await who(update, context)
    try:
        day = parse_date(update.effective_message.text, today, Year.PAST)
        if draft["do"] == "step":
            found = await files.readable(context.db, me, draft["file"])
            files.check_step(found, draft["step"], day, today)
            if STEP[draft["step"]].detail is not None:
                draft["day"] = day.isoformat()
                await update.effective_message.reply_text(t.gettext(STEP[draft["step"]].detail))
                return DevStep.DETAIL
            found = await files.record_step(
                context.db, me, found.id, draft["step"], day, None, today
            )
        elif draft["do"] == "review":
            found = await files.readable(context.db, me, draft["file"])
            cultivation.check_review(found, day, today)
            draft["day"] = day.isoformat()
            await update.effective_message.reply_text(
                t.gettext(
                    "Your assessment note (考察): how has the person studied, worked and "
                    "shown their commitment in this half year?"
                )
            )
            return DevStep.REVIEW
        elif draft["do"] == "applicant":
            started = await files.start_applicant(
                context.db, me, draft["branch"], draft["name"], day, today
            )
            context.user_data.pop(DRAFT, None)
            link = f"https://t.me/{context.bot.username}?start={started.invite_code}"
            await update.effective_message.reply_text(
                t.gettext(
                    "The file of {name} is started. If they use Telegram, send them this "
                    "link: it connects their account to the file, so they see their way "
                    "and what comes next.\n{link}",
                    name=started.file.name,
                    link=link,
                )
            )
            await show_file(update, context, t, started.file.id)
            return ConversationHandler.END
        else:
            started = await files.start_activist(context.db, me, draft["person"], day, today)
            found = started.file
    except DomainError as exc:
        await update.effective_message.reply_text(refusal(t, exc))
        if isinstance(exc, InvalidInput):
            return DevStep.DAY
        context.user_data.pop(DRAFT, None)
        return ConversationHandler.END
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(t.gettext("Recorded."))
    await show_file(update, context, t, found.id)
    return ConversationHandler.END


async def got_detail(update: Update, context: BotContext) -> int | DevStep:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    me = await who(update, context)
    branch_id = await _branch_of(context, draft)
    today = await branch_today(context, branch_id)
    try:
        files.check_detail(update.effective_message.text)
        found = await files.record_step(
            context.db,
            me,
            draft["file"],
            draft["step"],
            date.fromisoformat(draft["day"]),
            update.effective_message.text,
            today,
        )
    except DomainError as exc:
        await update.effective_message.reply_text(refusal(t, exc))
        if exc.code.startswith("dev_detail"):
            return DevStep.DETAIL
        context.user_data.pop(DRAFT, None)
        return ConversationHandler.END
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(t.gettext("Recorded."))
    await show_file(update, context, t, found.id)
    return ConversationHandler.END


async def got_review(update: Update, context: BotContext) -> int | DevStep:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    me = await who(update, context)
    today = await branch_today(context, await _branch_of(context, draft))
    try:
        found = await cultivation.add_review(
            context.db,
            me,
            draft["file"],
            date.fromisoformat(draft["day"]),
            update.effective_message.text,
            today,
        )
    except DomainError as exc:
        await update.effective_message.reply_text(refusal(t, exc))
        if exc.code.startswith("dev_review_"):
            return DevStep.REVIEW
        context.user_data.pop(DRAFT, None)
        return ConversationHandler.END
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(t.gettext("Your assessment note is saved."))
    await show_file(update, context, t, found.id)
    return ConversationHandler.END
