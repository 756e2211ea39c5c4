"""One member's file (档案) as a secretary sees it: the registration, its certificate,
versions and history, with the buttons for what can be done next."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain.access import Actor
from domain.i18n import NP_, Translator
from domain.mobile import lists
from domain.mobile.lists import Dossier
from domain.mobile.models import Change, Direction, RegStatus
from domain.mobile.reports import contact_overdue
from handlers.common import branch_zone
from handlers.conversation import decision_keyboard
from handlers.mobile.buttons import (
    Approve,
    ApproveChanges,
    CertificateReceived,
    Contacted,
    MovedAway,
    Open,
    Reject,
    RejectChanges,
    Renew,
    Revoke,
)
from handlers.mobile.views import (
    EVENT_NAMES,
    FIELD_LABELS,
    REPORT_LABELS,
    certificate_line,
    colon,
    field_value_text,
    labelled,
    registration_text,
)
from storage.db import utcnow

HISTORY_MAX = 15


def change_lines(t: Translator, change: Change) -> list[str]:
    return [
        labelled(t, FIELD_LABELS[field], field_value_text(t, field, value))
        for field, value in change.changes.items()
    ]


def change_keyboard(
    t: Translator, change_id: int, registration_id: int | None = None
) -> InlineKeyboardMarkup:
    more = []
    if registration_id is not None:
        more.append([Open(registration_id).button(t.pgettext("button", "📂 Open"))])
    return decision_keyboard(
        t,
        ApproveChanges(change_id),
        RejectChanges(change_id),
        approve_label=NP_("button", "✅ Approve changes"),
        reject_label=NP_("button", "❌ Reject changes"),
        more=more,
    )


def _stamp(t: Translator, zone: ZoneInfo, moment: datetime) -> str:
    return t.date(moment.astimezone(zone).date())


# A history note keeps the dates it names as stored (ISO: "B0001-2026-001: 2026-06-01 →
# 2026-12-01", a renewal); they are shown in the reader's style, old notes too.
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dated_note(t: Translator, note: str) -> str:
    def shown(found: re.Match[str]) -> str:
        try:
            return t.date(date(*(int(part) for part in found.groups())))
        except ValueError:
            return found.group(0)  # not a calendar day: left as written

    return _ISO_DAY.sub(shown, note)


def dossier_text(t: Translator, zone: ZoneInfo, dossier: Dossier) -> str:
    """The dossier, its dates in `zone` (the registration's branch)."""
    registration = dossier.registration
    lines = [registration.person_name, *registration_text(t, registration)]
    if dossier.certificate is not None:
        revoked = " — " + t.gettext("REVOKED") if dossier.certificate.revoked else ""
        lines.append(certificate_line(t, dossier.certificate) + revoked)
    contact = registration.last_contact_at
    lines.append(
        t.gettext(
            "Last contact: {day}",
            day=_stamp(t, zone, contact) if contact else t.gettext("never"),
        )
    )
    if contact_overdue(registration, dossier.settings, utcnow()):
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
            line += colon(t) + dated_note(t, event.note)
        lines.append(line)
    return "\n".join(lines)[:4000]


def dossier_keyboard(t: Translator, dossier: Dossier) -> InlineKeyboardMarkup | None:
    registration = dossier.registration
    rid = registration.id
    if registration.status is RegStatus.PENDING:
        return decision_keyboard(t, Approve(rid), Reject(rid))
    rows = []
    if registration.status in (RegStatus.ACTIVE, RegStatus.RETURNING):
        rows.append([Contacted(rid).button(t.pgettext("button", "📞 Mark contacted"))])
    certificate = dossier.certificate
    if certificate is not None and not certificate.revoked:
        if registration.status is RegStatus.ACTIVE:
            rows.append([Renew(rid).button(t.pgettext("button", "🔄 Renew certificate"))])
        rows.append([Revoke(rid).button(t.pgettext("button", "⛔ Revoke certificate"))])
    if registration.status is RegStatus.RETURNING:
        rows.append(
            [CertificateReceived(rid).button(t.pgettext("button", "✅ Certificate received"))]
        )
    if registration.status is RegStatus.ACTIVE and registration.direction is Direction.INFLOW:
        rows.append([MovedAway(rid).button(t.pgettext("button", "🏁 Has moved away"))])
    for change in dossier.pending_changes:
        rows += change_keyboard(t, change.id).inline_keyboard
    return InlineKeyboardMarkup(rows) if rows else None


async def show_dossier(
    update: Update, context: BotContext, t: Translator, me: Actor, registration_id: int
) -> None:
    dossier = await lists.dossier(context.db, me, registration_id)
    zone = await branch_zone(context, dossier.registration.branch_id)
    await update.effective_message.reply_text(
        dossier_text(t, zone, dossier), reply_markup=dossier_keyboard(t, dossier)
    )
