"""`partybot`: run the bot and do the operator's chores from a shell.

Every failure the operator can cause (missing token, unknown branch, bad id) ends with one
line on stderr and a non-zero exit code, never a traceback.

One module a command group: each declares its sub-commands in `add_commands` and returns
what runs them; a new command is a parser and an `async def (settings, db, args) -> int`
there (shell.py has what they share).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot import __version__
from bot.cli import (
    assessment,
    backup,
    branch,
    cadres,
    calendar,
    districts,
    jobs,
    members,
    outbox,
    secretary,
    service,
    transfer,
)
from bot.cli.shell import EXIT_FAILED, EXIT_USAGE, Commands, describe, with_db
from bot.config import ConfigError, load_settings
from bot.logging import setup_logging
from domain.errors import DomainError

GROUPS = (
    service,
    branch,
    districts,
    secretary,
    members,
    cadres,
    jobs,
    outbox,
    backup,
    calendar,
    assessment,
    transfer,
)


def parser() -> tuple[argparse.ArgumentParser, Commands]:
    """The command line, and what runs each (command, action) that needs the database."""
    top = argparse.ArgumentParser(prog="partybot", description=__doc__.splitlines()[0])
    top.add_argument("--version", action="version", version=f"partybot {__version__}")
    sub = top.add_subparsers(dest="command")
    commands: Commands = {}
    for group in GROUPS:
        commands.update(group.add_commands(sub))
    return top, commands


def main(argv: list[str] | None = None) -> int:
    top, commands = parser()
    args = top.parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        setup_logging(settings)
        if command == "run":
            return service.run(settings, args)
        if command == "health":
            return service.health(settings)
        if command == "restore":
            return backup.restore(settings, args)
        if command == "migrate":
            return asyncio.run(service.migrate(settings, args))
        if command == "migrate-to":
            return asyncio.run(transfer.migrate_to(settings, args))
        action = commands.get((command, getattr(args, "action", None)))
        if action is None:
            top.parse_args([command, "--help"])
            return EXIT_USAGE
        return asyncio.run(with_db(settings, action, args))
    except ConfigError as exc:
        print(f"partybot: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DomainError as exc:
        print(f"partybot: {describe(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
