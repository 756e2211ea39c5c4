"""The secretary's and the 培养联系人's short conversations on a file: a new applicant
(name, application day), an activist's file (the day decided), a step (its day, and the
vote for a branch meeting), a 考察 note (its day and text). Each day is checked by the
rules as it is typed; a refusal says why and asks again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from enum import StrEnum

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain import validation
from domain.access import Actor
from domain.dates import Year, parse_date
from domain.development import cultivation, files
from domain.development.rules import STEP, missing
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, Translator
from domain.models import Role
from handlers.common import answer_and_drop, answer_query, branch_today, tr, who
from handlers.conversation import on_press, with_cancel_hint
from handlers.development.browsing import show_file
from handlers.development.buttons import NewApplicant, RecordStep, StartActivist, WriteReview
from handlers.development.views import refusal, step_label
from handlers.flow_kit import start_link

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
    return with_cancel_hint(
        t, t.gettext("On which day: {what}? Type the date, e.g. 2025-03-01, or today.", what=what)
    )


async def _refuse(update: Update, t: Translator, exc: DomainError) -> int:
    """A press refused before any question: said on the button, which stays."""
    await answer_query(update.callback_query, refusal(t, exc), alert=True)
    return ConversationHandler.END


@on_press()
async def new_applicant(update: Update, context: BotContext, t) -> int | DevStep:
    branch_id = NewApplicant.of(update).branch_id
    me = await who(update, context)
    if not me.has(Role.SECRETARY, branch_id):
        return await _refuse(update, t, DomainError("not_allowed"))
    await answer_and_drop(update.callback_query)
    context.user_data[DRAFT] = {"do": "applicant", "branch": branch_id}
    await update.effective_message.reply_text(
        with_cancel_hint(t, t.gettext("The applicant's full name?"))
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


async def _ask_day_for(
    update: Update,
    context: BotContext,
    check: Callable[[Actor], Awaitable[dict]],
    what: Callable[[Translator], str],
    *,
    drop: bool = False,
) -> int | DevStep:
    """A press that asks for the day of something: `check(presser)` refuses it (said on
    the button) or gives the draft to keep; `what` names what the day is of. The pressed
    buttons go too when `drop` (the press is taken once)."""
    t = await tr(update, context)
    try:
        draft = await check(await who(update, context))
    except DomainError as exc:
        return await _refuse(update, t, exc)
    await (answer_and_drop if drop else answer_query)(update.callback_query)
    context.user_data[DRAFT] = draft
    await update.effective_message.reply_text(_ask_day(t, what(t)))
    return DevStep.DAY


async def start_activist(update: Update, context: BotContext) -> int | DevStep:
    person_id = StartActivist.of(update).person_id

    async def check(me: Actor) -> dict:
        await files.activist_to_start(context.db, me, person_id)
        return {"do": "activist", "person": person_id}

    return await _ask_day_for(
        update, context, check, lambda t: step_label(t, "activist"), drop=True
    )


@on_press(RecordStep)
async def record_step(update: Update, context: BotContext, pressed) -> int | DevStep:

    async def check(me: Actor) -> dict:
        found = await files.readable(context.db, me, pressed.file_id)
        if not files.is_secretary_of(me, found):
            raise DomainError("not_allowed")
        if pressed.step not in STEP:
            raise InvalidInput("invalid")
        gaps = missing(found.state, pressed.step)
        if gaps:
            raise InvalidInput(gaps[0].code, **gaps[0].params)
        return {"do": "step", "file": found.id, "step": pressed.step}

    return await _ask_day_for(update, context, check, lambda t: step_label(t, pressed.step))


async def write_review(update: Update, context: BotContext) -> int | DevStep:
    file_id = WriteReview.of(update).file_id

    async def check(me: Actor) -> dict:
        found = await files.readable(context.db, me, file_id)
        if not cultivation.may_review(me, found):
            raise DomainError("not_allowed")
        cultivation.check_review_stage(found)
        return {"do": "review", "file": found.id}

    return await _ask_day_for(
        update, context, check, lambda t: t.gettext("Half-yearly assessment note (考察)")
    )


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
            link = start_link(context, started.invite_code)
            text = t.gettext(
                "The file of {name} is started. If they use Telegram, send them this "
                "link: it connects their account to the file, so they see their way "
                "and what comes next.\n{link}",
                name=started.file.name,
                link=link,
            )
            return await done(update, context, t, text, started.file.id)
        else:
            started = await files.start_activist(context.db, me, draft["person"], day, today)
            found = started.file
    except DomainError as exc:
        return await refused(
            update, context, t, exc, DevStep.DAY if isinstance(exc, InvalidInput) else None
        )
    return await done(update, context, t, t.gettext("Recorded."), found.id)


async def refused(
    update: Update, context: BotContext, t: Translator, exc: DomainError, again: DevStep | None
) -> int | DevStep:
    """A typed answer refused: the step asks `again`, or (None: nothing left to retry) the
    conversation ends without its draft."""
    await update.effective_message.reply_text(refusal(t, exc))
    if again is not None:
        return again
    context.user_data.pop(DRAFT, None)
    return ConversationHandler.END


async def done(
    update: Update, context: BotContext, t: Translator, text: str, file_id: int | None = None
) -> int:
    """The conversation's end: the draft goes, `text` says what was done, and the file is
    shown again as it now stands."""
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(text)
    if file_id is not None:
        await show_file(update, context, t, file_id)
    return ConversationHandler.END


async def _on_the_day(
    update: Update,
    context: BotContext,
    step: DevStep,
    code: str,
    write: Callable[[Actor, dict, date, str, date], Awaitable[files.File]],
    saved: str,
) -> int | DevStep:
    """The text typed for a day already in the draft (a meeting's vote, a 考察 note):
    `write` records it; a refusal whose code starts with `code` asks for it again."""
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    me = await who(update, context)
    today = await branch_today(context, await _branch_of(context, draft))
    day = date.fromisoformat(draft["day"])
    try:
        found = await write(me, draft, day, update.effective_message.text, today)
    except DomainError as exc:
        return await refused(update, context, t, exc, step if exc.code.startswith(code) else None)
    return await done(update, context, t, t.gettext(saved), found.id)


async def got_detail(update: Update, context: BotContext) -> int | DevStep:
    async def write(me: Actor, draft: dict, day: date, text: str, today: date) -> files.File:
        files.check_detail(text)
        return await files.record_step(
            context.db, me, draft["file"], draft["step"], day, text, today
        )

    return await _on_the_day(update, context, DevStep.DETAIL, "dev_detail", write, N_("Recorded."))


async def got_review(update: Update, context: BotContext) -> int | DevStep:
    async def write(me: Actor, draft: dict, day: date, text: str, today: date) -> files.File:
        return await cultivation.add_review(context.db, me, draft["file"], day, text, today)

    return await _on_the_day(
        update, context, DevStep.REVIEW, "dev_review_", write, N_("Your assessment note is saved.")
    )
