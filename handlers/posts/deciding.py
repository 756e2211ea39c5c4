"""The secretary decides what members asked: a claim (approve, or reject with a reason)
and a holder's request to withdraw (agree, or keep them on the post)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler as Conv

from bot.context import BotContext
from domain import posts as rules
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_, NP_, Translator
from domain.models import Person
from domain.post_models import ClaimStatus, Post
from handlers.buttons import Button
from handlers.common import answer_and_drop, my_today, tr, who
from handlers.conversation import decision_keyboard
from handlers.posts import buttons as press
from handlers.posts.secretary import (
    Secretary,
    reply,
    secretary_list,
    secretary_of,
)
from handlers.posts.steps import ADMIN_DRAFT, Step
from handlers.posts.views import post_error, post_name, refuse_error


def claim_request_text(t: Translator, person: Person, post: Post) -> str:
    return t.gettext(
        "{name} claims the post {post}.", name=person.display_name, post=post_name(t, post)
    )


def claim_keyboard(t: Translator, claim_id: int) -> InlineKeyboardMarkup:
    return decision_keyboard(t, press.Approve(claim_id), press.Reject(claim_id))


def leave_request_text(t: Translator, person: Person, post: Post) -> str:
    return t.gettext(
        "{name} asks to withdraw from {post}.", name=person.display_name, post=post_name(t, post)
    )


def leave_keyboard(t: Translator, claim_id: int) -> InlineKeyboardMarkup:
    return decision_keyboard(
        t,
        press.LeaveAgree(claim_id),
        press.LeaveKeep(claim_id),
        approve_label=NP_("button", "✅ Agree"),
        reject_label=NP_("button", "✖️ Keep them on the post"),
    )


@secretary_list(rules.pending, N_("Nothing is waiting for your decision."))
async def show_pending(
    update: Update, context: BotContext, secretary: Secretary, waiting: list
) -> None:
    t = secretary.t
    posts = {p.id: p for p in await secretary.read(rules.all_posts)}
    for holder in waiting:
        post = posts[holder.claim.post_id]
        if holder.claim.status is ClaimStatus.LEAVING:
            text, markup = leave_request_text(t, holder.person, post), leave_keyboard
        else:
            text, markup = claim_request_text(t, holder.person, post), claim_keyboard
        await reply(update, text, reply_markup=markup(t, holder.claim.id))


async def approve(update: Update, context: BotContext) -> None:
    await _decide(update, context, press.Approve.of(update))


async def agree_to_leave(update: Update, context: BotContext) -> None:
    await _decide(update, context, press.LeaveAgree.of(update))


async def keep_on_post(update: Update, context: BotContext) -> None:
    await _decide(update, context, press.LeaveKeep.of(update))


async def _decide(
    update: Update, context: BotContext, pressed: press.Approve | press.LeaveAgree | press.LeaveKeep
) -> None:
    """Approve a claim, or agree to / refuse a withdrawal; a rejection asks for a reason."""
    query = update.callback_query
    t = await tr(update, context)
    me = await who(update, context)
    today = await my_today(update, context)
    try:
        if isinstance(pressed, press.Approve):
            result = await rules.decide_claim(
                context.db, me, pressed.claim_id, approve=True, reason=None, today=today
            )
        else:
            agree = isinstance(pressed, press.LeaveAgree)
            result = await rules.decide_leave(
                context.db, me, pressed.claim_id, agree=agree, today=today
            )
    except DomainError as exc:
        await refuse_error(update, t, exc)
        return
    await answer_and_drop(query)
    await _announce(update, t, result, type(pressed))


# What the secretary reads for each decision (the member's news is in domain/posts/claims.py).
_OUTCOMES: dict[type[Button], str] = {
    press.Approve: N_("✅ Approved: {name}, {post}"),
    press.LeaveAgree: N_("✅ Withdrawal agreed: {name}, {post}"),
    press.LeaveKeep: N_("✖️ Kept on the post: {name}, {post}"),
    press.Reject: N_("❌ Rejected: {name}, {post}"),
}


async def _announce(
    update: Update, t: Translator, result: rules.ClaimResult, decision: type[Button]
) -> None:
    await reply(
        update,
        t.gettext(
            _OUTCOMES[decision], name=result.person.display_name, post=post_name(t, result.post)
        ),
    )


async def ask_reject_reason(update: Update, context: BotContext) -> str | int:
    secretary = await secretary_of(update, context)
    if secretary is None:
        return Conv.END
    context.user_data[ADMIN_DRAFT] = {"claim": press.Reject.of(update).claim_id}
    await reply(
        update, secretary.t.gettext("Why is the claim rejected? The member will read your reason.")
    )
    return Step.REJECT_REASON


async def reject_with_reason(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    draft = context.user_data.get(ADMIN_DRAFT) or {}
    try:
        result = await rules.decide_claim(
            context.db,
            await who(update, context),
            draft.get("claim", 0),
            approve=False,
            reason=update.effective_message.text,
            today=await my_today(update, context),
        )
    except DomainError as exc:
        await reply(update, post_error(t, exc))
        return Step.REJECT_REASON if isinstance(exc, InvalidInput) else Conv.END
    context.user_data.pop(ADMIN_DRAFT, None)
    await _announce(update, t, result, press.Reject)
    return Conv.END
