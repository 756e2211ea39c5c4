"""Which language each chat reads: the one a person chose with /language, else the one
their Telegram client reports (remembered, so notifications use it too)."""

from __future__ import annotations

from storage import telegram_users
from storage.db import Database


async def of(db: Database, telegram_id: int) -> tuple[str | None, str | None]:
    """(chosen, reported by the client), either None when unknown."""
    return await telegram_users.get_languages(db, telegram_id)


async def remember_client(db: Database, telegram_id: int, language_code: str | None) -> None:
    await telegram_users.set_language_code(db, telegram_id, language_code)


async def choose(db: Database, telegram_id: int, locale: str) -> None:
    await telegram_users.set_locale(db, telegram_id, locale)


async def seen_before(db: Database, telegram_id: int) -> bool:
    """Whether this chat has talked to the bot before (a welcome, or "welcome back")."""
    return await telegram_users.seen(db, telegram_id)
