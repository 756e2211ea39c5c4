"""The secretary moves the branch's year on a stage (after confirming), or back one with
a reason for the record."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler as Conv

from bot.context import BotContext
from domain import posts as rules
from domain.errors import DomainError, InvalidInput
from domain.post_models import Stage, next_stage, previous_stage
from handlers.common import answer_and_drop, answer_query, drop_buttons, my_today, tr, who
from handlers.conversation import on_press
from handlers.posts import buttons as press
from handlers.posts.secretary import Secretary, acting, reply, secretary_of, secretary_screen
from handlers.posts.steps import ADMIN_DRAFT, Step
from handlers.posts.views import keyboard, post_error, refuse_error, stage_name


@secretary_screen
async def show_stage(update: Update, context: BotContext, secretary: Secretary) -> None:
    t = secretary.t
    board = await rules.board(context.db, secretary.branch_id, secretary.today)
    stage = board.cycle.stage
    ahead, behind = next_stage(stage), previous_stage(stage)
    ahead_name = (
        stage_name(t, ahead) if ahead else t.gettext("survey of {year}", year=board.cycle.year + 1)
    )
    rows = [
        [
            press.Forward(stage).button(
                t.pgettext("button", "➡️ Forward to: {stage}").format(stage=ahead_name)
            )
        ]
    ]
    if behind is not None:
        rows.append(
            [
                press.Back(stage).button(
                    t.pgettext("button", "⬅️ Back to: {stage}").format(stage=stage_name(t, behind))
                )
            ]
        )
    await reply(
        update,
        t.gettext(
            "Year {year}, current stage: {stage}.",
            year=board.cycle.year,
            stage=stage_name(t, stage),
        ),
        reply_markup=keyboard(rows),
    )


async def ask_forward(update: Update, context: BotContext) -> None:
    secretary = await secretary_of(update, context, answer=False)
    if secretary is None:
        return
    t, seen = secretary.t, press.Forward.of(update).seen
    await answer_query(update.callback_query)
    await reply(
        update,
        t.gettext(
            "Move on from “{stage}”? Members will be able to do only what the next stage allows.",
            stage=stage_name(t, seen),
        ),
        reply_markup=keyboard(
            [[press.ForwardConfirmed(seen).button(t.pgettext("button", "✅ Confirm"))]]
        ),
    )


@on_press()
async def forward(update: Update, context: BotContext, query) -> None:
    secretary = await secretary_of(update, context, answer=False)
    if secretary is None:
        return
    t, seen = secretary.t, press.ForwardConfirmed.of(update).seen
    try:
        moved = await rules.advance(
            context.db, secretary.me, secretary.branch_id, seen, secretary.today
        )
    except DomainError as exc:
        await refuse_error(update, t, exc)
        await drop_buttons(query)
        return
    await answer_and_drop(query)
    await reply(
        update,
        t.gettext(
            "The stage is now: {stage} ({year}).",
            stage=stage_name(t, moved.after.stage),
            year=moved.after.year,
        ),
    )


async def ask_back_reason(update: Update, context: BotContext) -> str | int:
    secretary = await secretary_of(update, context)
    if secretary is None:
        return Conv.END
    context.user_data[ADMIN_DRAFT] = {"seen": str(press.Back.of(update).seen)}
    await reply(
        update, secretary.t.gettext("Why go back a stage? The reason is kept in the record.")
    )
    return Step.BACK_REASON


async def back_with_reason(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    me = await who(update, context)
    draft = context.user_data.get(ADMIN_DRAFT) or {}
    try:
        moved = await rules.go_back(
            context.db,
            me,
            acting(context, me) or 0,
            Stage(draft["seen"]),
            update.effective_message.text,
            await my_today(update, context),
        )
    except DomainError as exc:
        await reply(update, post_error(t, exc))
        return Step.BACK_REASON if isinstance(exc, InvalidInput) else Conv.END
    context.user_data.pop(ADMIN_DRAFT, None)
    await reply(
        update, t.gettext("The stage is back at: {stage}.", stage=stage_name(t, moved.after.stage))
    )
    return Conv.END
