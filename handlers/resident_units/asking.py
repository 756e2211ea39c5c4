"""The secretary's side of co-building: the year's agreement with a unit (what each side
commits to) and a request to a unit (kind, text, day), each with its review screen."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler, MessageHandler

from bot.context import BotContext
from domain import dates
from domain.access import Actor
from domain.errors import DomainError
from domain.i18n import N_, Translator
from domain.resident_units import cobuild, registry
from domain.resident_units.models import RequestKind, commits, request_text, wanted_on
from handlers.common import answer_and_drop, branch_today, error_text, tr
from handlers.conversation import CANCEL_HINT, Refuse, offer, on_press
from handlers.flow_kit import TYPED, submit_fields, submit_step, typed_answer, typed_step
from handlers.flow_kit import conversation as draft_conversation
from handlers.resident_units.buttons import (
    AgreementOpen,
    AgreementSubmit,
    AskKind,
    AskOpen,
    AskSubmit,
)

AGREEMENT = "cobuild_agreement_draft"
ASK = "cobuild_request_draft"


class AgreementStep(StrEnum):
    """The agreement conversation's steps. The values are persisted (ptb_conversations)."""

    BRANCH = "cobuild-agreement.branch"
    UNIT = "cobuild-agreement.unit"
    REVIEW = "cobuild-agreement.review"


class AskStep(StrEnum):
    """The request conversation's steps. The values are persisted (ptb_conversations)."""

    KIND = "cobuild-ask.kind"
    TEXT = "cobuild-ask.text"
    DAY = "cobuild-ask.day"
    REVIEW = "cobuild-ask.review"


@on_press(AgreementOpen, refuse=Refuse.ALERT, ended=ConversationHandler.END)
async def start_agreement(
    update: Update, context: BotContext, t, pressed, me
) -> AgreementStep | int:
    unit = await registry.unit_for_secretary(context.db, me, pressed.unit_id)
    await answer_and_drop(update.callback_query)
    year = (await branch_today(context, unit.branch_id)).year
    context.user_data[AGREEMENT] = {"unit": unit.id, "name": unit.name, "year": year}
    await update.effective_message.reply_text(
        t.gettext(
            "Co-building agreement {year} with {unit}. What does the branch commit to?",
            year=year,
            unit=unit.name,
        )
        + "\n"
        + t.gettext(CANCEL_HINT)
    )
    return AgreementStep.BRANCH


branch_side = typed_answer(
    AGREEMENT,
    "branch_side",
    commits,
    N_("And what does the unit commit to?"),
    AgreementStep.UNIT,
)


@typed_step(AGREEMENT, "unit_side", commits)
async def unit_side(update: Update, context: BotContext, t) -> AgreementStep:
    d = context.user_data[AGREEMENT]
    text = "\n".join(
        [
            t.gettext("Please check:"),
            t.gettext("Co-building agreement {year} with {unit}", year=d["year"], unit=d["name"]),
            t.gettext("The branch commits to: {text}", text=d["branch_side"]),
            t.gettext("The unit commits to: {text}", text=d["unit_side"]),
        ]
    )
    button = AgreementSubmit().button(t.pgettext("button", "✅ Submit"))
    await offer(update, context, text, InlineKeyboardMarkup([[button]]))
    return AgreementStep.REVIEW


RECORDED = N_("Recorded. The unit's contact sees the agreement in /cobuild.")
agreement_submitted = submit_fields(
    AGREEMENT,
    RECORDED,
    cobuild.record_agreement,
    "unit",
    "year",
    "branch_side",
    "unit_side",
    alert=False,
)


@on_press(AskOpen, refuse=Refuse.ALERT, ended=ConversationHandler.END)
async def start_ask(update: Update, context: BotContext, t, pressed, me) -> AskStep | int:
    unit = await registry.unit_for_secretary(context.db, me, pressed.unit_id)
    await answer_and_drop(update.callback_query)
    context.user_data[ASK] = {"unit": unit.id, "name": unit.name, "branch": unit.branch_id}
    rows = [[AskKind(k).button(t.gettext(k.label))] for k in RequestKind]
    await offer(
        update,
        context,
        t.gettext("What does the branch ask {unit} for?", unit=unit.name)
        + "\n"
        + t.gettext(CANCEL_HINT),
        InlineKeyboardMarkup(rows),
    )
    return AskStep.KIND


@on_press()
async def ask_kind(update: Update, context: BotContext, t) -> AskStep:
    await answer_and_drop(update.callback_query)
    context.user_data[ASK]["kind"] = str(AskKind.of(update).kind)
    await update.effective_message.reply_text(
        t.gettext(
            "Please describe the request in a sentence, for example "
            "“借用会议室开党课” or “需要志愿者 5 人”."
        )
    )
    return AskStep.TEXT


ask_text = typed_answer(
    ASK,
    "text",
    request_text,
    N_("For which day? For example 12月5日 or 2026-12-05."),
    AskStep.DAY,
)


async def ask_day(update: Update, context: BotContext) -> AskStep:
    t = await tr(update, context)
    d = context.user_data[ASK]
    today = await branch_today(context, d["branch"])
    try:
        day = wanted_on(
            dates.parse_date(update.effective_message.text, today, dates.Year.FUTURE), today
        )
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return AskStep.DAY
    d["day"] = day.isoformat()
    text = "\n".join(
        [
            t.gettext("Please check:"),
            t.gettext("To: {unit}", unit=d["name"]),
            t.gettext(
                "{kind} on {day}: {text}",
                kind=t.gettext(RequestKind(d["kind"]).label),
                day=t.date(day),
                text=d["text"],
            ),
        ]
    )
    button = AskSubmit().button(t.pgettext("button", "📨 Send"))
    await offer(update, context, text, InlineKeyboardMarkup([[button]]))
    return AskStep.REVIEW


async def _send_request(context: BotContext, me: Actor, d: dict) -> bool:
    """Whether someone speaks for the unit in the chat to be told."""
    _request, told = await cobuild.send_request(
        context.db,
        me,
        d["unit"],
        RequestKind(d["kind"]),
        d["text"],
        date.fromisoformat(d["day"]),
        await branch_today(context, d["branch"]),
    )
    return told


def _request_sent(t: Translator, d: dict, told: bool) -> str:
    if told:
        return t.gettext("Sent to {unit}. You will be told of its answer.", unit=d["name"])
    return t.gettext(
        "Recorded. Nobody speaks for {unit} in the chat yet: invite its contact from "
        "/resident_units, who will then see the request in /cobuild.",
        unit=d["name"],
    )


ask_submitted = submit_step(ASK, "day", _send_request, _request_sent, alert=False)


def conversations() -> list[ConversationHandler]:
    return [
        draft_conversation(
            "cobuild_agreement",
            [AgreementOpen.handler(start_agreement)],
            {
                AgreementStep.BRANCH: [MessageHandler(TYPED, branch_side)],
                AgreementStep.UNIT: [MessageHandler(TYPED, unit_side)],
                AgreementStep.REVIEW: [AgreementSubmit.handler(agreement_submitted)],
            },
            AGREEMENT,
        ),
        draft_conversation(
            "cobuild_request",
            [AskOpen.handler(start_ask)],
            {
                AskStep.KIND: [AskKind.handler(ask_kind)],
                AskStep.TEXT: [MessageHandler(TYPED, ask_text)],
                AskStep.DAY: [MessageHandler(TYPED, ask_day)],
                AskStep.REVIEW: [AskSubmit.handler(ask_submitted)],
            },
            ASK,
        ),
    ]
