"""Member development (发展党员) in the chat, wired in one place: `browsing` (/develop, a
file, the 培养联系人, a notice's outcome and opinions), `steps` (the conversation of a
file's days, notes and votes), `notice_flow` (starting a public notice, sending an
opinion), `messages` (what the outbox sends), `views` (texts), `buttons`. The rules are in
domain/development/."""

from __future__ import annotations

from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from domain.development.notices import LINK_PREFIX
from handlers.development import browsing, messages, notice_flow, steps
from handlers.development.buttons import (
    CloseNotice,
    Introducers,
    NewApplicant,
    NewFile,
    NoticeDays,
    OpenFile,
    Opinion,
    Publish,
    RecordStep,
    ShowOpinions,
    StartActivist,
    StartNotice,
    ToggleIntroducer,
    UseContact,
    WriteReview,
)
from handlers.development.steps import DevStep
from handlers.flow_kit import conversation as conversation_of

__all__ = ["conversation", "handlers", "messages"]

_TEXT = filters.TEXT & ~filters.COMMAND


def conversation() -> ConversationHandler:
    return conversation_of(
        "development",
        [
            NewApplicant.handler(steps.new_applicant),
            StartActivist.handler(steps.start_activist),
            RecordStep.handler(steps.record_step),
            WriteReview.handler(steps.write_review),
            StartNotice.handler(notice_flow.start),
            Opinion.handler(notice_flow.opinion_pressed),
            CommandHandler(
                "start",
                notice_flow.opinion_link,
                filters.Regex(rf"^/start {LINK_PREFIX}\d{{1,12}}$"),
            ),
        ],
        {
            DevStep.NAME: [MessageHandler(_TEXT, steps.got_name)],
            DevStep.DAY: [MessageHandler(_TEXT, steps.got_day)],
            DevStep.DETAIL: [MessageHandler(_TEXT, steps.got_detail)],
            DevStep.REVIEW: [MessageHandler(_TEXT, steps.got_review)],
            DevStep.PERIOD: [
                NoticeDays.handler(notice_flow.days_chosen),
                MessageHandler(_TEXT, notice_flow.end_typed),
            ],
            DevStep.CONTACT: [
                UseContact.handler(notice_flow.contact_chosen),
                MessageHandler(_TEXT, notice_flow.contact_typed),
            ],
            DevStep.CONFIRM: [Publish.handler(notice_flow.publish)],
            DevStep.OPINION: [MessageHandler(_TEXT, notice_flow.opinion_typed)],
        },
        steps.DRAFT,
        stale=(NoticeDays, UseContact, Publish),
    )


def handlers() -> list:
    return [
        CommandHandler("develop", browsing.develop),
        OpenFile.handler(browsing.open_file),
        NewFile.handler(browsing.new_file),
        Introducers.handler(browsing.introducers),
        ToggleIntroducer.handler(browsing.toggle_introducer),
        CloseNotice.handler(browsing.close_notice),
        ShowOpinions.handler(browsing.show_opinions),
    ]
