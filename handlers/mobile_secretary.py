"""The secretary's side of mobile members: decisions, lists, one member's file, contact,
renewal, revocation and the return of the certificate. Every press is re-checked in the
domain (secretary of the registration's own branch)."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain import mobile
from domain.access import Actor
from domain.errors import Conflict, DomainError
from domain.i18n import N_, Translator
from domain.mobile_models import (
    Certificate,
    Change,
    Direction,
    ListKind,
    Registration,
    RegStatus,
)
from domain.models import Role
from handlers.common import (
    answer_query,
    branch_today,
    branch_zone,
    drop_buttons,
    error_text,
    parse_callback,
    tr,
    tr_for,
    who,
)
from handlers.conversation import CANCEL_HINT, answer_stale
from handlers.mobile_views import (
    EVENT_NAMES,
    FIELD_LABELS,
    LIST_NAMES,
    REPORT_LABELS,
    certificate_message,
    colon,
    field_value_text,
    labelled,
    registration_text,
    registration_today,
)
from storage import branches
from storage import mobile as store
from storage.db import Database, utcnow

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


@renderer(mobile.NEW_TEMPLATE)
async def new_message(t: Translator, db: Database, params: dict) -> Rendered:
    registration = await _registration(db, params)
    header = t.gettext("New mobile-member registration from {name}:", name=registration.person_name)
    body = "\n".join([header, *registration_text(t, registration)])
    return Rendered(body, decision_keyboard(t, registration.id))


async def _registration(db: Database, params: dict) -> Registration:
    registration = await store.get(db, params["registration"])
    assert registration is not None
    return registration


@renderer(mobile.REPORT_TEMPLATE)
async def report_message(t: Translator, db: Database, params: dict) -> Rendered:
    registration = await _registration(db, params)
    lines = [
        t.gettext(
            "{name} sent a status report (version {version}):",
            name=registration.person_name,
            version=params["version"],
        )
    ]
    lines += [labelled(t, REPORT_LABELS[k], v) for k, v in params["answers"]]
    change = await store.get_change(db, params["change"]) if params["change"] else None
    if change is None:
        return Rendered("\n".join(lines), _open_keyboard(t, registration.id))
    lines += ["", t.gettext("Reported changes, waiting for your approval:")]
    lines += change_lines(t, change)
    return Rendered("\n".join(lines), change_keyboard(t, change.id, registration.id))


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


@renderer(mobile.RETURN_TEMPLATE)
async def return_message(t: Translator, db: Database, params: dict) -> Rendered:
    text = t.gettext(
        "{name} reports being back. Confirm when you have received the activity certificate.",
        name=params["name"],
    )
    button = t.pgettext("button", "✅ Certificate received")
    return Rendered(
        text, InlineKeyboardMarkup([_button(button, f"mob:back:{params['registration']}")])
    )


@renderer(mobile.EXPIRING_TEMPLATE)
async def expiring_message(t: Translator, db: Database, params: dict) -> Rendered:
    text = t.gettext(
        "The activity certificate {number} of {name} ends on {day}.",
        number=params["number"],
        name=params["name"],
        day=t.date(date.fromisoformat(params["day"])),
    )
    registration_id = params["registration"]
    rows = [
        _button(t.pgettext("button", "🔄 Renew certificate"), f"mob:rn:{registration_id}"),
        _button(t.pgettext("button", "📂 Open"), f"mob:open:{registration_id}"),
    ]
    return Rendered(text, InlineKeyboardMarkup(rows))


@renderer(mobile.DATED_TEMPLATE)
async def dated_message(t: Translator, db: Database, params: dict) -> Rendered:
    """A msgid with a `{day}` to show as a date (and other plain values)."""
    values = dict(params)
    msgid = values.pop("text")
    values["day"] = t.date(date.fromisoformat(params["day"]))
    return Rendered(t.gettext(msgid, **values))


@renderer(mobile.REPORT_DUE_TEMPLATE)
async def report_due_message(t: Translator, db: Database, params: dict) -> Rendered:
    text = t.gettext(
        "Your status report as a mobile party member was due on {day}. Tell the branch how "
        "you are doing: it takes a minute.",
        day=t.date(date.fromisoformat(params["day"])),
    )
    button = t.pgettext("button", "📝 Status report")
    return Rendered(
        text, InlineKeyboardMarkup([_button(button, f"mob:rep:{params['registration']}")])
    )


@renderer(mobile.REJECTED_TEMPLATE)
async def rejected_message(t: Translator, db: Database, params: dict) -> Rendered:
    what = t.gettext("outflow") if params["direction"] == Direction.OUTFLOW else t.gettext("inflow")
    return Rendered(
        t.gettext(
            "Your {what} registration was not approved. The secretary's reason: {reason}",
            what=what,
            reason=params["reason"],
        )
    )


def certificate_card(context: BotContext) -> mobile.CertificateCard:
    """The certificate drawn for its holder, in the holder's language."""

    async def draw(
        registration: Registration, certificate: Certificate, branch_name: str
    ) -> tuple[str, bytes | None]:
        assert registration.person_telegram_id is not None
        mt = await tr_for(context, registration.person_telegram_id)
        return await certificate_message(context, mt, certificate, branch_name)

    return draw


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
        await answer_stale(query, t)
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
        context.db,
        me,
        registration_id,
        approve=True,
        today=await registration_today(context, registration_id),
        card=certificate_card(context),
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


