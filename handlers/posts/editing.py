"""The secretary edits the branch's posts: a post's duties and places, retiring it, a new
post, and how many posts one member may hold."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ConversationHandler as Conv

from bot.context import BotContext
from domain import posts as rules
from domain.errors import DomainError, InvalidInput
from domain.i18n import N_
from domain.post_models import MAX_CAPACITY, MAX_MEMBER_LIMIT, Post
from handlers.buttons import Button
from handlers.common import answer_and_drop, answer_query, my_today, tr, who
from handlers.posts import buttons as press
from handlers.posts.secretary import Secretary, acting, reply, secretary_of, secretary_screen
from handlers.posts.steps import ADMIN_DRAFT, Step
from handlers.posts.views import (
    keyboard,
    post_buttons,
    post_duties,
    post_error,
    post_name,
    refuse_error,
)

# What a button on one post does, for the secretary of its branch.
PostAct = Callable[[Update, BotContext, Secretary, Post], Awaitable[None]]


@secretary_screen
async def list_posts(update: Update, context: BotContext, secretary: Secretary) -> None:
    t, branch_id = secretary.t, secretary.branch_id
    posts = await secretary.read(rules.all_posts)
    active = [p for p in posts if not p.retired]
    limit = await rules.member_limit(context.db, branch_id)
    rows = [
        *post_buttons(t, active, press.EditPost),
        [press.AddPost().button(t.pgettext("button", "➕ Add a post"))],
        [
            press.EditLimit(branch_id).button(
                t.pgettext("button", "👤 Posts per member: {n}").format(n=limit)
            )
        ],
    ]
    retired = [post_name(t, p) for p in posts if p.retired]
    text = t.gettext("Which post do you want to change?")
    if retired:
        text += "\n" + t.gettext("Retired: {posts}", posts="、".join(retired))
    await reply(update, text, reply_markup=keyboard(rows))


def post_screen(
    codec: type[Button], *, answer: bool = True
) -> Callable[[PostAct], Callable[[Update, BotContext], Awaitable[None]]]:
    """A button on one post of the secretary's branch (`codec`, whose field is `post_id`):
    the callback runs with the secretary and the post, or the press is refused; `answer`
    answers the press first."""

    def screen(act: PostAct) -> Callable[[Update, BotContext], Awaitable[None]]:
        @functools.wraps(act)
        async def callback(update: Update, context: BotContext) -> None:
            secretary = await secretary_of(update, context, answer=False)
            if secretary is None:
                return
            post_id = codec.of(update).post_id
            try:
                posts = {p.id: p for p in await secretary.read(rules.all_posts)}
                if post_id not in posts:
                    raise DomainError("post_unknown")
            except DomainError as exc:
                await refuse_error(update, secretary.t, exc)
                return
            if answer:
                await answer_query(update.callback_query)
            await act(update, context, secretary, posts[post_id])

        return callback

    return screen


@post_screen(press.EditPost)
async def show_post(update: Update, context: BotContext, secretary: Secretary, post: Post) -> None:
    """The post's card with its edit buttons."""
    t = secretary.t
    rows = [
        [
            press.EditDuties(post.id).button(t.pgettext("button", "✏️ Duties")),
            press.EditCapacity(post.id).button(t.pgettext("button", "🔢 Capacity")),
        ],
        [press.Retire(post.id).button(t.pgettext("button", "🗄 Retire"))],
    ]
    text = f"【{post_name(t, post)}】\n{post_duties(t, post)}\n" + t.gettext(
        "Capacity: {n}", n=post.capacity
    )
    await reply(update, text, reply_markup=keyboard(rows))


@post_screen(press.Retire)
async def ask_retire(update: Update, context: BotContext, secretary: Secretary, post: Post) -> None:
    t = secretary.t
    await reply(
        update,
        t.gettext("Retire {post}? Nobody can claim it afterwards.", post=post_name(t, post)),
        reply_markup=keyboard(
            [[press.RetireConfirmed(post.id).button(t.pgettext("button", "✅ Confirm"))]]
        ),
    )


@post_screen(press.RetireConfirmed, answer=False)
async def retire(update: Update, context: BotContext, secretary: Secretary, post: Post) -> None:
    t = secretary.t
    try:
        post = await rules.retire(context.db, secretary.me, post.id)
    except DomainError as exc:
        await refuse_error(update, t, exc)
        return
    await answer_and_drop(update.callback_query)
    await reply(
        update,
        t.gettext("{post} is retired. Its holders stay in the history.", post=post_name(t, post)),
    )


