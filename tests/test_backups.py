"""Backups: the daily job with rotation, and restore-then-start with the data intact."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from bot import backups, jobs
from storage import people
from storage.db import Database
from tests.conftest import invite, onboard
from tests.test_cli import partybot


def test_rotation_keeps_the_last_days_and_nothing_else(tmp_path):
    now = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)
    for age in (0, 1, 13, 15, 40):
        (tmp_path / backups.backup_name(now - timedelta(days=age))).write_bytes(b"x")
    (tmp_path / "partybot-manual.db").write_bytes(b"x")
    (tmp_path / "notes.txt").write_bytes(b"x")
    removed = backups.rotate(tmp_path, 14, now)
    assert sorted(p.name for p in removed) == [
        backups.backup_name(now - timedelta(days=40)),
        backups.backup_name(now - timedelta(days=15)),
    ]
    assert len(list(tmp_path.iterdir())) == 5


@pytest.mark.sqlite_only("SQLite's backup files; PostgreSQL's pg_dump: the tests below")
async def test_the_daily_job_backs_up_and_rotates(bot, branch):
    folder = bot.settings.backups_path
    folder.mkdir(parents=True)
    old = folder / backups.backup_name(datetime.now(UTC) - timedelta(days=20))
    old.write_bytes(b"x")
    (target,) = await jobs.targets(bot.db, bot.settings, ["backup"])
    now = datetime.now(UTC)
    assert target.next_slot(now).astimezone(bot.settings.tz).strftime("%H:%M") == "03:30"
    assert await jobs.run_once(bot.db, target, now) == 0
    made = list(folder.glob("partybot-*.db"))
    assert len(made) == 1 and not old.exists()
    assert backups.problems_of(made[0]) == []
    with sqlite3.connect(made[0]) as conn:
        assert conn.execute("SELECT name FROM branches").fetchone()[0] == branch.name


@pytest.mark.sqlite_only("restores a SQLite file; PostgreSQL's pg_restore: the tests below")
async def test_restore_then_start_the_bot_with_the_data_intact(bot, branch, tmp_path):
    code = await invite(bot, branch.id, uses=2)
    li = bot.person("李")
    await onboard(li, code, "李明", "13800138000", "居民党员")
    await branch.secretary.press("✅ 通过")
    database = tmp_path / "partybot.db"
    env = {"DATABASE_URL": f"sqlite:///{database}", "BACKUP_DIR": str(tmp_path / "bk")}

    made = partybot(tmp_path, "backup", **env)
    assert made.returncode == 0, made.stderr
    backup = next((tmp_path / "bk").glob("partybot-*.db"))

    late = bot.person("晚")
    await onboard(late, code, "晚来", "13900139000", "居民党员")
    refused = partybot(tmp_path, "restore", str(backup), **env)
    assert refused.returncode == 1 and "stop it first" in refused.stderr

    await bot.stop()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    bad = partybot(tmp_path, "restore", str(garbage), **env)
    assert bad.returncode == 1 and "cannot be restored" in bad.stderr
    ok = partybot(tmp_path, "restore", str(backup), **env)
    assert ok.returncode == 0, ok.stderr
    assert "before-restore" in ok.stdout

    await bot.start()
    assert await people.by_telegram_id(bot.db, late.id) is None
    assert (await people.by_telegram_id(bot.db, li.id)).name == "李明"
    assert await bot.db.check_integrity() == []
    await li.send("/start", expecting="欢迎回来，李明")
    await branch.secretary.send("/help")
    assert branch.secretary.last_text.startswith("您是支部书记")


@pytest.mark.sqlite_only("restores a SQLite file; PostgreSQL's pg_restore: the tests below")
async def test_restore_takes_any_file_name_and_leaves_no_stray_files(bot, branch, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    backup = folder / "back#up?mode=rwc.db"
    await bot.db.backup(backup)
    await bot.stop()
    database = tmp_path / "live" / "partybot.db"
    env = {"DATABASE_URL": f"sqlite:///{database}", "BACKUP_DIR": str(tmp_path / "bk")}
    for _ in range(2):  # once onto nothing, once replacing the database restored first
        ok = partybot(tmp_path, "restore", str(backup), **env)
        assert ok.returncode == 0, ok.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["back#up?mode=rwc.db"]
    left = sorted(p.name for p in database.parent.iterdir())
    assert left[0] == "partybot.db" and len(left) == 2
    assert left[1].startswith("partybot.db.before-restore-")
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT name FROM branches").fetchone()[0] == branch.name


def _restored_rows(url: str, dump) -> list[str]:
    """The branch names of `dump` restored with pg_restore into the empty `url` (README)."""
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={url}", str(dump)], check=True, timeout=60
    )

    async def names() -> list[str]:
        async with Database(url) as db:
            return [r[0] for r in await db.fetchall("SELECT name FROM branches ORDER BY id")]

    return asyncio.run(names())


@pytest.mark.skipif(backups.pg_dump() is None, reason="pg_dump is not installed")
def test_backup_on_postgresql_is_a_pg_dump_rotated_and_restored(tmp_path, postgres_server):
    url, empty = postgres_server.new_database_now(), postgres_server.new_database_now()
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "BACKUP_DIR": str(tmp_path / "bk")}
    assert partybot(tmp_path, "branch", "add", "幸福社区党支部", **env).returncode == 0
    old = tmp_path / "bk" / backups.backup_name(datetime.now(UTC) - timedelta(days=20))
    old = old.with_suffix(".dump")
    old.parent.mkdir()
    old.write_bytes(b"x")

    result = partybot(tmp_path, "backup", **env)
    assert result.returncode == 0, result.stderr
    (made,) = (tmp_path / "bk").glob("partybot-*.dump")
    assert f"backup written to {made}" in result.stdout and f"removed {old}" in result.stdout
    assert made.read_bytes()[:5] == b"PGDMP"  # the custom format pg_restore reads
    assert _restored_rows(empty, made) == ["幸福社区党支部"]


def test_backup_on_postgresql_without_pg_dump_says_what_to_do(tmp_path, postgres_server):
    url = postgres_server.new_database_now()
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "PATH": str(tmp_path / "empty")}
    result = partybot(tmp_path, "backup", **env)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]  # after the migrations' log lines
    assert last.startswith("partybot: pg_dump is not on PATH: install PostgreSQL's")
    assert not (tmp_path / "backups").exists()
