"""The quarterly feedback reads every cadre's hours and posts in a few statements; the
figures are the ones a look-up person by person gives, on a seeded set with posts added."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from benchmarks.seed import fill
from domain import cadre_figures, hours, periods, posts
from domain.activity import ActivityKind, HourStatus
from domain.posts import PostRecord
from storage import posts as post_store
from storage.db import Database

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
PERIODS = [*(periods.quarter(YEAR, n) for n in (1, 2, 3, 4)), periods.half(YEAR, 1)]
PERIODS += [periods.half(YEAR, 2), periods.quarter(YEAR - 1, 4)]
STAMP = "2025-12-01T00:00:00.000Z"


def add_posts(path) -> None:
    """Posts, claims in every state, assessments and duty records (some with minutes) in
    2025 and 2026 for a third of the cadres: the seed has none."""
    rng = random.Random(3)
    conn = sqlite3.connect(path, isolation_level=None)
    branches = [r[0] for r in conn.execute("SELECT id FROM branches")]
    cadres = [r for r in conn.execute("SELECT id, branch_id FROM people WHERE category = 'cadre'")][
        ::3
    ]
    with conn:
        for branch in branches:
            for n in range(3):
                conn.execute(
                    "INSERT INTO posts (branch_id, name, position, created_at) VALUES (?, ?, ?, ?)",
                    (branch, f"岗位{n}", n, STAMP),
                )
        posts_of = {
            b: [r[0] for r in conn.execute("SELECT id FROM posts WHERE branch_id = ?", (b,))]
            for b in branches
        }
        for person, branch in cadres:
            for year in (YEAR - 1, YEAR):
                for post in rng.sample(posts_of[branch], rng.randint(0, 2)):
                    status = rng.choice(["approved", "leaving", "pending", "rejected"])
                    approved = STAMP if status in ("approved", "leaving") else None
                    conn.execute(
                        "INSERT INTO post_claims (post_id, person_id, year, status, created_at,"
                        " approved_at) VALUES (?, ?, ?, ?, ?, ?)",
                        (post, person, year, status, STAMP, approved),
                    )
                    if approved and rng.random() < 0.6:
                        conn.execute(
                            "INSERT INTO post_assessments (post_id, person_id, year, rating,"
                            " assessed_at) VALUES (?, ?, ?, ?, ?)",
                            (post, person, year, rng.choice(["excellent", "competent"]), STAMP),
                        )
                    for _ in range(rng.randint(0, 6)):
                        done = date(year, rng.randint(1, 12), rng.randint(1, 28))
                        conn.execute(
                            "INSERT INTO duty_records (post_id, person_id, year, done_on, text,"
                            " minutes, created_at) VALUES (?, ?, ?, ?, '巡查', ?, ?)",
                            (post, person, year, done.isoformat(), rng.choice([None, 30]), STAMP),
                        )
    conn.close()


def seeded_county(folder: Path, year: int) -> Path:
    """A county's database file at 1 % of benchmarks/seed.py's scale, with its posts."""
    path = folder / "county.db"

    async def schema() -> None:
        async with Database(path):
            pass

    asyncio.run(schema())
    fill(path, 0.01, year)
    add_posts(path)
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seeded_county(tmp_path_factory.mktemp("county"), YEAR)


@pytest.fixture
async def county(seeded):
    async with Database(seeded) as db:
        yield db


@dataclass(frozen=True)
class OneByOne:
    """The figures person by person, as the feedback read them before: the reference."""

    async def hours(self, db, person_ids, period) -> dict[int, tuple[float, float]]:
        found = {}
        for person_id in person_ids:
            rows = await db.fetchall(
                "SELECT kind, status, SUM(half_hours) FROM hour_records WHERE person_id = ?"
                " AND day BETWEEN ? AND ? AND status IN ('pending', 'verified')"
                " GROUP BY kind, status",
                (person_id, period.start.isoformat(), period.end.isoformat()),
            )
            totals = hours.sum_totals([(ActivityKind(k), HourStatus(s), n) for k, s, n in rows])
            if totals.verified or totals.attested:
                found[person_id] = (float(totals.total_verified), float(totals.total_attested))
        return found

    async def posts(self, db, person_ids, period) -> dict[int, list[tuple]]:
        found = {}
        years = range(period.start.year, period.end.year + 1)
        for person_id in person_ids:
            claims = await db.fetchall(
                "SELECT post_id, year FROM post_claims WHERE person_id = ? AND year BETWEEN ?"
                " AND ? AND approved_at IS NOT NULL ORDER BY year, id",
                (person_id, years.start, years.stop - 1),
            )
            held = []
            for post_id, year in claims:
                rated = await db.fetchone(
                    "SELECT rating FROM post_assessments WHERE person_id = ? AND post_id = ?"
                    " AND year = ?",
                    (person_id, post_id, year),
                )
                mine = [
                    d
                    for d in await post_store.duties_of(db, person_id, year)
                    if d.post_id == post_id and period.start <= d.done_on <= period.end
                ]
                post = await post_store.get_post(db, post_id)
                minutes = sum(d.minutes or 0 for d in mine)
                held.append((post, year, rated[0] if rated else None, len(mine), minutes))
            if held:
                found[person_id] = held
        return found


def comparable(records: dict[int, list[PostRecord]]) -> dict[int, list[tuple]]:
    return {
        person_id: [
            (
                r.post,
                r.year,
                r.assessment.rating if r.assessment else None,
                r.duty_count,
                r.duty_minutes,
            )
            for r in held
        ]
        for person_id, held in records.items()
    }


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
async def test_batched_figures_equal_the_ones_read_person_by_person(county, period):
    everyone = [f.person_id for f in await cadre_figures.gather(county, period, TZ)]
    reference = OneByOne()
    batched = {
        p: (float(t.total_verified), float(t.total_attested))
        for p, t in (await hours.people_totals(county, everyone, period.start, period.end)).items()
        if t.verified or t.attested
    }
    expected_hours = await reference.hours(county, everyone, period)
    assert expected_hours or period.year < YEAR  # something to compare (hours: 2026 only)
    assert batched == expected_hours
    expected_posts = await reference.posts(county, everyone, period)
    assert expected_posts
    found = await posts.people_posts(county, everyone, period.start, period.end)
    assert comparable(found) == expected_posts


async def test_one_person_reads_as_in_the_batch(county):
    period = periods.quarter(YEAR, 2)
    everyone = [f.person_id for f in await cadre_figures.gather(county, period, TZ)]
    batch = await posts.people_posts(county, everyone, period.start, period.end)
    totals = await hours.people_totals(county, everyone, period.start, period.end)
    for person_id in everyone:
        alone = await posts.person_posts(county, person_id, period.start, period.end)
        assert alone == batch.get(person_id, [])
        assert await hours.person_totals(county, person_id, period.start, period.end) == totals.get(
            person_id, hours.sum_totals([])
        )
