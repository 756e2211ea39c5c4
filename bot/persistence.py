"""python-telegram-bot persistence in the bot's own SQLite database.

Only conversation states and user_data (the drafts of unfinished conversations) are kept;
everything a person confirms is written to the domain tables directly, so this store only
decides where a conversation resumes after a restart.

python-telegram-bot hands over states and drafts one call at a time. Written one by one, a
crash between two calls would leave a conversation in a step whose draft is missing. So the
calls are staged and `commit` writes them together with the inbox mark of the update that
caused them: after a crash an update is either wholly done or handled again from the start
(and then its domain calls answer from the effect journal, domain/effects.py, which goes
in the same transaction as the mark).

Every update marks its person's user_data for saving (handlers.save_state), and for most
the drafts did not change; those are not written again. Then the mark alone is left, and a
single statement is atomic by itself, so it goes without BEGIN and COMMIT: one trip to the
database's thread instead of five.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from storage import effects, inbox
from storage.db import Database


class SQLitePersistence(BasePersistence[dict, dict, dict]):
    def __init__(self, db: Database, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        self._staged: list[tuple[str, tuple]] = []
        # user_id -> the JSON stored for them (absent: no row); what is staged counts once
        # its transaction has committed.
        self._stored: dict[int, str] = {}
        self._staged_users: dict[int, str | None] = {}
        # Several instances (bot/partitions.py): a partition taken over at epoch n has its
        # people's drafts read again before their next update, once per taking.
        self._epoch = 0
        self._taken: dict[int, int] = {}  # partition -> epoch it was taken at
        self._loaded: dict[int, int] = {}  # user -> epoch their draft was read at
        self._partition_of: Callable[[int], int] | None = None

    async def _ready(self) -> Database:
        if not self.db.is_open:
            await self.db.open()
        return self.db

    async def get_conversations(self, name: str) -> ConversationDict:
        db = await self._ready()
        found = await db.fetchall(
            "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
        )
        return {tuple(json.loads(r["key"])): json.loads(r["state"]) for r in found}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        if new_state is None:
            self._stage(
                "DELETE FROM ptb_conversations WHERE name = ? AND key = ?",
                name,
                json.dumps(list(key)),
            )
        else:
            self._stage(
                "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?)"
                " ON CONFLICT(name, key) DO UPDATE SET state = excluded.state",
                name,
                json.dumps(list(key)),
                json.dumps(new_state),
            )

    async def get_user_data(self) -> dict[int, dict]:
        db = await self._ready()
        found = await db.fetchall("SELECT user_id, data FROM ptb_user_data")
        self._stored = {r["user_id"]: r["data"] for r in found}
        return {r["user_id"]: json.loads(r["data"]) for r in found}

    async def update_user_data(self, user_id: int, data: dict) -> None:
        text = json.dumps(data, ensure_ascii=False) if data else None
        if self._stored.get(user_id) == text and user_id not in self._staged_users:
            return
        self._staged_users[user_id] = text
        if text is not None:
            self._stage(
                "INSERT INTO ptb_user_data (user_id, data) VALUES (?, ?)"
                " ON CONFLICT(user_id) DO UPDATE SET data = excluded.data",
                user_id,
                text,
            )
        else:
            self._stage("DELETE FROM ptb_user_data WHERE user_id = ?", user_id)

    async def drop_user_data(self, user_id: int) -> None:
        await self.update_user_data(user_id, {})

    def reload_users(self, partition: int, partition_of: Callable[[int], int]) -> None:
        """The drafts of the partition's people may have been written by another instance:
        read each again before that person's next update."""
        self._epoch += 1
        self._taken[partition] = self._epoch
        self._partition_of = partition_of

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        # python-telegram-bot calls this before the handlers of each update of the person.
        if self._partition_of is None:
            return
        taken = self._taken.get(self._partition_of(user_id), 0)
        if self._loaded.get(user_id, 0) >= taken:
            return
        self._loaded[user_id] = taken
        db = await self._ready()
        text = await db.fetchval("SELECT data FROM ptb_user_data WHERE user_id = ?", (user_id,))
        user_data.clear()
        if text is None:
            self._stored.pop(user_id, None)
        else:
            self._stored[user_id] = text
            user_data.update(json.loads(text))

    async def get_chat_data(self) -> dict[int, Any]:
        return {}

    async def update_chat_data(self, chat_id: int, data: Any) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def refresh_chat_data(self, chat_id: int, chat_data: Any) -> None:
        pass

    async def get_bot_data(self) -> dict:
        return {}

    async def update_bot_data(self, data: dict) -> None:
        pass

    async def refresh_bot_data(self, bot_data: dict) -> None:
        pass

    async def get_callback_data(self) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        pass

    async def flush(self) -> None:
        await self.commit()

    def _stage(self, sql: str, *params: object) -> None:
        self._staged.append((sql, params))

    async def commit(
        self,
        handled_update_id: int | None = None,
        *,
        forget_effects: bool = False,
        forget_content: bool = False,
    ) -> None:
        """Write everything staged, and mark the update handled, in one transaction; with
        `forget_effects`, the update's effect journal goes in it too (domain/effects.py);
        with `forget_content`, the inbox keeps only a digest of the update."""
        staged, self._staged = self._staged, []
        users, self._staged_users = self._staged_users, {}
        if not staged and handled_update_id is None:
            return
        db = await self._ready()
        if not staged and not forget_effects and not forget_content:
            await inbox.mark_handled(db, handled_update_id)
            return
        async with db.transaction() as conn:
            for sql, params in staged:
                await conn.execute(sql, params)
            if handled_update_id is not None:
                await inbox.mark_handled(conn, handled_update_id, forget=forget_content)
                if forget_effects:
                    await effects.forget(conn, handled_update_id)
        for user_id, text in users.items():
            if text is None:
                self._stored.pop(user_id, None)
            else:
                self._stored[user_id] = text
