"""/posts: the board a member (or the secretary) sees, the duties of every post, and a
member claiming a post, joining its waiting list or withdrawing."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from domain import posts as rules
from domain.errors import DomainError, NotFound
from domain.i18n import Translator
from domain.models import Role
from domain.post_models import Action, ClaimStatus, Stage, allows
from handlers.branch_choice import branch_or_ask
from handlers.common import (
    answer_query,
    branch_today,
    my_today,
    tr,
    who,
)
from handlers.conversation import on_press
from handlers.in_place import answer_and_replace
from handlers.posts import buttons as press
from handlers.posts.secretary import secretary_rows
from handlers.posts.steps import DRAFT
from handlers.posts.views import (
    board_text,
    keyboard,
    my_lines,
    post_buttons,
    post_duties,
    post_name,
    refuse_error,
    result_lines,
)


async def my_board(update: Update, context: BotContext) -> rules.Board:
    """The sender's branch board (DomainError when they are no member)."""
    return await rules.member_board(
        context.db, await who(update, context), await my_today(update, context)
    )


async def _board(
    update: Update, context: BotContext, t: Translator, *, answer: bool = False
) -> rules.Board | None:
    """The sender's branch board, or None after telling them why there is none; `answer`
    answers the pressed button when there is a board."""
    try:
        board = await my_board(update, context)
    except DomainError as exc:
        await refuse_error(update, t, exc)
        return None
    if answer:
        await answer_query(update.callback_query)
    return board


def member_keyboard(t: Translator, board: rules.Board, secretary: bool, *, member: bool = True):
    """A member's buttons, then a secretary's; a secretary the roster lacks has only theirs."""
    stage = board.cycle.stage
    rows = [
        [press.Survey().button(t.pgettext("button", "📝 Answer the survey"))]
        if stage is Stage.SURVEY
        else [],
        [press.ToClaim().button(t.pgettext("button", "🙋 Claim a post"))]
        if stage is Stage.APPLY
        else [],
        [
            press.RecordDuty().button(t.pgettext("button", "📒 Record duty")),
            press.ResidentRequest().button(t.pgettext("button", "🗣 Resident's request")),
        ]
        if stage is Stage.PERFORM
        else [],
        [
            press.Duties().button(t.pgettext("button", "📋 Posts and duties")),
            press.Mine().button(t.pgettext("button", "👤 My posts")),
        ],
    ]
    if not member:
        rows = []
    if secretary:
        rows += secretary_rows(t, stage)
    return keyboard(rows)


async def show_board(update: Update, context: BotContext) -> int:
    t = await tr(update, context)
    me = await who(update, context)
    context.user_data.pop(DRAFT, None)
    try:
        managed = await branch_or_ask(update, context, me, "posts") if me.is_secretary else None
        if me.is_secretary and managed is None:
            return ConversationHandler.END  # asked which branch; the press shows its board
        if managed is None or (me.member and managed == me.person.branch_id):
            board = await rules.member_board(context.db, me, await my_today(update, context))
        else:
            board = await rules.secretary_board(
                context.db, me, managed, await branch_today(context, managed)
            )
    except DomainError as exc:
        await refuse_error(update, t, exc)
        return ConversationHandler.END
    text = board_text(t, board)
    member = me.member and board.cycle.branch_id == me.person.branch_id
    if member:
        text += "\n\n" + "\n".join(my_lines(t, board))
    secretary = me.has(Role.SECRETARY, board.cycle.branch_id)
    await update.effective_message.reply_text(
        text, reply_markup=member_keyboard(t, board, secretary, member=member)
    )
    return ConversationHandler.END


