"""The survey (调查摸底) as a member answers it: the posts they would take, when they have
time, and their skills."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain import posts as rules
from domain.errors import Conflict, DomainError
from domain.i18n import Translator
from domain.post_models import Availability, Stage
from handlers.common import answer_and_drop, answer_query, my_today, tr, who
from handlers.conversation import offer_skip, on_press
from handlers.posts import buttons as press
from handlers.posts.board import my_board
from handlers.posts.steps import DRAFT, Step
from handlers.posts.views import (
    AVAILABILITY_NAMES,
    keyboard,
    offered,
    post_error,
    post_name,
    refuse_error,
)


@on_press()
async def start_survey(update: Update, context: BotContext, t) -> str | int:
    try:
        board = await my_board(update, context)
        if board.cycle.stage is not Stage.SURVEY:
            raise Conflict("post_wrong_stage", stage=str(board.cycle.stage))
    except DomainError as exc:
        await refuse_error(update, t, exc)
        return ConversationHandler.END
    await answer_query(update.callback_query)
    context.user_data[DRAFT] = {"chosen": [], "offered": [v.post.id for v in board.posts]}
    await update.effective_message.reply_text(
        t.gettext("Which posts would you be willing to take? Tap to select, then press Done."),
        reply_markup=_survey_keyboard(t, board, []),
    )
    return Step.SURVEY_POSTS


def _survey_keyboard(t: Translator, board: rules.Board, chosen: list[int]):
    cells = [
        press.SurveyToggle(v.post.id).button(
            ("✅ " if v.post.id in chosen else "") + post_name(t, v.post)
        )
        for v in board.posts
    ]
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    return keyboard([*rows, [press.SurveyDone().button(t.pgettext("button", "➡️ Done"))]])


@on_press()
async def toggle_post(update: Update, context: BotContext, query, t) -> str:
    draft = context.user_data.get(DRAFT) or {}
    post_id = press.SurveyToggle.of(update).post_id
    if not await offered(update, t, post_id, draft.get("offered", [])):
        return Step.SURVEY_POSTS
    chosen = draft["chosen"]
    if post_id in chosen:
        chosen.remove(post_id)
    else:
        chosen.append(post_id)
    await answer_query(query)
    await query.edit_message_reply_markup(
        _survey_keyboard(t, await my_board(update, context), chosen)
    )
    return Step.SURVEY_POSTS


@on_press()
async def survey_done(update: Update, context: BotContext, t) -> str:
    await answer_and_drop(update.callback_query)
    rows = [
        [press.SurveyTime(value).button(t.gettext(label))]
        for value, label in AVAILABILITY_NAMES.items()
    ]
    await update.effective_message.reply_text(
        t.gettext("When do you have time for a post?"), reply_markup=keyboard(rows)
    )
    return Step.SURVEY_TIME


@on_press()
async def survey_time(update: Update, context: BotContext, query, t) -> str:
    await answer_and_drop(query)
    context.user_data[DRAFT]["time"] = str(press.SurveyTime.of(update).availability)
    question = t.gettext("What skills or experience could you bring? Write a line, or press Skip.")
    await offer_skip(update, context, t, question, press.SurveySkip())
    return Step.SURVEY_SKILLS


async def survey_skills(update: Update, context: BotContext) -> int | str:
    t = await tr(update, context)
    draft = context.user_data.get(DRAFT) or {}
    skills = update.effective_message.text if update.message else ""
    if update.callback_query:
        await answer_and_drop(update.callback_query)
    try:
        await rules.answer_survey(
            context.db,
            await who(update, context),
            draft.get("chosen", []),
            Availability(draft["time"]),
            skills or "",
            await my_today(update, context),
        )
    except DomainError as exc:
        await update.effective_message.reply_text(post_error(t, exc))
        return ConversationHandler.END
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(
        t.gettext("Thank you, your answer is saved. You can answer again to change it.")
    )
    return ConversationHandler.END
