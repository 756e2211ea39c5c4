"""Registering and editing a resident unit, one conversation: name, kind, the unit's own
contact, what it offers (multi-choice), the review screen whose field buttons change one
answer and come back to it."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler, MessageHandler

from bot.context import BotContext
from domain.errors import DomainError
from domain.i18n import N_, Translator
from domain.resident_units import registry
from domain.resident_units.models import (
    Offer,
    UnitKind,
    contact_name,
    toggled,
    unit_name,
)
from domain.resident_units.registry import UnitDraft
from domain.validation import mainland_phone
from handlers.branch_choice import acting_branch
from handlers.common import answer_and_drop, answer_query, error_text, tr, who
from handlers.conversation import CANCEL_HINT, Refuse, offer, on_press
from handlers.flow_kit import TYPED, typed_answer, typed_step
from handlers.flow_kit import conversation as draft_conversation
from handlers.resident_units.buttons import (
    FieldPick,
    KindPick,
    NoContact,
    OffersDone,
    OfferToggle,
    UnitEdit,
    UnitInvite,
    UnitNew,
    UnitSubmit,
)
from handlers.resident_units.views import unit_lines

DRAFT = "resident_unit_draft"


class UnitStep(StrEnum):
    """The unit conversation's steps. The values are persisted (ptb_conversations)."""

    NAME = "resident.name"
    KIND = "resident.kind"
    CONTACT_NAME = "resident.contact-name"
    CONTACT_PHONE = "resident.contact-phone"
    OFFERS = "resident.offers"
    REVIEW = "resident.review"


async def refused(update: Update, context: BotContext, exc: DomainError) -> int:
    t = await tr(update, context)
    if update.callback_query:
        await answer_query(update.callback_query, error_text(t, exc), alert=True)
    else:
        await update.effective_message.reply_text(error_text(t, exc))
    return ConversationHandler.END


async def start_new(update: Update, context: BotContext) -> UnitStep | int:
    me = await who(update, context)
    try:
        branch_id = acting_branch(context, me)
    except DomainError as exc:
        return await refused(update, context, exc)
    await answer_and_drop(update.callback_query)
    context.user_data[DRAFT] = {"branch": branch_id, "offers": []}
    return await _ask_name(update, context)


@on_press(UnitEdit, refuse=Refuse.ALERT, ended=ConversationHandler.END)
async def start_edit(update: Update, context: BotContext, pressed, me) -> UnitStep | int:
    unit = await registry.unit_for_secretary(context.db, me, pressed.unit_id)
    await answer_and_drop(update.callback_query)
    context.user_data[DRAFT] = {
        "id": unit.id,
        "branch": unit.branch_id,
        "name": unit.name,
        "kind": str(unit.kind),
        "contact_name": unit.contact_name,
        "contact_phone": unit.contact_phone,
        "offers": [str(o) for o in unit.offers],
        "reviewed": True,
    }
    return await _review(update, context)


async def _ask_name(update: Update, context: BotContext) -> UnitStep:
    t = await tr(update, context)
    await update.effective_message.reply_text(
        t.gettext("What is the unit's full name?") + "\n" + t.gettext(CANCEL_HINT)
    )
    return UnitStep.NAME


async def _next(update: Update, context: BotContext, step: UnitStep) -> UnitStep:
    """The step after one answered: the review screen once it was shown (a field changed)."""
    if context.user_data[DRAFT].get("reviewed"):
        return await _review(update, context)
    return await _ask(update, context, step)


async def _ask(update: Update, context: BotContext, step: UnitStep) -> UnitStep:
    t = await tr(update, context)
    if step is UnitStep.NAME:
        return await _ask_name(update, context)
    if step is UnitStep.KIND:
        rows = [[KindPick(k).button(t.gettext(k.label))] for k in UnitKind]
        await offer(
            update, context, t.gettext("What kind of unit is it?"), InlineKeyboardMarkup(rows)
        )
    elif step is UnitStep.CONTACT_NAME:
        skip = NoContact().button(t.pgettext("button", "Skip"))
        await offer(
            update,
            context,
            t.gettext("Who is the unit's contact person (its office, not a member)?"),
            InlineKeyboardMarkup([[skip]]),
        )
    elif step is UnitStep.OFFERS:
        await _offers(update, context, t)
    return step


def _offer_keyboard(t: Translator, chosen: list[str]) -> InlineKeyboardMarkup:
    rows = [
        [OfferToggle(o).button(("✅ " if o.value in chosen else "▫️ ") + t.gettext(o.label))]
        for o in Offer
    ]
    rows.append([OffersDone().button(t.pgettext("button", "Done"))])
    return InlineKeyboardMarkup(rows)


async def _offers(update: Update, context: BotContext, t: Translator) -> None:
    await offer(
        update,
        context,
        t.gettext("What can the unit offer? Press each that applies, then Done."),
        _offer_keyboard(t, context.user_data[DRAFT]["offers"]),
    )