async def _end_inflow(update, context: BotContext, t: Translator, me: Actor, registration_id: int):
    registration = await mobile.end_inflow(context.db, me, registration_id)
    await _outcome(
        update, t.gettext("✅ Inflow registration ended: {name}", name=registration.person_name)
    )


async def _renew(update, context: BotContext, t: Translator, me: Actor, registration_id: int):
    certificate = await mobile.renew(
        context.db,
        me,
        registration_id,
        await registration_today(context, registration_id),
        card=certificate_card(context),
    )
    await answer_query(
        update.callback_query,
        t.gettext("Renewed until {day}", day=t.date(certificate.valid_until)),
    )
    await show_dossier(update, context, t, me, registration_id)


async def _confirm_return(update, context, t: Translator, me: Actor, registration_id: int):
    registration = await mobile.confirm_return(context.db, me, registration_id)
    await _outcome(
        update,
        t.gettext(
            "✅ Return confirmed: {name}. The outflow registration is closed.",
            name=registration.person_name,
        ),
    )


# ---- a member's file ----------------------------------------------------------------------


def _stamp(t: Translator, zone: ZoneInfo, moment: datetime) -> str:
    return t.date(moment.astimezone(zone).date())


def dossier_text(t: Translator, zone: ZoneInfo, dossier: mobile.Dossier) -> str:
    """The dossier, its dates in `zone` (the registration's branch)."""
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
            day=_stamp(t, zone, contact) if contact else t.gettext("never"),
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
            day=_stamp(t, zone, version.created_at),
        )
        if version.report:
            line += " — " + "; ".join(
                labelled(t, REPORT_LABELS[k], v) for k, v in version.report.items()
            )
        lines.append(line)
    lines += ["", t.gettext("History:")]
    for event in dossier.events[-HISTORY_MAX:]:
        line = f"{_stamp(t, zone, event.at)} {t.gettext(EVENT_NAMES.get(event.kind, event.kind))}"
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
    zone = await branch_zone(context, dossier.registration.branch_id)
    await update.effective_message.reply_text(
        dossier_text(t, zone, dossier), reply_markup=dossier_keyboard(t, dossier)
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
        today = await branch_today(context, branch_id)
        counts = await mobile.counts(context.db, me, branch_id, utcnow(), today)
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
        await answer_stale(query, t)
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
            await branch_today(context, branch_id),
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
        await answer_stale(query, t)
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
        t.gettext(NOTE_PROMPTS[action]) + "\n" + t.gettext(CANCEL_HINT)
    )
    return NOTE


async def got_note(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    note = update.effective_message.text
    me = await who(update, context)
    try:
        if draft["action"] == "no":
            decided = await mobile.decide(
                context.db,
                me,
                draft["id"],
                approve=False,
                today=await registration_today(context, draft["id"]),
                reason=note,
            )
            registration = decided.registration
        elif draft["action"] == "cn":
            registration = await mobile.mark_contacted(context.db, me, draft["id"], note)
        elif draft["action"] == "cno":
            changed = await mobile.decide_change(
                context.db, me, draft["id"], approve=False, reason=note
            )
            registration = changed.registration
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
    if draft["action"] in ("cn", "rv"):
        await show_dossier(update, context, t, me, registration.id)
    return ConversationHandler.END


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