async def show_duties(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    board = await _board(update, context, t, answer=True)
    if board is None:
        return
    parts = [f"【{post_name(t, v.post)}】{post_duties(t, v.post)}" for v in board.posts]
    await update.effective_message.reply_text("\n\n".join(parts))


async def list_to_claim(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    board = await _board(update, context, t, answer=True)
    if board is None:
        return
    await update.effective_message.reply_text(
        t.gettext("Which post? You will see its duties before you claim it."),
        reply_markup=keyboard(post_buttons(t, [v.post for v in board.posts], press.View)),
    )


@on_press()
async def view_post(update: Update, context: BotContext, t) -> None:
    board = await _board(update, context, t)
    if board is None:
        return
    view = board.view(press.View.of(update).post_id)
    if view is None:
        await refuse_error(update, t, NotFound("post_unknown"))
        return
    await answer_query(update.callback_query)
    full = view.taken >= view.post.capacity
    lines = [
        f"【{post_name(t, view.post)}】",
        post_duties(t, view.post),
        t.gettext(
            "Places: {taken} of {capacity} taken", taken=view.taken, capacity=view.post.capacity
        ),
    ]
    rows = [[claim_button(t, view.post.id, full=full)]] if board.cycle.stage is Stage.APPLY else []
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard(rows))


def claim_button(t: Translator, post_id: int, *, full: bool):
    """A full post offers its waiting list instead of a place."""
    if full:
        return press.JoinWaitingList(post_id).button(
            t.pgettext("button", "⏳ Join the waiting list")
        )
    return press.Claim(post_id).button(t.pgettext("button", "🙋 Claim this post"))


async def claim(update: Update, context: BotContext) -> None:
    await _claim(update, context, press.Claim.of(update).post_id, waiting=False)


async def join_waiting_list(update: Update, context: BotContext) -> None:
    await _claim(update, context, press.JoinWaitingList.of(update).post_id, waiting=True)


async def _claim(update: Update, context: BotContext, post_id: int, *, waiting: bool) -> None:
    query = update.callback_query
    t = await tr(update, context)
    action = rules.join_waiting_list if waiting else rules.claim
    try:
        result = await action(
            context.db, await who(update, context), post_id, await my_today(update, context)
        )
    except DomainError as exc:
        if exc.code == "post_full":
            await answer_and_replace(query)
            await update.effective_message.reply_text(
                t.gettext(
                    "Sorry, the last place has just been taken. You can join the waiting list: you get the next free place."
                ),
                reply_markup=keyboard([[claim_button(t, post_id, full=True)]]),
            )
            return
        await refuse_error(update, t, exc)
        return
    await answer_and_replace(query)
    name = post_name(t, result.post)
    if waiting:
        await update.effective_message.reply_text(
            t.gettext(
                "You are on the waiting list of {post}. I will tell you when a place frees up.",
                post=name,
            )
        )
        return
    await update.effective_message.reply_text(
        t.gettext("You claimed {post}. The secretary will confirm it.", post=name)
    )


@on_press()
async def my_posts(update: Update, context: BotContext, t, me) -> None:
    try:
        board = await rules.member_board(context.db, me, await my_today(update, context))
        results = await rules.my_results(context.db, me, await my_today(update, context))
    except DomainError as exc:
        await refuse_error(update, t, exc)
        return
    await answer_query(update.callback_query)
    lines = my_lines(t, board) + result_lines(t, results)
    by_id = {v.post.id: v.post for v in board.posts}
    rows = [
        [
            press.Withdraw(c.id).button(
                t.pgettext("button", "↩️ Withdraw: {post}").format(
                    post=post_name(t, by_id[c.post_id])
                )
            )
        ]
        for c in board.mine
        if c.post_id in by_id
        and (
            c.status is ClaimStatus.WAITING
            or (c.status is not ClaimStatus.LEAVING and allows(board.cycle.stage, Action.WITHDRAW))
        )
    ]
    await update.effective_message.reply_text("\n".join(lines), reply_markup=keyboard(rows))


@on_press()
async def withdraw(update: Update, context: BotContext, query, t) -> None:
    try:
        result = await rules.withdraw(
            context.db,
            await who(update, context),
            press.Withdraw.of(update).claim_id,
            await my_today(update, context),
        )
    except DomainError as exc:
        await refuse_error(update, t, exc)
        return
    await answer_and_replace(query)
    name = post_name(t, result.post)
    if result.claim.status is ClaimStatus.WITHDRAWN:
        await update.effective_message.reply_text(t.gettext("Withdrawn from {post}.", post=name))
    else:
        await update.effective_message.reply_text(
            t.gettext(
                "You asked to withdraw from {post}. The secretary has to agree; until then you still hold it.",
                post=name,
            )
        )
