"""What the outbox sends about mobile members (domain/mobile/ queues them by template): the
secretaries' notices with their buttons, the member's dated notices, and the certificate
card drawn for its holder."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup

from bot.context import BotContext
from bot.sender import Rendered, renderer
from domain.i18n import Translator
from domain.mobile import lists
from domain.mobile.certificates import DATED_TEMPLATE, EXPIRING_TEMPLATE, CertificateCard
from domain.mobile.models import Certificate, Direction, Registration
from domain.mobile.registrations import NEW_TEMPLATE, REJECTED_TEMPLATE
from domain.mobile.reports import REPORT_DUE_TEMPLATE, REPORT_TEMPLATE
from domain.mobile.returns import RETURN_TEMPLATE
from handlers.common import tr_for
from handlers.conversation import decision_keyboard
from handlers.mobile.buttons import Approve, CertificateReceived, Open, Reject, Renew, StartReport
from handlers.mobile.dossier import change_keyboard, change_lines
from handlers.mobile.views import REPORT_LABELS, certificate_message, labelled, registration_text
from storage.db import Database


async def _registration(db: Database, params: dict) -> Registration:
    registration = await lists.registration(db, params["registration"])
    assert registration is not None
    return registration


@renderer(NEW_TEMPLATE)
async def new_message(t: Translator, db: Database, params: dict) -> Rendered:
    registration = await _registration(db, params)
    header = t.gettext("New mobile-member registration from {name}:", name=registration.person_name)
    body = "\n".join([header, *registration_text(t, registration)])
    return Rendered(body, decision_keyboard(t, Approve(registration.id), Reject(registration.id)))


@renderer(REPORT_TEMPLATE)
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
    change = await lists.change(db, params["change"]) if params["change"] else None
    if change is None:
        opened = Open(registration.id).button(t.pgettext("button", "📂 Open"))
        return Rendered("\n".join(lines), InlineKeyboardMarkup([[opened]]))
    lines += ["", t.gettext("Reported changes, waiting for your approval:")]
    lines += change_lines(t, change)
    return Rendered("\n".join(lines), change_keyboard(t, change.id, registration.id))


@renderer(RETURN_TEMPLATE)
async def return_message(t: Translator, db: Database, params: dict) -> Rendered:
    text = t.gettext(
        "{name} reports being back. Confirm when you have received the activity certificate.",
        name=params["name"],
    )
    received = CertificateReceived(params["registration"])
    button = received.button(t.pgettext("button", "✅ Certificate received"))
    return Rendered(text, InlineKeyboardMarkup([[button]]))


@renderer(EXPIRING_TEMPLATE)
async def expiring_message(t: Translator, db: Database, params: dict) -> Rendered:
    text = t.gettext(
        "The activity certificate {number} of {name} ends on {day}.",
        number=params["number"],
        name=params["name"],
        day=t.date(date.fromisoformat(params["day"])),
    )
    registration_id = params["registration"]
    rows = [
        [Renew(registration_id).button(t.pgettext("button", "🔄 Renew certificate"))],
        [Open(registration_id).button(t.pgettext("button", "📂 Open"))],
    ]
    return Rendered(text, InlineKeyboardMarkup(rows))


@renderer(DATED_TEMPLATE)
async def dated_message(t: Translator, db: Database, params: dict) -> Rendered:
    """A msgid with a `{day}` to show as a date (and other plain values)."""
    values = dict(params)
    msgid = values.pop("text")
    values["day"] = t.date(date.fromisoformat(params["day"]))
    return Rendered(t.gettext(msgid, **values))


@renderer(REPORT_DUE_TEMPLATE)
async def report_due_message(t: Translator, db: Database, params: dict) -> Rendered:
    text = t.gettext(
        "Your status report as a mobile party member was due on {day}. Tell the branch how "
        "you are doing: it takes a minute.",
        day=t.date(date.fromisoformat(params["day"])),
    )
    button = StartReport(params["registration"]).button(t.pgettext("button", "📝 Status report"))
    return Rendered(text, InlineKeyboardMarkup([[button]]))


@renderer(REJECTED_TEMPLATE)
async def rejected_message(t: Translator, db: Database, params: dict) -> Rendered:
    what = t.gettext("outflow") if params["direction"] == Direction.OUTFLOW else t.gettext("inflow")
    return Rendered(
        t.gettext(
            "Your {what} registration was not approved. The secretary's reason: {reason}",
            what=what,
            reason=params["reason"],
        )
    )


def certificate_card(context: BotContext) -> CertificateCard:
    """The certificate drawn for its holder, in the holder's language."""

    async def draw(
        registration: Registration, certificate: Certificate, branch_name: str
    ) -> tuple[str, bytes | None]:
        assert registration.person_telegram_id is not None
        mt = await tr_for(context, registration.person_telegram_id)
        return await certificate_message(context, mt, certificate, branch_name)

    return draw
