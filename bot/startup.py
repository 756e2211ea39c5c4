"""Before the bot serves: what it found on this machine, and a Bot API that answers.

Each finding is one log line, so an operator reading the start of the log knows which font
draws, which years the holiday calendar covers, which zone schedules run in and where the
data lives. Telegram unreachable at start is a network to wait for (one line per attempt,
retried with backoff); a token Telegram rejects is a configuration error (exit 2).
"""

from __future__ import annotations

import asyncio
import logging

from bot.config import ConfigError, Settings
from domain import fonts
from domain.workdays import package_years
from storage import migrations

log = logging.getLogger("partybot")

RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0


def report(settings: Settings) -> None:
    try:
        log.info("font: %s", fonts.find(settings.bot_font))
    except fonts.FontMissing as missing:
        log.warning(
            "font: none usable (tried %s); certificates go out as text, county charts are left out",
            missing.params["tried"],
        )
    first, last = package_years()
    log.info(
        "calendar: official holidays %d to %d (chinesecalendar); later years: as entered with"
        " `partybot calendar set`, else public holidays by rule and weekends",
        first,
        last,
    )
    log.info("zone: %s", settings.bot_timezone)
    if settings.is_postgres:
        where = settings.database_url.split("@")[-1]  # not the password
        log.info(
            "storage: PostgreSQL at %s (program schema %d), backed up with pg_dump",
            where,
            migrations.latest_version(),
        )
        return
    path = settings.database_path
    size = f"{path.stat().st_size / 1e6:.1f} MB" if path.exists() else "new"
    log.info(
        "storage: %s (%s, program schema %d), backups in %s",
        path.resolve(),
        size,
        migrations.latest_version(),
        settings.backups_path,
    )


async def wait_for_telegram(settings: Settings, *, first: float = RETRY_FIRST_SECONDS) -> str:
    """The bot's @name once the Bot API answers getMe; ConfigError when it refuses the
    token. Waits (doubling, at most a minute) for as long as it is unreachable."""
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError
    from telegram.request import HTTPXRequest

    from bot import tls

    delay, attempt = first, 1
    while True:
        try:
            async with Bot(
                settings.token(),
                base_url=settings.telegram_base_url,
                request=HTTPXRequest(httpx_kwargs=tls.httpx_kwargs()),
                get_updates_request=HTTPXRequest(httpx_kwargs=tls.httpx_kwargs()),
            ) as bot:
                return bot.username
        except InvalidToken:
            raise ConfigError(
                "Telegram rejects TELEGRAM_BOT_TOKEN (401 Unauthorized); check it with @BotFather"
            ) from None
        except NetworkError as exc:  # also timeouts and the Bot API's 5xx
            log.warning(
                "Telegram Bot API at %s unreachable (attempt %d: %s); retrying in %.0f s",
                settings.telegram_base_url,
                attempt,
                exc,
                delay,
            )
        await asyncio.sleep(delay)
        delay, attempt = min(delay * 2, RETRY_MAX_SECONDS), attempt + 1
