"""The survey's answers: replaced per person and year, counted for the secretary."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from domain.post_models import Cycle
from storage.db import Reader, fetch_all, iso


async def save_survey(
    conn: aiosqlite.Connection,
    cycle: Cycle,
    person_id: int,
    post_ids: list[int],
    availability: str,
    skills: str,
    now: datetime,
) -> None:
    """An answer replaces the person's earlier answer of the same year."""
    key = (cycle.branch_id, cycle.year, person_id)
    await conn.execute(
        "DELETE FROM post_surveys WHERE branch_id = ? AND year = ? AND person_id = ?", key
    )
    await conn.execute(
        "INSERT INTO post_surveys (branch_id, year, person_id, availability, skills,"
        " answered_at) VALUES (?, ?, ?, ?, ?, ?)",
        (*key, availability, skills, iso(now)),
    )
    await conn.executemany(
        "INSERT INTO post_survey_choices (branch_id, year, person_id, post_id) VALUES (?, ?, ?, ?)",
        [(*key, post_id) for post_id in post_ids],
    )


async def survey_counts(conn: Reader, cycle: Cycle) -> tuple[int, dict[int, int], dict[str, int]]:
    """Respondents, willing people per post, respondents per availability."""
    key = (cycle.branch_id, cycle.year)
    answers = await fetch_all(
        conn,
        "SELECT availability, COUNT(*) AS n FROM post_surveys"
        " WHERE branch_id = ? AND year = ? GROUP BY availability",
        key,
    )
    willing = await fetch_all(
        conn,
        "SELECT post_id, COUNT(*) AS n FROM post_survey_choices"
        " WHERE branch_id = ? AND year = ? GROUP BY post_id",
        key,
    )
    by_time = {r["availability"]: r["n"] for r in answers}
    return sum(by_time.values()), {r["post_id"]: r["n"] for r in willing}, by_time


async def survey_skills(conn: Reader, cycle: Cycle) -> list[tuple[int, str]]:
    found = await fetch_all(
        conn,
        "SELECT person_id, skills FROM post_surveys"
        " WHERE branch_id = ? AND year = ? AND skills != '' ORDER BY answered_at",
        (cycle.branch_id, cycle.year),
    )
    return [(r["person_id"], r["skills"]) for r in found]
