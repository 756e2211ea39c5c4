"""The branch's group chat: /linkgroup links it, and the secretary publishes the year's
holders there."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from domain import posts as rules
from domain.errors import DomainError
from handlers.branch_choice import branch_or_ask
from handlers.common import tr, who
from handlers.posts.secretary import Secretary, reply, secretary_screen
from handlers.posts.views import post_error


@secretary_screen
async def publish(update: Update, context: BotContext, secretary: Secretary) -> None:
    t = secretary.t
    try:
        await secretary.read(rules.publication)
    except DomainError as exc:
        await reply(update, post_error(t, exc))
        return
    await reply(update, t.gettext("Published to the group chat."))


async def link_group(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    chat = update.effective_chat
    if chat.type not in (chat.GROUP, chat.SUPERGROUP):
        await reply(
            update, t.gettext("Add me to your branch's group chat and send /linkgroup there.")
        )
        return
    me = await who(update, context)
    try:
        branch_id = await branch_or_ask(update, context, me, "linkgroup")
        if branch_id is None:
            return  # asked which branch; the press links the group to it
        await rules.link_branch_chat(context.db, me, branch_id, chat.id, chat.title)
    except DomainError as exc:
        await reply(update, post_error(t, exc))
        return
    await reply(
        update,
        t.gettext(
            "This group is now the branch's group chat. Post holders will be published here."
        ),
    )
