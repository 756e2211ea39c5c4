"""Per-Telegram-account settings that exist before (or without) a person record."""

from __future__ import annotations

from storage.db import Database, iso, utcnow


async def get_locale(db: Database, telegram_id: int) -> str | None:
    return await db.fetchval(
        "SELECT locale FROM telegram_users WHERE telegram_id = ?", (telegram_id,)
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


async def mark_reachable(db: Database, telegram_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE telegram_users SET unreachable_at = NULL WHERE telegram_id = ?"
            " AND unreachable_at IS NOT NULL",
            (telegram_id,),
        )
