"""How mobile-member things read in the chat: labels, summaries, the certificate. Shared
by the member's and the secretary's side."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from domain.i18n import N_, Translator
from domain.mobile import lists
from domain.mobile.models import Certificate, Direction, ListKind, Registration, RegStatus
from domain.mobile.rules import DATES, FIELDS
from handlers.buttons import Button
from handlers.common import add_errors, answer_and_drop, branch_today
from handlers.conversation import answer_stale
from handlers.flow_kit import start_link
from handlers.mobile import certificate_card

FIELD_LABELS: dict[str, str] = {
    "destination": N_("Destination (province and city)"),
    "address": N_("Address"),
    "employer": N_("Employer or work"),
    "org": N_("Party organisation there"),
    "org_contact": N_("Its contact person"),
    "org_phone": N_("Its phone"),
    "departure": N_("Departure date"),
    "expected_return": N_("Expected return"),
    "reason": N_("Reason"),
    "phone": N_("My phone"),
    "origin_branch": N_("Branch I come from"),
    "origin_contact": N_("Contact person there"),
    "origin_phone": N_("Their phone"),
    "arrival": N_("Arrival date"),
}
REPORT_LABELS: dict[str, str] = {
    "whereabouts": N_("Where I am"),
    "study": N_("What I studied"),
    "activities": N_("Activities I joined"),
}
DIRECTION_NAMES: dict[Direction, str] = {
    Direction.OUTFLOW: N_("Outflow (working away)"),
    Direction.INFLOW: N_("Inflow (moved into the community)"),
}
STATUS_NAMES: dict[RegStatus, str] = {
    RegStatus.PENDING: N_("waiting for the secretary"),
    RegStatus.ACTIVE: N_("approved"),
    RegStatus.REJECTED: N_("not approved"),
    RegStatus.RETURNING: N_("returned, certificate to hand back"),
    RegStatus.CLOSED: N_("closed"),
}
LIST_NAMES: dict[ListKind, str] = {
    ListKind.PENDING: N_("Waiting for approval"),
    ListKind.OUTFLOW: N_("Outflow"),
    ListKind.INFLOW: N_("Inflow"),
    ListKind.REPORT_OVERDUE: N_("Report overdue"),
    ListKind.CONTACT_OVERDUE: N_("Contact overdue"),
    ListKind.EXPIRING: N_("Certificate expiring"),
}
EVENT_NAMES: dict[str, str] = {
    "submitted": N_("registered"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "certificate_issued": N_("certificate issued"),
    "certificate_renewed": N_("certificate renewed"),
    "certificate_revoked": N_("certificate revoked"),
    "report": N_("status report"),
    "return_requested": N_("reported return"),
    "returned": N_("return confirmed"),
    "ended": N_("inflow ended"),
    "contacted": N_("contacted"),
    "renewal_reminded": N_("reminded of the certificate's expiry"),
    "change_approved": N_("changes approved"),
    "change_rejected": N_("changes not approved"),
}

add_errors(
    {
        "mobile_members_only": N_("Only registered members of a branch can do that."),
        "text_empty": N_("Please type an answer."),
        "text_too_long": N_("That is too long (at most {max} characters)."),
        "date_out_of_range": N_("That date is too far from today. Please check the year."),
        "date_too_far_ahead": N_(
            "That date is more than a year ahead. Please register closer to the date."
        ),
        "return_before_departure": N_(
            "The return date must be after the departure date. Please enter it again."
        ),
        "field_missing": N_("Some required details are missing; please fill them in."),
        "outflow_already_open": N_(
            "You already have an open outflow registration. Report your return before registering a new one, or send a status report to record changes."
        ),
        "inflow_already_open": N_("You already have an open inflow registration."),
        "other_direction_open": N_(
            "You cannot be registered as outflow and inflow at the same time. Please finish your open registration first."
        ),
        "registration_unknown": N_("This registration does not exist or is not yours to see."),
        "registration_not_active": N_("This registration is not active."),
        "registration_decided": N_(
            "This registration has already been handled. Nothing was changed."
        ),
        "no_valid_certificate": N_("There is no valid certificate for this registration."),
        "certificate_unknown": N_("No certificate has this verification code."),
    }
)


def field_value_text(t: Translator, field: str, value: str | None) -> str:
    if not value:
        return t.gettext("not known yet")
    if field in DATES:
        return t.date(date.fromisoformat(value))
    return value


def colon(t: Translator) -> str:
    """The colon of the language: full-width in Chinese."""
    return "：" if t.locale.startswith("zh") else ": "


def labelled(t: Translator, label: str, value: str) -> str:
    return f"{t.gettext(label)}{colon(t)}{value}"


def details_lines(t: Translator, direction: Direction, details: dict[str, str]) -> list[str]:
    return [
        labelled(t, FIELD_LABELS[f], field_value_text(t, f, details.get(f)))
        for f in FIELDS[direction]
    ]


def registration_text(t: Translator, registration: Registration) -> list[str]:
    return [
        t.gettext(
            "{direction} — {status} (version {version})",
            direction=t.gettext(DIRECTION_NAMES[registration.direction]),
            status=t.gettext(STATUS_NAMES[registration.status]),
            version=registration.version,
        ),
        *details_lines(t, registration.direction, registration.details),
    ]


def certificate_line(t: Translator, certificate: Certificate) -> str:
    return t.gettext(
        "Certificate {number}, valid until {day}",
        number=certificate.number,
        day=t.date(certificate.valid_until),
    )


async def show_fields(
    update: Update,
    t: Translator,
    lines: list[str],
    edit: Callable[[str], Button],
    fields: Iterable[str],
    last: InlineKeyboardButton,
) -> None:
    """The draft's `lines`, a button per field to type it again (`edit(field)`), and `last`
    below them: the member's review screen before sending a registration or a report."""
    rows = [[edit(field).button("✏️ " + t.gettext(FIELD_LABELS[field]))] for field in fields]
    keyboard = InlineKeyboardMarkup([*rows, [last]])
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard)


async def field_pressed(
    update: Update, t: Translator, codec: type[Button], fields: Iterable[str]
) -> str | None:
    """The field a `show_fields` button names, its press taken; None after answering it as
    stale when the draft has no such field (an old screen of another direction)."""
    query = update.callback_query
    field = codec.of(update).field
    if field not in fields:
        await answer_stale(query, t)
        return None
    await answer_and_drop(query)
    return field


def certificate_lines(t: Translator, certificate: Certificate, branch_name: str) -> list[str]:
    lines = [
        t.gettext("Mobile party member activity certificate"),
        t.gettext("No.: {number}", number=certificate.number),
        t.gettext("Holder: {name}", name=certificate.holder),
        t.gettext("Branch: {branch}", branch=branch_name),
        t.gettext("Destination: {destination}", destination=certificate.destination),
        t.gettext("Issued: {day}", day=t.date(certificate.issued_on)),
        t.gettext("Valid until: {day}", day=t.date(certificate.valid_until)),
        t.gettext("Verification code: {code}", code=certificate.verify_code),
    ]
    if certificate.revoked:
        lines.append(t.gettext("REVOKED"))
    return lines


def verify_link(context: BotContext, code: str) -> str:
    return start_link(context, f"verify-{code}")


async def certificate_message(
    context: BotContext, t: Translator, certificate: Certificate, branch_name: str
) -> tuple[str, bytes | None]:
    """The certificate as a caption and its PNG card; no card when no CJK font is installed.
    Drawn in a thread: rendering takes tens of milliseconds nobody else should wait for."""
    lines = certificate_lines(t, certificate, branch_name)
    card = await asyncio.to_thread(
        certificate_card.render,
        lines,
        verify_link(context, certificate.verify_code),
        context.settings.bot_font,
    )
    if card is None:
        lines.append(
            t.gettext(
                "(The certificate card could not be drawn this time; this text and the"
                " verification code are the certificate.)"
            )
        )
    return "\n".join(lines), card


async def registration_today(context: BotContext, registration_id: int) -> date:
    """Today in the zone of the branch a registration belongs to."""
    registration = await lists.registration(context.db, registration_id)
    return await branch_today(context, registration.branch_id if registration else None)
