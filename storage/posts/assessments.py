"""Assessments of holders, and the claims a person held over years (for the feedback)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from domain.post_models import Assessment, Claim, Rating
from storage import rows
from storage.db import Reader, fetch_all, iso, placeholders
from storage.posts.sql import claim_of_row

_assessment = rows.mapper(Assessment)


async def save_assessment(
    conn: aiosqlite.Connection,
    claim: Claim,
    rating: Rating,
    comment: str,
    assessed_by: int,
    now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO post_assessments (post_id, person_id, year, rating, comment, assessed_by,"
        " assessed_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(post_id, person_id, year)"
        " DO UPDATE SET rating = excluded.rating, comment = excluded.comment,"
        " assessed_by = excluded.assessed_by, assessed_at = excluded.assessed_at",
        (claim.post_id, claim.person_id, claim.year, rating, comment, assessed_by, iso(now)),
    )


async def assessments_of(conn: Reader, person_ids: Sequence[int], years: range) -> list[Assessment]:
    found = await fetch_all(
        conn,
        f"SELECT * FROM post_assessments WHERE person_id IN ({placeholders(person_ids)})"
        " AND year BETWEEN ? AND ? ORDER BY person_id, year, post_id",
        (*person_ids, years.start, years.stop - 1),
    )
    return [_assessment(r) for r in found]


async def assessments_in(
    conn: Reader, branch_id: int, year: int
) -> dict[tuple[int, int], Assessment]:
    found = await fetch_all(
        conn,
        "SELECT a.* FROM post_assessments a JOIN posts p ON p.id = a.post_id"
        " WHERE p.branch_id = ? AND a.year = ?",
        (branch_id, year),
    )
    return {(r["post_id"], r["person_id"]): _assessment(r) for r in found}


async def held_claims_of(conn: Reader, person_ids: Sequence[int], years: range) -> list[Claim]:
    """Posts the people held (approved, or approved and since asked to leave or left), by
    person, year and claim."""
    found = await fetch_all(
        conn,
        f"SELECT * FROM post_claims WHERE person_id IN ({placeholders(person_ids)})"
        " AND year BETWEEN ? AND ? AND approved_at IS NOT NULL"
        " ORDER BY person_id, year, id",
        (*person_ids, years.start, years.stop - 1),
    )
    return [claim_of_row(r) for r in found]
