"""/appraisal, the democratic appraisal of members (民主评议党员), wired in one place.

A participant's side is `member` (the summary, the secret ballot, their own grade); the
secretary's `secretary` (opening, stages, participants) and `deciding` (final grades,
disposals, follow-ups, the round's file). `buttons` declares every button, `steps` the
conversation's steps, `views` how the appraisal reads, `notices` its queued messages.
Every action is checked again in `domain.appraisal`.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from domain.errors import DomainError
from domain.models import Role
from handlers.appraisal import buttons as press
from handlers.appraisal import (
    deciding,
    member,
    notices,  # noqa: F401 - registers the renderer of the deadline reminder
    secretary,
)
from handlers.appraisal.steps import BALLOT, DECISION, SUMMARY, Step
from handlers.branch_choice import branch_command, branch_or_ask
from handlers.common import error_text, tr, who
from handlers.flow_kit import TYPED, typed_or
from handlers.flow_kit import conversation as conversation_of


async def show_appraisal(update: Update, context: BotContext) -> int:
    """/appraisal: the secretary's round, and (for a member) their own part in it."""
    t = await tr(update, context)
    me = await who(update, context)
    shown = False
    if me.has(Role.SECRETARY):
        try:
            branch_id = await branch_or_ask(update, context, me, "appraisal")
        except DomainError as exc:
            await update.effective_message.reply_text(error_text(t, exc))
            return ConversationHandler.END
        if branch_id is None:
            return ConversationHandler.END  # asked which branch; the press comes back here
        await secretary.show_secretary(update, context, t, branch_id)
        shown = True
    if me.member:
        shown = await member.show_member(update, context, t) or shown
        if not shown:
            await update.effective_message.reply_text(
                t.gettext("No democratic appraisal is under way for you.")
            )
        return ConversationHandler.END
    if not shown:
        await update.effective_message.reply_text(error_text(t, DomainError("not_allowed")))
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    return conversation_of(
        "appraisal",
        [
            *branch_command("appraisal", show_appraisal),
            press.WriteSummary.handler(member.ask_summary),
            press.StartBallot.handler(member.start_ballot),
            press.SetGrade.handler(deciding.ask_note),
            press.Dispose.handler(deciding.ask_disposal),
            press.FollowUp.handler(deciding.ask_follow_up),
        ],
        {
            Step.SUMMARY: [
                MessageHandler(TYPED | filters.Document.ALL, member.summary_sent),
            ],
            Step.GRADE: [press.Rate.handler(member.rated)],
            Step.COMMENT: typed_or(member.commented, press.NoComment),
            Step.REVIEW: [
                press.CastBallot.handler(member.cast),
                press.RestartBallot.handler(member.restart),
            ],
            Step.GRADE_NOTE: typed_or(deciding.save_grade, press.NoNote),
            Step.DEADLINE: [MessageHandler(TYPED, deciding.deadline_typed)],
            Step.FOLLOW_UP: [MessageHandler(TYPED, deciding.follow_up_typed)],
        },
        BALLOT,
        DECISION,
        SUMMARY,
        stray=~filters.COMMAND,
    )


def handlers() -> list:
    """The buttons that need no conversation; after `conversation()`."""
    return [
        press.OpenRound.handler(secretary.ask_open),
        press.OpenConfirmed.handler(secretary.open_round),
        press.Forward.handler(secretary.ask_forward),
        press.ForwardConfirmed.handler(secretary.forward),
        press.People.handler(secretary.people),
        press.Someone.handler(secretary.someone),
        press.DisposeConfirmed.handler(deciding.confirm_disposal),
        press.Export.handler(deciding.export),
    ]
