"""Building the Application: services, persistence, handlers and lifecycle in one place."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Any

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)
from telegram.request import RequestData

import handlers
from bot import instances, jobs, sender, throttle
from bot.config import Settings
from bot.context import BotContext
from bot.health import Liveness, PollingRequest
from bot.inbox import DurableUpdateQueue
from bot.leader import Leader
from bot.persistence import SQLitePersistence
from bot.transport import AiohttpRequest
from bot.updates import PerUserUpdateProcessor
from domain import workdays
from domain.access import actor
from domain.i18n import resolve, translator
from handlers import broadcast, broadcast_progress, menu
from handlers.in_place import PressBot
from storage import inbox, people, telegram_users
from storage.db import Database, utcnow
from storage.leases import Leases
from storage.tasks import cancel_and_wait

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


# What Telegram's overall limit counts: the requests that make a new message.
SENDS = ("send", "copyMessage", "forwardMessage")


class EditsOnce(AiohttpRequest):
    """The bot's requests (over aiohttp: bot/transport.py; 256 connections), where an edit
    Telegram refuses as "message is not modified" counts as done: an update replayed after
    a crash (bot/inbox.py) edits its reply again to what the edit before the crash made it,
    and must go on to its next step rather than fail there.

    Every send that is not the outbox sender's own (it books those itself) is counted in
    the shared budget as a reply, so the sender leaves room for it; one that finds
    Telegram's second full waits for the next place (bot.throttle.SharedBudget.reply)."""

    def __init__(self, budget: throttle.SharedBudget, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget = budget

    async def post(self, url: str, request_data: RequestData | None = None, **kwargs: Any):
        booking = throttle.FROM_OUTBOX.get()
        if booking is None and url.rpartition("/")[2].startswith(SENDS):
            booking = await self.budget.reply()
        try:
            return await super().post(url, request_data, **kwargs)
        except BadRequest as exc:
            if "/editMessage" in url and "message is not modified" in exc.message.lower():
                return True
            raise
        finally:
            # As soon as the answer is in: before python-telegram-bot parses it.
            if booking is not None:
                booking.end()


def build_application(
    settings: Settings,
    *,
    update_processor: BaseUpdateProcessor | None = None,
) -> Application:
    db = Database(settings.database)
    liveness = Liveness()
    budget = throttle.SharedBudget(settings.outbox_per_second)
    polling = PollingRequest(liveness)
    # The handlers' bot: a pressed step's next text may take its message's place.
    bot = PressBot(
        settings.token(),
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        request=EditsOnce(budget, connection_pool_size=256),
        get_updates_request=polling,
        defaults=Defaults(tzinfo=settings.tz),
    )
    app = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=BotContext))
        .persistence(SQLitePersistence(db))
        .update_queue(DurableUpdateQueue(db, liveness.heard_from_telegram, polling.as_received))
        .concurrent_updates(update_processor or PerUserUpdateProcessor())
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data["db"] = db
    app.bot_data["settings"] = settings
    app.bot_data["liveness"] = liveness
    app.bot_data["budget"] = budget
    handlers.register(app)
    return app


async def post_init(app: Application) -> None:
    db: Database = app.bot_data["db"]
    settings: Settings = app.bot_data["settings"]
    await db.open()
    await instances.start(app)
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
    # From the first moment: `partybot restore` must wait. On SQLite the folder is the
    # database's, there by now; on PostgreSQL DATA_DIR (default ./data) may not be yet.
    settings.files_dir.mkdir(parents=True, exist_ok=True)
    app.bot_data["liveness"].write(settings.heartbeat_path)
    jobs.schedule(app)
    # One sender and one scheduler among instances sharing a PostgreSQL database: the lease
    # holder's (docs/scaling.md); a standby starts them when it takes over. SQLite: at once.
    leases = app.bot_data["leases"] = Leases(db)
    app.bot_data["leader"] = leader = Leader(
        leases, LEADER, start=lambda: lead(app), stop=lambda: stand_by(app)
    )
    await leader.start()
    log.info("bot @%s ready%s", app.bot.username, "" if leader.leading else " (standby)")
    if warning := await workdays.current_warning(db, settings.tz, utcnow()):
        log.warning("%s", warning)
    # What start-up made (modules, handlers, catalogs: ~85,000 objects) lives as long as the
    # process: out of the collector's sight, a full collection walks only what came after
    # instead of pausing someone's update for tens of ms (issue 21's p99).
    gc.freeze()


