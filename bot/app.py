"""Building the Application: services, persistence, handlers and lifecycle in one place."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

import handlers
from bot import jobs, sender
from bot.config import Settings
from bot.context import BotContext
from bot.i18n import resolve, translator
from bot.inbox import DurableUpdateQueue
from bot.persistence import SQLitePersistence
from bot.updates import PerUserUpdateProcessor
from domain.access import actor
from handlers import broadcast, menu
from storage import inbox, people, telegram_users
from storage.db import Database

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


def build_application(
    settings: Settings,
    *,
    update_processor: BaseUpdateProcessor | None = None,
) -> Application:
    db = Database(settings.database_path)
    app = (
        ApplicationBuilder()
        .token(settings.token())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .defaults(Defaults(tzinfo=settings.tz))
        .context_types(ContextTypes(context=BotContext))
        .persistence(SQLitePersistence(db))
        .update_queue(DurableUpdateQueue(db))
        .concurrent_updates(update_processor or PerUserUpdateProcessor())
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data["db"] = db
    app.bot_data["settings"] = settings
    handlers.register(app)
    return app


async def post_init(app: Application) -> None:
    db: Database = app.bot_data["db"]
    settings: Settings = app.bot_data["settings"]
    await db.open()
    await app.update_queue.replay(app.bot)
    await inbox.prune(db)
    translator(settings.bot_default_locale)  # fail at start-up, not at the first message
    await menu.publish_default(app.bot, settings.bot_default_locale)
    # One Bot API call per secretary: a county's 200 took most of the start-up, so they go
    # out while the bot already polls. A stop cancels what is left; the next start
    # publishes them all again.
    app.bot_data["menus"] = asyncio.create_task(
        publish_secretary_menus(app.bot, db, settings.bot_default_locale), name="menus"
    )
    settings.heartbeat_path.touch()  # from the first moment: `partybot restore` must wait
    jobs.schedule(app)
    await broadcast.resume(app, settings.database_path)
    outbox_sender = sender.Sender(app.bot, db, settings)
    app.bot_data["sender"] = outbox_sender
    await outbox_sender.start()
    log.info("bot @%s ready", app.bot.username)


async def publish_secretary_menus(bot: Bot, db: Database, default_locale: str) -> None:
    try:
        for telegram_id in await people.all_secretary_telegram_ids(db):
            await publish_secretary_menu(bot, db, telegram_id, default_locale)
    except Exception:
        # Nobody awaits this task until the stop; a failure is logged now, not lost.
        log.exception("secretary menus: publishing stopped")


async def publish_secretary_menu(
    bot: Bot, db: Database, telegram_id: int, default_locale: str
) -> None:
    chosen, reported = await telegram_users.get_languages(db, telegram_id)
    locale = resolve(chosen, reported, default_locale)
    try:
        await menu.publish_for(bot, await actor(db, telegram_id), locale)
    except (BadRequest, Forbidden) as exc:
        # A secretary who never opened the bot, or left Telegram ("chat not found"),
        # must not keep the others from getting theirs; the next start tries again.
        log.warning("menu for secretary %s not published: %s", telegram_id, exc)


async def post_stop(app: Application) -> None:
    # Before the bot's HTTP client and the database close: a menu call cut off by them
    # would fail, not finish.
    menus = app.bot_data.pop("menus", None)
    if menus is not None:
        menus.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await menus
    # Before the bot's HTTP client closes, so no send is cut off midway.
    outbox_sender = sender.sender_of(app)
    if outbox_sender is not None:
        await outbox_sender.stop()


async def post_shutdown(app: Application) -> None:
    await post_stop(app)  # when stopped without `stop()`, e.g. a failed start
    await app.bot_data["db"].close()
    # A clean stop leaves no heartbeat, so `partybot restore` knows the file is free.
    app.bot_data["settings"].heartbeat_path.unlink(missing_ok=True)
