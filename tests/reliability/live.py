"""A bot kept running in a thread of its own, for hypothesis-driven tests.

Hypothesis drives synchronous test functions, one example at a time; starting a bot per
example would take most of the run. Here one `BotHarness` lives on an event loop in a
background thread for the whole module and each example runs its steps there.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

from storage.db import Database
from tests.fakes.fake_bot_api import FakeBotAPI
from tests.fakes.harness import BotHarness

T = TypeVar("T")

#: Examples per field or button: the quick suite in CI; RELIABILITY_EXAMPLES=10000 for the
#: long run.
EXAMPLES = int(os.environ.get("RELIABILITY_EXAMPLES", "200"))

# Tables whose change is no business change: Telegram bookkeeping, conversation state and
# a person's own language choice.
# menu_refresh: marks of role changes that the bot's own poll clears on its schedule (the
# role changes themselves are in `roles`).
BOOKKEEPING = frozenset(
    {"ptb_inbox", "ptb_conversations", "ptb_user_data", "telegram_users", "menu_refresh"}
)


class LiveBot:
    def __init__(self, token: str, data: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = FakeBotAPI(token=token)
        self.harness = BotHarness(self.server, data)
        self.run(self.server.start())
        self.run(self.harness.start())

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    @property
    def db(self) -> Database:
        return self.harness.db

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every business table, to compare before and after."""
        return self.run(snapshot(self.db))

    def close(self) -> None:
        try:
            self.run(self.harness.stop())
            self.run(self.server.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


class Unchanged:
    """Asserts that each of a series of steps changes no business row. A step's snapshot
    after it, once found equal to its snapshot before, is the next step's before: one
    snapshot (a query per table) a step instead of two, and a change made between two steps
    is caught too. After a change the next step takes a fresh one, so hypothesis shrinks to
    the step that made it."""

    def __init__(self, live: LiveBot) -> None:
        self.live = live
        self._last: dict[str, list[tuple]] | None = None

    def before(self) -> None:
        if self._last is None:
            self._last = self.live.snapshot()

    def check(self, message: str) -> None:
        before, after = self._last, self.live.snapshot()
        assert before is not None, "before() first"
        self._last = after if after == before else None
        assert after == before, f"{message}: {changes(before, after)}"


def changes(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> str:
    """What differs, table by table: the rows gone and the rows come (a few of each)."""
    said = []
    for table in sorted(before.keys() | after.keys()):
        old, new = set(before.get(table, [])), set(after.get(table, []))
        if old != new:
            said.append(
                f"{table}: -{sorted(old - new, key=repr)[:3]} +{sorted(new - old, key=repr)[:3]}"
            )
    return "; ".join(said) or "the same rows in another order"


def running(token: str, data: Path) -> Iterator[LiveBot]:
    """A module fixture's body: the bot for the module's tests, which fail at the end if
    any handler raised meanwhile."""
    bot = LiveBot(token, data)
    try:
        yield bot
    finally:
        bot.close()
    assert not bot.harness.errors, f"handlers raised: {bot.harness.errors!r}"


TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT table_name AS name FROM information_schema.tables"
    " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    " AND table_name <> 'schema_version'",
}


async def snapshot(db: Database) -> dict[str, list[tuple]]:
    tables = [
        row["name"]
        for row in await db.fetchall(TABLES[db.engine])
        if row["name"] not in BOOKKEEPING
    ]
    return {
        table: [tuple(row) for row in await db.fetchall(f"SELECT * FROM {table} ORDER BY 1")]
        for table in tables
    }
