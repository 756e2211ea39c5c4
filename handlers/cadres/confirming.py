"""The branch secretary confirms or rejects a cadre's registration: the card each secretary
receives (rendered in their language when sent) and its two buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot import sender
from bot.context import BotContext
from domain import cadres
from domain.access import Audience
from domain.errors import Conflict, DomainError
from domain.i18n import NP_, Translator
from domain.models import CadreRegistration
from handlers.buttons import family
from handlers.cadres.registration import facts_lines, unit_label
from handlers.common import answer_query, drop_buttons, error_text, who
from handlers.conversation import decision_keyboard, on_press
from storage.db import Database

Confirm, Reject = family(Audience.SECRETARY, "cadre:confirm", "cadre:reject", registration_id=int)


@sender.renderer(cadres.TO_CONFIRM_TEMPLATE)
async def to_confirm(t: Translator, db: Database, params: dict) -> sender.Rendered:
    found = await cadres.to_confirm(db, params["registration"])
    if found is None:
        raise KeyError("cadre registration gone")
    registration, unit = found
    return sender.Rendered(
        registration_text(t, registration, unit and unit.name),
        decision_keyboard(
            t,
            Confirm(registration.id),
            Reject(registration.id),
            approve_label=NP_("button", "✅ Confirm"),
        ),
    )


def registration_text(t: Translator, registration: CadreRegistration, unit: str | None) -> str:
    facts = cadres.Facts.of(registration)
    return "\n".join(
        [
            t.gettext("Cadre registration for {year} to confirm:", year=registration.year),
            *facts_lines(t, facts, unit_label(t, facts, unit)),
        ]
    )


@on_press()
async def decide(update: Update, context: BotContext, query, t) -> None:
    pressed = Confirm.parse(query.data) or Reject.of(update)
    approve = isinstance(pressed, Confirm)
    try:
        decided = await cadres.decide(
            context.db, await who(update, context), pressed.registration_id, approve=approve
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


def decide_handlers() -> list[CallbackQueryHandler]:
    return [Confirm.handler(decide), Reject.handler(decide)]
