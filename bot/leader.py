"""Work for one instance at a time: run it while holding a lease, stand by otherwise.

    leader = Leader(leases, "leader", start=begin, stop=end)
    await leader.start()   # tries at once: a sole instance (or SQLite) starts `begin` now
    ...
    await leader.stop()    # `end` if it was leading, and the lease released

A standby asks for the lease every `retry_seconds` (5 s); with storage.leases' keepalives
that takes over within 30 s of the holder's death. A holder that loses its lease (its
connection dropped, docs/scaling.md) awaits `stop` at once, then stands by again on a new
connection. `start` and `stop` never overlap.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from storage.leases import Leases
from storage.tasks import cancel_and_wait

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0

Step = Callable[[], Awaitable[object]]


class Leader:
    def __init__(
        self,
        leases: Leases,
        name: str,
        *,
        start: Step,
        stop: Step,
        retry_seconds: float | None = None,
    ) -> None:
        self.leases = leases
        self.name = name
        self.retry_seconds = RETRY_SECONDS if retry_seconds is None else retry_seconds
        self._begin = start
        self._end = stop
        self.leading = False
        # When it last took the lease (time.monotonic()), for logs and tests.
        self.since: float | None = None
        self._lost = asyncio.Event()
        self._task: asyncio.Task | None = None
        leases.on_lost(self._lost.set)

    async def start(self) -> None:
        await self._attempt()
        self._task = asyncio.create_task(self._run(), name=f"leader-{self.name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)
        await self._step_down()
        await self.leases.release(self.name)

    async def _attempt(self) -> None:
        try:
            await self.leases.open()  # again after a loss: a new connection
            if not await self.leases.try_acquire(self.name):
                return
        except Exception as exc:  # the database unreachable: stand by, ask again
            log.warning("lease %s: cannot ask for it (%s); trying again", self.name, exc)
            return
        self._lost.clear()
        self.leading = True
        self.since = time.monotonic()
        log.info("lease %s taken: this instance does its work", self.name)
        await self._begin()

    async def _step_down(self) -> None:
        if not self.leading:
            return
        self.leading = False
        await self._end()

    async def _run(self) -> None:
        while True:
            if self.leading:
                await self._lost.wait()
                log.warning("lease %s lost: stopping its work", self.name)
                await self._step_down()
            else:
                await asyncio.sleep(self.retry_seconds)
                try:
                    await self._attempt()
                except Exception:
                    log.exception("lease %s: its work failed to start; standing by", self.name)
                    self.leading = False
                    await self.leases.release(self.name)
