"""/hours: log activity hours, see one's own totals and history; the secretary decides.

A member sees only their own figures; there is no ranking anywhere (a 2023 national rule
against formalism in apps discourages it). By what a person does: `menu` (/hours),
`logging` (a member logs hours), `my_hours` (their totals, history, edits, withdrawals),
`deciding` (a secretary approves, rejects, corrects), `register` (the branch's quarter),
`settings` (the branch's window and counting); `buttons` declares every button, `states`
the conversation's steps, `views` how hours are shown (events, /pending and the exports
show them the same way). The wiring is below.
"""

from __future__ import annotations

from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from domain.i18n import N_
from handlers.branch_choice import branch_command
from handlers.common import add_errors
from handlers.conversation import cancel_with, unexpected
from handlers.flow_kit import TYPED, typed_or
from handlers.hours import buttons as b
from handlers.hours.deciding import (
    approve,
    got_correction,
    got_reason,
    show_pending,
    start_decision,
)
from handlers.hours.logging import (
    got_amount,
    got_day_button,
    got_day_text,
    got_description,
    got_kind,
    got_photo,
    skip_photo,
    start_log,
    submit,
)
from handlers.hours.menu import show_menu
from handlers.hours.my_hours import got_edit_amount, show_history, show_totals, start_edit, withdraw
from handlers.hours.register import show_branch
from handlers.hours.settings import choose_counting, choose_window
from handlers.hours.states import DRAFT, State
from handlers.hours.views import (
    COUNTING_LABELS,
    chunks,
    kind_keyboard,
    kind_name,
    show,
)

__all__ = [
    "COUNTING_LABELS",
    "State",
    "chunks",
    "conversation",
    "handlers",
    "kind_keyboard",
    "kind_name",
    "show",
]

add_errors(
    {
        "members_only": N_("Only registered members of a branch can do that."),
        "hours_day_full": N_(
            "A day has only 24 hours: at most {left} more hours fit on that day. Nothing was saved."
        ),
        "post_duty_via_posts": N_(
            "Hours on a responsibility post are recorded with the duty itself: send /posts and "
            "choose “📒 Record duty”. Please choose another type here."
        ),
        "date_in_future": N_(
            "That date is in the future; only activities already done can be logged."
        ),
        "date_too_old": N_(
            "That date is more than {days} days ago and can no longer be logged. Please ask your secretary."
        ),
        "description_empty": N_("Please describe briefly what you did."),
        "description_too_long": N_("Please keep the description within {max} characters."),
        "reason_empty": N_("Please type a reason."),
        "reason_too_long": N_("Please keep the reason within {max} characters."),
        "hours_unknown": N_("That record does not exist."),
        "hours_decided": N_("This record has already been decided. Nothing was changed."),
        "window_invalid": N_("Please choose one of the offered numbers of days."),
        "hours_from_event": N_(
            "Hours from an event are decided by the secretary. Nothing was changed."
        ),
        "hours_own": N_(
            "You cannot verify your own hours: another secretary of the branch must. "
            "Nothing was changed."
        ),
        "hours_own_no_other": N_(
            "You cannot verify your own hours, and the branch has no other secretary to do "
            "it. Please ask for a second secretary. Nothing was changed."
        ),
        "hours_not_pending": N_(
            "That record has already been decided or withdrawn, so it cannot be changed."
        ),
    }
)

cancel = cancel_with(DRAFT)


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            b.LogHours.handler(start_log),
            b.Edit.handler(start_edit),
            b.Reject.handler(start_decision),
            b.Correct.handler(start_decision),
        ],
        states={
            State.KIND: [b.Kind.handler(got_kind)],
            State.DAY: [b.Day.handler(got_day_button)],
            State.DAY_TYPED: [MessageHandler(TYPED, got_day_text)],
            State.AMOUNT: typed_or(got_amount, b.Amount),
            State.DESCRIBE: [MessageHandler(TYPED, got_description)],
            State.PHOTO: [MessageHandler(filters.PHOTO, got_photo), b.NoPhoto.handler(skip_photo)],
            State.CONFIRM: [b.Submit.handler(submit), b.Cancel.handler(cancel)],
            State.EDIT_AMOUNT: typed_or(got_edit_amount, b.EditAmount),
            State.REASON: [MessageHandler(TYPED, got_reason)],
            State.CORRECT_AMOUNT: typed_or(got_correction, b.CorrectAmount),
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, unexpected),
            # A button of another step of the logging, pressed out of turn.
            *(
                codec.handler(unexpected)
                for codec in (b.Kind, b.Day, b.NoPhoto, b.Submit, b.Cancel)
            ),
        ],
        allow_reentry=True,
        name="hours",
        persistent=True,
    )


def handlers() -> list:
    return [
        *branch_command("hours", show_menu),
        b.MyTotals.handler(show_totals),
        b.MyHistory.handler(show_history),
        b.ToApprove.handler(show_pending),
        b.Register.handler(show_branch),
        b.Window.handler(choose_window),
        b.Count.handler(choose_counting),
        b.Withdraw.handler(withdraw),
        b.Approve.handler(approve),
    ]
