"""Leases: work that one instance at a time may do, among several sharing a PostgreSQL database.

A lease is a PostgreSQL session advisory lock (`pg_try_advisory_lock`) taken on a connection
of its own, held for as long as that connection lives. The server drops the lock the moment
the connection ends: at once when the holder's process dies on a live host (its socket
closes, kill -9 included), and within `KEEPALIVE_*` (20 s) when the host itself vanishes,
through the server's TCP keepalives set on that connection. A standby that asks again every
few seconds therefore takes over within 30 s of the holder's death (docs/scaling.md).

The holder must stop working when it loses its lease, or two would work at once: a
watcher asks the connection every `check_seconds` (with a timeout), and when the connection
is gone, terminated by an operator (`pg_terminate_backend`) or cut off from the server, every
lease on it is lost: `lost` is set and the `on_lost` callbacks run. The server has dropped the
locks by then or will within its keepalives, and a standby takes them.

On SQLite a lease is always held: one process per database file (bot/instance.py's flock
refuses a second `partybot run`), so there is nobody to share with.

    leases = Leases(db)            # an open storage.db.Database
    await leases.open()
    if await leases.try_acquire("outbox-sender"):
        ...                        # work; stop when leases.lost is set
    await leases.close()           # releases everything
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from functools import lru_cache

from storage.db import Database
from storage.postgres import driver
from storage.tasks import cancel_and_wait

log = logging.getLogger(__name__)

# The two-key form of advisory locks is a key space of its own (pg_locks.objsubid = 2), apart
# from the one-key form migrations use; the first key says "a partybot lease".
NAMESPACE = 0x7062  # "pb"
CHECK_SECONDS = 2.0
CHECK_TIMEOUT_SECONDS = 5.0
# The server's side of the lease's connection: a host that vanishes is noticed after
# idle + interval × count seconds, and its locks are dropped.
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 5, 5, 3


@lru_cache(maxsize=256)
def key(name: str) -> int:
    """A lease's name as the advisory lock's second key: a stable signed 32-bit number."""
    digest = hashlib.blake2b(name.encode(), digest_size=4).digest()
    # 0 is storage.db.WRITER_LOCK's.
    return int.from_bytes(digest, "big", signed=True) or 1


class Leases:
    """The leases one instance holds, on one connection of their own."""

    def __init__(self, db: Database, *, check_seconds: float | None = None) -> None:
        self.db = db
        self.check_seconds = CHECK_SECONDS if check_seconds is None else check_seconds
        self.lost = asyncio.Event()
        self._on_lost: list[Callable[[], object]] = []
        self._held: set[str] = set()
        self._conn = None  # asyncpg.Connection
        self._use = asyncio.Lock()  # one operation at a time on the connection
        self._opening = asyncio.Lock()
        self._watcher: asyncio.Task | None = None

    @property
    def shared(self) -> bool:
        """Whether other instances may share the database (PostgreSQL)."""
        return self.db.url is not None

    async def open(self) -> Leases:
        """Connect (PostgreSQL); the database must be open, as its URL is known only then.
        After a loss, connects again (the leases were lost with the old connection)."""
        async with self._opening:
            if not self.shared or (self._conn is not None and not self.lost.is_set()):
                return self
            await self.close()  # what is left of a lost connection
            self._conn = await driver().connect(
                self.db.url,
                timeout=CHECK_TIMEOUT_SECONDS,
                server_settings={
                    "application_name": "partybot lease",
                    "tcp_keepalives_idle": str(KEEPALIVE_IDLE),
                    "tcp_keepalives_interval": str(KEEPALIVE_INTERVAL),
                    "tcp_keepalives_count": str(KEEPALIVE_COUNT),
                },
            )
            self.lost.clear()
            self._conn.add_termination_listener(self._ended)
            self._watcher = asyncio.create_task(self._watch(), name="leases-watch")
            return self

    def on_lost(self, callback: Callable[[], object]) -> None:
        """`callback()` when the leases are lost (called once, in the event loop)."""
        self._on_lost.append(callback)

    def held(self, name: str) -> bool:
        return not self.shared or (name in self._held and not self.lost.is_set())

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._held) if self.shared else frozenset()

    async def try_acquire(self, name: str) -> bool:
        """Take the lease `name` unless another instance holds it; True when this one does
        (also when it already did). False, not an error, when the connection is gone."""
        if not self.shared:
            return True
        if self.lost.is_set() or self._conn is None:
            return False
        if name in self._held:
            return True
        try:
            async with self._use:
                got = await self._conn.fetchval(
                    "SELECT pg_try_advisory_lock($1, $2)",
                    NAMESPACE,
                    key(name),
                    timeout=CHECK_TIMEOUT_SECONDS,
                )
        except (OSError, TimeoutError, driver().PostgresError, driver().InterfaceError) as exc:
            self._lose(f"{type(exc).__name__}: {exc}")
            return False
        if got:
            self._held.add(name)
        return bool(got)

    async def release(self, name: str) -> None:
        if not self.shared or name not in self._held:
            return
        self._held.discard(name)
        if self.lost.is_set() or self._conn is None:
            return
        with contextlib.suppress(OSError, driver().PostgresError, driver().InterfaceError):
            async with self._use:
                await self._conn.execute(
                    "SELECT pg_advisory_unlock($1, $2)", NAMESPACE, key(name), timeout=5
                )

    async def backend_pid(self) -> int | None:
        """The server process of the lease connection (operators, tests: what to terminate)."""
        if self._conn is None:
            return None
        return self._conn.get_server_pid()

    async def close(self) -> None:
        """Release everything (by ending the connection, which drops the locks at once)."""
        watcher, self._watcher = self._watcher, None
        await cancel_and_wait(watcher)
        conn, self._conn = self._conn, None
        self._held.clear()
        if conn is not None:
            conn.remove_termination_listener(self._ended)
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(OSError, driver().PostgresError, driver().InterfaceError):
                await asyncio.wait_for(conn.close(), CHECK_TIMEOUT_SECONDS)
            if not conn.is_closed():
                conn.terminate()

    async def _watch(self) -> None:
        while not self.lost.is_set():
            await asyncio.sleep(self.check_seconds)
            try:
                async with self._use:
                    await self._conn.fetchval("SELECT 1", timeout=CHECK_TIMEOUT_SECONDS)
            except (OSError, TimeoutError, driver().PostgresError, driver().InterfaceError) as exc:
                self._lose(f"{type(exc).__name__}: {exc}")

    def _ended(self, _conn: object) -> None:
        self._lose("its connection ended")

    def _lose(self, why: str) -> None:
        if self.lost.is_set():
            return
        if self._held:
            log.warning("leases %s lost: %s", ", ".join(sorted(self._held)), why)
        self._held.clear()
        self.lost.set()
        for callback in self._on_lost:
            try:
                callback()
            except Exception:
                log.exception("leases: a callback for their loss failed")
