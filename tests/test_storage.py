"""The database: migrations from every earlier version, transactions, backups."""

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import pytest

from domain.models import Role
from storage import appraisal, migrations, outbox, people
from storage.db import Database, utcnow
from tests.world import database_at, database_before


@asynccontextmanager
async def upgrading(tmp_path: Path, migration: str, script: str) -> AsyncIterator[Database]:
    """What an older bot left before `migration` (tests/world.py `database_before`), opened
    by this one: upgraded to the latest version."""
    path = await database_before(tmp_path, migration, script)
    async with Database(path) as upgraded:
        assert await upgraded.schema_version() == migrations.latest_version()
        yield upgraded


@pytest.mark.sqlite_only("PRAGMAs; tests/test_postgres.py has PostgreSQL's")
async def test_a_new_database_is_at_the_latest_version(tmp_path):
    async with Database(tmp_path / "new.db") as db:
        assert await db.schema_version() == migrations.latest_version()
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.check_integrity() == []


@pytest.mark.parametrize("start", range(migrations.latest_version()))
async def test_upgrade_from_every_earlier_version_keeps_the_data(tmp_path, start):
    db = await database_at(tmp_path / f"v{start}.db", start)
    assert await db.schema_version() == start
    if start >= 1:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO branches (id, name, code, created_at) VALUES (1, 'b', 'B0001', 'x')"
            )
            await conn.execute(
                "INSERT INTO people (id, telegram_id, branch_id, name, status, created_at,"
                " updated_at) VALUES (7, 42, 1, '李明', 'active', 'x', 'x')"
            )
    await db.close()

    async with Database(tmp_path / f"v{start}.db") as upgraded:
        assert await upgraded.schema_version() == migrations.latest_version()
        assert await upgraded.check_integrity() == []
        if start >= 1:
            assert await upgraded.fetchval("SELECT name FROM people WHERE id = 7") == "李明"


async def test_a_failed_transaction_leaves_nothing_behind(tmp_path):
    async with Database(tmp_path / "t.db") as db:
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO branches (name, code, created_at) VALUES ('a', 'C1', 'x')"
                )
                await conn.execute(
                    "INSERT INTO branches (name, code, created_at) VALUES ('b', 'C1', 'x')"
                )
        assert await db.fetchval("SELECT COUNT(*) FROM branches") == 0


async def test_the_audit_log_is_append_only(tmp_path):
    from storage import audit

    async with Database(tmp_path / "a.db") as db:
        async with db.transaction() as conn:
            await audit.record(conn, action="x", subject_type="y", subject_id=1)
        for statement in ("UPDATE audit_log SET action = 'z'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                async with db.transaction() as conn:
                    await conn.execute(statement)
        assert await db.fetchval("SELECT action FROM audit_log") == "x"


@pytest.mark.sqlite_only("PRAGMA user_version; tests/test_postgres.py has PostgreSQL's")
async def test_a_newer_database_than_the_program_is_refused(tmp_path):
    async with Database(tmp_path / "n.db") as db:
        await db.writer.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
    with pytest.raises(RuntimeError, match="newer than this program"):
        await Database(tmp_path / "n.db").open()


@pytest.mark.sqlite_only("SQLite's backup API; PostgreSQL is backed up with pg_dump")
async def test_backup_is_a_consistent_copy(tmp_path):
    async with Database(tmp_path / "live.db") as db:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO branches (name, code, created_at) VALUES ('a', 'C1', 'x')"
            )
        target = await db.backup(tmp_path / "copy" / "backup.db")
    async with Database(target) as copy:
        assert await copy.fetchval("SELECT name FROM branches") == "a"
        assert await copy.check_integrity() == []


async def test_a_branch_window_survives_the_upgrade_that_adds_hour_counting(tmp_path):
    db = await database_at(tmp_path / "v8.db", 8)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO branches (id, name, code, created_at) VALUES (1, 'b', 'B0001', 'x')"
        )
        await conn.execute("INSERT INTO branch_hour_settings VALUES (1, 30)")
    await db.close()

    async with Database(tmp_path / "v8.db") as upgraded:
        assert await upgraded.schema_version() == migrations.latest_version()
        assert await upgraded.fetchval("SELECT window_days FROM branch_hour_settings") == 30
        assert await upgraded.fetchval("SELECT COUNT(*) FROM branch_hour_counting") == 0


async def test_upgrading_to_0010_lets_only_the_departure_erasure_into_the_mobile_history(tmp_path):
    db = await database_at(tmp_path / "v9.db", 9)
    async with db.transaction() as conn:
        for statement in (
            "INSERT INTO branches (id, name, code, created_at) VALUES (1, 'b', 'B0001', 'x')",
            "INSERT INTO people (id, branch_id, name, status, created_at, updated_at)"
            " VALUES (7, 1, '李明', 'active', 'x', 'x')",
            "INSERT INTO mobile_registrations (id, person_id, branch_id, direction, created_at)"
            " VALUES (3, 7, 1, 'outflow', 'x')",
            "INSERT INTO mobile_versions (registration_id, version, details, created_at)"
            " VALUES (3, 1, '{\"address\": \"文三路\"}', 'x')",
            "INSERT INTO mobile_events (registration_id, at, kind, note) VALUES (3, 'x', 'k', 'n')",
        ):
            await conn.execute(statement)
    await db.close()

    erase = (
        "UPDATE mobile_versions SET details = '{}', report = NULL",
        "UPDATE mobile_events SET note = NULL",
    )
    async with Database(tmp_path / "v9.db") as upgraded:
        for statement in erase:
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                async with upgraded.transaction() as conn:
                    await conn.execute(statement)
        async with upgraded.transaction() as conn:
            await conn.execute("UPDATE people SET status = 'left' WHERE id = 7")
            for statement in erase:
                await conn.execute(statement)
        assert await upgraded.fetchval("SELECT details FROM mobile_versions") == "{}"
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            async with upgraded.transaction() as conn:
                await conn.execute("UPDATE mobile_events SET kind = 'other'")


async def test_upgrading_to_the_safety_migration_keeps_the_data_and_limits_codes(tmp_path):
    old = "INSERT INTO branches (id, name, code, created_at) VALUES (1, 'b', 'B0001', 'x');"
    async with upgrading(tmp_path, "_safety.sql", old) as upgraded:
        assert await upgraded.fetchval("SELECT name FROM branches") == "b"
        async with upgraded.transaction() as conn:
            await conn.execute(
                "INSERT INTO code_failures (telegram_id, kind, at) VALUES (5, 'invite', 'x')"
            )
        with pytest.raises(sqlite3.IntegrityError):
            async with upgraded.transaction() as conn:
                await conn.execute(
                    "INSERT INTO code_failures (telegram_id, kind, at) VALUES (5, 'pin', 'x')"
                )


async def test_upgrading_to_the_appraisal_migration_keeps_the_members_and_opens_rounds(tmp_path):
    old = (
        "INSERT INTO branches (id, name, code, created_at) VALUES (1, 'b', 'B0001', 'x');"
        "INSERT INTO people (id, telegram_id, branch_id, name, status, created_at,"
        " updated_at) VALUES (7, 70, 1, '李明', 'active', 'x', 'x');"
        "INSERT INTO roles (person_id, branch_id, role, granted_at) VALUES (7, 1, 'member', 'x');"
    )
    async with upgrading(tmp_path, "_appraisal.sql", old) as upgraded:
        assert await upgraded.fetchval("SELECT name FROM people WHERE id = 7") == "李明"
        async with upgraded.transaction() as conn:
            round_id = await appraisal.create_round(
                conn,
                branch_id=1,
                year=2026,
                start=date(2026, 1, 1),
                end=date(2026, 12, 31),
                by=7,
                now=utcnow(),
                participants=await appraisal.eligible(conn, 1),
            )
        assert (
            await upgraded.fetchval(
                "SELECT COUNT(*) FROM appraisal_tallies WHERE round_id = ? AND ratee_id = 7",
                (round_id,),
            )
            == 4
        )


async def test_upgrading_takes_the_member_role_from_activists(tmp_path):
    """入党积极分子 joined or were imported as members; they are candidates, no members."""
    old = (
        "INSERT INTO branches (id, name, code, created_at) VALUES (1, 'b', 'B0001', 'x');"
        "INSERT INTO people (id, telegram_id, branch_id, name, category, status, created_at,"
        " updated_at) VALUES (7, 70, 1, '孙丽', 'activist', 'active', 'x', 'x'),"
        " (8, 80, 1, '李明', 'resident', 'active', 'x', 'x');"
        "INSERT INTO roles (person_id, branch_id, role, granted_at) VALUES"
        " (7, 1, 'member', 'x'), (7, 1, 'secretary', 'x'), (8, 1, 'member', 'x');"
    )
    async with upgrading(tmp_path, "_activists.sql", old) as upgraded:
        assert await people.roles_of(upgraded, 7) == {(1, Role.SECRETARY)}
        assert await people.roles_of(upgraded, 8) == {(1, Role.MEMBER)}
        marked = await upgraded.fetchall("SELECT telegram_id FROM menu_refresh")
        assert [r[0] for r in marked] == [70]


async def test_0022_keeps_the_outbox_and_a_message_in_flight_is_taken_back(tmp_path):
    old = (
        "INSERT INTO outbox (id, key, chat_id, text, status, attempts, next_attempt_at,"
        " created_at, claimed_at) VALUES"
        " (1, 'sent', 10, 'Thank you.', 'sent', 1, '2030-01-01T00:00:00.000+00:00', 'x', 'x'),"
        " (2, 'flying', 11, 'Thank you.', 'sending', 1, '2030-01-01T00:00:00.000+00:00', 'x',"
        " 'x');"
    )
    async with upgrading(tmp_path, "_outbox_leases.sql", old) as upgraded:
        rows = await upgraded.fetchall(
            "SELECT key, status, claimed_by, lease_until FROM outbox ORDER BY id"
        )
        assert [tuple(r) for r in rows] == [
            ("sent", "sent", None, None),
            ("flying", "sending", None, None),
        ]
        # Claimed before leases existed: no live sender holds it, so it is taken back.
        assert await outbox.recover(upgraded, 5, utcnow()) == 1
        assert await upgraded.fetchval("SELECT status FROM outbox WHERE id = 2") == "pending"