def _typed(key: str, parse: Callable[[str], object], then: UnitStep):
    """A typed answer kept as `key`, then the step `then` (or the review screen)."""

    @typed_step(DRAFT, key, parse)
    async def step(update: Update, context: BotContext, t) -> UnitStep:
        return await _next(update, context, then)

    return step


named = _typed("name", unit_name, UnitStep.KIND)
phone_typed = _typed("contact_phone", mainland_phone, UnitStep.OFFERS)


async def kind_picked(update: Update, context: BotContext) -> UnitStep:
    await answer_and_drop(update.callback_query)
    context.user_data[DRAFT]["kind"] = str(KindPick.of(update).kind)
    return await _next(update, context, UnitStep.CONTACT_NAME)


contact_typed = typed_answer(
    DRAFT,
    "contact_name",
    contact_name,
    N_("The unit's phone (a mobile, or a landline with its area code)?"),
    UnitStep.CONTACT_PHONE,
)


async def no_contact(update: Update, context: BotContext) -> UnitStep:
    await answer_and_drop(update.callback_query)
    context.user_data[DRAFT].update(contact_name=None, contact_phone=None)
    return await _next(update, context, UnitStep.OFFERS)


@on_press()
async def offer_toggled(update: Update, context: BotContext, t) -> UnitStep:
    draft = context.user_data[DRAFT]
    draft["offers"] = [str(o) for o in toggled(draft["offers"], OfferToggle.of(update).offer)]
    await answer_query(update.callback_query)
    await update.callback_query.edit_message_reply_markup(_offer_keyboard(t, draft["offers"]))
    return UnitStep.OFFERS


async def offers_done(update: Update, context: BotContext) -> UnitStep:
    await answer_and_drop(update.callback_query)
    return await _review(update, context)


def _draft(context: BotContext) -> UnitDraft:
    d = context.user_data[DRAFT]
    return UnitDraft(
        d["name"],
        UnitKind(d["kind"]),
        d.get("contact_name"),
        d.get("contact_phone"),
        tuple(Offer(o) for o in d["offers"]),
    )


async def _review(update: Update, context: BotContext) -> UnitStep:
    t = await tr(update, context)
    context.user_data[DRAFT]["reviewed"] = True
    draft = _draft(context)
    shown = registry.preview(draft, context.user_data[DRAFT]["branch"])
    lines = [t.gettext("Please check:"), *unit_lines(t, shown)]
    keyboard = InlineKeyboardMarkup(
        [
            [UnitSubmit().button(t.pgettext("button", "✅ Submit"))],
            [
                FieldPick("name").button(t.pgettext("button", "Name")),
                FieldPick("kind").button(t.pgettext("button", "Kind")),
            ],
            [
                FieldPick("contact").button(t.pgettext("button", "Contact")),
                FieldPick("offers").button(t.pgettext("button", "Offers")),
            ],
        ]
    )
    await offer(update, context, "\n".join(lines), keyboard)
    return UnitStep.REVIEW


async def field_picked(update: Update, context: BotContext) -> UnitStep:
    """One field asked again; its answer leads back to the review screen."""
    await answer_and_drop(update.callback_query)
    step = {
        "name": UnitStep.NAME,
        "kind": UnitStep.KIND,
        "contact": UnitStep.CONTACT_NAME,
        "offers": UnitStep.OFFERS,
    }
    return await _ask(update, context, step[FieldPick.of(update).field])


@on_press()
async def submit(update: Update, context: BotContext, t, me) -> UnitStep | int:
    await answer_and_drop(update.callback_query)
    raw = context.user_data[DRAFT]
    try:
        if raw.get("id"):
            unit = await registry.edit(context.db, me, raw["id"], _draft(context))
        else:
            unit = await registry.register(context.db, me, raw["branch"], _draft(context))
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        if exc.code == "not_allowed":
            context.user_data.pop(DRAFT, None)
            return ConversationHandler.END
        return await _review(update, context)
    context.user_data.pop(DRAFT, None)
    done = t.gettext("Saved: {unit}.", unit=unit.name)
    keyboard = InlineKeyboardMarkup(
        [[UnitInvite(unit.id).button(t.pgettext("button", "🔗 Invite its contact"))]]
    )
    await update.effective_message.reply_text(done, reply_markup=keyboard)
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    return draft_conversation(
        "resident_unit",
        [UnitNew.handler(start_new), UnitEdit.handler(start_edit)],
        {
            UnitStep.NAME: [MessageHandler(TYPED, named)],
            UnitStep.KIND: [KindPick.handler(kind_picked)],
            UnitStep.CONTACT_NAME: [
                MessageHandler(TYPED, contact_typed),
                NoContact.handler(no_contact),
            ],
            UnitStep.CONTACT_PHONE: [MessageHandler(TYPED, phone_typed)],
            UnitStep.OFFERS: [OfferToggle.handler(offer_toggled), OffersDone.handler(offers_done)],
            UnitStep.REVIEW: [UnitSubmit.handler(submit), FieldPick.handler(field_picked)],
        },
        DRAFT,
    )
