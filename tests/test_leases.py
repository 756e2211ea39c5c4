"""Leases among instances sharing one PostgreSQL database (storage/leases.py, bot/leader.py):
one holder at a time, a standby takes over within 30 s of the holder's death, and a holder
that loses its lease is told to stop. Two instances are two `Database` handles (and their
`Leases`) in this process, on the throwaway PostgreSQL of tests/postgres.py."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from bot.leader import Leader
from storage.db import Database
from storage.leases import Leases


async def _until(condition, seconds: float) -> float:
    """Seconds until `condition()` held; fails after `seconds`."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > seconds:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - began


async def _terminate(url: str, pid: int) -> None:
    """What an operator (or a dying host) does to the holder: its backend ends."""
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


class Work:
    """What a leader runs: counts its starts and stops, and whether it runs now."""

    def __init__(self) -> None:
        self.running = False
        self.starts = self.stops = 0

    async def start(self) -> None:
        assert not self.running
        self.running = True
        self.starts += 1

    async def stop(self) -> None:
        assert self.running
        self.running = False
        self.stops += 1


@pytest.mark.sqlite_only("on SQLite one process owns the file, so a lease is always held")
async def test_on_sqlite_a_lease_is_always_held(tmp_path):
    async with Database(tmp_path / "p.db") as db:
        leases = await Leases(db).open()
        assert await leases.try_acquire("leader") and leases.held("leader")
        work = Work()
        leader = Leader(leases, "leader", start=work.start, stop=work.stop)
        await leader.start()
        assert work.running and leader.leading
        await leader.stop()
        assert work.stops == 1
        await leases.close()


async def test_one_holder_at_a_time_and_a_release_frees_it(postgres_url):
    async with Database(postgres_url) as one, Database(postgres_url) as two:
        first, second = await Leases(one).open(), await Leases(two).open()
        try:
            assert await first.try_acquire("leader")
            assert await first.try_acquire("leader")  # again: still this one's
            assert not await second.try_acquire("leader")
            assert await second.try_acquire("inbox-1")  # another name is another lease
            await first.release("leader")
            assert not first.held("leader")
            assert await second.try_acquire("leader") and second.held("leader")
        finally:
            await first.close()
            await second.close()


async def test_a_standby_takes_over_within_30_seconds_of_the_holders_backend_ending(postgres_url):
    """Default timings (a standby asks every 5 s): the holder's backend is terminated; the
    holder is told at once and stops, the standby runs the work within 30 s."""
    async with Database(postgres_url) as one, Database(postgres_url) as two:
        first, second = await Leases(one).open(), await Leases(two).open()
        a, b = Work(), Work()
        holder = Leader(first, "leader", start=a.start, stop=a.stop)
        standby = Leader(second, "leader", start=b.start, stop=b.stop)
        try:
            await holder.start()
            await standby.start()
            assert a.running and not b.running and holder.leading and not standby.leading

            await _terminate(postgres_url, await first.backend_pid())
            stopped = await _until(lambda: not a.running, 10)
            took_over = await _until(lambda: b.running, 30)
            assert stopped < 5 and took_over < 30
            assert (a.starts, a.stops, b.starts) == (1, 1, 1)
            # The old holder stands by on a new connection: never both at once.
            await asyncio.sleep(0.5)
            assert not a.running and holder.leading is False
        finally:
            await holder.stop()
            await standby.stop()
            await first.close()
            await second.close()


async def test_a_closed_holder_hands_over_and_a_dead_standby_changes_nothing(postgres_url):
    async with Database(postgres_url) as one, Database(postgres_url) as two:
        first, second = Leases(one, check_seconds=0.2), Leases(two, check_seconds=0.2)
        a, b = Work(), Work()
        holder = Leader(first, "leader", start=a.start, stop=a.stop, retry_seconds=0.2)
        standby = Leader(second, "leader", start=b.start, stop=b.stop, retry_seconds=0.2)
        try:
            await holder.start()
            await standby.start()
            assert a.running and not b.running

            await second.close()  # the standby's connection dies: nothing changes
            await asyncio.sleep(0.6)
            assert a.running and not b.running

            await first.close()  # the holder's process is gone (its connection closes)
            took_over = await _until(lambda: b.running, 5)
            assert took_over < 1
        finally:
            await holder.stop()
            await standby.stop()
            await first.close()
            await second.close()
