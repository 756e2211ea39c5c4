"""Claims of posts: who holds, waits for or asked for which place in a year."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from domain.post_models import HOLDING, OPEN, Claim, ClaimStatus
from storage import rows
from storage.db import Reader, fetch_all, fetch_one, iso, placeholders
from storage.posts.sql import claim_of_row


async def get_claim(conn: Reader, claim_id: int) -> Claim | None:
    return await rows.one(conn, claim_of_row, "SELECT * FROM post_claims WHERE id = ?", (claim_id,))


async def open_claim(conn: Reader, post_id: int, person_id: int, year: int) -> Claim | None:
    return await rows.one(
        conn,
        claim_of_row,
        f"SELECT * FROM post_claims WHERE post_id = ? AND person_id = ? AND year = ?"
        f" AND status IN ({placeholders(OPEN)})",
        (post_id, person_id, year, *OPEN),
    )


async def places_taken(conn: Reader, post_id: int, year: int) -> int:
    """A holder who left the branch keeps the claim in the year's record, not the place."""
    row = await fetch_one(
        conn,
        f"SELECT COUNT(*) AS n FROM post_claims c JOIN people p ON p.id = c.person_id"
        f" WHERE c.post_id = ? AND c.year = ? AND c.status IN ({placeholders(HOLDING)})"
        f" AND p.status <> 'left'",
        (post_id, year, *HOLDING),
    )
    return row["n"]


async def open_claims_of(
    conn: Reader, person_id: int, year: int, statuses: tuple[ClaimStatus, ...] = OPEN
) -> list[Claim]:
    return await _claims(conn, "person_id", person_id, year, statuses)


async def claims_of_post(
    conn: Reader, post_id: int, year: int, statuses: tuple[ClaimStatus, ...]
) -> list[Claim]:
    return await _claims(conn, "post_id", post_id, year, statuses)


async def _claims(
    conn: Reader, column: str, value: int, year: int, statuses: tuple[ClaimStatus, ...]
) -> list[Claim]:
    """A person's or a post's claims of the year in `statuses`, in order of arrival."""
    found = await fetch_all(
        conn,
        f"SELECT * FROM post_claims WHERE {column} = ? AND year = ?"
        f" AND status IN ({placeholders(statuses)}) ORDER BY id",
        (value, year, *statuses),
    )
    return [claim_of_row(r) for r in found]


async def branch_claims(
    conn: Reader, branch_id: int, year: int, statuses: tuple[ClaimStatus, ...]
) -> list[Claim]:
    found = await fetch_all(
        conn,
        f"SELECT c.* FROM post_claims c JOIN posts p ON p.id = c.post_id"
        f" WHERE p.branch_id = ? AND c.year = ? AND c.status IN ({placeholders(statuses)})"
        f" ORDER BY p.position, c.id",
        (branch_id, year, *statuses),
    )
    return [claim_of_row(r) for r in found]


async def insert_claim(
    conn: aiosqlite.Connection,
    post_id: int,
    person_id: int,
    year: int,
    status: ClaimStatus,
    now: datetime,
) -> int:
    claim = dict(post_id=post_id, person_id=person_id, year=year, status=status)
    return await rows.insert(conn, "post_claims", claim, dict(created_at=iso(now)))


async def set_claim_status(
    conn: aiosqlite.Connection,
    claim: Claim,
    status: ClaimStatus,
    now: datetime,
    *,
    decided_by: int | None = None,
    reason: str | None = None,
) -> bool:
    """Only from the status the caller saw; False when someone changed it first."""
    cur = await conn.execute(
        "UPDATE post_claims SET status = ?, decided_at = ?, decided_by = ?, reason = ?,"
        " approved_at = CASE WHEN ? = 'approved' THEN COALESCE(approved_at, ?) ELSE approved_at END"
        " WHERE id = ? AND status = ?",
        (status, iso(now), decided_by, reason, status, iso(now), claim.id, claim.status),
    )
    return cur.rowcount == 1
