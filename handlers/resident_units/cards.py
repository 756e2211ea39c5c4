"""The secretary's resident units outside the conversation: /resident_units lists them;
a unit's card offers editing, the contact's invitation, the agreement, a request, and
recording that a contact no longer speaks for the unit."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain.errors import DomainError
from domain.i18n import N_
from domain.resident_units import registry, retention
from handlers.branch_choice import branch_command, branch_for
from handlers.common import answer_and_drop, answer_query, tr, who
from handlers.conversation import Refuse, on_press
from handlers.flow_kit import reply_invitation
from handlers.resident_units.buttons import (
    AgreementOpen,
    AskOpen,
    ContactLeft,
    ContactLeftSure,
    UnitEdit,
    UnitInvite,
    UnitNew,
    UnitOpen,
)
from handlers.resident_units.registry import refused
from handlers.resident_units.views import unit_lines

INVITATION = N_(
    "Send this invitation to the person who speaks for {unit}: {link}\n"
    "You approve them when they have joined; they do not become a member of the branch."
)


async def list_units(update: Update, context: BotContext) -> None:
    branch_id = await branch_for(update, context, "resident_units")
    if branch_id is None:
        return
    t = await tr(update, context)
    units = await registry.units_of(context.db, await who(update, context), branch_id)
    rows = [[UnitOpen(u.id).button(f"🏢 {u.name}")] for u in units]
    rows.append([UnitNew().button(t.pgettext("button", "➕ Register a unit"))])
    text = (
        t.gettext("The resident units of your community:")
        if units
        else t.gettext("No resident unit is registered yet.")
    )
    await update.effective_message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows))


@on_press(UnitOpen, refuse=Refuse.ALERT)
async def unit_card(update: Update, context: BotContext, t, pressed, me) -> None:
    unit = await registry.unit_for_secretary(context.db, me, pressed.unit_id)
    await answer_query(update.callback_query)
    contacts = await registry.contacts_of(context.db, me, unit.id)
    names = "、".join(p.display_name for p in contacts) or "—"
    lines = unit_lines(t, unit)
    lines.append(t.gettext("Speaks for the unit in the chat: {names}", names=names))
    leaving = [
        [
            ContactLeft(unit.id, p.id).button(
                t.gettext("🚪 {name} no longer speaks for the unit", name=p.display_name)
            )
        ]
        for p in contacts
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [
                UnitEdit(unit.id).button(t.pgettext("button", "✏️ Edit")),
                UnitInvite(unit.id).button(t.pgettext("button", "🔗 Invite its contact")),
            ],
            [
                AgreementOpen(unit.id).button(t.pgettext("button", "📝 Agreement")),
                AskOpen(unit.id).button(t.pgettext("button", "📨 Send a request")),
            ],
            *leaving,
        ]
    )
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard)


@on_press(UnitInvite, refuse=Refuse.ALERT)
async def invite(update: Update, context: BotContext, t, pressed, me) -> None:
    unit = await registry.unit_for_secretary(context.db, me, pressed.unit_id)
    try:
        made = await registry.invite_contact(context.db, me, unit.id)
    except DomainError as exc:
        await refused(update, context, exc)
        return
    await answer_query(update.callback_query)
    await reply_invitation(update, context, t, INVITATION, made.code, unit=unit.name)


@on_press(ContactLeft, refuse=Refuse.ALERT)
async def contact_left(update: Update, context: BotContext, t, pressed, me) -> None:
    unit = await registry.unit_for_secretary(context.db, me, pressed.unit_id)
    await answer_query(update.callback_query)
    sure = ContactLeftSure(unit.id, pressed.person_id)
    await update.effective_message.reply_text(
        t.gettext(
            "Record that this contact no longer speaks for {unit}? Their name, phone and chat "
            "link are erased at once; the unit's agreements, answers and opinions stay.",
            unit=unit.name,
        ),
        reply_markup=InlineKeyboardMarkup([[sure.button(t.pgettext("button", "✅ Confirm"))]]),
    )


@on_press(ContactLeftSure)
async def contact_left_sure(update: Update, context: BotContext, t, pressed) -> None:
    try:
        person = await retention.contact_leaves(
            context.db, await who(update, context), pressed.unit_id, pressed.person_id
        )
    except DomainError as exc:
        await refused(update, context, exc)
        return
    await answer_and_drop(update.callback_query)
    await update.effective_message.reply_text(
        t.gettext("Recorded: {name} no longer speaks for the unit.", name=person.display_name)
    )


def handlers() -> list:
    return [
        *branch_command("resident_units", list_units),
        UnitOpen.handler(unit_card),
        UnitInvite.handler(invite),
        ContactLeft.handler(contact_left),
        ContactLeftSure.handler(contact_left_sure),
    ]
