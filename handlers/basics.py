"""/help, /cancel, /language, and polite answers to anything no feature handled."""

from __future__ import annotations

from typing import Literal

from telegram import InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from domain import languages, onboarding
from domain.access import Audience
from domain.i18n import LOCALES, translator
from handlers import menu
from handlers.buttons import Button
from handlers.common import (
    answer_query,
    edit_text,
    forget_locale,
    tr,
    who,
)
from handlers.conversation import answer_stale, on_press
from handlers.menu import help_text

LANGUAGE_NAMES = {"zh_Hans": "简体中文", "en": "English"}


class ChooseLanguage(Button, prefix="lang", audience=Audience.EVERYONE):
    locale: Literal["zh_Hans", "en"]


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
        [[ChooseLanguage(code).button(LANGUAGE_NAMES[code])] for code in LOCALES]
    )
    await update.effective_message.reply_text(
        t.gettext("Choose your language:"), reply_markup=keyboard
    )


@on_press()
async def set_language(update: Update, context: BotContext, query) -> None:
    locale = ChooseLanguage.of(update).locale
    await languages.choose(context.db, update.effective_user.id, locale)
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
        ChooseLanguage.handler(set_language),
    ]


def last_resort_handlers() -> list:
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.TEXT, unknown_text),
        CallbackQueryHandler(stale_button),
    ]
