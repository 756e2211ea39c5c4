"""Nothing a person sends is lost on a crash.

python-telegram-bot confirms updates to Telegram on its next `getUpdates`, right after it
has put them in its queue and long before they are handled. The queue below writes each
update to the database inside `put`, which the polling loop (and the webhook handler)
awaits before confirming. The handlers' last step marks the update handled, in the same
transaction as the conversation's new state (bot/persistence.py). At start-up, updates
that were received but never handled are put back first. Redeliveries of an update
already stored (the same id with the same content) are dropped; a Bot API server whose
counter started again reuses ids for new updates, which are kept. So each update is
handled once, except one whose handling a crash cut short: it is handled again from the
state it started in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telegram import Bot, Update

from storage import inbox
from storage.db import Database

log = logging.getLogger(__name__)


class DurableUpdateQueue(asyncio.Queue):
    def __init__(self, db: Database, on_update: Callable[[], None] = lambda: None) -> None:
        super().__init__()
        self.db = db
        self.on_update = on_update  # a delivery (by webhook: the only sign of Telegram)

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            self.on_update()
            if not self.db.is_open:
                await self.db.open()
            if not await inbox.receive(self.db, item.update_id, item.to_dict()):
                log.info("update %s was delivered again (same content); ignored", item.update_id)
                return
        await super().put(item)

    async def replay(self, bot: Bot) -> int:
        """Queue the updates a previous run received but did not finish handling."""
        pending = await inbox.unhandled(self.db)
        for data in pending:
            await super().put(Update.de_json(data, bot))
        if pending:
            log.info("handling %d updates left over from the last run", len(pending))
        return len(pending)