# What the secretary is asked for in each step of an edit.
_QUESTIONS = {
    Step.DUTIES_TEXT: N_("Send the new description of the post's norms and duties."),
    Step.CAPACITY_TEXT: N_("How many members may hold this post? Send a number."),
    Step.LIMIT_TEXT: N_("How many posts may one member hold at most? Send a number."),
}


async def ask_duties(update: Update, context: BotContext) -> str | int:
    return await _ask_edit(update, context, Step.DUTIES_TEXT, press.EditDuties.of(update).post_id)


async def ask_capacity(update: Update, context: BotContext) -> str | int:
    post_id = press.EditCapacity.of(update).post_id
    return await _ask_edit(update, context, Step.CAPACITY_TEXT, post_id)


async def ask_limit(update: Update, context: BotContext) -> str | int:
    return await _ask_edit(update, context, Step.LIMIT_TEXT, press.EditLimit.of(update).branch_id)


async def _ask_edit(update: Update, context: BotContext, step: Step, target: int) -> str | int:
    """Ask for the new value of the post (or, for the limit, the branch) `target`."""
    secretary = await secretary_of(update, context)
    if secretary is None:
        return Conv.END
    context.user_data[ADMIN_DRAFT] = {"id": target}
    await reply(update, secretary.t.gettext(_QUESTIONS[step]))
    return step


def _number(text: str, code: str, top: int) -> int:
    if not text.isdigit():
        raise InvalidInput(code, max=top)
    return int(text)


async def save_duties(update: Update, context: BotContext) -> str | int:
    return await _save_edit(update, context, Step.DUTIES_TEXT)


async def save_capacity(update: Update, context: BotContext) -> str | int:
    return await _save_edit(update, context, Step.CAPACITY_TEXT)


async def save_limit(update: Update, context: BotContext) -> str | int:
    return await _save_edit(update, context, Step.LIMIT_TEXT)


async def _save_edit(update: Update, context: BotContext, step: Step) -> str | int:
    """The answer to `ask_edit`, in the step it asked in."""
    t = await tr(update, context)
    me = await who(update, context)
    target = (context.user_data.get(ADMIN_DRAFT) or {}).get("id", 0)
    text = update.effective_message.text.strip()
    try:
        if step is Step.LIMIT_TEXT:
            limit = _number(text, "post_limit_range", MAX_MEMBER_LIMIT)
            await rules.set_member_limit(
                context.db, me, target, limit, await my_today(update, context)
            )
            saved = t.gettext("Saved: each member may hold up to {n} posts.", n=limit)
        else:
            if step is Step.DUTIES_TEXT:
                post = await rules.edit_duties(context.db, me, target, text)
            else:
                capacity = _number(text, "post_capacity_range", MAX_CAPACITY)
                post, _promoted = await rules.set_capacity(context.db, me, target, capacity)
            saved = t.gettext(
                "Saved: {post}, capacity {n}.", post=post_name(t, post), n=post.capacity
            )
    except DomainError as exc:
        await reply(update, post_error(t, exc))
        return step if isinstance(exc, InvalidInput) else Conv.END
    context.user_data.pop(ADMIN_DRAFT, None)
    await reply(update, saved)
    return Conv.END


async def ask_new_post(update: Update, context: BotContext) -> str | int:
    secretary = await secretary_of(update, context)
    if secretary is None:
        return Conv.END
    await reply(update, secretary.t.gettext("What is the new post called?"))
    return Step.NEW_POST_NAME


async def save_new_post(update: Update, context: BotContext) -> str | int:
    t = await tr(update, context)
    me = await who(update, context)
    try:
        post = await rules.add_post(
            context.db,
            me,
            acting(context, me) or 0,
            update.effective_message.text,
            await my_today(update, context),
        )
    except DomainError as exc:
        await reply(update, post_error(t, exc))
        return Step.NEW_POST_NAME if isinstance(exc, InvalidInput) else Conv.END
    await reply(
        update,
        t.gettext(
            "Added the post {post}. You can now describe its duties.", post=post_name(t, post)
        ),
    )
    return Conv.END
