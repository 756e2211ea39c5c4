"""Backups: the daily copy with rotation, and restoring one while the bot is stopped.

A backup is a plain SQLite file made with the online backup API, so it is consistent even
while the bot writes. On PostgreSQL it is `pg_dump`'s custom format (one consistent
snapshot too; restored with `pg_restore`, README), taken when pg_dump is on PATH, into the
same folder under the same rotation. Restoring swaps the database file, which is only safe
while nothing has it open; the bot removes its heartbeat file on a clean stop, so a fresh
heartbeat means it is (or was just killed while) running.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from bot.config import ConfigError, Settings
from domain import departures
from storage import migrations
from storage.db import Database, utcnow

log = logging.getLogger(__name__)

# A daily backup, or one taken before an upgrade (`-schema6`: the version it holds); `.dump`
# is pg_dump's.
_NAME = re.compile(r"^partybot-(\d{8}-\d{6})(?:-schema\d+)?\.(?:db|dump)$")
_STAMP = "%Y%m%d-%H%M%S"
HEARTBEAT_MAX_AGE = 180


class RestoreRefused(Exception):
    """Worded for the operator."""


def backup_name(now: datetime) -> str:
    return f"partybot-{now.astimezone(UTC).strftime(_STAMP)}.db"


class BackupFailed(Exception):
    """Worded for the operator."""


NO_PG_DUMP = (
    "pg_dump is not on PATH: install PostgreSQL's client (Debian: apt-get install"
    " postgresql-client, the server's major version or newer) or back up with your own"
    " pg_dump --format=custom"
)


def pg_dump() -> str | None:
    return shutil.which("pg_dump")


async def take(db: Database, folder: Path, now: datetime) -> Path:
    if db.engine == "postgresql":
        return await dump(db.url, folder / backup_name(now).replace(".db", ".dump"))
    return await db.backup(folder / backup_name(now))


async def dump(url: str, target: Path) -> Path:
    """`pg_dump --format=custom` of the database into `target` (whole, or not at all)."""
    program = pg_dump()
    if program is None:
        raise BackupFailed(NO_PG_DUMP)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    dbname, env = _without_password(url)
    process = await asyncio.create_subprocess_exec(
        program, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={dbname}",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await process.communicate()
    if process.returncode != 0:
        partial.unlink(missing_ok=True)
        lines = err.decode(errors="replace").strip().splitlines()
        raise BackupFailed(f"pg_dump failed: {lines[-1] if lines else process.returncode}")
    partial.replace(target)
    return target


async def upgrade(
    settings: Settings, say: Callable[[str], object], *, dry_run: bool = False
) -> list[str]:
    """Apply the migrations the database lacks, each named through `say`, after a backup
    beside it (rotated like the daily ones) when it holds data; with `dry_run`, only say
    what would happen. Returns the names of the migrations (to be) applied.

    On PostgreSQL the backup is pg_dump's, when it is on PATH; without it the bot says so
    and applies them."""
    if settings.is_postgres:
        return await _upgrade_postgres(settings, say, dry_run=dry_run)
    if dry_run and not settings.database_path.exists():
        say(f"no database at {settings.database_path}: would be created")
        return [m.name for m in migrations.available()]
    db = Database(settings.database_path)
    await db.open(migrate=False)
    try:
        version = await db.schema_version()
        pending = [m for m in migrations.available() if m.version > version]
        if version > migrations.latest_version():
            raise ConfigError(
                f"database schema {version} is newer than this program"
                f" ({migrations.latest_version()})"
            )
        if not pending:
            return []
        if version == 0:
            if not dry_run:
                await migrations.apply(db.writer)
            verb = "would be created" if dry_run else "created"
            say(f"new database {settings.database_path} {verb} at schema {pending[-1].version}")
            return [m.name for m in pending]
        name = f"partybot-{utcnow().strftime(_STAMP)}-schema{version}.db"
        target = settings.backups_path / name
        if dry_run:
            say(f"schema {version}: would back up to {target}, then apply:")
        else:
            await db.backup(target)
            say(f"schema {version}: backed up to {target}")
        return await _apply(db, pending, say, dry_run=dry_run, listing="  ")
    finally:
        await db.close()


async def _upgrade_postgres(
    settings: Settings, say: Callable[[str], object], *, dry_run: bool
) -> list[str]:
    db = await Database(settings.database).open(migrate=False)
    try:
        version = await db.schema_version()
        pending = [m for m in migrations.available() if m.version > version]
        if pending and version > 0:
            name = f"partybot-{utcnow().strftime(_STAMP)}-schema{version}.dump"
            target = settings.backups_path / name
            if pg_dump() is None:
                say(f"schema {version}: not backed up first ({NO_PG_DUMP})")
            elif dry_run:
                say(f"schema {version}: would back up to {target} (pg_dump), then apply:")
            else:
                await dump(db.url, target)
                say(f"schema {version}: backed up to {target} (pg_dump)")
        return await _apply(db, pending, say, dry_run=dry_run, listing="  would apply ")
    finally:
        await db.close()


def _without_password(url: str) -> tuple[str, dict[str, str]]:
    """The URL for pg_dump's arguments, and its environment: the password goes in
    PGPASSWORD, since any user of the machine can read a process's arguments."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is None:
        return url, env
    env["PGPASSWORD"] = unquote(parts.password)
    netloc = parts.netloc.rpartition("@")[2]
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit(parts._replace(netloc=netloc)), env


