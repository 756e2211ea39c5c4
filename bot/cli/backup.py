"""`partybot backup` and `restore`: copy the database safely while the bot runs, and put
a copy back in its place."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import backups
from bot.cli.shell import EXIT_FAILED, Commands, Parsers
from bot.config import Settings
from storage.db import Database, utcnow


def add_commands(parsers: Parsers) -> Commands:
    backup = parsers["backup"]
    backup.add_argument(
        "path", type=Path, nargs="?", help="default: a dated file in BACKUP_DIR, rotated"
    )

    restore = parsers["restore"]
    restore.add_argument("file", type=Path)
    restore.add_argument("--force", action="store_true", help="skip the is-it-running check")
    return {("backup", None): _backup}


async def _backup(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    try:
        target = await _take(settings, db, args)
    except backups.BackupFailed as exc:
        print(f"partybot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"backup written to {target}")
    return 0


async def _take(settings: Settings, db: Database, args: argparse.Namespace) -> Path:
    if args.path is not None:
        if db.engine == "postgresql":
            return await backups.dump(db.url, args.path)
        return await db.backup(args.path)
    now = utcnow()
    target = await backups.take(db, settings.backups_path, now)
    for old in backups.rotate(settings.backups_path, settings.backup_keep_days, now):
        print(f"removed {old} (older than {settings.backup_keep_days} days)")
    return target


def restore(settings: Settings, args: argparse.Namespace) -> int:
    """Without a database open: the file is replaced under it."""
    try:
        kept = backups.restore(settings, args.file, force=args.force)
    except backups.RestoreRefused as exc:
        print(f"partybot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"restored {args.file} to {settings.database_path}")
    if kept is not None:
        print(f"the replaced database was kept as {kept}")
    print("start the bot now; it applies any newer migrations on start")
    return 0
