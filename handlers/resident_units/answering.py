"""The unit contact's side, and the year's record both sides see: /cobuild; a request's
answer (accept with the details, decline with the reason), once for the unit; the yearly
opinion on the branch's party building (/opinion). The notifications' renderers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain.access import Actor
from domain.errors import DomainError, NotAllowed
from domain.i18n import Translator
from domain.resident_units import cobuild, registry
from domain.resident_units.models import (
    CobuildRequest,
    RequestStatus,
    ResidentUnit,
    opinion_text,
)
from handlers.common import answer_and_drop, branch_today, error_text, my_today, tr, who
from handlers.conversation import CANCEL_HINT, offer, on_press
from handlers.flow_kit import TYPED, chunks, submit_step, typed_step
from handlers.flow_kit import conversation as draft_conversation
from handlers.resident_units.buttons import Accept, Decline, OpinionSubmit
from handlers.resident_units.registry import refused
from handlers.resident_units.views import request_line, year_text
from storage.db import Database

MESSAGE_MAX = 4000
ANSWER = "cobuild_answer_draft"
OPINION = "cobuild_opinion_draft"


class AnswerStep(StrEnum):
    """The answer conversation's step. The values are persisted (ptb_conversations)."""

    TEXT = "cobuild-answer.text"


class OpinionStep(StrEnum):
    """The opinion conversation's steps. The values are persisted (ptb_conversations)."""

    TEXT = "cobuild-opinion.text"
    REVIEW = "cobuild-opinion.review"


def _answer_keyboard(t: Translator, request_id: int) -> list:
    return [
        Accept(request_id).button(t.pgettext("button", "✅ Accept")),
        Decline(request_id).button(t.pgettext("button", "❌ Decline")),
    ]


