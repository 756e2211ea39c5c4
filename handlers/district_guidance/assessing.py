"""The year-end "五个好" assessment in the chat: /assess for the district (a branch, a
grade per criterion beside the bot's figures, a comment, review); /assessment for the
branch's secretaries and patrons (their own branch's result) and the district; the
county's table (/assessment_export)."""

from __future__ import annotations

import dataclasses
from enum import StrEnum

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from domain import assessment
from domain.access import Actor, Audience
from domain.assessment.labels import GRADE_LABELS
from domain.assessment.models import CRITERIA, GRADES, Criterion, Grade
from domain.errors import DomainError, NotAllowed
from domain.i18n import N_
from domain.models import Role
from handlers.buttons import Button
from handlers.common import answer_and_drop, error_text, my_today, tr, who
from handlers.console import send_file
from handlers.conversation import answer_stale, on_press, review_keyboard
from handlers.district_guidance.choosing import branch_pick, picked_branch, which_branch
from handlers.district_guidance.texts import (
    assessment_text,
    criterion_label,
    figure_lines,
    grade_lines,
)
from handlers.flow_kit import TYPED, review_buttons, start_over, submit_fields, typed_step
from handlers.flow_kit import conversation as draft_conversation

DRAFT = "assessment_draft"


class Step(StrEnum):
    """The steps of /assess. The values are persisted (ptb_conversations): keep them."""

    BRANCH = "assess.branch"
    GRADE = "assess.grade"
    COMMENT = "assess.comment"
    REVIEW = "assess.review"


AssessBranch = branch_pick("assess")


class GiveGrade(Button, prefix="assess:grade", audience=Audience.DISTRICT):
    criterion: Criterion
    grade: Grade


SubmitAssessment, RedoAssessment = review_buttons("assess", Audience.DISTRICT)


def assessment_year(today) -> int:
    """The year being assessed: this one from November, the one before until then."""
    return today.year if today.month >= 11 else today.year - 1


async def start(update: Update, context: BotContext) -> Step | int:
    t = await tr(update, context)
    year = assessment_year(await my_today(update, context))

    async def assessed(me: Actor) -> set[int]:
        return {a.branch_id for a in await assessment.results_for_district(context.db, me, year)}

    question = t.gettext("Year-end assessment {year}: which branch?", year=year)
    if not await which_branch(update, context, t, question, AssessBranch, assessed):
        return ConversationHandler.END
    return Step.BRANCH


async def _ask_grade(update: Update, context: BotContext) -> Step:
    t = await tr(update, context)
    draft = context.user_data[DRAFT]
    criterion = next(c for c in CRITERIA if str(c) not in draft["grades"])
    rows = [[GiveGrade(criterion, g).button(t.gettext(GRADE_LABELS[g])) for g in GRADES]]
    await update.effective_message.reply_text(
        t.gettext(
            "{n}/5 {criterion}: which grade?",
            n=CRITERIA.index(criterion) + 1,
            criterion=criterion_label(t, criterion),
        ),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return Step.GRADE


@on_press()
async def pick_branch(update: Update, context: BotContext, t, me) -> Step | int:
    year = assessment_year(await my_today(update, context))
    picked = await picked_branch(update, context, t, me, AssessBranch, year)
    if picked is None:
        return Step.BRANCH
    branch, targets = picked
    branch_id = branch.id
    figures = await assessment.year_figures(context.db, branch_id, year)
    lines = [t.gettext("{branch}, the bot's figures of {year}:", branch=branch.name, year=year)]
    lines += figure_lines(t, figures)
    if targets and targets.targets:
        lines.append(t.gettext("Creation targets: {targets}", targets=targets.targets))
    context.user_data[DRAFT] = {
        "branch_id": branch_id,
        "branch": branch.name,
        "year": year,
        "grades": {},
    }
    await update.effective_message.reply_text("\n".join(lines))
    return await _ask_grade(update, context)


@on_press()
async def give_grade(update: Update, context: BotContext, t) -> Step:
    draft = context.user_data.get(DRAFT)
    pressed = GiveGrade.of(update)
    if draft is None or str(pressed.criterion) in draft["grades"]:
        await answer_stale(update.callback_query, t)
        return Step.GRADE
    await answer_and_drop(update.callback_query)
    draft["grades"][str(pressed.criterion)] = str(pressed.grade)
    if len(draft["grades"]) < len(CRITERIA):
        return await _ask_grade(update, context)
    await update.effective_message.reply_text(
        t.gettext("Please write the district's comment on the branch's year.")
    )
    return Step.COMMENT


@typed_step(DRAFT, "comment", assessment.assessing.comment_text)
async def comment(update: Update, context: BotContext, t) -> Step:
    draft = context.user_data[DRAFT]
    lines = [t.gettext("Please check the assessment of {branch}:", branch=draft["branch"])]
    lines += grade_lines(t, draft["grades"])
    lines.append(t.gettext("Comment: {comment}", comment=draft["comment"]))
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=review_keyboard(t, SubmitAssessment(), RedoAssessment())
    )
    return Step.REVIEW


