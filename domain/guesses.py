"""A ceiling on wrong guesses of the codes people type: check-in codes (per member, see
domain/events/checking_in.py), invitation codes and certificate codes (per Telegram account, since
whoever tries them need not be anyone we know). The codes are long enough that guessing
is hopeless anyway; the ceiling keeps anyone from trying them in bulk."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from domain.errors import Conflict
from storage import code_failures as store
from storage import events as checkin_store
from storage.db import Database

MAX_WRONG_CODES = 5  # within WRONG_CODE_WINDOW; then codes are refused unchecked
WRONG_CODE_WINDOW = timedelta(minutes=10)


class Guessed(StrEnum):
    INVITE = "invite"
    CERTIFICATE = "certificate"


def wait_after_wrong_codes(failures: list[datetime], now: datetime) -> int:
    """Minutes (rounded up) a person must wait before typing another code, 0 if none: after
    MAX_WRONG_CODES wrong codes within WRONG_CODE_WINDOW, until the oldest of them ages out."""
    recent = sorted(f for f in failures if f > now - WRONG_CODE_WINDOW)
    if len(recent) < MAX_WRONG_CODES:
        return 0
    free_at = recent[-MAX_WRONG_CODES] + WRONG_CODE_WINDOW
    return max(1, math.ceil((free_at - now).total_seconds() / 60))


async def refuse_if_too_many(db: Database, telegram_id: int, kind: Guessed, now: datetime) -> None:
    """Refused without looking at the code, while the account has had too many wrong."""
    failures = await store.since(db, telegram_id, kind, now - WRONG_CODE_WINDOW)
    if minutes := wait_after_wrong_codes(failures, now):
        raise Conflict("guesses_too_many", minutes=minutes)


async def wrong(db: Database, telegram_id: int, kind: Guessed, now: datetime) -> None:
    async with db.transaction() as conn:
        await store.add(conn, telegram_id, kind, now, forget_before=now - WRONG_CODE_WINDOW)


async def forget_expired(db: Database, branch_id: int | None, now: datetime, tz: tzinfo) -> int:
    """Job, for the whole bot: wrong codes of every kind, once the limit no longer looks
    back at them (an account's own also go at its next wrong code)."""
    async with db.transaction() as conn:
        await checkin_store.forget_wrong_codes(conn, now - WRONG_CODE_WINDOW)
        await store.forget(conn, now - WRONG_CODE_WINDOW)
    return 0
