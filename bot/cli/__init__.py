"""`partybot`: run the bot and do the operator's chores from a shell.

Every failure the operator can cause (missing token, unknown branch, bad id) ends with one
line on stderr and a non-zero exit code, never a traceback.

One module a command group: `COMMANDS` names each command, its help line and its module;
the module's `add_commands` adds the arguments and returns what runs them. A new command is
a row there, and a parser and an `async def (settings, db, args) -> int` in its module
(shell.py has what they share). Only the module of the command given is imported, so
`partybot run` starts without loading the other groups (each pulls in its part of domain/).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import __version__

if TYPE_CHECKING:
    from bot.cli.shell import Commands

# (command, module in bot/cli/, help), in the order `partybot --help` lists them.
COMMANDS = (
    ("run", "service", "run the bot (long polling unless --webhook)"),
    (
        "migrate",
        "service",
        "back up the database, then apply its migrations (also done at start)",
    ),
    ("health", "service", "exit 0 when the running bot's heartbeat is fresh"),
    ("branch", "branch", "manage branches"),
    ("mobile", "branch", "mobile members (流动党员)"),
    ("district", "districts", "manage districts"),
    ("request", "districts", "join requests"),
    ("secretary", "secretary", "manage secretaries"),
    ("invite", "members", "manage invitations"),
    ("import", "members", "import members from an XLSX or CSV roster"),
    ("unit", "cadres", "manage unit party organisations"),
    ("report", "cadres", "write cadre reports to files"),
    ("job", "jobs", "scheduled jobs"),
    ("outbox", "outbox", "notifications: counts and failures"),
    ("backup", "backup", "copy the database safely, even while running (PostgreSQL: pg_dump)"),
    ("restore", "backup", "put a backup in place of the database"),
    ("calendar", "calendar", "the official working-day calendar (State Council notice)"),
    ("assessment", "assessment", "year-end branch assessments (五个好)"),
    ("migrate-to", "transfer", "copy the SQLite database into an empty PostgreSQL database"),
)
_MODULE = {name: module for name, module, _ in COMMANDS}
GROUPS = tuple(dict.fromkeys(_MODULE.values()))


def parser(argv: Sequence[str] | None = None) -> tuple[argparse.ArgumentParser, Commands]:
    """The command line, and what runs each (command, action) that needs the database: the
    arguments of the command `argv` names (every group's when it names none)."""
    top = argparse.ArgumentParser(prog="partybot", description=__doc__.splitlines()[0])
    top.add_argument("--version", action="version", version=f"partybot {__version__}")
    sub = top.add_subparsers(dest="command")
    parsers = {name: sub.add_parser(name, help=text) for name, _, text in COMMANDS}
    # The top level takes no option with a value: the first word is the command.
    named = next((word for word in argv or () if not word.startswith("-")), None)
    wanted = GROUPS if named is None else [m for name, m, _ in COMMANDS if name == named]
    commands: Commands = {}
    for module in wanted:
        group = importlib.import_module(f"bot.cli.{module}")
        mine = {name: parsers[name] for name, owner, _ in COMMANDS if owner == module}
        commands.update(group.add_commands(mine))
    return top, commands


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not any(not word.startswith("-") for word in argv):
        argv = [*argv, "run"]  # `partybot` alone runs the bot
    top, commands = parser(argv)
    args = top.parse_args(argv)
    command = args.command
    if command == "run" and not args.webhook:
        _without_webhook_server()

    from bot.cli.shell import EXIT_FAILED, EXIT_USAGE, describe, with_db
    from bot.config import ConfigError, load_settings
    from bot.logging import setup_logging
    from domain.errors import DomainError

    group = importlib.import_module(f"bot.cli.{_MODULE[command]}")
    try:
        settings = load_settings()
        setup_logging(settings)
        if command == "run":
            return group.run(settings, args)
        if command == "health":
            return group.health(settings)
        if command == "restore":
            return group.restore(settings, args)
        if command == "migrate":
            return asyncio.run(group.migrate(settings, args))
        if command == "migrate-to":
            return asyncio.run(group.migrate_to(settings, args))
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


def _without_webhook_server() -> None:
    """Polling serves no HTTP: keep tornado out of the process (~3 MiB resident, measured).
    python-telegram-bot imports it whenever its webhooks extra is installed, and treats an
    ImportError as the extra missing; a None in sys.modules makes the import raise one."""
    if "telegram.ext" not in sys.modules:
        sys.modules.setdefault("tornado", None)
