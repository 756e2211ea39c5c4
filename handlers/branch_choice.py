"""Which branch a secretary means: the one place that decides it.

A secretary of one branch is never asked. A secretary of several is asked with buttons at
the start of an action that belongs to one branch (/broadcast, /newevent, /import,
/export, /audit, /digest, the hours register, posts administration); the choice is
remembered for the conversation (CHOICE_KEPT since last used), so the steps of a flow and
the next commands act for the same branch. The chosen id comes back in callback data and is
checked against the presser's own secretary roles: a forged id is refused.

Every action's choice is one `ChooseBranch` button (`sb:<branch>:<action>`, the data sent
since the choice exists); `choice_handler` registers it in the action's own conversation,
taking only the presses for that action.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Literal, get_args

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.context import BotContext
from domain import branches
from domain.access import Actor, Audience
from domain.errors import DomainError, NotAllowed
from domain.models import Role
from handlers.buttons import Button
from handlers.common import (
    answer_query,
    drop_buttons,
    edit_text,
    error_text,
    now,
    tr,
    who,
)
from handlers.conversation import on_press

CHOSEN = "acting_branch"
# The actions that ask; each name is the button's last part.
Resume = Literal[
    "broadcast",
    "newevent",
    "import",
    "export",
    "audit",
    "hours",
    "posts",
    "unit_add",
    "linkgroup",
    "digest",
    "appraisal",
    "resident_units",
]
RESUMES: tuple[str, ...] = get_args(Resume)
CHOICE_KEPT = timedelta(minutes=30)


class ChooseBranch(Button, prefix="sb", audience=Audience.SECRETARY):
    """For a secretary of several branches: this action is for that branch."""

    branch_id: int
    resume: Resume


class _ChoiceFor(CallbackQueryHandler):
    """A `ChooseBranch` press for one action only: each action's conversation takes its own
    (the codec's pattern matches every action's)."""

    def __init__(self, resume: str, callback: Callable[..., Awaitable[object]]) -> None:
        super().__init__(callback, pattern=ChooseBranch.pattern)
        self.resume = resume

    def check_update(self, update: object) -> object:
        query = update.callback_query if isinstance(update, Update) else None
        pressed = ChooseBranch.parse(query.data if query else None)
        if pressed is None or pressed.resume != self.resume:
            return None
        return super().check_update(update)


def acting_branch(context: BotContext, me: Actor) -> int:
    """The branch a secretary acts for in the steps of a flow; NotAllowed when none."""
    held = me.branches_where(Role.SECRETARY)
    if len(held) == 1:
        return held[0]
    chosen = (context.user_data.get(CHOSEN) or {}).get("branch")
    if chosen not in held:
        raise NotAllowed("not_allowed")
    return chosen


async def branch_or_ask(
    update: Update, context: BotContext, me: Actor, resume: Resume
) -> int | None:
    """At the start of an action: the branch it is for, or None after asking which (the
    press resumes the action through `choice_handler`). NotAllowed for a non-secretary."""
    held = me.branches_where(Role.SECRETARY)
    if not held:
        raise NotAllowed("not_allowed")
    if len(held) == 1:
        return held[0]
    chosen = context.user_data.get(CHOSEN) or {}
    moment = now(context).timestamp()
    if chosen.get("branch") in held and moment - chosen["at"] < CHOICE_KEPT.total_seconds():
        context.user_data[CHOSEN] = {"branch": chosen["branch"], "at": moment}
        return chosen["branch"]
    t = await tr(update, context)
    rows = []
    for branch_id in held:
        branch = await branches.get(context.db, branch_id)
        name = branch.name if branch else f"#{branch_id}"
        rows.append([ChooseBranch(branch_id, resume).button(name)])
    await update.effective_message.reply_text(
        t.gettext("You are secretary of several branches. Which one is this for?"),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return None


async def branch_for(update: Update, context: BotContext, resume: Resume) -> int | None:
    """`branch_or_ask` for a command: None once the person was told they may not (not a
    secretary) or asked which branch (the press resumes the action)."""
    try:
        return await branch_or_ask(update, context, await who(update, context), resume)
    except DomainError as exc:
        t = await tr(update, context)
        await update.effective_message.reply_text(error_text(t, exc))
        return None


Entry = Callable[[Update, BotContext], Awaitable[object]]


def choice_handler(resume: Resume, entry: Entry) -> CallbackQueryHandler:
    """The press on a branch button: remembered, then `entry` runs again for that branch
    (in a conversation's entry points, its returned state is the conversation's)."""

    @on_press()
    async def chosen(update: Update, context: BotContext, query, t) -> object:
        branch_id = ChooseBranch.of(update).branch_id
        me = await who(update, context)
        if not me.has(Role.SECRETARY, branch_id):
            await answer_query(query, error_text(t, DomainError("not_allowed")), alert=True)
            return ConversationHandler.END
        context.user_data[CHOSEN] = {"branch": branch_id, "at": now(context).timestamp()}
        await answer_query(query)
        branch = await branches.get(context.db, branch_id)
        chosen_text = t.gettext("For {branch}:", branch=branch.name if branch else "")
        if query.message is not None and query.message.text:
            await edit_text(query, chosen_text)
        else:  # pressed (forged) on a file or photo, which has no text to replace
            await drop_buttons(query)
            await update.effective_message.reply_text(chosen_text)
        return await entry(update, context)

    assert resume in RESUMES, resume
    return _ChoiceFor(resume, chosen)


def branch_command(name: Resume, entry: Entry) -> list[BaseHandler]:
    """The command /`name` and the press of a branch button that runs it again for the
    branch a secretary of several chose (`choice_handler`)."""
    return [CommandHandler(name, entry), choice_handler(name, entry)]
