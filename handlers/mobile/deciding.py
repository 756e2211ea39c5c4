"""The secretary's decisions on mobile members: approve or reject a registration, renew or
revoke a certificate, confirm a return, end an inflow, decide reported changes, note a
contact. Every press is re-checked in the domain (secretary of the registration's own
branch); what needs a reason or a note asks for it in a short conversation."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain.errors import Conflict, DomainError
from domain.i18n import N_
from domain.mobile import certificates, lists, registrations, reports, returns
from domain.mobile.models import RegStatus
from handlers.common import answer_query, error_text, tr, who
from handlers.conversation import CANCEL_HINT, Refuse, on_press
from handlers.mobile import buttons
from handlers.mobile.dossier import show_dossier
from handlers.mobile.messages import certificate_card
from handlers.mobile.steps import NoteStep
from handlers.mobile.views import registration_today

DRAFT = "mobile_note"

# What each note is for, by the button that asks for it (the draft keeps the name).
NOTE_BUTTONS = {
    "no": buttons.Reject,
    "cn": buttons.Contacted,
    "rv": buttons.Revoke,
    "cno": buttons.RejectChanges,
}
NOTE_PROMPTS = {
    "no": N_("Why is it not approved? The member will read your reason."),
    "cn": N_("How did you contact them, and what did you learn? (a short note)"),
    "rv": N_("Why is the certificate revoked? The member will read your reason."),
    "cno": N_("Why are the changes not approved? The member will read your reason."),
}


# ---- one press each -----------------------------------------------------------------------


async def _outcome(update: Update, text: str) -> None:
    query = update.callback_query
    await answer_query(query, text)
    await query.edit_message_text(f"{query.message.text}\n\n{text}")


@on_press(buttons.Open, refuse=Refuse.ALERT_LATE)
async def open_dossier(update: Update, context: BotContext, t, me, pressed) -> None:
    await show_dossier(update, context, t, me, pressed.registration_id)
    await answer_query(update.callback_query)


@on_press(buttons.Approve, refuse=Refuse.ALERT_LATE)
async def approve(update: Update, context: BotContext, t, me, pressed) -> None:
    decided = await registrations.decide(
        context.db,
        me,
        pressed.registration_id,
        approve=True,
        today=await registration_today(context, pressed.registration_id),
        card=certificate_card(context),
    )
    registration, certificate = decided.registration, decided.certificate
    if certificate is None:
        text = t.gettext("✅ Approved: {name}", name=registration.person_name)
    else:
        text = t.gettext(
            "✅ Approved: {name}, certificate {number}",
            name=registration.person_name,
            number=certificate.number,
        )
    await _outcome(update, text)


@on_press(buttons.ApproveChanges, refuse=Refuse.ALERT_LATE)
async def approve_changes(update: Update, context: BotContext, t, me, pressed) -> None:
    decided = await reports.decide_change(context.db, me, pressed.change_id, approve=True)
    registration = decided.registration
    text = t.gettext(
        "✅ Changes approved: {name}, now version {version}",
        name=registration.person_name,
        version=registration.version,
    )
    await _outcome(update, text)


@on_press(buttons.MovedAway, refuse=Refuse.ALERT_LATE)
async def end_inflow(update: Update, context: BotContext, t, me, pressed) -> None:
    registration = await returns.end_inflow(context.db, me, pressed.registration_id)
    name = registration.person_name
    await _outcome(update, t.gettext("✅ Inflow registration ended: {name}", name=name))


@on_press(buttons.Renew, refuse=Refuse.ALERT_LATE)
async def renew(update: Update, context: BotContext, t, me, pressed) -> None:
    certificate = await certificates.renew(
        context.db,
        me,
        pressed.registration_id,
        await registration_today(context, pressed.registration_id),
        card=certificate_card(context),
    )
    await answer_query(
        update.callback_query,
        t.gettext("Renewed until {day}", day=t.date(certificate.valid_until)),
    )
    await show_dossier(update, context, t, me, pressed.registration_id)


@on_press(buttons.CertificateReceived, refuse=Refuse.ALERT_LATE)
async def confirm_return(update: Update, context: BotContext, t, me, pressed) -> None:
    registration = await returns.confirm_return(context.db, me, pressed.registration_id)
    text = t.gettext(
        "✅ Return confirmed: {name}. The outflow registration is closed.",
        name=registration.person_name,
    )
    await _outcome(update, text)


# ---- what needs a note: reject, contacted, revoke, reject changes -------------------------


def _note_pressed(update: Update) -> tuple[str, int]:
    for action, codec in NOTE_BUTTONS.items():
        pressed = codec.parse(update.callback_query.data)
        if pressed is not None:
            return (
                action,
                pressed.change_id if codec is buttons.RejectChanges else pressed.registration_id,
            )
    raise LookupError("not a note button")


@on_press()
async def ask_note(update: Update, context: BotContext, query, t) -> NoteStep | int:
    action, target_id = _note_pressed(update)
    try:
        # Asked before the note is typed, so an outsider is not asked to write for nothing.
        me = await who(update, context)
        if action == "cno":
            await reports.open_change(context.db, me, target_id)
        else:
            dossier = await lists.dossier(context.db, me, target_id)
            if action == "no" and dossier.registration.status is not RegStatus.PENDING:
                raise Conflict("registration_decided")
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return ConversationHandler.END
    await answer_query(query)
    context.user_data[DRAFT] = {"action": action, "id": target_id}
    await update.effective_message.reply_text(
        t.gettext(NOTE_PROMPTS[action]) + "\n" + t.gettext(CANCEL_HINT)
    )
    return NoteStep.NOTE


async def got_note(update: Update, context: BotContext) -> NoteStep | int:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    note = update.effective_message.text
    me = await who(update, context)
    try:
        if draft["action"] == "no":
            decided = await registrations.decide(
                context.db,
                me,
                draft["id"],
                approve=False,
                today=await registration_today(context, draft["id"]),
                reason=note,
            )
            registration = decided.registration
        elif draft["action"] == "cn":
            registration = await reports.mark_contacted(context.db, me, draft["id"], note)
        elif draft["action"] == "cno":
            changed = await reports.decide_change(
                context.db, me, draft["id"], approve=False, reason=note
            )
            registration = changed.registration
        else:
            registration = await certificates.revoke(context.db, me, draft["id"], note)
    except Conflict as exc:
        context.user_data.pop(DRAFT, None)
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return NoteStep.NOTE
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(t.gettext("Saved."))
    if draft["action"] in ("cn", "rv"):
        await show_dossier(update, context, t, me, registration.id)
    return ConversationHandler.END
