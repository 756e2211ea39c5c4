"""The callback context every handler and job receives, with the bot's services on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.db import Database


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    def __init__(self, application: Application, chat_id=None, user_id=None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def db(self) -> Database:
        return self.bot_data["db"]

    @property
    def settings(self) -> Settings:
        return self.bot_data["settings"]
