"""`partybot run`, `migrate` and `health`: start the bot, bring its database up to date,
and tell a container whether the running bot is alive."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from urllib.parse import urlparse

from bot import __version__, backups, instance, startup
from bot import health as bot_health
from bot.backups import HEARTBEAT_MAX_AGE
from bot.cli.shell import EXIT_FAILED, Commands, Parsers, log
from bot.config import ConfigError, Settings
from domain import workdays
from storage.db import Database, utcnow


def add_commands(parsers: Parsers) -> Commands:
    """Run without a database opened for them: `main` calls them by name."""
    run = parsers["run"]
    run.add_argument("--webhook", action="store_true", help="receive updates by webhook")
    run.add_argument("--listen", default="0.0.0.0", help="webhook: address to listen on")
    run.add_argument("--port", type=int, default=8443, help="webhook: port to listen on")
    run.add_argument("--url", help="webhook: the public HTTPS URL Telegram calls")
    run.add_argument("--secret-token", help="webhook: secret Telegram sends in a header")

    migrate = parsers["migrate"]
    migrate.add_argument("--dry-run", action="store_true", help="only list what would run")

    return {}


# The run's claim on its SQLite file (bot/instance.py), held until the process ends.
_held: list = []


def run(settings: Settings, args: argparse.Namespace) -> int:
    # Imported once `main` knows polling or webhook: python-telegram-bot's import decides
    # whether it has a webhook server (`_without_webhook_server`).
    from bot import instances
    from bot.app import build_application

    settings.token()  # a clear error before anything else starts
    if not settings.is_postgres:
        try:
            _held.append(instance.claim(settings.database_path))
        except instance.AlreadyRunning as exc:
            print(f"partybot: {exc}", file=sys.stderr)
            return EXIT_FAILED
    log.info("starting partybot %s with %s", __version__, settings.describe())
    asyncio.run(backups.upgrade(settings, log.info))
    startup.report(settings)
    asyncio.run(startup.wait_for_telegram(settings))
    app = build_application(settings)
    # On PostgreSQL: one poller, or any number of instances by webhook (bot/instances.py).
    app.bot_data["instances"] = instances.WEBHOOK if args.webhook else instances.POLLING
    # What start-up loaded (modules, handlers, catalogs) lives as long as the process;
    # frozen out of the cyclic collector's sight, a full collection no longer walks it
    # (one took 50-60 ms in the middle of an update; benchmarks/README.md).
    gc.freeze()
    try:
        _serve(app, args)
    except instance.AlreadyRunning as exc:
        print(f"partybot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _serve(app, args: argparse.Namespace) -> None:
    from bot.app import ALLOWED_UPDATES

    if args.webhook:
        if not args.url:
            raise ConfigError("--webhook needs --url (the public HTTPS address)")
        app.bot_data["liveness"].webhook = True
        app.run_webhook(
            listen=args.listen,
            port=args.port,
            url_path=urlparse(args.url).path.lstrip("/"),
            webhook_url=args.url,
            secret_token=args.secret_token,
            allowed_updates=ALLOWED_UPDATES,
            bootstrap_retries=-1,
        )
    else:
        # Should the network drop again between the check above and here, python-telegram-bot
        # waits for it rather than stopping.
        app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)


async def migrate(settings: Settings, args: argparse.Namespace) -> int:
    applied = await backups.upgrade(settings, print, dry_run=args.dry_run)
    if not applied:
        print("nothing to apply")
    if not args.dry_run:
        async with Database(settings.database) as db:
            print(f"database at schema version {await db.schema_version()}")
    return 0


def health(settings: Settings) -> int:
    beat = settings.heartbeat_path
    if not beat.exists():
        print("partybot: no heartbeat yet", file=sys.stderr)
        return EXIT_FAILED
    age = time.time() - beat.stat().st_mtime
    if age > HEARTBEAT_MAX_AGE:
        print(f"partybot: heartbeat is {age:.0f}s old", file=sys.stderr)
        return EXIT_FAILED
    problems = bot_health.problems(
        beat.read_text(encoding="utf-8"), time.time(), settings.health_max_silence
    )
    for problem in problems:
        print(f"partybot: {problem}", file=sys.stderr)
    if problems:
        return EXIT_FAILED
    print(f"ok ({age:.0f}s)")
    # Still healthy: the bot works, but the operator has a calendar to enter.
    if warning := asyncio.run(_health_calendar(settings)):
        print(warning)
    return 0


async def _health_calendar(settings: Settings) -> str | None:
    try:
        async with Database(settings.database) as db:
            return await workdays.current_warning(db, settings.tz, utcnow())
    except Exception as exc:  # the heartbeat decides health; this line is advice only
        log.debug("calendar check skipped: %s", exc)
        return None