LEADER = "leader"
# The JobQueue's jobs only the lease holder runs (the heartbeat runs on every instance).
LEADER_JOBS = (jobs.SCHEDULER, "menu-refresh")


async def lead(app: Application) -> None:
    """This instance holds the lease: the scheduler, the menus' poll, the broadcasts'
    progress and the outbox sender run here."""
    db: Database = app.bot_data["db"]
    settings: Settings = app.bot_data["settings"]
    app.bot_data["liveness"].leading_since = time.time()
    jobs.schedule_leader(app)
    app.job_queue.run_repeating(
        refresh_menus, interval=MENU_POLL_SECONDS, first=MENU_POLL_SECONDS, name="menu-refresh"
    )
    await broadcast.resume(app, settings.files_dir)
    outbox_sender = sender.Sender(app.bot, db, settings, budget=app.bot_data["budget"])
    app.bot_data["sender"] = outbox_sender
    await outbox_sender.start()


async def stand_by(app: Application) -> None:
    """The lease is lost (or the bot stops): stop what only its holder may run."""
    for job in app.job_queue.jobs():
        if job.name in LEADER_JOBS or (job.name or "").startswith(broadcast_progress.JOB_PREFIX):
            job.schedule_removal()
    outbox_sender = app.bot_data.pop("sender", None)
    if outbox_sender is not None:
        await outbox_sender.stop()


def leading(app: Application) -> bool:
    leader: Leader | None = app.bot_data.get("leader")
    return leader is not None and leader.leading


# Roles change in this process and in `partybot secretary …` run beside it; both mark the
# person in menu_refresh (storage.people.mark_menu, in the changing transaction) and this
# poll publishes the marked menus. A poll keeps the CLI free of any link to the running bot
# and survives a restart: a mark not yet published is published after it.
MENU_POLL_SECONDS = 2
MENUS_PER_POLL = 50


async def refresh_menus(context: BotContext) -> None:
    db = context.db
    locale = context.settings.bot_default_locale
    for telegram_id, marked_at in await people.menus_to_refresh(db, MENUS_PER_POLL):
        await publish_menu(context.bot, db, telegram_id, locale)
        async with db.transaction() as conn:
            await people.menu_refreshed(conn, telegram_id, marked_at)


async def publish_secretary_menus(bot: Bot, db: Database, default_locale: str) -> None:
    try:
        for telegram_id in await people.all_secretary_telegram_ids(db):
            await publish_menu(bot, db, telegram_id, default_locale)
    except Exception:
        # Nobody awaits this task until the stop; a failure is logged now, not lost.
        log.exception("secretary menus: publishing stopped")


async def publish_menu(bot: Bot, db: Database, telegram_id: int, default_locale: str) -> None:
    chosen, reported = await telegram_users.get_languages(db, telegram_id)
    locale = resolve(chosen, reported, default_locale)
    try:
        await menu.publish_for(bot, await actor(db, telegram_id), locale)
    except (BadRequest, Forbidden) as exc:
        # Someone who never opened the bot, or left Telegram ("chat not found"),
        # must not keep the others from getting theirs; the next start tries again.
        log.warning("menu for %s not published: %s", telegram_id, exc)


async def post_stop(app: Application) -> None:
    await instances.stop(app)
    # Before the bot's HTTP client and the database close: a menu call cut off by them
    # would fail, not finish.
    await cancel_and_wait(app.bot_data.pop("menus", None))
    # Before the bot's HTTP client closes, so no send is cut off midway; the lease last,
    # so a standby takes over only once nothing is in flight here.
    leader: Leader | None = app.bot_data.get("leader")
    if leader is not None:
        await leader.stop()
    leases: Leases | None = app.bot_data.get("leases")
    if leases is not None:
        await leases.close()


async def post_shutdown(app: Application) -> None:
    await post_stop(app)  # when stopped without `stop()`, e.g. a failed start
    await app.bot_data["db"].close()
    # A clean stop leaves no heartbeat, so `partybot restore` knows the file is free.
    app.bot_data["settings"].heartbeat_path.unlink(missing_ok=True)
