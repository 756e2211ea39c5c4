"""How the appraisal reads: the names of its stages, grades and disposals, the counts
(or "too few to show"), and its refusals."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from domain.appraisal.models import (
    GRADES,
    MIN_RATERS,
    STAGE_NAMES,
    Counts,
    Disposal,
    Grade,
    Stage,
)
from domain.errors import DomainError
from domain.i18n import N_, Translator
from handlers.common import add_errors, answer_query, error_text

DISPOSAL_NAMES = {
    Disposal.CORRECT: N_("correction within a deadline (限期改正)"),
    Disposal.COUNSEL_OUT: N_("counselled to leave (劝退)"),
    Disposal.REMOVE: N_("removed from the party (除名)"),
}

add_errors(
    {
        "appraisal_no_round": N_("There is no such appraisal round."),
        "appraisal_year": N_("A round can be opened for {last} or {this} only."),
        "appraisal_exists": N_(
            "The appraisal round for {year} is already open. Nothing was changed."
        ),
        "appraisal_wrong_stage": N_(
            "That is not possible in the current stage of the appraisal. Nothing was changed;"
            " send /appraisal to see what the stage allows."
        ),
        "appraisal_stage_changed": N_(
            "The appraisal has moved on in the meantime. Nothing was changed; send /appraisal."
        ),
        "appraisal_not_participant": N_("You do not take part in this appraisal round."),
        "appraisal_self": N_("You cannot rate yourself. Nothing was changed."),
        "appraisal_rated_twice": N_(
            "You have already cast your ratings in this round; a rating cannot be given twice."
            " Nothing was changed."
        ),
        "appraisal_ballot_incomplete": N_(
            "Please rate every other participant before submitting. Nothing was saved."
        ),
        "appraisal_text_empty": N_("Please write something, or send /cancel."),
        "appraisal_text_too_long": N_("That is too long (at most {max} characters)."),
        "appraisal_reason_needed": N_(
            "This grade differs from the majority of the ratings (or too few rated to show one):"
            " please give the reason."
        ),
        "appraisal_not_all_graded": N_(
            "{n} participant(s) have no final grade yet. Please grade everyone first."
        ),
        "appraisal_not_all_disposed": N_(
            "{n} participant(s) graded unqualified have no disposal decided yet."
        ),
        "appraisal_not_unqualified": N_(
            "A disposal is decided only for a member graded unqualified. Nothing was changed."
        ),
        "appraisal_disposed_twice": N_(
            "A disposal was already recorded for this member. Nothing was changed."
        ),
        "appraisal_no_correction": N_(
            "A follow-up is recorded only for a correction within a deadline."
        ),
        "appraisal_deadline_past": N_("The deadline must be after today. Please type it again."),
        "appraisal_deadline_far": N_(
            "The deadline can be at most {days} days from today. Please type it again."
        ),
    }
)


def stage_name(t: Translator, stage: Stage) -> str:
    return t.gettext(STAGE_NAMES[stage])


def grade_name(t: Translator, grade: Grade | None) -> str:
    return t.gettext(grade.label) if grade else "—"


def counts_line(t: Translator, counts: Counts | None) -> str:
    """The votes per grade in the fixed order of the grades (never sorted by votes)."""
    if counts is None or not counts.shown:
        return t.gettext("Ratings: too few to show (fewer than {n} people rated).", n=MIN_RATERS)
    parts = t.join([f"{grade_name(t, g)} {counts.votes.get(g, 0)}" for g in GRADES])
    return t.gettext("Ratings ({n} people): {counts}", n=counts.raters, counts=parts)


def keyboard(rows: list[list]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(rows)


async def reply(update: Update, text: str, **kwargs) -> None:
    await update.effective_message.reply_text(text, **kwargs)


async def refuse(update: Update, t: Translator, error: DomainError) -> None:
    """A refusal answers the press and stays readable in the chat."""
    text = error_text(t, error)
    if update.callback_query is not None:
        await answer_query(update.callback_query, text, alert=True)
    await update.effective_message.reply_text(text)
