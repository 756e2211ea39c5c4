"""The yardsticks: a bare python-telegram-bot echo bot (`python -m benchmarks.echo_bot`).

Same library and polling as partybot, and no work of its own: what partybot adds on top of
it is what the throughput benchmark measures. By default it is python-telegram-bot's
default application, handling one update after another (the stronger baseline on the fake
Bot API); `--concurrent` builds it with `concurrent_updates(True)` (256 at once), whose
thousand tasks contend for the HTTP pool and the event loop.
"""

from __future__ import annotations

import os
import sys

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    await message.reply_text(message.text or "ok")


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()
    await update.effective_message.reply_text("ok")


def main() -> None:
    app = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_BASE_URL"])
        .base_file_url(os.environ["TELEGRAM_BASE_FILE_URL"])
        .concurrent_updates("--concurrent" in sys.argv[1:])
        .build()
    )
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.add_handler(CallbackQueryHandler(press))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
