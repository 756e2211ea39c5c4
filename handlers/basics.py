"""/help, /cancel, /language, and polite answers to anything no feature handled."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from domain import onboarding
from domain.i18n import LOCALES, translator
from handlers import menu
from handlers.common import (
    answer_query,
    edit_text,
    forget_locale,
    parse_callback,
    tr,
    who,
)
from handlers.conversation import answer_stale
from handlers.menu import help_text
from storage import telegram_users

LANGUAGE_NAMES = {"zh_Hans": "简体中文", "en": "English"}
_LANGUAGE_DATA = re.compile(r"lang:(zh_Hans|en)")


async def show_help(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    me = await who(update, context)
    waiting = await onboarding.waiting_count(context.db, me)
    await update.effective_message.reply_text(help_text(t, me, waiting))


async def cancel_nothing(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    await update.effective_message.reply_text(
        t.gettext("There is nothing to cancel."), reply_markup=ReplyKeyboardRemove()
    )


async def choose_language(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"lang:{code}")]
            for code in LOCALES
        ]
    )
    await update.effective_message.reply_text(
        t.gettext("Choose your language:"), reply_markup=keyboard
    )


async def set_language(update: Update, context: BotContext) -> None:
    query = update.callback_query
    match = parse_callback(query.data, _LANGUAGE_DATA)
    if match is None:
        await stale_button(update, context)
        return
    locale = match.group(1)
    await telegram_users.set_locale(context.db, update.effective_user.id, locale)
    forget_locale(context, update.effective_user.id)
    t = translator(locale)
    await answer_query(query)
    await edit_text(query, t.gettext("Language set to English."))
    await update.effective_message.reply_text(help_text(t, await who(update, context)))
    await menu.publish_for(context.bot, await who(update, context), locale)


async def unknown_command(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    await update.effective_message.reply_text(
        t.gettext("I do not know that command. Send /help to see what I can do.")
    )


async def unknown_text(update: Update, context: BotContext) -> None:
    t = await tr(update, context)
    await update.effective_message.reply_text(
        t.gettext("I am not sure what you mean. Send /help to see what I can do.")
    )


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message or hand-made data: answer politely, change nothing."""
    t = await tr(update, context)
    await answer_stale(update.callback_query, t)


def handlers() -> list:
    return [
        CommandHandler("help", show_help),
        CommandHandler("cancel", cancel_nothing),
        CommandHandler("language", choose_language),
        CallbackQueryHandler(set_language, pattern=r"^lang:"),
    ]


def last_resort_handlers() -> list:
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.TEXT, unknown_text),
        CallbackQueryHandler(stale_button),
    ]
