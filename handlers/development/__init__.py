"""Member development (发展党员) in the chat, wired in one place: `browsing` (/develop, a
file, the 培养联系人, a notice's outcome and opinions), `steps` (the conversation of a
file's days, notes and votes), `notice_flow` (starting a public notice, sending an
opinion), `messages` (what the outbox sends), `views` (texts), `buttons`. The rules are in
domain/development/."""

from __future__ import annotations

from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from domain.development.notices import LINK_PREFIX
from handlers.development import browsing, messages, notice_flow, steps
from handlers.development import buttons as press
from handlers.development.steps import DevStep
from handlers.flow_kit import TYPED
from handlers.flow_kit import conversation as conversation_of

__all__ = ["conversation", "handlers", "messages"]


def conversation() -> ConversationHandler:
    return conversation_of(
        "development",
        [
            press.NewApplicant.handler(steps.new_applicant),
            press.StartActivist.handler(steps.start_activist),
            press.RecordStep.handler(steps.record_step),
            press.WriteReview.handler(steps.write_review),
            press.StartNotice.handler(notice_flow.start),
            press.Opinion.handler(notice_flow.opinion_pressed),
            CommandHandler(
                "start",
                notice_flow.opinion_link,
                filters.Regex(rf"^/start {LINK_PREFIX}\d{{1,12}}$"),
            ),
        ],
        {
            DevStep.NAME: [MessageHandler(TYPED, steps.got_name)],
            DevStep.DAY: [MessageHandler(TYPED, steps.got_day)],
            DevStep.DETAIL: [MessageHandler(TYPED, steps.got_detail)],
            DevStep.REVIEW: [MessageHandler(TYPED, steps.got_review)],
            DevStep.PERIOD: [
                press.NoticeDays.handler(notice_flow.days_chosen),
                MessageHandler(TYPED, notice_flow.end_typed),
            ],
            DevStep.CONTACT: [
                press.UseContact.handler(notice_flow.contact_chosen),
                MessageHandler(TYPED, notice_flow.contact_typed),
            ],
            DevStep.CONFIRM: [press.Publish.handler(notice_flow.publish)],
            DevStep.OPINION: [MessageHandler(TYPED, notice_flow.opinion_typed)],
        },
        steps.DRAFT,
        stale=(press.NoticeDays, press.UseContact, press.Publish),
    )


def handlers() -> list:
    return [
        CommandHandler("develop", browsing.develop),
        press.OpenFile.handler(browsing.open_file),
        press.NewFile.handler(browsing.new_file),
        press.Introducers.handler(browsing.introducers),
        press.ToggleIntroducer.handler(browsing.toggle_introducer),
        press.CloseNotice.handler(browsing.close_notice),
        press.ShowOpinions.handler(browsing.show_opinions),
    ]
