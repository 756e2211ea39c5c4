"""One `partybot run` per SQLite database: a second one on the same file is refused.

Two bots on one file would both poll Telegram (one consumer per token) and both send the
outbox. The claim is an exclusive `flock` on `<database>.lock`, held for the life of the
process: the kernel drops it when the process ends however it ends (kill -9 included), so
there is no stale lock to clear by hand. Other `partybot` commands beside the running bot
stay allowed; they go through SQLite's own locking. Several instances on one PostgreSQL
database are the way to more than one process (docs/scaling.md).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class AlreadyRunning(Exception):
    pass


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def claim(database: Path) -> IO[str]:
    """The held lock (keep it open); AlreadyRunning when another process holds it."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise AlreadyRunning(
            f"another `partybot run` (pid {holder}) is running on {database}: one process per"
            " database file; stop that one first (or run several instances on PostgreSQL)"
        ) from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle
