"""`partybot migrate-to postgresql://…`: a seeded SQLite database copied into an empty
PostgreSQL one reads the same there; a target holding data is refused; a copy that no
longer matches is caught, naming the table."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest

from benchmarks import seed
from domain import admin
from storage import hours, people, transfer
from storage.db import Database
from storage.posts import catalog
from tests.test_cli import partybot

pytestmark = pytest.mark.sqlite_only("copies from a SQLite file into PostgreSQL")

YEAR = date.today().year


async def _seeded(tmp_path):
    """The county set at a hundredth, posts for its first branch, and a unit whose parent
    was made after it (a row referring to a later row of its own table)."""
    path = tmp_path / "db" / "partybot.db"
    async with Database(path):
        pass  # the schema, from the migrations
    seed.fill(path, 0.01, YEAR)
    async with Database(path) as db, db.transaction() as conn:
        await catalog.seed(conn, 1, ["A1", "A2", "B1"], 3, datetime.now(UTC))
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO unit_orgs (id, name, created_at) VALUES (900, '县委', 'x')")
        conn.execute("UPDATE unit_orgs SET parent_id = 900 WHERE id = 1")
    return path


async def _reads(db: Database) -> dict:
    """What the bot reads of people, hours and posts."""
    ids = [r[0] for r in await db.fetchall("SELECT telegram_id FROM people ORDER BY id")]
    return {
        "people": [await people.by_telegram_id(db, t) for t in ids],
        "roles": [await people.roles_of(db, p) for p in range(1, 6)],
        # Within a person the kinds come in either engine's order.
        "hours": sorted(
            await hours.branch_sums(db, 1, date(YEAR, 1, 1), date(YEAR, 12, 31)), key=str
        ),
        "verified": await hours.verified_in_branch(db, 1, date(YEAR, 1, 1), date(YEAR, 12, 31)),
        "posts": await catalog.branch_posts(db, 1),
        "units": sorted(tuple(r) for r in await db.fetchall("SELECT id, parent_id FROM unit_orgs")),
    }


async def test_a_copy_reads_the_same_and_new_rows_get_new_ids(tmp_path, postgres_url):
    path = await _seeded(tmp_path)
    result = partybot(tmp_path, "migrate-to", postgres_url)
    assert result.returncode == 0, result.stderr
    assert "hour_records: 10,000 rows" in result.stdout
    assert "counts and checksums match" in result.stdout
    assert f"DATABASE_URL={postgres_url}" in result.stdout

    async with Database(path) as old, Database(postgres_url) as new:
        assert new.engine == "postgresql"
        before, after = await _reads(old), await _reads(new)
        for key in before:
            assert after[key] == before[key], key
        assert len(after["people"]) == 500 and after["posts"] and after["verified"]
        # The sequences continue after the copied ids: new rows do not collide.
        branch = await admin.add_branch(new, "新建社区党支部")
        assert branch.id == 1 + await old.fetchval("SELECT max(id) FROM branches")


async def test_a_target_holding_rows_is_refused_and_left_as_it_was(tmp_path, postgres_url):
    await _seeded(tmp_path)
    async with Database(postgres_url) as db:
        await admin.add_branch(db, "已有支部")
    result = partybot(tmp_path, "migrate-to", postgres_url)
    assert result.returncode == 1
    assert result.stderr.startswith("partybot: the PostgreSQL database is not empty")
    assert "branches" in result.stderr and "Traceback" not in result.stderr
    async with Database(postgres_url) as db:
        assert await db.fetchval("SELECT count(*) FROM branches") == 1
        assert await db.fetchval("SELECT count(*) FROM people") == 0


async def test_a_copy_that_differs_is_caught_table_by_table(tmp_path, postgres_url):
    await _seeded(tmp_path)
    assert partybot(tmp_path, "migrate-to", postgres_url).returncode == 0
    verified = partybot(tmp_path, "migrate-to", "--verify", postgres_url)
    assert verified.returncode == 0 and "counts and checksums match" in verified.stdout

    async with Database(postgres_url) as db:
        await db.write("UPDATE people SET name = '改过' WHERE id = 3")
        await db.write("DELETE FROM hour_records WHERE id = 7")
    result = partybot(tmp_path, "migrate-to", "--verify", postgres_url)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "partybot: differs: people: same 500 rows, checksums differ" in lines
    assert "partybot: differs: hour_records: 10000 rows in SQLite, 9999 in PostgreSQL" in lines
    assert lines[-1].startswith("partybot: the copy does not match in 2 of")


async def test_other_targets_are_refused_in_one_line(tmp_path, postgres_url):
    await _seeded(tmp_path)
    wrong = partybot(tmp_path, "migrate-to", "sqlite:///elsewhere.db")
    assert wrong.returncode == 2 and "needs a postgresql://" in wrong.stderr
    missing = partybot(tmp_path, "migrate-to", postgres_url, "--from", "nowhere.db")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "partybot: no SQLite database at nowhere.db"


def test_tables_come_after_the_tables_they_reference(tmp_path):
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id));"
            "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id),"
            " up INTEGER REFERENCES b(id));"
            "CREATE TABLE a (id INTEGER PRIMARY KEY);"
        )
    source = transfer.open_source(path)
    try:
        ordered = transfer.tables(source)
    finally:
        source.close()
    assert [t.name for t in ordered] == ["a", "b", "c"]
    assert ordered[1].parent == ("up", "id")