async def _apply(
    db: Database,
    pending: list[migrations.Migration],
    say: Callable[[str], object],
    *,
    dry_run: bool,
    listing: str,
) -> list[str]:
    """Each pending migration in order (a dry run only lists them, after `listing`)."""
    for migration in pending:
        if dry_run:
            say(f"{listing}{migration.name}")
            continue
        await migrations.apply(db.writer, target=migration.version)
        say(f"applied migration {migration.name}")
    return [m.name for m in pending]


def rotate(folder: Path, keep_days: int, now: datetime) -> list[Path]:
    """Delete this program's backups older than `keep_days`; other files are left alone."""
    removed = []
    cutoff = now - timedelta(days=keep_days)
    for path in sorted(folder.glob("partybot-*")):
        match = _NAME.match(path.name)
        if match and datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC) < cutoff:
            path.unlink()
            removed.append(path)
    return removed


async def job(
    db: Database, branch_id: int | None, now: datetime, tz: tzinfo, *, settings: Settings
) -> int:
    """The daily job (bot/jobs.py): a backup, the rotation, and the retention rule's
    erasures. Queues no messages. On PostgreSQL without pg_dump, the erasures only (the
    operator backs it up; `partybot backup` says how)."""
    if db.engine == "postgresql" and pg_dump() is None:
        erased = await departures.erase_expired(db, now.astimezone(tz).date())
        log.warning("no backup: %s; %d names erased", NO_PG_DUMP, erased)
        return 0
    path = await take(db, settings.backups_path, now)
    removed = rotate(settings.backups_path, settings.backup_keep_days, now)
    erased = await departures.erase_expired(db, now.astimezone(tz).date())
    log.info("backup %s written, %d old removed, %d names erased", path, len(removed), erased)
    return 0


def problems_of(path: Path) -> list[str]:
    """Why a file cannot be restored; empty when it is a sound partybot database."""
    if not path.is_file():
        return [f"{path} is not a file"]
    try:
        conn = _read_only(path)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        found = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        found += [f"foreign key: {tuple(r)}" for r in conn.execute("PRAGMA foreign_key_check")]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        return [f"not a database: {exc}"]
    finally:
        conn.close()
    if "people" not in tables or version < 1:
        found.append("not a partybot database")
    if version > migrations.latest_version():
        found.append(f"made by a newer partybot (schema {version})")
    return found


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that changes nothing on disk. The path is quoted in the URI, where a
    "#" or "?" in a file name would otherwise end it (and "back#up?mode=rwc.db" create a
    file "back"). Our databases and backups are in WAL mode, and a read-only connection
    to one leaves -shm and -wal files it may not delete; without a log to read, the file
    is opened as immutable, which needs neither."""
    log_exists = path.with_name(path.name + "-wal").exists()
    mode = "ro" if log_exists else "ro&immutable=1"
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True)


def _copy(source: Path, target: Path) -> None:
    """A consistent single-file copy through SQLite (WAL content included)."""
    target.unlink(missing_ok=True)
    src = _read_only(source)
    dest = sqlite3.connect(target)
    try:
        src.backup(dest)
    finally:
        dest.close()
        src.close()


def restore(settings: Settings, source: Path, *, force: bool = False) -> Path | None:
    """Put `source` in place of the database; returns where the replaced one was kept."""
    if settings.is_postgres:
        raise RestoreRefused(
            "DATABASE_URL is PostgreSQL: with the bot stopped, restore a .dump with"
            " pg_restore --clean --if-exists --no-owner --dbname=URL FILE (README)"
        )
    beat = settings.heartbeat_path
    if not force and beat.exists() and time.time() - beat.stat().st_mtime < HEARTBEAT_MAX_AGE:
        raise RestoreRefused(
            "the bot is running (its heartbeat is fresh): stop it first, then restore; "
            "use --force only if you are sure it is stopped"
        )
    problems = problems_of(source)
    if problems:
        raise RestoreRefused(f"{source} cannot be restored: {'; '.join(problems[:3])}")
    target = settings.database_path
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".restoring")
    _copy(source, staged)
    if problems_of(staged):
        staged.unlink()
        raise RestoreRefused("the copy failed its integrity check; nothing was changed")
    kept = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{utcnow().strftime(_STAMP)}")
        _copy(target, kept)
    for suffix in ("-wal", "-shm"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    staged.replace(target)
    return kept
