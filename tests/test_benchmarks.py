"""The benchmarks still run end to end (on a tiny load; their figures are not judged here)."""

from __future__ import annotations

import json

from benchmarks import startup, throughput


async def test_throughput_benchmark_walks_every_person_through_both_bots(capsys):
    await throughput.main(["--people", "4", "--rounds", "1"])
    figures = json.loads(capsys.readouterr().out.splitlines()[0])
    assert figures["benchmark"] == "throughput"
    assert figures["partybot_updates"] == figures["echo_updates"] == 4 * 5
    assert figures["ratio"] > 0


async def test_startup_benchmark_reports_the_first_poll_and_idle_memory(capsys):
    await startup.main(["--rounds", "1"])
    figures = json.loads(capsys.readouterr().out.splitlines()[0])
    assert 0 < figures["first_get_updates_s"] < 30
    assert figures["idle_rss_mb"] > 10
