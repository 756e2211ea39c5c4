"""`python -m bot` that dies at a chosen point of an update's handling, as `kill -9` would.

    CRASH_POINT=commit CRASH_AT=1 python -m tests.reliability.crash_point run

`CRASH_POINT` names where (`none`: nowhere), counted only inside an update's handling
(domain/effects.py), the N-th time (`CRASH_AT`, default 1) it is reached in this process:

* `commit` — right after a domain call's transaction (its writes and journal row) commits;
* `reply` — right after the first reply (a message sent or edited, a file) that follows a
  domain commit reaches the Bot API;
* `handled` — just before the update is marked handled with its conversation state.

The scheduler's jobs do not run: they are no update's, and would add rows that the
reference run the tests compare with has not. The process ends with `os._exit`: no
`finally`, no graceful stop, nothing flushed that the bot itself did not commit. The hooks
are patched in here so that the bot's own code knows nothing of them.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from telegram.ext import ExtBot

import storage.effects
from bot import jobs
from bot.persistence import SQLitePersistence
from domain import effects
from storage.db import Database

POINTS = ("commit", "reply", "handled")
REPLIES = frozenset(
    {"sendMessage", "editMessageText", "sendDocument", "sendPhoto", "editMessageReplyMarkup"}
)
EXIT_CODE = 137  # what a shell reports for SIGKILL

_point = os.environ["CRASH_POINT"]
_at = int(os.environ.get("CRASH_AT", "1"))
_seen = 0
assert _point in (*POINTS, "none"), _point


def _in_update() -> bool:
    scope = effects._scope.get()
    return scope is not None and scope.task is asyncio.current_task()


def _reached(point: str) -> None:
    global _seen
    if point != _point or not _in_update():
        return
    _seen += 1
    if _seen == _at:
        sys.stderr.write(f"crash_point: dying at {point} #{_seen}\n")
        sys.stderr.flush()
        os._exit(EXIT_CODE)


_journaled: ContextVar[bool] = ContextVar("journaled", default=False)
_committed: ContextVar[bool] = ContextVar("committed", default=False)
_record = storage.effects.record


async def _recording(*args, **kwargs) -> None:
    await _record(*args, **kwargs)
    _journaled.set(True)


_transaction = Database.transaction


@asynccontextmanager
async def _transaction_then_die(self: Database) -> AsyncIterator:
    outermost = not self._holds()
    async with _transaction(self) as conn:
        yield conn
    if outermost and _journaled.get():
        _journaled.set(False)
        _committed.set(True)
        _reached("commit")


_do_post = ExtBot._do_post


async def _post_then_die(self, endpoint: str, data: dict, **kwargs):
    result = await _do_post(self, endpoint, data, **kwargs)
    if endpoint in REPLIES and _committed.get():
        _reached("reply")
    return result


_commit = SQLitePersistence.commit


async def _die_then_commit(self, handled_update_id: int | None = None, **kwargs) -> None:
    if handled_update_id is not None:
        _reached("handled")
    await _commit(self, handled_update_id, **kwargs)


async def _no_jobs(context) -> None:
    pass


jobs.tick = _no_jobs
storage.effects.record = _recording
Database.transaction = _transaction_then_die
ExtBot._do_post = _post_then_die
SQLitePersistence.commit = _die_then_commit

from bot.cli import main  # noqa: E402 - after the hooks, as the bot must see them

raise SystemExit(main())