async def record(update: Update, context: BotContext) -> None:
    """/cobuild: this year's record, every unit of a secretary's branches or the contact's
    own unit; the contact's unanswered requests come with the buttons to answer."""
    t = await tr(update, context)
    me = await who(update, context)
    year = (await my_today(update, context)).year
    records = await cobuild.year_record(context.db, me, year)
    if not records:
        if me.is_secretary:
            await update.effective_message.reply_text(
                t.gettext("No resident unit is registered yet: see /resident_units.")
            )
        else:
            await update.effective_message.reply_text(error_text(t, NotAllowed("not_allowed")))
        return
    mine = {u.id for u in await registry.contact_units(context.db, me)}
    rows = [
        _answer_keyboard(t, r.id)
        for y in records
        if y.unit.id in mine
        for r in y.requests
        if r.status is RequestStatus.PENDING
    ]
    parts = [t.gettext("Co-building {year}:", year=year)]
    parts += [year_text(t, y) for y in records]
    # Whole units per message; one unit's record of dozens of long answers is cut.
    messages = chunks(parts, MESSAGE_MAX)
    for chunk in messages[:-1]:
        await update.effective_message.reply_text(chunk)
    await update.effective_message.reply_text(
        messages[-1], reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


@on_press()
async def start_answer(update: Update, context: BotContext, t) -> AnswerStep | int:
    accept = Accept.parse(update.callback_query.data) is not None
    request_id = (Accept if accept else Decline).of(update).request_id
    try:
        await cobuild.pending_request(context.db, await who(update, context), request_id)
    except DomainError as exc:
        return await refused(update, context, exc)
    await answer_and_drop(update.callback_query)
    context.user_data[ANSWER] = {"request": request_id, "accept": accept}
    question = (
        t.gettext("Please write the details for the branch: where, when, who to ask for.")
        if accept
        else t.gettext("Please write the reason briefly, so the branch can plan otherwise.")
    )
    await update.effective_message.reply_text(question + "\n" + t.gettext(CANCEL_HINT))
    return AnswerStep.TEXT


async def answered(update: Update, context: BotContext) -> AnswerStep | int:
    t = await tr(update, context)
    d = context.user_data[ANSWER]
    try:
        await cobuild.answer(
            context.db,
            await who(update, context),
            d["request"],
            accept=d["accept"],
            text=update.effective_message.text,
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        if exc.code.endswith(("_too_short", "_too_long")):
            return AnswerStep.TEXT
        context.user_data.pop(ANSWER, None)
        return ConversationHandler.END
    context.user_data.pop(ANSWER, None)
    await update.effective_message.reply_text(
        t.gettext("Thank you. The branch secretary is told of your answer.")
    )
    return ConversationHandler.END


async def start_opinion(update: Update, context: BotContext) -> OpinionStep | int:
    t = await tr(update, context)
    me = await who(update, context)
    units = await registry.contact_units(context.db, me)
    if not units:
        return await refused(update, context, NotAllowed("not_resident_contact"))
    unit = units[0]
    year = (await branch_today(context, unit.branch_id)).year
    branch = await cobuild.branch_name(context.db, unit.branch_id)
    context.user_data[OPINION] = {"unit": unit.id, "year": year, "branch": branch}
    await update.effective_message.reply_text(
        t.gettext(
            "Your opinion {year} on the party building of {branch}, on behalf of {unit}: what "
            "went well, what should change? It reaches the branch secretary and the district "
            "working committee.",
            year=year,
            branch=branch,
            unit=unit.name,
        )
        + "\n"
        + t.gettext(CANCEL_HINT)
    )
    return OpinionStep.TEXT


@typed_step(OPINION, "text", opinion_text)
async def opinion_typed(update: Update, context: BotContext, t) -> OpinionStep:
    text = t.gettext("Please check:") + "\n" + context.user_data[OPINION]["text"]
    button = OpinionSubmit().button(t.pgettext("button", "✅ Submit"))
    await offer(update, context, text, InlineKeyboardMarkup([[button]]))
    return OpinionStep.REVIEW


async def _give_opinion(context: BotContext, me: Actor, d: dict) -> bool:
    """Whether the district was told as well."""
    _opinion, district = await cobuild.give_opinion(context.db, me, d["unit"], d["year"], d["text"])
    return district


def _opinion_given(t: Translator, _d: dict, district: bool) -> str:
    if district:
        return t.gettext("Thank you. Your opinion reached the branch secretary and the district.")
    return t.gettext("Thank you. Your opinion reached the branch secretary.")


opinion_submitted = submit_step(OPINION, "text", _give_opinion, _opinion_given, alert=False)


def conversations() -> list[ConversationHandler]:
    return [
        draft_conversation(
            "cobuild_answer",
            [Accept.handler(start_answer), Decline.handler(start_answer)],
            {AnswerStep.TEXT: [MessageHandler(TYPED, answered)]},
            ANSWER,
        ),
        draft_conversation(
            "cobuild_opinion",
            [CommandHandler("opinion", start_opinion)],
            {
                OpinionStep.TEXT: [MessageHandler(TYPED, opinion_typed)],
                OpinionStep.REVIEW: [OpinionSubmit.handler(opinion_submitted)],
            },
            OPINION,
        ),
    ]


def handlers() -> list:
    return [CommandHandler("cobuild", record)]


def _about_request(
    render: Callable[[Translator, Database, CobuildRequest, ResidentUnit], Awaitable[Rendered]],
):
    """A notification about the request in its params, as it stands when it is sent."""

    async def rendered(t: Translator, db: Database, params: dict) -> Rendered:
        found = await cobuild.request_by_id(db, params["request"])
        if found is None:
            return Rendered(t.gettext("This request no longer exists."))
        return await render(t, db, *found)

    return rendered


@renderer(cobuild.REQUEST_TEMPLATE)
@_about_request
async def request_message(
    t: Translator, db: Database, request: CobuildRequest, unit: ResidentUnit
) -> Rendered:
    text = t.gettext(
        "{branch} asks {unit}: {kind} on {day}.\n{text}",
        branch=await cobuild.branch_name(db, unit.branch_id),
        unit=unit.name,
        kind=t.gettext(request.kind.label),
        day=t.date(request.wanted_on),
        text=request.text,
    )
    if request.status is not RequestStatus.PENDING:
        return Rendered(text)
    return Rendered(text, InlineKeyboardMarkup([_answer_keyboard(t, request.id)]))


@renderer(cobuild.ANSWER_TEMPLATE)
@_about_request
async def answer_message(
    t: Translator, db: Database, request: CobuildRequest, unit: ResidentUnit
) -> Rendered:
    head = (
        t.gettext("{unit} accepted your request:", unit=unit.name)
        if request.status is RequestStatus.ACCEPTED
        else t.gettext("{unit} declined your request:", unit=unit.name)
    )
    return Rendered(f"{head}\n{request_line(t, request)}")


@renderer(cobuild.AGREEMENT_TEMPLATE)
async def agreement_message(t: Translator, db: Database, params: dict) -> Rendered:
    text = t.gettext(
        "The branch recorded this year's co-building agreement with your unit: see /cobuild."
    )
    return Rendered(text)


@renderer(cobuild.OPINION_TEMPLATE)
async def opinion_message(t: Translator, db: Database, params: dict) -> Rendered:
    found = await cobuild.opinion_by_id(db, params["opinion"])
    if found is None:
        return Rendered(t.gettext("This opinion no longer exists."))
    opinion, unit = found
    return Rendered(
        t.gettext(
            "Opinion {year} of the resident unit {unit} on the party building of {branch}:\n{text}",
            year=opinion.year,
            unit=unit.name,
            branch=await cobuild.branch_name(db, unit.branch_id),
            text=opinion.text,
        )
    )