SAVED = N_("Saved. The secretaries and the patron of {branch} are told of the result.")
submit = submit_fields(DRAFT, SAVED, assessment.assess, "branch_id", "year", "grades", "comment")


async def redo(update: Update, context: BotContext) -> Step:
    await answer_and_drop(update.callback_query)
    start_over(context, DRAFT, "branch_id", "branch", "year")["grades"] = {}
    return await _ask_grade(update, context)


async def show_result(update: Update, context: BotContext) -> None:
    """The secretary's and the patron's own branch; the district's branches at a glance."""
    t = await tr(update, context)
    me = await who(update, context)
    year = assessment_year(await my_today(update, context))
    own = sorted(set(me.branches_where(Role.SECRETARY)) | set(me.branches_where(Role.PATRON)))
    lines = []
    for branch_id in own:
        found = await assessment.result_for(context.db, me, branch_id, year)
        if found is None:
            lines.append(t.gettext("Your branch has not been assessed for {year} yet.", year=year))
        else:
            lines.append(
                assessment_text(
                    t,
                    found.branch_name,
                    year,
                    {str(c): str(g) for c, g in found.grades.items()},
                    found.comment,
                    dataclasses.asdict(found.figures),
                )
            )
    if me.districts_where(Role.DISTRICT):
        results = await assessment.results_for_district(context.db, me, year)
        done = {a.branch_id for a in results}
        branches = await assessment.district_branches(context.db, me)
        lines.append(
            t.gettext(
                "Year-end assessment {year}: {done} of {total} branches assessed.",
                year=year,
                done=len(done),
                total=len(branches),
            )
        )
    if not lines:
        lines.append(error_text(t, NotAllowed("not_allowed")))
    await update.effective_message.reply_text("\n\n".join(lines))


async def export(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    year = assessment_year(await my_today(update, context))
    try:
        content = await assessment.county_table(context.db, await who(update, context), year)
    except DomainError as exc:
        await update.effective_message.reply_text(error_text(t, exc))
        return
    await send_file(
        update,
        content,
        f"assessment-{year}.xlsx",
        t.gettext("The year-end assessment {year} of every branch.", year=year),
    )


def conversation() -> ConversationHandler:
    return draft_conversation(
        "assess",
        [CommandHandler("assess", start)],
        {
            Step.BRANCH: [AssessBranch.handler(pick_branch)],
            Step.GRADE: [GiveGrade.handler(give_grade)],
            Step.COMMENT: [MessageHandler(TYPED, comment)],
            Step.REVIEW: [SubmitAssessment.handler(submit), RedoAssessment.handler(redo)],
        },
        DRAFT,
        stray=filters.UpdateType.MESSAGE & ~filters.COMMAND,
    )


def handlers() -> list:
    return [
        CommandHandler("assessment", show_result),
        CommandHandler("assessment_export", export),
    ]
