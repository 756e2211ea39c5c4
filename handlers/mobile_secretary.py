"""The secretary's side of mobile members: decisions, lists, one member's file, contact,
renewal, revocation and the return of the certificate. Every press is re-checked in the
domain (secretary of the registration's own branch)."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.i18n import N_, Translator
from domain import mobile
from domain.access import Actor
from domain.errors import Conflict, DomainError
from domain.mobile_models import Change, Direction, ListKind, Registration, RegStatus
from domain.models import Role
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
from handlers.mobile_views import (
    EVENT_NAMES,
    FIELD_LABELS,
    LIST_NAMES,
    REPORT_LABELS,
    certificate_message,
    colon,
    field_value_text,
    labelled,
    local_today,
    registration_text,
)
from storage import branches, people
from storage.db import utcnow

log = logging.getLogger(__name__)

NOTE = "mob.note"
DRAFT = "mobile_note"
HISTORY_MAX = 15

_ACTION = re.compile(r"mob:(ok|open|rn|back|cok|end):(\d{1,12})")
_NOTE_ACTION = re.compile(r"mob:(no|cn|rv|cno):(\d{1,12})")
_LIST = re.compile(r"mob:l:(\d{1,12}):([a-z]{1,10}):(\d{1,4})")

NOTE_PROMPTS = {
    "no": N_("Why is it not approved? The member will read your reason."),
    "cn": N_("How did you contact them, and what did you learn? (a short note)"),
    "rv": N_("Why is the certificate revoked? The member will read your reason."),
    "cno": N_("Why are the changes not approved? The member will read your reason."),
}


async def _notify(
    context: BotContext,
    chat_id: int | None,
    text: str,
    *,
    photo: bytes | None = None,
    **kwargs: object,
) -> None:
    """The one place this module tells someone else something (later: the outbox)."""
    if chat_id is None:
        return
    if photo is None:
        await send_safely(context, chat_id, text, **kwargs)
        return
    try:
        await context.bot.send_photo(chat_id, photo, caption=text, **kwargs)
    except Forbidden:
        log.warning("recipient %s has blocked the bot or never started it", chat_id)
    except TelegramError:
        log.exception("could not send a certificate to %s", chat_id)


def _button(label: str, data: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(label, callback_data=data)]


def decision_keyboard(t: Translator, registration_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.pgettext("button", "✅ Approve"), callback_data=f"mob:ok:{registration_id}"
                ),
                InlineKeyboardButton(
                    t.pgettext("button", "❌ Reject"), callback_data=f"mob:no:{registration_id}"
                ),
            ]
        ]
    )


async def _to_secretaries(context: BotContext, branch_id: int, compose) -> None:
    for secretary in await people.secretaries(context.db, branch_id):
        if secretary.telegram_id is not None:
            t = await tr_for(context, secretary.telegram_id)
            text, markup = compose(t)
            await _notify(context, secretary.telegram_id, text, reply_markup=markup)


async def notify_new(context: BotContext, submitted: mobile.Submitted) -> None:
    registration = submitted.registration

    def compose(t: Translator):
        header = t.gettext(
            "New mobile-member registration from {name}:", name=registration.person_name
        )
        body = "\n".join([header, *registration_text(t, registration)])
        return body, decision_keyboard(t, registration.id)

    await _to_secretaries(context, registration.branch_id, compose)


async def notify_report(
    context: BotContext, reported: mobile.Reported, answers: dict[str, str]
) -> None:
    registration, change = reported.registration, reported.change

    def compose(t: Translator):
        lines = [
            t.gettext(
                "{name} sent a status report (version {version}):",
                name=registration.person_name,
                version=registration.version,
            )
        ]
        lines += [labelled(t, REPORT_LABELS[k], v) for k, v in answers.items()]
        if change is None:
            return "\n".join(lines), _open_keyboard(t, registration.id)
        lines += ["", t.gettext("Reported changes, waiting for your approval:")]
        lines += change_lines(t, change)
        return "\n".join(lines), change_keyboard(t, change.id, registration.id)

    await _to_secretaries(context, registration.branch_id, compose)


def change_lines(t: Translator, change: Change) -> list[str]:
    return [
        labelled(t, FIELD_LABELS[field], field_value_text(t, field, value))
        for field, value in change.changes.items()
    ]


def change_keyboard(
    t: Translator, change_id: int, registration_id: int | None = None
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                t.pgettext("button", "✅ Approve changes"), callback_data=f"mob:cok:{change_id}"
            ),
            InlineKeyboardButton(
                t.pgettext("button", "❌ Reject changes"), callback_data=f"mob:cno:{change_id}"
            ),
        ]
    ]
    if registration_id is not None:
        rows.append(_button(t.pgettext("button", "📂 Open"), f"mob:open:{registration_id}"))
    return InlineKeyboardMarkup(rows)


async def notify_return(context: BotContext, registration: Registration) -> None:
    def compose(t: Translator):
        text = t.gettext(
            "{name} reports being back. Confirm when you have received the activity certificate.",
            name=registration.person_name,
        )
        markup = InlineKeyboardMarkup(
            [
                _button(
                    t.pgettext("button", "✅ Certificate received"),
                    f"mob:back:{registration.id}",
                )
            ]
        )
        return text, markup

    await _to_secretaries(context, registration.branch_id, compose)


async def remind_renewals(context: BotContext) -> None:
    """Daily job: certificates ending within a month, told once to holder and secretaries."""
    for reminder in await mobile.renewal_reminders(context.db, local_today(context)):
        registration, certificate = reminder.registration, reminder.certificate
        if registration.person_telegram_id is not None:
            mt = await tr_for(context, registration.person_telegram_id)
            await _notify(
                context,
                registration.person_telegram_id,
                mt.gettext(
                    "Your activity certificate {number} is valid until {day}. The branch secretary will renew it if you are still away.",
                    number=certificate.number,
                    day=mt.date(certificate.valid_until),
                ),
            )

        def compose(t: Translator, registration=registration, certificate=certificate):
            text = t.gettext(
                "The activity certificate {number} of {name} ends on {day}.",
                number=certificate.number,
                name=registration.person_name,
                day=t.date(certificate.valid_until),
            )
            rows = [
                _button(t.pgettext("button", "🔄 Renew certificate"), f"mob:rn:{registration.id}"),
                _button(t.pgettext("button", "📂 Open"), f"mob:open:{registration.id}"),
            ]
            return text, InlineKeyboardMarkup(rows)

        await _to_secretaries(context, registration.branch_id, compose)


def _open_keyboard(t: Translator, registration_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [_button(t.pgettext("button", "📂 Open"), f"mob:open:{registration_id}")]
    )


# ---- one press each -----------------------------------------------------------------------


async def act(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _ACTION)
    if match is None:
        await answer_query(query, t.gettext("This button is no longer valid."))
        return
    action, registration_id = match.group(1), int(match.group(2))
    me = await who(update, context)
    try:
        if action == "open":
            await show_dossier(update, context, t, me, registration_id)
            await answer_query(query)
        elif action == "ok":
            await _approve(update, context, t, me, registration_id)
        elif action == "rn":
            await _renew(update, context, t, me, registration_id)
        elif action == "cok":
            await _approve_change(update, context, t, me, registration_id)
        elif action == "end":
            await _end_inflow(update, context, t, me, registration_id)
        else:
            await _confirm_return(update, context, t, me, registration_id)
    except Conflict as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        await drop_buttons(query)
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)


async def _outcome(update: Update, text: str) -> None:
    query = update.callback_query
    await answer_query(query, text)
    await query.edit_message_text(f"{query.message.text}\n\n{text}")


async def _approve(update, context: BotContext, t: Translator, me: Actor, registration_id: int):
    decided = await mobile.decide(
        context.db, me, registration_id, approve=True, today=local_today(context)
    )
    registration, certificate = decided.registration, decided.certificate
    if certificate is None:
        await _outcome(update, t.gettext("✅ Approved: {name}", name=registration.person_name))
    else:
        await _outcome(
            update,
            t.gettext(
                "✅ Approved: {name}, certificate {number}",
                name=registration.person_name,
                number=certificate.number,
            ),
        )
    chat_id = registration.person_telegram_id
    if chat_id is None:
        return
    mt = await tr_for(context, chat_id)
    if certificate is None:
        text = mt.gettext(
            "Your inflow registration with {branch} is confirmed. Welcome to the community! You will be invited to branch activities.",
            branch=decided.branch.name,
        )
        await _notify(context, chat_id, text)
        return
    await _notify(
        context,
        chat_id,
        mt.gettext(
            "Your outflow registration is approved. Here is your mobile party member activity certificate; keep it with you and show it to the party organisation where you go."
        ),
    )
    await _send_certificate(context, chat_id, mt, certificate, decided.branch.name)


async def _approve_change(update, context: BotContext, t: Translator, me: Actor, change_id: int):
    decided = await mobile.decide_change(context.db, me, change_id, approve=True)
    registration = decided.registration
    await _outcome(
        update,
        t.gettext(
            "✅ Changes approved: {name}, now version {version}",
            name=registration.person_name,
            version=registration.version,
        ),
    )
    await _tell_member(context, "cok", registration)


async def _end_inflow(update, context: BotContext, t: Translator, me: Actor, registration_id: int):
    registration = await mobile.end_inflow(context.db, me, registration_id)
    await _outcome(
        update, t.gettext("✅ Inflow registration ended: {name}", name=registration.person_name)
    )
    await _tell_member(context, "end", registration)


async def _send_certificate(context: BotContext, chat_id: int, t, certificate, branch_name):
    caption, card = await certificate_message(context, t, certificate, branch_name)
    await _notify(context, chat_id, caption, photo=card)


async def _renew(update, context: BotContext, t: Translator, me: Actor, registration_id: int):
    certificate = await mobile.renew(context.db, me, registration_id, local_today(context))
    await answer_query(
        update.callback_query,
        t.gettext("Renewed until {day}", day=t.date(certificate.valid_until)),
    )
    await show_dossier(update, context, t, me, registration_id)
    dossier = await mobile.dossier(context.db, me, registration_id)
    chat_id = dossier.registration.person_telegram_id
    if chat_id is not None:
        mt = await tr_for(context, chat_id)
        branch = await branches.get(context.db, certificate.branch_id)
        await _notify(
            context,
            chat_id,
            mt.gettext(
                "Your activity certificate has been renewed until {day}.",
                day=mt.date(certificate.valid_until),
            ),
        )
        await _send_certificate(context, chat_id, mt, certificate, branch.name)


async def _confirm_return(update, context, t: Translator, me: Actor, registration_id: int):
    registration = await mobile.confirm_return(context.db, me, registration_id)
    await _outcome(
        update,
        t.gettext(
            "✅ Return confirmed: {name}. The outflow registration is closed.",
            name=registration.person_name,
        ),
    )
    if registration.person_telegram_id is not None:
        mt = await tr_for(context, registration.person_telegram_id)
        await _notify(
            context,
            registration.person_telegram_id,
            mt.gettext(
                "The secretary has received your certificate. Your outflow registration is closed. Welcome home!"
            ),
        )


# ---- a member's file ----------------------------------------------------------------------


def _stamp(t: Translator, context: BotContext, moment: datetime) -> str:
    return t.date(moment.astimezone(context.settings.tz).date())


def dossier_text(t: Translator, context: BotContext, dossier: mobile.Dossier) -> str:
    registration = dossier.registration
    lines = [registration.person_name, *registration_text(t, registration)]
    if dossier.certificate is not None:
        lines.append(
            t.gettext(
                "Certificate {number}, valid until {day}",
                number=dossier.certificate.number,
                day=t.date(dossier.certificate.valid_until),
            )
            + (" — " + t.gettext("REVOKED") if dossier.certificate.revoked else "")
        )
    contact = registration.last_contact_at
    lines.append(
        t.gettext(
            "Last contact: {day}",
            day=_stamp(t, context, contact) if contact else t.gettext("never"),
        )
    )
    if mobile.contact_overdue(registration, dossier.settings, utcnow()):
        lines.append(
            t.gettext(
                "⚠️ Not contacted for more than {days} days.", days=dossier.settings.contact_days
            )
        )
    for change in dossier.pending_changes:
        lines += ["", t.gettext("Reported changes, waiting for your approval:")]
        lines += change_lines(t, change)
    lines += ["", t.gettext("Versions:")]
    for version in dossier.versions:
        line = t.gettext(
            "v{version} of {day}",
            version=version.version,
            day=_stamp(t, context, version.created_at),
        )
        if version.report:
            line += " — " + "; ".join(
                labelled(t, REPORT_LABELS[k], v) for k, v in version.report.items()
            )
        lines.append(line)
    lines += ["", t.gettext("History:")]
    for event in dossier.events[-HISTORY_MAX:]:
        line = (
            f"{_stamp(t, context, event.at)} {t.gettext(EVENT_NAMES.get(event.kind, event.kind))}"
        )
        if event.actor_name:
            line += f" ({event.actor_name})"
        if event.note:
            line += colon(t) + event.note
        lines.append(line)
    return "\n".join(lines)[:4000]


def dossier_keyboard(t: Translator, dossier: mobile.Dossier) -> InlineKeyboardMarkup | None:
    registration = dossier.registration
    rid = registration.id
    rows = []
    if registration.status is RegStatus.PENDING:
        return decision_keyboard(t, rid)
    if registration.status in (RegStatus.ACTIVE, RegStatus.RETURNING):
        rows.append(_button(t.pgettext("button", "📞 Mark contacted"), f"mob:cn:{rid}"))
    certificate = dossier.certificate
    if certificate is not None and not certificate.revoked:
        if registration.status is RegStatus.ACTIVE:
            rows.append(_button(t.pgettext("button", "🔄 Renew certificate"), f"mob:rn:{rid}"))
        rows.append(_button(t.pgettext("button", "⛔ Revoke certificate"), f"mob:rv:{rid}"))
    if registration.status is RegStatus.RETURNING:
        rows.append(_button(t.pgettext("button", "✅ Certificate received"), f"mob:back:{rid}"))
    if registration.status is RegStatus.ACTIVE and registration.direction is Direction.INFLOW:
        rows.append(_button(t.pgettext("button", "🏁 Has moved away"), f"mob:end:{rid}"))
    for change in dossier.pending_changes:
        rows += change_keyboard(t, change.id).inline_keyboard
    return InlineKeyboardMarkup(rows) if rows else None


async def show_dossier(
    update: Update, context: BotContext, t: Translator, me: Actor, registration_id: int
) -> None:
    dossier = await mobile.dossier(context.db, me, registration_id)
    await update.effective_message.reply_text(
        dossier_text(t, context, dossier), reply_markup=dossier_keyboard(t, dossier)
    )


# ---- lists --------------------------------------------------------------------------------


async def overview(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    branch_ids = me.branches_where(Role.SECRETARY)
    if not branch_ids:
        await update.effective_message.reply_text(
            error_text(t, DomainError("not_allowed")),
        )
        return
    for branch_id in branch_ids:
        counts = await mobile.counts(context.db, me, branch_id, utcnow(), local_today(context))
        branch = await branches.get(context.db, branch_id)
        rows = [
            _button(
                f"{t.gettext(LIST_NAMES[kind])} · {counts[kind]}",
                f"mob:l:{branch_id}:{kind}:0",
            )
            for kind in ListKind
        ]
        await update.effective_message.reply_text(
            t.gettext("Mobile members of {branch}:", branch=branch.name),
            reply_markup=InlineKeyboardMarkup(rows),
        )


async def list_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _LIST)
    if match is None or match.group(2) not in set(ListKind):
        await answer_query(query, t.gettext("This button is no longer valid."))
        return
    branch_id, kind, number = int(match.group(1)), ListKind(match.group(2)), int(match.group(3))
    try:
        page = await mobile.listing(
            context.db,
            await who(update, context),
            branch_id,
            kind,
            number,
            utcnow(),
            local_today(context),
        )
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return
    await answer_query(query)
    title = t.gettext(
        "{label}: {n} (page {page} of {pages})",
        label=t.gettext(LIST_NAMES[kind]),
        n=page.total,
        page=page.number + 1,
        pages=page.pages,
    )
    rows = [
        _button(
            f"{r.person_name} · {r.details.get('destination') or r.details.get('address')}"[:60],
            f"mob:open:{r.id}",
        )
        for r in page.items
    ]
    turns = []
    if page.number > 0:
        turns.append(
            InlineKeyboardButton("‹", callback_data=f"mob:l:{branch_id}:{kind}:{page.number - 1}")
        )
    if page.number + 1 < page.pages:
        turns.append(
            InlineKeyboardButton("›", callback_data=f"mob:l:{branch_id}:{kind}:{page.number + 1}")
        )
    if turns:
        rows.append(turns)
    await update.effective_message.reply_text(title, reply_markup=InlineKeyboardMarkup(rows))


# ---- actions that need a note: reject, contacted, revoke ----------------------------------


async def ask_note(update: Update, context: BotContext) -> str | int:
    query = update.callback_query
    t = await tr(update, context)
    match = parse_callback(query.data, _NOTE_ACTION)
    if match is None:
        await answer_query(query, t.gettext("This button is no longer valid."))
        return ConversationHandler.END
    action, registration_id = match.group(1), int(match.group(2))
    try:
        # Asked before the note is typed, so an outsider is not asked to write for nothing.
        me = await who(update, context)
        if action == "cno":
            await mobile.open_change(context.db, me, registration_id)
        else:
            dossier = await mobile.dossier(context.db, me, registration_id)
            if action == "no" and dossier.registration.status is not RegStatus.PENDING:
                raise Conflict("registration_decided")
    except DomainError as exc:
        await answer_query(query, error_text(t, exc), alert=True)
        return ConversationHandler.END
    await answer_query(query)
    context.user_data[DRAFT] = {"action": action, "id": registration_id}
    await update.effective_message.reply_text(
        t.gettext(NOTE_PROMPTS[action]) + "\n" + t.gettext("(Send /cancel to stop at any time.)")
    )
    return NOTE


async def got_note(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    note = update.effective_message.text
    me = await who(update, context)
    reason = None
    try:
        if draft["action"] == "no":
            decided = await mobile.decide(
                context.db,
                me,
                draft["id"],
                approve=False,
                today=local_today(context),
                reason=note,
            )
            registration, reason = decided.registration, decided.registration.reason
        elif draft["action"] == "cn":
            registration = await mobile.mark_contacted(context.db, me, draft["id"], note)
        elif draft["action"] == "cno":
            changed = await mobile.decide_change(
                context.db, me, draft["id"], approve=False, reason=note
            )
            registration, reason = changed.registration, changed.change.reason
        else:
            registration = await mobile.revoke(context.db, me, draft["id"], note)
    except Conflict as exc:
        context.user_data.pop(DRAFT, None)
        await update.effective_message.reply_text(error_text(t, exc))
        return ConversationHandler.END
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return NOTE
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(t.gettext("Saved."))
    await _tell_member(context, draft["action"], registration, reason)
    if draft["action"] in ("cn", "rv"):
        await show_dossier(update, context, t, me, registration.id)
    return ConversationHandler.END


async def _tell_member(
    context: BotContext, action: str, registration: Registration, reason: str | None = None
) -> None:
    chat_id = registration.person_telegram_id
    if chat_id is None or action == "cn":
        return
    mt = await tr_for(context, chat_id)
    if action == "no":
        what = (
            mt.gettext("outflow")
            if registration.direction is Direction.OUTFLOW
            else mt.gettext("inflow")
        )
        text = mt.gettext(
            "Your {what} registration was not approved. The secretary's reason: {reason}",
            what=what,
            reason=reason,
        )
    elif action == "cno":
        text = mt.gettext(
            "The secretary did not approve the changes you reported. The secretary's reason: {reason}",
            reason=reason,
        )
    elif action == "end":
        text = mt.gettext(
            "The branch secretary has closed your inflow registration, as you have moved away. Thank you for taking part in the branch's work here."
        )
    elif action == "cok":
        text = mt.gettext(
            "The secretary approved the changes you reported; your registration is now version {version}.",
            version=registration.version,
        )
    else:
        text = mt.gettext(
            "Your activity certificate has been revoked by the branch secretary. Send /mobile to see your registration."
        )
    await _notify(context, chat_id, text)


async def cancel(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(t.gettext("Cancelled. Nothing was saved."))
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CallbackQueryHandler(ask_note, pattern=r"^mob:(no|cn|rv|cno):")],
        states={NOTE: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_note)]},
        fallbacks=[CommandHandler("cancel", cancel)],
        allow_reentry=True,
        name="mobile_secretary",
        persistent=True,
    )


def handlers() -> list:
    return [
        CommandHandler("mobile_list", overview),
        CallbackQueryHandler(act, pattern=r"^mob:(ok|open|rn|back|cok|end):"),
        CallbackQueryHandler(list_page, pattern=r"^mob:l:"),
    ]
