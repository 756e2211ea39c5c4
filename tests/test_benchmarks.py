"""The benchmarks still run end to end (on a tiny load; their figures are not judged here)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from benchmarks import fanout, reports, seed, startup, throughput
from tests.postgres import binaries


async def test_throughput_benchmark_walks_every_person_through_all_three_bots(capsys):
    people = len(throughput.FLOWS)
    await throughput.main(["--people", str(people), "--rounds", "1"])
    figures = json.loads(capsys.readouterr().out.splitlines()[0])
    assert figures["benchmark"] == "throughput"
    steps = sum(len(throughput.flows("code", n)) for n in range(people))
    assert (
        figures["partybot_updates"]
        == figures["echo_updates"]
        == figures["echo_concurrent_updates"]
        == steps
    )
    assert figures["ratio"] > 0 and figures["ratio_concurrent"] > 0 and figures["cpu_ratio"] > 0
    # every flow did its work, for the measured people and the others alike
    for left in ("joined", "hours_logged", "posts_claimed", "status_reports"):
        assert figures[f"partybot_{left}"] > people, left


@pytest.mark.sqlite_only("the benchmark opens both engines itself: no stand-in for its SQLite")
async def test_throughput_engines_run_sqlite_polling_and_one_and_two_postgresql_instances(
    monkeypatch, capsys
):
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    monkeypatch.setattr(throughput, "ALONE", 1)
    rounds: dict[str, dict] = {}  # engine -> what its processes were given and left
    processes, done = throughput.processes, throughput.done

    def watched(kind, server, data, url):
        bots = processes(kind, server, data, url)
        rounds[kind] = {"server": server, "url": url, "bots": bots}
        return bots

    async def counted(target):
        kind = next(reversed(rounds))
        left = rounds[kind]["left"] = await done(target)
        if kind == "sqlite":  # the file itself, not through storage.db
            with sqlite3.connect(target / "partybot.db") as conn:
                rounds[kind]["file_joined"] = conn.execute(
                    "SELECT COUNT(*) FROM join_requests"
                ).fetchone()[0]
        return left

    monkeypatch.setattr(throughput, "processes", watched)
    monkeypatch.setattr(throughput, "done", counted)
    people = len(throughput.FLOWS)
    await throughput.main(["--engines", "sqlite,pg1,pg2", "--people", str(people), "--rounds", "1"])
    figures = json.loads(capsys.readouterr().out.splitlines()[0])

    assert figures["benchmark"] == "throughput-engines"
    steps = sum(len(throughput.flows("code", n)) for n in range(people))
    for kind in ("sqlite", "pg1", "pg2"):
        assert figures[f"{kind}_updates"] == steps, kind
        assert rounds[kind]["left"]["joined"] > 1, kind  # the measured joiner and the others
    sqlite, pg1, pg2 = rounds["sqlite"], rounds["pg1"], rounds["pg2"]
    # SQLite: one process polling its own file, which holds what the people did.
    assert sqlite["url"] is None and len(sqlite["bots"]) == 1
    (bot,) = sqlite["bots"]
    assert bot.env["DATABASE_URL"] == f"sqlite:///{bot.data / 'partybot.db'}"
    assert sqlite["server"].polling.is_set() and not sqlite["server"].webhook_answered_by
    assert sqlite["file_joined"] == sqlite["left"]["joined"]
    assert figures["sqlite_server_cpu_ms_per_update"] == 0
    # PostgreSQL: one and two webhook instances on the round's database, each answering.
    for engine, instances in ((pg1, 1), (pg2, 2)):
        assert engine["url"].startswith("postgresql://") and len(engine["bots"]) == instances
        assert {bot.env["DATABASE_URL"] for bot in engine["bots"]} == {engine["url"]}
        assert all("--webhook" in bot.command for bot in engine["bots"])
        answered = set(engine["server"].webhook_answered_by.values())
        assert answered == set(engine["server"].webhook_addresses)
        assert len(answered) == instances
    assert pg1["url"] != pg2["url"]


async def test_startup_benchmark_reports_the_first_poll_and_idle_memory(capsys):
    await startup.main(["--rounds", "1"])
    figures = json.loads(capsys.readouterr().out.splitlines()[0])
    assert 0 < figures["first_get_updates_s"] < 30
    assert figures["idle_rss_mb"] > 10


async def test_fanout_benchmark_delivers_every_message_once_within_the_limits(capsys):
    await fanout.main(
        ["--messages", "60", "--limit", "100", "--real-messages", "10", "--paid-messages", "20"]
    )
    figures = json.loads(capsys.readouterr().out.splitlines()[0])
    assert figures["paid_paid_sent"] == 20 and figures["real_paid_sent"] == 0
    for run in ("scaled", "real", "paid"):
        assert figures[f"{run}_lost"] == figures[f"{run}_duplicates"] == 0
        assert figures[f"{run}_outbox_not_sent"] == 0
        assert figures[f"{run}_member_answers"] >= 1


async def test_seed_and_reports_benchmarks_on_a_tiny_county(tmp_path, capsys):
    database = tmp_path / "county.db"
    await seed.main([str(database), "--scale", "0.002", "--year", "2026"])
    await reports.main(
        [
            str(database),
            "--rounds",
            "1",
            "--quarter",
            "2026Q3",
            "--half",
            "2026H2",
            "--check",
            "--old-writer",
            "--digest",
        ]
    )
    figures = json.loads(capsys.readouterr().out.splitlines()[1])
    assert figures["benchmark"] == "reports"
    assert (figures["units"], figures["hour_records"]) == (1, 2000)
    assert figures["cadre_registrations"] == 9  # of 10 cadres, every 20th has not registered
    assert figures["feedback_xlsx_bytes"] > 0 and figures["statements"] > 0
    assert figures["district_branches"] >= 1 and figures["district_s"] > 0
    assert figures["files_identical_to_openpyxl"] == 2  # the unit's and the county's
    assert figures["feedback_cpu_ratio_old_new"] > 0
    assert len(figures["figures_sha256"]) == 64  # every report's figures, as read back
    # The start-up benchmark lets the first start on the set catch up on the jobs a seeded
    # set never ran, then measures restarts on that copy; the set itself stays as it was.
    await startup.main(["--rounds", "1", "--database", str(database)])
    figures = json.loads(capsys.readouterr().out.splitlines()[0])
    assert figures["primed"] is True and figures["first_start_idle_rss_mb"] > 10
    assert figures["idle_rss_mb"] > 10
    with sqlite3.connect(database) as seeded:
        assert seeded.execute("SELECT count(*) FROM job_runs").fetchone() == (0,)
