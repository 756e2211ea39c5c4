"""How development's queued messages read when they are sent (bot/sender.py), each read
from the database at that moment in the recipient's language: the notice in the group and
to the members, an opinion to a secretary, a step or an outcome to the person, the 考察
reminder to a 培养联系人. A notice whose person has left reads as withdrawn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.sender import Rendered, renderer
from domain.development import files, notices
from domain.i18n import N_, Translator
from handlers.development.buttons import OpenFile, Opinion
from handlers.development.views import OUTCOMES, notice_text, stage_name, step_label
from handlers.flow_kit import text_renderer
from storage.db import Database

WITHDRAWN = N_("This public notice has been withdrawn.")


async def _notice(
    t: Translator, db: Database, params: dict, opinion: Callable[[int, str], InlineKeyboardButton]
) -> Rendered:
    """The notice as it reads now, with its button to send an opinion (`opinion(notice id,
    label)`); withdrawn once it is, or once its file is closed."""
    notice = await notices.info(db, params.get("notice", 0))
    found = await files.load(db, notice.file_id) if notice else None
    if notice is None or found is None or found.closed or notice.outcome == "withdrawn":
        return Rendered(t.gettext(WITHDRAWN))
    text = notice_text(
        t, notice.name, notice.stage, notice.starts_on, notice.ends_on, notice.contact
    )
    button = opinion(notice.id, t.gettext("💬 Send an opinion privately"))
    return Rendered(text, InlineKeyboardMarkup([[button]]))


@renderer(notices.GROUP_TEMPLATE)
async def in_group(t: Translator, db: Database, params: dict) -> Rendered:
    """No callback button in a group (handlers/gate.py): a link to the private chat."""

    def link(notice_id: int, label: str) -> InlineKeyboardButton:
        url = f"https://t.me/{params['bot']}?start={notices.LINK_PREFIX}{notice_id}"
        return InlineKeyboardButton(label, url=url)

    return await _notice(t, db, params, link)


@renderer(notices.MEMBER_TEMPLATE)
async def to_member(t: Translator, db: Database, params: dict) -> Rendered:
    return await _notice(t, db, params, lambda notice_id, label: Opinion(notice_id).button(label))


@renderer(notices.OPINION_TEMPLATE)
async def opinion(t: Translator, db: Database, params: dict) -> Rendered:
    """To a secretary only: the sender's name and the text."""
    found = await notices.opinion(db, params.get("opinion", 0))
    notice = await notices.info(db, params.get("notice", 0))
    if found is None or notice is None:
        return Rendered(t.gettext(WITHDRAWN))
    return Rendered(
        t.gettext(
            "💬 An opinion on the public notice of {name} ({stage}), from {sender} (for the "
            "secretaries only):\n{text}",
            name=notice.name,
            stage=stage_name(t, notice.stage),
            sender=found["sender"] or "—",
            text=found["text"],
        )
    )


text_renderer(
    files.STEP_TEMPLATE,
    N_("Your membership file: “{step}” has been recorded. Send /develop to see what comes next."),
    step=step_label,
)


@renderer(notices.OUTCOME_TEMPLATE)
async def outcome(t: Translator, db: Database, params: dict) -> Rendered:
    notice = await notices.info(db, params.get("notice", 0))
    if notice is None or notice.outcome is None:
        return Rendered(t.gettext(WITHDRAWN))
    return Rendered(
        t.gettext(
            "The public notice on your membership ({stage}) has ended: {outcome}. Send "
            "/develop to see what comes next.",
            stage=stage_name(t, notice.stage),
            outcome=t.gettext(OUTCOMES[notice.outcome]),
        )
    )


@renderer(files.REVIEW_TEMPLATE)
async def review_due(t: Translator, db: Database, params: dict) -> Rendered:
    found = await files.load(db, params.get("file", 0))
    if found is None or found.closed:
        return Rendered(t.gettext("A membership file you followed has been closed."))
    return Rendered(
        t.gettext(
            "📝 The half-yearly assessment note (考察) on {name} is due by {day}. You are "
            "their contact for cultivation; write it from the file.",
            name=found.name,
            day=t.date(date.fromisoformat(params["due"])),
        ),
        InlineKeyboardMarkup([[OpenFile(found.id).button(t.gettext("Open the file"))]]),
    )
