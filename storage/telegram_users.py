"""Per-Telegram-account settings that exist before (or without) a person record."""

from __future__ import annotations

from storage.db import Database, iso, utcnow


async def get_languages(db: Database, telegram_id: int) -> tuple[str | None, str | None]:
    """(the locale chosen with /language, the client's last reported language_code)."""
    row = await db.fetchone(
        "SELECT locale, language_code FROM telegram_users WHERE telegram_id = ?", (telegram_id,)
    )
    return (row["locale"], row["language_code"]) if row else (None, None)


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


async def menus(db: Database) -> dict[int, str]:
    """The menu last published for each chat that has one of its own."""
    found = await db.fetchall("SELECT telegram_id, menu FROM telegram_users WHERE menu IS NOT NULL")
    return {r[0]: r[1] for r in found}


async def menu_of(db: Database, telegram_id: int) -> str | None:
    return await db.fetchval(
        "SELECT menu FROM telegram_users WHERE telegram_id = ?", (telegram_id,)
    )


async def set_menu(db: Database, telegram_id: int, menu: str | None) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO telegram_users (telegram_id, menu, first_seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT(telegram_id) DO UPDATE SET menu = excluded.menu",
            (telegram_id, menu, iso(utcnow())),
        )
