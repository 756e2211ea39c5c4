"""Nothing a person sends is lost on a crash.

python-telegram-bot confirms updates to Telegram on its next `getUpdates`, right after it
has put them in its queue and long before they are handled. The queue below writes each
update to the database inside `put`, which the polling loop (and the webhook handler)
awaits before confirming. The handlers' last step marks the update handled, in the same
transaction as the conversation's new state (bot/persistence.py). At start-up, updates
that were received but never handled are put back first. Redeliveries of an update
already stored (the same id and the same update, in whichever JSON form: storage/inbox.py)
are dropped; a Bot API server whose counter started again reuses ids for new updates, which
are kept. So each update is handled once, except one whose handling a crash cut short: it
is handled again from the state it started in.

With several instances behind one webhook (PostgreSQL), `put` only stores the update and
wakes its partition's owner, which may be another instance; the owner puts it on its own
queue (bot/partitions.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telegram import Bot, Update

from bot.updates import ordering_key
from storage import inbox
from storage.db import Database

log = logging.getLogger(__name__)


class DurableUpdateQueue(asyncio.Queue):
    def __init__(
        self,
        db: Database,
        on_update: Callable[[], None] = lambda: None,
        as_received: Callable[[int], dict | None] = lambda update_id: None,
    ) -> None:
        super().__init__()
        self.db = db
        self.on_update = on_update  # a delivery (by webhook: the only sign of Telegram)
        # The update's JSON as the poll received it (bot.health.PollingRequest), if it did.
        self.as_received = as_received
        # Set when several instances share the database: who hands over the updates.
        self.partitions = None  # bot.partitions.Partitions

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            self.on_update()
            if not self.db.is_open:
                await self.db.open()
            shared = self.partitions is not None
            person = ordering_key(item)
            raw = self.as_received(item.update_id)
            data = raw if raw is not None else item.to_dict()
            serialised = item.to_dict if raw is not None else None
            if not await inbox.receive(
                self.db, item.update_id, data, person, shared=shared, as_serialised=serialised
            ):
                log.info("update %s was delivered again (same content); ignored", item.update_id)
                return
            if shared:
                self.partitions.wake()
                return
        await super().put(item)

    async def hand_over(self, update: Update) -> None:
        """An update already in the inbox, to be handled here (its partition's owner)."""
        await super().put(update)

    async def replay(self, bot: Bot) -> int:
        """Queue the updates a previous run received but did not finish handling. (With
        several instances, each partition's owner finds its own, bot/partitions.py.)"""
        if self.partitions is not None:
            return 0
        pending = await inbox.unhandled(self.db)
        for data in pending:
            await super().put(Update.de_json(data, bot))
        if pending:
            log.info("handling %d updates left over from the last run", len(pending))
        return len(pending)
