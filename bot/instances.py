"""What `partybot run` does about other instances on the same PostgreSQL database.

Telegram gives one `getUpdates` consumer per token, so a polling bot is the only instance:
it holds the `poller` lease (storage/leases.py) for its life, and a second one is refused
with a clear line (on SQLite, bot/instance.py's file lock does the same). In webhook mode
any number of instances share the work: each person's updates are handled by the owner of
their partition (bot/partitions.py). On SQLite, and in tests that build the application
themselves, nothing here runs.
"""

from __future__ import annotations

from urllib.parse import urlparse

from telegram.ext import Application

from bot.instance import AlreadyRunning
from bot.partitions import Partitions
from storage.db import Database
from storage.leases import Leases

POLLER = "poller"
# `app.bot_data["instances"]`, set by `partybot run`.
POLLING, WEBHOOK = "polling", "webhook"


def where(url: str) -> str:
    """The database named without its password: host, port and name."""
    parts = urlparse(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"


def refusal(database: str) -> str:
    return (
        "another instance is polling Telegram for updates with this database's bot"
        f" ({database}): Telegram allows one poller per token; stop that one, or run every"
        " instance with --webhook behind one URL (docs/scaling.md)"
    )


async def start(app: Application) -> None:
    db: Database = app.bot_data["db"]
    mode = app.bot_data.get("instances")
    if db.url is None or mode is None:
        return
    if mode == POLLING:
        held = await Leases(db).open()
        app.bot_data["poller"] = held
        if not await held.try_acquire(POLLER):
            await held.close()
            raise AlreadyRunning(refusal(where(db.url)))
        held.on_lost(app.stop_running)  # a second poller may start now: this one stops
        return
    partitions = Partitions(app, db, app.update_queue.hand_over)
    app.update_queue.partitions = partitions
    app.bot_data["partitions"] = partitions
    await partitions.start()


async def stop(app: Application) -> None:
    partitions = app.bot_data.pop("partitions", None)
    if partitions is not None:
        await partitions.stop()
    poller = app.bot_data.pop("poller", None)
    if poller is not None:
        await poller.close()
