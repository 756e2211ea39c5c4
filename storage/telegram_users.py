"""Per-Telegram-account settings that exist before (or without) a person record."""

from __future__ import annotations

from storage.db import Database, iso, utcnow


async def get_languages(db: Database, telegram_id: int) -> tuple[str | None, str | None]:
    """(the locale chosen with /language, the client's last reported language_code)."""
    row = await db.fetchone(
        "SELECT locale, language_code FROM telegram_users WHERE telegram_id = ?", (telegram_id,)
    )
    return (row["locale"], row["language_code"]) if row else (None, None)


async def seen(db: Database, telegram_id: int) -> bool:
    """Whether the account has written to the bot before."""
    return (
        await db.fetchone("SELECT 1 FROM telegram_users WHERE telegram_id = ?", (telegram_id,))
        is not None
    )


async def set_language_code(db: Database, telegram_id: int, language_code: str | None) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO telegram_users (telegram_id, language_code, first_seen_at)"
            " VALUES (?, ?, ?) ON CONFLICT(telegram_id)"
            " DO UPDATE SET language_code = excluded.language_code",
            (telegram_id, language_code, iso(utcnow())),
        )


async def set_locale(db: Database, telegram_id: int, locale: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO telegram_users (telegram_id, locale, first_seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT(telegram_id) DO UPDATE SET locale = excluded.locale",
            (telegram_id, locale, iso(utcnow())),
        )


async def mark_unreachable(db: Database, telegram_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO telegram_users (telegram_id, first_seen_at, unreachable_at)"
            " VALUES (?, ?, ?) ON CONFLICT(telegram_id) DO UPDATE"
            " SET unreachable_at = excluded.unreachable_at",
            (telegram_id, iso(utcnow()), iso(utcnow())),
        )
