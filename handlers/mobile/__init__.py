"""Mobile members (流动党员) in the chat, wired in one place.

The member: `member` (/mobile, the return, the certificate, /verify), `registering` (the
registration's questions and review), `reporting` (the status report). The secretary:
`lists` (/mobile_list), `dossier` (one member's file), `deciding` (every decision),
`messages` (what the outbox sends). Shared: `buttons` (every button), `steps` (the
conversations' persisted steps), `views` (labels and texts), `date_picker`,
`certificate_card` (the PNG). The rules are in domain/mobile/.
"""

from __future__ import annotations

from telegram.ext import CommandHandler, ConversationHandler, MessageHandler

from handlers.conversation import cancel_with
from handlers.flow_kit import TYPED, conversation
from handlers.mobile import deciding, lists, member, registering, reporting
from handlers.mobile.buttons import (
    Approve,
    ApproveChanges,
    Blank,
    CertificateReceived,
    ChangeField,
    Day,
    Edit,
    ListPage,
    Month,
    MovedAway,
    NotKnownYet,
    Open,
    Reason,
    Register,
    Renew,
    Returned,
    ReturnedForGood,
    SendReport,
    ShowCertificate,
    StartReport,
    Submit,
)
from handlers.mobile.member import reply_verification
from handlers.mobile.steps import FIELD_STEP, REPORT_STEP, MemberStep, NoteStep

__all__ = ["conversations", "handlers", "reply_verification"]

# A press of the member's conversation that its current step does not take: stale.
_MEMBER_STEP_BUTTONS = (
    NotKnownYet,
    Reason,
    Day,
    Month,
    Blank,
    Edit,
    Submit,
    ChangeField,
    SendReport,
)


def _member_conversation() -> ConversationHandler:
    states: dict[object, list] = {
        step: registering.field_handlers(field) for field, step in FIELD_STEP.items()
    }
    states |= {
        step: [MessageHandler(TYPED, reporting.answer_of(field))]
        for field, step in REPORT_STEP.items()
    }
    states[MemberStep.REVIEW] = [Edit.handler(registering.edit), Submit.handler(registering.submit)]
    states[MemberStep.CHANGES] = [
        ChangeField.handler(reporting.change_chosen),
        SendReport.handler(reporting.send),
    ]
    states[MemberStep.CHANGE_VALUE] = [MessageHandler(TYPED, reporting.change_typed)]
    return conversation(
        "mobile",
        [Register.handler(registering.begin), StartReport.handler(reporting.begin)],
        states,
        registering.DRAFT,
        reporting.DRAFT,
        stale=_MEMBER_STEP_BUTTONS,
    )


def _note_conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[codec.handler(deciding.ask_note) for codec in deciding.NOTE_BUTTONS.values()],
        states={NoteStep.NOTE: [MessageHandler(TYPED, deciding.got_note)]},
        fallbacks=[CommandHandler("cancel", cancel_with(deciding.DRAFT))],
        allow_reentry=True,
        name="mobile_secretary",
        persistent=True,
    )


def conversations() -> list[ConversationHandler]:
    return [_member_conversation(), _note_conversation()]


def handlers() -> list:
    return [
        CommandHandler("mobile", member.show),
        CommandHandler("verify", member.verify_command),
        member.on_own(Returned, member.ask_return),
        member.on_own(ReturnedForGood, member.confirm_return),
        member.on_own(ShowCertificate, member.show_certificate),
        CommandHandler("mobile_list", lists.overview),
        Open.handler(deciding.open_dossier),
        Approve.handler(deciding.approve),
        Renew.handler(deciding.renew),
        ApproveChanges.handler(deciding.approve_changes),
        MovedAway.handler(deciding.end_inflow),
        CertificateReceived.handler(deciding.confirm_return),
        ListPage.handler(lists.list_page),
    ]
