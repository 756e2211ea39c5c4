"""What every secretary screen of /posts shares: the secretary's buttons under the board
and the branch they administer (handlers.branch_choice). Every action is checked again in
`domain.posts`."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from telegram import Update

from bot.context import BotContext
from domain.access import Actor
from domain.errors import DomainError, NotAllowed
from domain.i18n import Translator
from domain.post_models import Stage
from handlers.branch_choice import acting_branch
from handlers.common import answer_query, branch_today, tr, who
from handlers.posts import buttons as press
from handlers.posts.views import refuse_error
from storage.db import Database

R = TypeVar("R")


def secretary_rows(t: Translator, stage: Stage) -> list:
    rows = [
        [
            press.StageMenu().button(t.pgettext("button", "⚙️ Stage")),
            press.Pending().button(t.pgettext("button", "📥 Pending")),
        ],
        [
            press.Holders().button(t.pgettext("button", "👥 Holders")),
            press.Summary().button(t.pgettext("button", "📊 Survey summary")),
        ],
        [press.Requests().button(t.pgettext("button", "🗣 Residents' requests"))],
        [
            press.EditPosts().button(t.pgettext("button", "✏️ Edit posts")),
            press.Publish().button(t.pgettext("button", "📢 Publish holders")),
        ],
    ]
    if stage is Stage.ASSESS:
        rows.append([press.Assessment().button(t.pgettext("button", "⭐ Assessment"))])
    return rows


def acting(context: BotContext, me: Actor) -> int | None:
    """The branch the secretary administers posts of (see handlers.branch_choice)."""
    try:
        return acting_branch(context, me)
    except NotAllowed:
        return None


@dataclass(frozen=True)
class Secretary:
    t: Translator
    me: Actor
    branch_id: int
    #: The branch's date ("today" where the branch is).
    today: date
    db: Database

    async def read(self, what: Callable[[Database, Actor, int, date], Awaitable[R]]) -> R:
        """`what(db, secretary, branch, today)`: the domain's reads of a branch (`pending`,
        `all_posts`, ...) in one call."""
        return await what(self.db, self.me, self.branch_id, self.today)


# What a list screen shows, once `secretary_list` found something.
ListShow = Callable[[Update, BotContext, "Secretary", Sequence[Any]], Awaitable[None]]


async def secretary_of(
    update: Update, context: BotContext, *, answer: bool = True
) -> Secretary | None:
    """The secretary and their branch, or None after refusing; with `answer`, the press is
    answered at once (a screen that only shows something)."""
    t = await tr(update, context)
    me = await who(update, context)
    branch_id = acting(context, me)
    if branch_id is None:
        await refuse_error(update, t, DomainError("not_allowed"))
        return None
    if answer and update.callback_query:
        await answer_query(update.callback_query)
    return Secretary(t, me, branch_id, await branch_today(context, branch_id), context.db)


def secretary_screen(
    show: Callable[[Update, BotContext, Secretary], Awaitable[None]],
) -> Callable[[Update, BotContext], Awaitable[None]]:
    """A button that shows the secretary something of their branch: `show` runs with the
    secretary (see `secretary_of`), or the press is refused."""

    @functools.wraps(show)
    async def screen(update: Update, context: BotContext) -> None:
        secretary = await secretary_of(update, context)
        if secretary is not None:
            await show(update, context, secretary)

    return screen


def secretary_list(
    read: Callable[[Database, Actor, int, date], Awaitable[Sequence[R]]], empty: str
) -> Callable[[ListShow], Callable[[Update, BotContext], Awaitable[None]]]:
    """A secretary screen of what `read` finds in the branch (see `Secretary.read`): the
    callback runs with the secretary and the list, or `empty` (an N_ message) says there
    is nothing."""

    def screen(show: ListShow) -> Callable[[Update, BotContext], Awaitable[None]]:
        @secretary_screen
        @functools.wraps(show)
        async def listing(update: Update, context: BotContext, secretary: Secretary) -> None:
            found = await secretary.read(read)
            if not found:
                await reply(update, secretary.t.gettext(empty))
                return
            await show(update, context, secretary, found)

        return listing

    return screen


async def reply(update: Update, text: str, **kwargs) -> None:
    await update.effective_message.reply_text(text, **kwargs)
