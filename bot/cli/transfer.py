"""`partybot migrate-to postgresql://…`: copy the SQLite database into an empty PostgreSQL
one, prove the copy table by table, and say what to change in the configuration
(storage/transfer.py does the copying; docs/scaling.md says when and why)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot import instance
from bot.cli.shell import EXIT_FAILED, EXIT_USAGE, Commands, Parsers
from bot.config import Settings
from storage import postgres, transfer
from storage.db import is_postgres


def add_commands(parsers: Parsers) -> Commands:
    """Runs without a database opened for it: `main` calls `migrate_to` by name."""
    move = parsers["migrate-to"]
    move.add_argument("url", help="the target: postgresql://USER:PASSWORD@HOST/NAME")
    move.add_argument(
        "--from", dest="source", type=Path, help="the SQLite file (default: DATABASE_URL's)"
    )
    move.add_argument(
        "--verify",
        action="store_true",
        help="copy nothing: compare row counts and checksums of an earlier copy",
    )
    return {}


def shown(url: str) -> str:
    """The URL without its password, for the terminal and its scrollback."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _source(settings: Settings, args: argparse.Namespace) -> Path | None:
    if args.source is not None:
        return args.source
    if settings.is_postgres:
        return None
    return settings.database_path


async def migrate_to(settings: Settings, args: argparse.Namespace) -> int:
    if not is_postgres(args.url):
        print("partybot: migrate-to needs a postgresql://USER:PASSWORD@HOST/NAME URL",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    path = _source(settings, args)
    if path is None:
        print("partybot: DATABASE_URL is PostgreSQL already: give the SQLite file with --from",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    try:
        # No bot may write to the file while it is copied (nor start half-way).
        held = instance.claim(path) if path.is_file() else None
    except instance.AlreadyRunning as exc:
        print(f"partybot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        return await _run(path, args)
    except transfer.TransferRefused as exc:
        print(f"partybot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (OSError, postgres.driver().PostgresError) as exc:
        print(f"partybot: PostgreSQL at {shown(args.url)}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if held is not None:
            held.close()


async def _run(path: Path, args: argparse.Namespace) -> int:
    source = transfer.open_source(path)
    conn = await postgres.connect(args.url)
    try:
        ordered = transfer.tables(source)
        if args.verify:
            print(f"reading {path} …")
            tallies = {t.name: transfer.source_tally(source, t) for t in ordered}
        else:
            tallies = await _copy(source, conn, path, ordered, args.url)
        problems = await transfer.differences(tallies, conn, ordered)
    finally:
        await conn.close()
        source.close()
    if problems:
        for line in problems:
            print(f"partybot: differs: {line}", file=sys.stderr)
        print(f"partybot: the copy does not match in {len(problems)} of {len(ordered)} tables;"
              " keep DATABASE_URL on SQLite", file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
    rows = sum(t.rows for t in tallies.values())
    print(f"verified: {len(ordered)} tables, {rows:,} rows; counts and checksums match")
    if not args.verify:
        _advise(path, args.url)
    return 0


async def _copy(source, conn, path: Path, ordered, url: str) -> dict[str, transfer.Tally]:
    if bad := transfer.dangling(source):
        raise transfer.TransferRefused(
            f"{path} has rows whose foreign keys point nowhere (in {', '.join(bad)});"
            " PostgreSQL would refuse them: see `sqlite3 FILE 'PRAGMA foreign_key_check'`"
        )
    version = transfer.source_version(source)
    applied = await transfer.prepare_target(conn, version)
    print(f"{shown(url)}: schema version {version} ({len(applied)} migrations applied)")
    started = time.monotonic()

    def progress(table: transfer.Table, rows: int) -> None:
        if rows:
            print(f"  {table.name}: {rows:,} rows")

    tallies = await transfer.copy(source, conn, ordered, progress)
    print(f"copied {len(ordered)} tables in {time.monotonic() - started:.1f} s; verifying …")
    return tallies


def _advise(path: Path, url: str) -> None:
    print(
        "\nTo run the bot on PostgreSQL now:\n"
        f"  1. in its configuration (.env or the environment): DATABASE_URL={shown(url)}\n"
        f"     and DATA_DIR={path.resolve().parent} (heartbeat, backups and broadcast files"
        " stay where they are)\n"
        "  2. start it: `partybot run` (it applies any newer migrations on start); do not"
        " start it on the SQLite file again, what it wrote there would not be copied\n"
        f"Keep {path} untouched until the bot runs well on PostgreSQL; back up PostgreSQL with"
        " `partybot backup` (pg_dump)."
    )
