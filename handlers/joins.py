"""The secretary's side of joining: the request with Approve / Reject, and the outcome."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.context import BotContext
from bot.i18n import Translator
from domain import onboarding
from domain.access import actor
from domain.errors import Conflict, DomainError
from domain.models import Category, InviteRole
from handlers.common import (
    answer_query,
    drop_buttons,
    error_text,
    parse_callback,
    send_safely,
    tr,
    tr_for,
    who,
)
from handlers.labels import CATEGORY_NAMES
from handlers.menu import help_text

_DECISION = re.compile(r"join:(approve|reject):(\d{1,12})")


def request_text(t: Translator, submitted: onboarding.Submitted) -> str:
    person = submitted.person
    lines = [
        t.gettext("New application to join {branch}:", branch=submitted.branch.name),
        t.gettext("Name: {name}", name=person.display_name),
        t.gettext("Phone: {phone}", phone=person.phone or "—"),
    ]
    if person.category:
        category = t.gettext(CATEGORY_NAMES[Category(person.category)])
        lines.append(t.gettext("Category: {category}", category=category))
    if submitted.request.role is InviteRole.CADRE:
        lines.append(t.gettext("Joins as: cadre living in the community"))
    elif submitted.request.role is InviteRole.UNIT:
        lines.append(t.gettext("Joins as: contact of a unit party organisation"))
    elif submitted.request.role is InviteRole.COUNTY:
        lines.append(t.gettext("Joins as: contact of the county organisation department"))
    return "\n".join(lines)


def decision_keyboard(t: Translator, request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✅ Approve"), callback_data=f"join:approve:{request_id}"
                ),
                InlineKeyboardButton(
                    t.pgettext("button", "❌ Reject"), callback_data=f"join:reject:{request_id}"
                ),
            ]
        ]
    )


async def notify_secretaries(context: BotContext, submitted: onboarding.Submitted) -> None:
    for secretary in submitted.secretaries:
        if secretary.telegram_id is None:
            continue
        t = await tr_for(context, secretary.telegram_id)
        await send_safely(
            context,
            secretary.telegram_id,
            request_text(t, submitted),
            reply_markup=decision_keyboard(t, submitted.request.id),
        )


async def decide(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _DECISION)
    if match is None:
        await answer_query(query, t.gettext("This button is no longer valid."))
        return
    approve = match.group(1) == "approve"
    me = await who(update, context)
    try:
        decision = await onboarding.decide(context.db, me, int(match.group(2)), approve=approve)
    except Conflict as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        await drop_buttons(query)
        return
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    applicant = decision.applicant
    outcome = (
        t.gettext("✅ Approved: {name}", name=applicant.display_name)
        if approve
        else t.gettext("❌ Rejected: {name}", name=applicant.display_name)
    )
    await answer_query(query, outcome)
    await query.edit_message_text(f"{query.message.text}\n\n{outcome}")
    if applicant.telegram_id is None:
        return
    at = await tr_for(context, applicant.telegram_id)
    if approve:
        welcome = at.gettext(
            "Your application to {branch} has been approved. Welcome!", branch=decision.branch.name
        )
        menu = help_text(at, await actor(context.db, applicant.telegram_id))
        await send_safely(context, applicant.telegram_id, f"{welcome}\n\n{menu}")
    else:
        await send_safely(
            context,
            applicant.telegram_id,
            at.gettext(
                "Your application to {branch} was not approved. Please contact your branch "
                "secretary if you think this is a mistake.",
                branch=decision.branch.name,
            ),
        )


def handlers() -> list:
    return [CallbackQueryHandler(decide, pattern=r"^join:(approve|reject):")]
