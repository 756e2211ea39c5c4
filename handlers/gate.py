"""What reaches the features at all: private chats, new messages.

Two handlers come first in the registry (handlers/__init__.py) and take every update that
no feature may see, so no feature has to check for itself:

- `EditsNotRead`: an edited message is never an answer. A person who corrects a typo in
  the name they sent would otherwise have the conversation take the edit as the answer to
  whatever step it is at now. Only live-location moves, which Telegram sends as edits,
  go on.
- `PrivateOnly`: in a group chat everyone reads along, so a command or button there could
  post someone's data to all. Everything is private unless the registry lists it as fit
  for groups; a listed command goes on, any other known command or button is answered once
  with a pointer to the private chat, and nothing else in a group reaches a feature.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.context import BotContext
from domain.i18n import Translator
from handlers.common import answer_query, tr

_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s|$)")


class EditsNotRead(BaseHandler[Update, BotContext, None]):
    def __init__(self) -> None:
        super().__init__(self._answer)

    def check_update(self, update: object) -> bool:
        if not isinstance(update, Update) or update.edited_message is None:
            return False
        return update.edited_message.location is None

    async def _answer(self, update: Update, context: BotContext) -> None:
        message = update.edited_message
        assert message is not None
        if message.chat.type != Chat.PRIVATE:
            return
        t = await tr(update, context)
        await message.reply_text(
            t.gettext(
                "I do not read edited messages. To change an answer, send it again as a "
                "new message, or send /cancel to start over."
            )
        )


class PrivateOnly(BaseHandler[Update, BotContext, None]):
    """`group_commands` go on in groups; `known_commands` are answered with a pointer to
    the private chat, other commands (another bot's, say) are left alone."""

    def __init__(self, group_commands: Collection[str], known_commands: Collection[str]) -> None:
        super().__init__(self._answer)
        self.group_commands = frozenset(group_commands)
        self.known_commands = frozenset(known_commands)

    def check_update(self, update: object) -> bool:
        if not isinstance(update, Update):
            return False
        chat = update.effective_chat
        if chat is None or chat.type == Chat.PRIVATE:
            return False
        return self.command_of(update) not in self.group_commands

    @staticmethod
    def command_of(update: Update) -> str | None:
        message = update.message
        if message is None or not message.text:
            return None
        match = _COMMAND.match(message.text)
        return match.group(1).lower() if match else None

    def _addressed_to(self, update: Update, username: str) -> bool:
        assert update.message is not None and update.message.text is not None
        match = _COMMAND.match(update.message.text)
        if match is None or match.group(1).lower() not in self.known_commands:
            return False
        mention = match.group(2)
        return mention is None or mention.lower() == username.lower()

    async def _answer(self, update: Update, context: BotContext) -> None:
        username = context.bot.username
        query = update.callback_query
        if query is not None:
            t = await tr(update, context)
            await answer_query(query, _explanation(t, username), alert=True)
            return
        if update.message is None or not self._addressed_to(update, username):
            return  # group talk, another bot's command: not ours to answer
        t = await tr(update, context)
        await update.message.reply_text(
            _explanation(t, username),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            t.gettext("Open the private chat"), url=f"https://t.me/{username}"
                        )
                    ]
                ]
            ),
        )


def _explanation(t: Translator, username: str) -> str:
    return t.gettext(
        "That works only in a private chat with me (@{bot}), so that nobody else reads your data.",
        bot=username,
    )
