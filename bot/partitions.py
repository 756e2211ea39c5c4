"""Several instances behind one webhook: each person's updates are handled by one of them.

Telegram (or the load balancer in front of the instances) may hand any update to any
instance. Every instance stores what it receives in the shared inbox and answers 200
(bot/inbox.py); the people are hashed into `PARTITIONS` partitions, and each partition is
owned by one instance through a lease (storage/leases.py: a PostgreSQL advisory lock on a
connection of its own). The owner hands its partitions' updates to python-telegram-bot in
update order, one person's one after another (bot/updates.py), and the handlers mark each
handled in the transaction of its effects, as a replay after a crash does. So an update is
handled once, a person's in order, and a conversation goes on wherever the next update
lands: it is always the same instance that holds the person's conversation in memory.

A partition whose owner dies is free as soon as the server notices (at once for a killed
process on a live host, within the lease's keepalives for a vanished host), and another
instance takes it at its next round (`ROUND_SECONDS`). Before it hands over any of the
partition's updates it loads those people's conversation states from the database:
python-telegram-bot's ConversationHandler reads them only at start-up and has no refresh
(python-telegram-bot issues #4452, #5225), so `refresh_conversations` writes them into each
persistent ConversationHandler's states the way its own start-up does (`update_no_track`),
and drops what it remembered of those people. Their user_data (drafts) is read again
through persistence's `refresh_user_data`, python-telegram-bot's own hook, before their next
update (bot/persistence.py).

The instances share the partitions out evenly: each holds a member lease (one of
`MEMBER_SLOTS`), so each counts the live instances; one with more than its share gives up
partitions it has nothing in flight for, one with less takes free ones. A partition nobody
holds for two rounds is taken by whoever sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable, Iterable

from telegram import Update
from telegram.ext import Application, ConversationHandler

from bot.updates import ordering_key
from storage import inbox, leases
from storage.db import Database
from storage.leases import Leases
from storage.tasks import cancel_and_wait

log = logging.getLogger(__name__)

# Fixed, and the same on every instance: an instance counting people into other partitions
# would own some of another's people.
PARTITIONS = 32
MEMBER_SLOTS = 64
ROUND_SECONDS = 2.0
# Without a notification (a lost listener), the inbox is still looked at this often.
POLL_SECONDS = 1.0


def partition_name(part: int) -> str:
    return f"inbox-partition:{part}"


def member_name(slot: int) -> str:
    return f"inbox-member:{slot}"


def conversation_handlers(app: Application) -> list[ConversationHandler]:
    """Every persistent ConversationHandler of the application, nested ones included."""
    found: list[ConversationHandler] = []

    def walk(handlers: Iterable[object]) -> None:
        for handler in handlers:
            if isinstance(handler, ConversationHandler):
                if handler.persistent and handler.name:
                    found.append(handler)
                walk(handler.entry_points)
                walk(h for state in handler.states.values() for h in state)
                walk(handler.fallbacks)

    walk(h for group in app.handlers.values() for h in group)
    return found


def person_of_key(handler: ConversationHandler, key: tuple) -> int:
    """The person a conversation key belongs to: its user where it has one (our handlers
    are per chat and per user: the key is `(chat, user)`), else its chat."""
    if handler.per_user:
        return int(key[1 if handler.per_chat else 0])
    return int(key[0])


async def refresh_conversations(app: Application, belongs: Callable[[int], bool]) -> int:
    """Load the stored conversation states of the people `belongs` picks into the
    application's ConversationHandlers, replacing what this instance remembered of them;
    the number of conversations loaded."""
    loaded = 0
    for handler in conversation_handlers(app):
        stored = await app.persistence.get_conversations(handler.name)
        states = handler._conversations  # no public way in (see the module's docstring)
        for key in [k for k in states if belongs(person_of_key(handler, k))]:
            states.data.pop(key, None)
        mine = {k: v for k, v in stored.items() if belongs(person_of_key(handler, k))}
        states.update_no_track(mine)
        loaded += len(mine)
    return loaded


class Partitions:
    """This instance's share of the people: leases on partitions, and the updates of those
    handed to python-telegram-bot's queue."""

    def __init__(self, app: Application, db: Database, put: Callable) -> None:
        self.app = app
        self.db = db
        self.put = put  # puts an Update on the application's queue
        self.leases = Leases(db)
        self.owned: set[int] = set()
        self._draining: set[int] = set()  # given up: nothing more handed over, then released
        self._free_before: set[int] = set()
        self._member: int | None = None
        self._dispatched: dict[int, int] = {}  # inbox row id -> its partition: in flight
        self._partition: dict[int, int] = {}  # inbox row id -> its partition: read once
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._listener = None  # asyncpg connection LISTENing for new updates
        self.took_over: list[tuple[int, float]] = []  # (partition, loop time): tests, logs

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        await self.leases.open()
        self.leases.on_lost(self._lost)
        await self._listen()
        self._task = asyncio.create_task(self._run(), name="inbox-partitions")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
            self._listener = None
        self.owned.clear()
        await self.leases.close()

    async def _listen(self) -> None:
        from storage.postgres import driver

        try:
            self._listener = await driver().connect(self.db.url)
            await self._listener.add_listener(inbox.NOTIFY_CHANNEL, self._notified)
        except Exception as exc:  # the poll still finds every update
            log.warning("inbox: no notifications (%s); polling every %ss", exc, POLL_SECONDS)
            self._listener = None

    def _notified(self, _conn, _pid, _channel, payload: str) -> None:
        with contextlib.suppress(ValueError):
            if inbox.partition_of(int(payload), PARTITIONS) in self.owned:
                self._wake.set()

    def _lost(self) -> None:
        # Another instance may own them from now: nothing more is handed over from here.
        if self.owned:
            log.warning("inbox: partitions %s lost with the lease", sorted(self.owned))
        self.owned.clear()
        self._draining.clear()
        self._member = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_round = 0.0
        while True:
            try:
                if loop.time() >= next_round:
                    await self.rebalance()
                    next_round = loop.time() + ROUND_SECONDS
                await self.dispatch()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("inbox partitions: round failed; trying again")
                await asyncio.sleep(ROUND_SECONDS)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)

    async def _held_keys(self) -> set[int]:
        """The second keys of every lease held on this database, as signed numbers."""
        rows = await self.db.fetchall(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = ? AND objsubid = 2"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (leases.NAMESPACE,),
        )
        return {int(r[0]) - 2**32 if int(r[0]) >= 2**31 else int(r[0]) for r in rows}

    async def rebalance(self) -> None:
        if self.leases.lost.is_set():
            await self.leases.open()  # a new connection; everything was lost with the old
        if self._member is None:
            held = await self._held_keys()
            for slot in range(MEMBER_SLOTS):
                if leases.key(member_name(slot)) not in held and await self.leases.try_acquire(
                    member_name(slot)
                ):
                    self._member = slot
                    break
        held = await self._held_keys()
        members = sum(leases.key(member_name(s)) in held for s in range(MEMBER_SLOTS))
        share = math.ceil(PARTITIONS / max(members, 1))
        free = {p for p in range(PARTITIONS) if leases.key(partition_name(p)) not in held}
        orphans, self._free_before = free & self._free_before, free
        for part in sorted(free, key=lambda p: (p - (self._member or 0) * share) % PARTITIONS):
            if len(self.owned) >= share and part not in orphans:
                continue
            if await self.leases.try_acquire(partition_name(part)):
                await self._take(part)
        # More than the share: give up what has nothing in flight (newest member first).
        surplus = len(self.owned) - share
        for part in sorted(self.owned, reverse=True):
            if surplus <= 0:
                break
            self.owned.discard(part)
            self._draining.add(part)
            surplus -= 1
        in_flight = set(self._dispatched.values())
        for part in [p for p in self._draining if p not in in_flight]:
            self._draining.discard(part)
            await self.leases.release(partition_name(part))
            log.info("inbox: partition %d given up to balance the instances", part)

    async def _take(self, part: int) -> None:
        def belongs(person: int) -> bool:
            return inbox.partition_of(person, PARTITIONS) == part

        loaded = await refresh_conversations(self.app, belongs)
        self.app.persistence.reload_users(part, lambda p: inbox.partition_of(p, PARTITIONS))
        self.owned.add(part)
        self._draining.discard(part)
        self.took_over.append((part, asyncio.get_running_loop().time()))
        log.info("inbox: partition %d taken (%d conversations loaded)", part, loaded)

    async def dispatch(self) -> int:
        """Hand over the owned partitions' updates not handed over yet, in update order."""
        if not (self.owned or self._draining):
            self._dispatched.clear()
            return 0
        ids = await inbox.unhandled_ids(self.db)
        waiting = set(ids)
        # Handled ones are no longer waiting (nor in flight).
        self._dispatched = {i: p for i, p in self._dispatched.items() if i in waiting}
        self._partition = {i: p for i, p in self._partition.items() if i in waiting}
        unknown = [i for i in ids if i not in self._partition]
        parsed: dict[int, Update] = {}
        if unknown:
            for row_id, data in (await inbox.contents(self.db, unknown)).items():
                update = Update.de_json(data, self.app.bot)
                self._partition[row_id] = inbox.partition_of(ordering_key(update), PARTITIONS)
                parsed[row_id] = update
        new = [i for i in ids if i not in self._dispatched and self._partition[i] in self.owned]
        if not new:
            return 0
        missing = [i for i in new if i not in parsed]
        if missing:
            for row_id, data in (await inbox.contents(self.db, missing)).items():
                parsed[row_id] = Update.de_json(data, self.app.bot)
        for row_id in new:
            self._dispatched[row_id] = self._partition[row_id]
            await self.put(parsed[row_id])
        return len(new)
